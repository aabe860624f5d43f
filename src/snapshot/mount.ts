/**
 * Mounting and unmounting the plain-data mounts snapshots hand out. Through mount(2)/umount2(2)
 * from gantry's addon: a mount(8)/umount(8) process per container start and per build step cost
 * tens of milliseconds on a busy machine, more than the system calls. mount(8) remains the way
 * where the addon is not built, and for an overlay whose option string only fits a page with its
 * lowerdirs relative to `cwd` (a system call would resolve them against gantry's own directory).
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { promisify } from 'node:util';
import { MNT, MS, optionalSys, type GantrySys } from '../native/index.js';
import { MountError } from './errors.js';
import type { Mount } from './snapshotter.js';

const run = promisify(execFile);

/**
 * The mounts with overlay's `volatile` option on every writable overlay: the kernel then skips
 * syncing the upper filesystem, on unmount among others. Unmounting an overlay otherwise runs
 * syncfs on the filesystem under the upperdir, which writes back every dirty page on it (other
 * processes' too) and costs 100–300 ms on a busy disk. For a container whose changes are thrown
 * away when it exits (`run --rm`) that durability buys nothing; podman mounts such containers
 * volatile for the same reason. A crash may leave the upper dir inconsistent, which does not matter
 * for a snapshot about to be removed; a build step's upper, which becomes a committed snapshot, is
 * extracted again from its layer after a crash (snapshot/local.ts).
 */
export function volatileMounts(mounts: readonly Mount[]): Mount[] {
  return mounts.map((m) =>
    m.type === 'overlay' && m.options.some((o) => o.startsWith('upperdir=')) && !m.options.includes('volatile')
      ? { ...m, options: [...m.options, 'volatile'] }
      : m,
  );
}

/**
 * After a volatile overlay is unmounted the kernel leaves `<workdir>/work/incompat/volatile` behind
 * and refuses to mount that workdir again until it is gone (its way to make users notice a crash).
 * A mount that asks for `volatile` again accepts the risk; the marker goes before mounting.
 */
function clearVolatileMarker(m: Mount): void {
  const workdir = m.options.find((o) => o.startsWith('workdir='))?.slice('workdir='.length);
  if (workdir === undefined) return;
  rmSync(resolve(m.cwd ?? process.cwd(), workdir, 'work', 'incompat', 'volatile'), { recursive: true, force: true });
}

function mountArgs(m: Mount, target: string): string[] {
  return m.type === 'bind'
    ? ['--bind', ...(m.options.includes('ro') ? ['-o', 'ro'] : []), m.source, target]
    : ['-t', 'overlay', '-o', m.options.join(','), m.source, target];
}


const PATH_OPTIONS = ['lowerdir=', 'upperdir=', 'workdir='];
/** mount(2)'s data is at most a page, terminating NUL included. */
const MAX_DATA = 4095;

/** The overlay's option string with every path absolute, or undefined when that exceeds a page. */
function absoluteOverlayData(m: Mount): string | undefined {
  const base = m.cwd ?? process.cwd();
  const data = m.options
    .map((o) => {
      const key = PATH_OPTIONS.find((k) => o.startsWith(k));
      if (key === undefined) return o;
      const paths = o.slice(key.length).split(':');
      return key + paths.map((p) => (isAbsolute(p) ? p : resolve(base, p))).join(':');
    })
    .join(',');
  return data.length <= MAX_DATA ? data : undefined;
}

/** One mount by system call; false when it has to go through mount(8). */
function mountBySyscall(m: Mount, target: string): boolean {
  const native = optionalSys();
  if (native === undefined) return false;
  if (m.type === 'bind') {
    native.mount(m.source, target, '', MS.BIND, '');
    // A bind mount ignores MS_RDONLY until remounted.
    if (m.options.includes('ro')) native.mount('', target, '', MS.REMOUNT | MS.BIND | MS.RDONLY, '');
    return true;
  }
  const data = absoluteOverlayData(m);
  if (data === undefined) return false;
  native.mount(m.source, target, 'overlay', 0, data);
  return true;
}

async function mountOne(m: Mount, target: string, signal: AbortSignal | undefined): Promise<void> {
  let bySyscall: boolean;
  try {
    bySyscall = mountBySyscall(m, target);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new MountError(target, `mount ${m.type} ${m.source}: ${e.message}`, { cause: err });
  }
  if (bySyscall) return;
  try {
    await run('mount', mountArgs(m, target), { cwd: m.cwd, signal });
    // A read-only bind needs a remount to take effect on older util-linux.
    if (m.type === 'bind' && m.options.includes('ro')) await run('mount', ['-o', 'remount,bind,ro', target]);
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new MountError(target, stderr || (err as Error).message, { cause: err });
  }
}

/** Mounts `mounts` (in order) on `target`. */
export async function mountAll(mounts: readonly Mount[], target: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  for (const m of mounts) {
    options.signal?.throwIfAborted();
    const volatile = m.type === 'overlay' && m.options.includes('volatile');
    if (!volatile) {
      await mountOne(m, target, options.signal);
      continue;
    }
    clearVolatileMarker(m);
    try {
      await mountOne(m, target, options.signal);
    } catch (err) {
      // Kernels before 5.10 do not know `volatile`: mount as before (synced on unmount).
      options.signal?.throwIfAborted();
      await mountOne({ ...m, options: m.options.filter((o) => o !== 'volatile') }, target, options.signal).catch(() => {
        throw err;
      });
    }
  }
}

/** umount2(2), then with MNT_DETACH when busy (lazily unmounted once its last user goes). */
async function unmountBySyscall(native: GantrySys, target: string): Promise<void> {
  for (const flags of [0, MNT.DETACH]) {
    try {
      await native.umount2(target, flags);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // EINVAL: not a mount point (any more); ENOENT: no such path. Both mean: nothing mounted.
      if (code === 'EINVAL' || code === 'ENOENT') return;
      if (code !== 'EBUSY' || flags === MNT.DETACH) throw new MountError(target, `cannot unmount: ${(err as Error).message}`, { cause: err });
    }
  }
}

/** Unmounts `target` (lazily if busy, so a stuck process cannot wedge cleanup). Idempotent. */
export async function unmount(target: string): Promise<void> {
  const native = optionalSys();
  if (native !== undefined) return unmountBySyscall(native, target);
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
