/**
 * Mounting and unmounting the plain-data mounts snapshots hand out. Spawns mount(8)/umount(8): one
 * process per container or build step costs a few milliseconds, and keeps the kernel's option
 * parsing (relative lowerdirs, long option strings) exactly as the tools do it.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
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
 * for a snapshot about to be removed.
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

/** Mounts `mounts` (in order) on `target`. */
export async function mountAll(mounts: readonly Mount[], target: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  for (const m of mounts) {
    const volatile = m.type === 'overlay' && m.options.includes('volatile');
    try {
      if (volatile) {
        clearVolatileMarker(m);
        try {
          await run('mount', mountArgs(m, target), { cwd: m.cwd, signal: options.signal });
        } catch (err) {
          // Kernels before 5.10 do not know `volatile`: mount as before (synced on unmount).
          options.signal?.throwIfAborted();
          await run('mount', mountArgs({ ...m, options: m.options.filter((o) => o !== 'volatile') }, target), { cwd: m.cwd, signal: options.signal }).catch(() => {
            throw err;
          });
        }
        continue;
      }
      await run('mount', mountArgs(m, target), { cwd: m.cwd, signal: options.signal });
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
