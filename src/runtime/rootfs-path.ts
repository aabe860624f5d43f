/**
 * Reading files of a container's root filesystem from the host without leaving it. An image may ship
 * `/etc/passwd` as a symlink to `/../../host/etc/shadow`; following it naively would read the host's
 * file. The resolution itself is `layer/`'s securejoin-like `resolveInRoot` (absolute targets restart
 * at the root, `..` stops at the root, a hop limit ends loops): one implementation of that safety
 * rule for extraction, COPY and the runtime. runtime, snapshot and layer are siblings in DESIGN.md;
 * layer is the lowest of them (it imports neither of the others), so runtime → layer adds no cycle.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { errnoCode, InvalidArgumentError } from '../errors.js';
import { resolveInRoot as resolveInRootSync, UnsafeEntryError } from '../layer/index.js';

/** Linux's own limit per lookup: the runtime resolves as a process inside the container would. */
const MAX_HOPS = 40;

/**
 * The host path of `path` inside `root`, with every symlink (the last component's too) resolved
 * within the root. The result may not exist (components below a missing one are joined as given,
 * `..` still clamped at the root).
 * @throws {InvalidArgumentError} ERR_SYMLINK_LOOP after too many links
 */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  try {
    return resolveInRootSync(root, path, { followLast: true, maxHops: MAX_HOPS });
  } catch (err) {
    if (err instanceof UnsafeEntryError) {
      throw new InvalidArgumentError('SYMLINK_LOOP', `Cannot resolve "${path}" in the root filesystem: too many symbolic links`, { cause: err });
    }
    throw err;
  }
}

/**
 * A regular file inside `root` as text, or undefined when it does not exist. Reads at most `maxBytes`
 * (a hostile image cannot make us read a huge or endless file).
 */
export async function readFileInRoot(root: string, path: string, maxBytes = 4 << 20): Promise<string | undefined> {
  const host = await resolveInRoot(root, posix.normalize(path));
  // Synchronous: these are small files (passwd, group) read before a container starts, where each
  // thread-pool round trip of the async API costs more than the read itself on a busy machine.
  let fd: number;
  try {
    // O_NOFOLLOW: the last component was resolved above; a link swapped in since is refused, not followed.
    fd = openSync(host, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
    throw err;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return undefined;
    const buf = Buffer.alloc(Math.min(st.size, maxBytes));
    let bytesRead = 0;
    while (bytesRead < buf.length) {
      const n = readSync(fd, buf, bytesRead, buf.length - bytesRead, bytesRead);
      if (n === 0) break;
      bytesRead += n;
    }
    return buf.subarray(0, bytesRead).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
