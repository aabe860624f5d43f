/**
 * Reading files of a container's root filesystem from the host without leaving it. An image may ship
 * `/etc/passwd` as a symlink to `/../../host/etc/shadow`; following it naively would read the host's
 * file. Each component is resolved with lstat/readlink inside `root`: absolute targets restart at the
 * root, `..` stops at the root, and a hop limit ends loops. (`layer/` has its own resolver for
 * extraction; this one only reads, so it stays small and local to the runtime.)
 */
import { constants } from 'node:fs';
import { lstat, readlink, open } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { errnoCode, InvalidArgumentError } from '../errors.js';

const MAX_HOPS = 40;

/**
 * The host path of `path` inside `root`, with every symlink resolved within the root. The result may
 * not exist (its last components are joined as given).
 * @throws {InvalidArgumentError} ERR_SYMLINK_LOOP after too many links
 */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  let pending = path.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const c = pending.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const host = join(root, ...done, c);
    let st;
    try {
      st = await lstat(host);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return join(root, ...done, c, ...pending);
      throw err;
    }
    if (!st.isSymbolicLink()) {
      done.push(c);
      continue;
    }
    if (++hops > MAX_HOPS) throw new InvalidArgumentError('SYMLINK_LOOP', `Cannot resolve "${path}" in the root filesystem: too many symbolic links`);
    const target = await readlink(host);
    const parts = target.split('/').filter((p) => p !== '' && p !== '.');
    if (target.startsWith('/')) done.length = 0;
    pending = [...parts, ...pending];
  }
  return join(root, ...done);
}

/**
 * A regular file inside `root` as text, or undefined when it does not exist. Reads at most `maxBytes`
 * (a hostile image cannot make us read a huge or endless file).
 */
export async function readFileInRoot(root: string, path: string, maxBytes = 4 << 20): Promise<string | undefined> {
  const host = await resolveInRoot(root, posix.normalize(path));
  let handle;
  try {
    // O_NOFOLLOW: the last component was resolved above; a link swapped in since is refused, not followed.
    handle = await open(host, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(st.size, maxBytes));
    const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}
