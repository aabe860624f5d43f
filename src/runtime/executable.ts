/**
 * Finding the command a container will run before starting it, so a missing or non-executable command
 * fails with docker's exit codes (127, 126) and message instead of the runtime's generic status 1,
 * which `runc run` cannot tell apart from the container's own exit 1. Resolution stays inside the root
 * filesystem; a command under a bind-mount destination is not checked (the mount supplies it).
 */
import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { GantryError } from '../errors.js';
import { resolveInRoot } from './rootfs-path.js';
import type { Spec } from './spec-types.js';

/** docker's `exec: "x": executable file not found in $PATH` (exit 127) and permission denied (126). */
export class ContainerCommandError extends GantryError {
  constructor(message: string, readonly exitCode: 126 | 127) {
    super('failed-precondition', exitCode === 127 ? 'COMMAND_NOT_FOUND' : 'COMMAND_NOT_EXECUTABLE', message);
  }
}

async function executable(rootfs: string, path: string): Promise<'ok' | 'missing' | 'denied'> {
  try {
    // statSync: one lookup per PATH entry before every start; see writeEtcFiles for why not async.
    const st = statSync(await resolveInRoot(rootfs, path));
    if (st.isDirectory()) return 'denied';
    return (st.mode & 0o111) !== 0 ? 'ok' : 'denied';
  } catch {
    return 'missing';
  }
}

/**
 * Checks `spec.process.args[0]` inside `rootfs` (PATH lookup from the spec's env when it has no slash).
 * @throws {ContainerCommandError}
 */
export async function checkCommand(rootfs: string, spec: Spec): Promise<void> {
  const cmd = spec.process.args[0];
  if (cmd === undefined) return;
  const binds = spec.mounts.filter((m) => m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind')).map((m) => m.destination);
  const underBind = (p: string): boolean => binds.some((d) => p === d || p.startsWith(`${d}/`));
  if (cmd.includes('/')) {
    const abs = posix.resolve(spec.process.cwd, cmd);
    if (underBind(abs)) return;
    const r = await executable(rootfs, abs);
    if (r === 'missing') throw new ContainerCommandError(`exec: "${cmd}": stat ${cmd}: no such file or directory`, 127);
    if (r === 'denied') throw new ContainerCommandError(`exec: "${cmd}": permission denied`, 126);
    return;
  }
  const path = spec.process.env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '';
  let denied = false;
  for (const dir of path.split(':').filter((d) => d.startsWith('/'))) {
    const p = posix.join(dir, cmd);
    if (underBind(p)) return;
    const r = await executable(rootfs, p);
    if (r === 'ok') return;
    if (r === 'denied') denied = true;
  }
  if (denied) throw new ContainerCommandError(`exec: "${cmd}": permission denied`, 126);
  throw new ContainerCommandError(`exec: "${cmd}": executable file not found in $PATH`, 127);
}
