/**
 * Mounts as plain data (containerd's `Mount`: type, source, options) and the two operations on them:
 * mount at a target, unmount. Mounting spawns mount(8) — Node has no mount(2), and one process per
 * container start costs little next to the runtime's own. An overlay with many layers can exceed the
 * one-page limit on mount data; then lower dirs are given relative to the snapshots root, with the
 * mount run from there (containerd does the same).
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { GantryError } from '../errors.js';

export interface Mount {
  /** `overlay`, `bind`, `tmpfs`, … */
  type: string;
  source: string;
  options: string[];
}

/** A mount(8)/umount(8) failure, with its message. */
export class MountError extends GantryError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super('failed-precondition', 'MOUNT_FAILED', message, options);
  }
}

// mount(2) data is at most one page; keep a margin for the other options.
const MAX_MOUNT_DATA = 4000;

function run(cmd: string, args: readonly string[], cwd?: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(cwd === undefined ? {} : { cwd }), ...(signal === undefined ? {} : { signal }) });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolvePromise();
      else reject(new MountError(`Cannot ${cmd} ${args[args.length - 1] ?? ''}: ${err.trim() || `exit status ${code}`}`));
    });
  });
}

/** A bind mount needs `bind`/`rbind` in its options for mount(8); an overlay its dirs. Pure. */
export function mountArgs(m: Mount, target: string, relativeTo?: string): { args: string[]; cwd?: string } {
  let options = m.options;
  let cwd: string | undefined;
  if (m.type === 'overlay' && relativeTo !== undefined) {
    const base = resolve(relativeTo);
    const rel = (p: string): string => {
      const r = relative(base, p);
      return r.startsWith('..') || r.startsWith(sep) ? p : r;
    };
    options = options.map((o) => {
      const [k, v] = [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)];
      if (k === 'lowerdir') return `lowerdir=${v.split(':').map(rel).join(':')}`;
      if (k === 'upperdir' || k === 'workdir') return `${k}=${rel(v)}`;
      return o;
    });
    cwd = base;
  }
  const isBind = m.type === 'bind' || options.includes('bind') || options.includes('rbind');
  const args = isBind ? ['--bind', m.source, target] : ['-t', m.type, m.source, target];
  const rest = options.filter((o) => o !== 'bind' && o !== 'rbind');
  if (isBind && options.includes('rbind')) args[0] = '--rbind';
  if (rest.length > 0) args.unshift('-o', rest.join(','));
  return cwd === undefined ? { args } : { args, cwd };
}

/**
 * Mounts `mounts` in order at `target` (an existing directory). A read-only bind is mounted, then
 * remounted read-only, because the kernel ignores `ro` on the first bind.
 * @throws {MountError}
 */
export async function mountAll(mounts: readonly Mount[], target: string, options: { relativeTo?: string; signal?: AbortSignal } = {}): Promise<void> {
  for (const m of mounts) {
    const long = m.options.join(',').length > MAX_MOUNT_DATA;
    const { args, cwd } = mountArgs(m, target, long ? options.relativeTo : undefined);
    await run('mount', args, cwd, options.signal);
    const isBind = m.type === 'bind' || m.options.includes('bind') || m.options.includes('rbind');
    if (isBind && m.options.includes('ro')) await run('mount', ['-o', 'remount,bind,ro', target], undefined, options.signal);
  }
}

/** Unmounts `target` (all mounts stacked on it). A target that is not mounted is not an error. */
export async function unmount(target: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  while (await isMountPoint(target)) {
    await run('umount', [target], undefined, options.signal);
  }
}

/** True when `path` is a mount point (from /proc/self/mountinfo). */
export async function isMountPoint(path: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const want = resolve(path);
  return info.split('\n').some((line) => {
    const mp = line.split(' ')[4];
    return mp !== undefined && mp.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8))) === want;
  });
}

/** True when any mount point lies at or under `dir` (removal never deletes through a live mount). */
export async function hasMountsUnder(dir: string): Promise<boolean> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const base = resolve(dir);
  return info.split('\n').some((line) => {
    const mp = line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    return mp !== undefined && (mp === base || mp.startsWith(base + sep));
  });
}

interface MountInfoLine {
  dev: string;
  root: string;
  mountPoint: string;
  fsType: string;
  superOptions: string;
}

function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Parses /proc/self/mountinfo text. Pure. */
export function parseMountInfo(text: string): MountInfoLine[] {
  const out: MountInfoLine[] = [];
  for (const line of text.split('\n')) {
    const f = line.split(' ');
    const dash = f.indexOf('-');
    if (f.length < 10 || dash < 6) continue;
    out.push({ dev: f[2]!, root: unescape(f[3]!), mountPoint: unescape(f[4]!), fsType: f[dash + 1]!, superOptions: unescape(f[dash + 3] ?? '') });
  }
  return out;
}

function under(path: string, base: string): boolean {
  return path === base || path.startsWith(base.endsWith(sep) ? base : base + sep);
}

/**
 * True when a live mount uses anything at or under `dir`: a mount point inside it, an overlay with a
 * layer dir inside it, or a bind mount of a path inside it (found through the bind's root within the
 * same device). Removing or committing such a directory would pull files from under a container.
 */
export async function isInUse(dir: string): Promise<boolean> {
  const lines = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
  const base = resolve(dir);
  if (lines.some((l) => under(l.mountPoint, base))) return true;
  if (lines.some((l) => l.fsType === 'overlay' && l.superOptions.split(/[,:=]/).some((p) => p.startsWith('/') && under(p, base)))) return true;
  // The filesystem holding `dir`: the mount with the longest mount point above it.
  const holder = lines.filter((l) => under(base, l.mountPoint)).sort((a, b) => b.mountPoint.length - a.mountPoint.length)[0];
  if (holder === undefined) return false;
  const inFs = `${holder.root === '/' ? '' : holder.root}${base.slice(holder.mountPoint === '/' ? 0 : holder.mountPoint.length)}` || '/';
  return lines.some((l) => l !== holder && l.dev === holder.dev && under(l.root, inFs));
}
