/**
 * Mounting and unmounting the plain-data mounts snapshots hand out. Spawns mount(8)/umount(8): one
 * process per container or build step costs a few milliseconds, and keeps the kernel's option
 * parsing (relative lowerdirs, long option strings) exactly as the tools do it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { MountError } from './errors.js';
import type { Mount } from './snapshotter.js';

const run = promisify(execFile);

/** Mounts `mounts` (in order) on `target`. */
export async function mountAll(mounts: readonly Mount[], target: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  for (const m of mounts) {
    const args =
      m.type === 'bind'
        ? ['--bind', ...(m.options.includes('ro') ? ['-o', 'ro'] : []), m.source, target]
        : ['-t', 'overlay', '-o', m.options.join(','), m.source, target];
    try {
      await run('mount', args, { cwd: m.cwd, signal: options.signal });
      // A read-only bind needs a remount to take effect on older util-linux.
      if (m.type === 'bind' && m.options.includes('ro')) await run('mount', ['-o', 'remount,bind,ro', target]);
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new MountError(target, stderr || (err as Error).message, { cause: err });
    }
  }
}

/** Unmounts `target` (lazily if busy, so a stuck process cannot wedge cleanup). Idempotent. */
export async function unmount(target: string): Promise<void> {
  try {
    await run('umount', [target]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    if (/not mounted|no mount point|not found/i.test(stderr)) return;
    try {
      await run('umount', ['-l', target]);
    } catch (err2) {
      const s2 = (err2 as { stderr?: string }).stderr ?? '';
      if (/not mounted|no mount point|not found/i.test(s2)) return;
      throw new MountError(target, `cannot unmount: ${s2.trim() || stderr.trim()}`, { cause: err2 });
    }
  }
}
