/**
 * The host's device nodes, for `--privileged` (docker gives a privileged container every host device).
 * The runtime creates each node in the container's /dev tmpfs from its type and numbers.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Device } from './spec-types.js';

// Mounted or created by the runtime itself inside the container.
const SKIP = new Set(['/dev/pts', '/dev/shm', '/dev/mqueue', '/dev/console', '/dev/ptmx', '/dev/tty', '/dev/fd', '/dev/stdin', '/dev/stdout', '/dev/stderr']);

/** Linux's dev_t split (glibc `major`/`minor`). */
export function splitDev(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev);
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn));
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn));
  return { major, minor };
}

/** Every character and block device under /dev (a few levels deep), as spec devices. */
export async function hostDevices(root = '/dev', depth = 3): Promise<Device[]> {
  const out: Device[] = [];
  async function walk(dir: string, level: number): Promise<void> {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const p = join(dir, name);
      if (SKIP.has(p)) continue;
      let st;
      try {
        st = await lstat(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        if (level < depth) await walk(p, level + 1);
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        const { major, minor } = splitDev(st.rdev);
        out.push({ type: st.isCharacterDevice() ? 'c' : 'b', path: p, major, minor, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid });
      }
    }
  }
  await walk(root, 1);
  return out;
}
