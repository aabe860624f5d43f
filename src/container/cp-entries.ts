/**
 * What `cp` moves: archive entries (tar headers, with the body in a host file or in a stream), read
 * from a directory tree or a tar stream, written as a tar stream or extracted into a directory.
 *
 * docker's `cp` is an archive of the source, renamed and extracted at the destination; gantry keeps
 * that model (so that the rules of cp-paths.ts hold in every direction) but only makes the tar bytes
 * when one side is `-`: between a container and the host, entries go straight from one tree to the
 * other, a file's data with copy_file_range.
 *
 * Extraction resolves every path inside its root (layer's `resolveInRoot`): a symlink already in a
 * container (`etc -> /host/etc`) or written by the archive itself never leads a write out of it.
 */
import { createWriteStream } from 'node:fs';
import {
  chmodSync, closeSync, constants, copyFileSync, openSync, readFileSync, readSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, unlinkSync,
} from 'node:fs';
import { once } from 'node:events';
import { posix } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import { finished } from 'node:stream/promises';
import { coalesce, entryType, lstatIfAny, readTar, resolveInRoot, writeTar, type TarHeader, type TarWriterEntry } from '../layer/index.js';
import { sys } from '../native/index.js';
import { InvalidArgumentError } from '../errors.js';
import { renameFirst } from './cp-paths.js';

/** One entry of the copy: where it goes (header.path, relative) and where its bytes are. */
export interface CpEntry {
  header: TarHeader;
  /** Seconds; the mtime stands in when unknown (tar input). */
  atime?: number;
  /** A regular file's data in a host file (a tree walk)… */
  file?: string;
  /** …or in a stream (a tar input), read once, before the next entry is asked for. */
  body?: AsyncIterable<Uint8Array>;
}

/** docker's refusal to replace a directory by a file or the reverse during an extraction. */
export class CopyOverwriteError extends InvalidArgumentError {
  constructor(message: string) {
    super('CP_OVERWRITE', message);
  }
}

/** An archive entry that would land outside the directory it is extracted into (docker's breakout check). */
export class CopyBreakoutError extends InvalidArgumentError {
  constructor(message: string) {
    super('CP_BREAKOUT', message);
  }
}

/** The extended attribute docker's archiver keeps: file capabilities. */
const CAPABILITY = 'security.capability';

/** Entries between two turns of the event loop on a tree walk or extraction. */
const YIELD_EVERY = 256;

/**
 * The entries of the tree at `host` (not followed if a symlink), named `name` and `name/…`, parents
 * before children, names sorted. A file seen again through another hard link becomes a hardlink
 * entry to its first name, as docker's archiver writes it.
 */
export async function* walkTree(host: string, name: string, o: { signal?: AbortSignal } = {}): AsyncGenerator<CpEntry> {
  const links = new Map<string, string>();
  let count = 0;
  const visit = async function* (path: string, entryName: string): AsyncGenerator<CpEntry> {
    if (++count % YIELD_EVERY === 0) {
      await yieldLoop();
      o.signal?.throwIfAborted();
    }
    const st = lstatSync(path);
    const type = entryType(st);
    if (type === undefined) return;
    const header: TarHeader = { path: entryName, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeMs / 1000) };
    const atime = Math.floor(st.atimeMs / 1000);
    if (type === 'file' && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) {
        yield { header: { ...header, type: 'hardlink', linkpath: first }, atime };
        return;
      }
      links.set(key, entryName);
    }
    if (type === 'file') {
      header.size = st.size;
      // docker's archiver carries one extended attribute, a file's capabilities (ping's cap_net_raw).
      const capability = sys().lgetxattr(path, CAPABILITY);
      if (capability !== null) header.xattrs = new Map([[CAPABILITY, capability]]);
      yield { header, atime, file: path };
      return;
    }
    if (type === 'symlink') header.linkpath = readlinkSync(path);
    if (type === 'char-device' || type === 'block-device') {
      header.devmajor = Math.floor(st.rdev / 256) & 0xfff;
      header.devminor = (st.rdev & 0xff) | ((st.rdev >> 12) & 0xfff00);
    }
    yield { header, atime };
    if (type !== 'directory') return;
    const prefix = entryName === '/' ? '/' : `${entryName}/`;
    for (const child of readdirSync(path).sort()) yield* visit(`${path}/${child}`, `${prefix}${child}`);
  };
  yield* visit(host, name);
}

/** The entries of a tar stream (each body must be consumed or skipped before the next one). */
export async function* tarEntries(source: AsyncIterable<Uint8Array>, o: { signal?: AbortSignal } = {}): AsyncGenerator<CpEntry> {
  for await (const e of readTar(source, o.signal === undefined ? {} : { signal: o.signal })) {
    if (e.header.type === 'file') {
      yield { header: e.header, body: e.body };
      await e.skip(); // whatever the consumer left of the body
    } else yield { header: e.header };
  }
}

/** A tar stream of the entries, the first path component renamed if asked. */
export function toTar(entries: AsyncIterable<CpEntry>, o: { signal?: AbortSignal } = {}): AsyncGenerator<Uint8Array> {
  async function* asTar(): AsyncGenerator<TarWriterEntry> {
    for await (const e of entries) {
      if (e.header.type !== 'file') yield { header: e.header };
      else if (e.file !== undefined) yield { header: e.header, body: e.header.size <= READ_CHUNK ? readFileSync(e.file) : readFileChunks(e.file) };
      else yield { header: e.header, body: e.body ?? new Uint8Array(0) };
    }
  }
  // Headers are 512 bytes and most files small: written in pieces of 256 KiB, not one write each.
  return coalesce(writeTar(asTar(), o.signal === undefined ? {} : { signal: o.signal }));
}

/** Files up to this size are read whole; larger ones in pieces of it. */
const READ_CHUNK = 1 << 20;

/**
 * A large file's bytes in 1 MiB pieces, read synchronously: a read stream's machinery per file cost
 * more than the reads for a tree of many files (the tar is consumed as fast as it is made).
 */
async function* readFileChunks(path: string): AsyncGenerator<Uint8Array> {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      const n = readSync(fd, buf, 0, READ_CHUNK, null);
      if (n === 0) return;
      yield n === READ_CHUNK ? buf : buf.subarray(0, n);
    }
  } finally {
    closeSync(fd);
  }
}

/** Renames the first path component of every entry (and of a hardlink's target), docker's rebase. */
export async function* renamed(entries: AsyncIterable<CpEntry>, from: string, to: string): AsyncGenerator<CpEntry> {
  for await (const e of entries) {
    const header = { ...e.header, path: renameFirst(e.header.path, from, to) };
    if (header.type === 'hardlink' && header.linkpath !== undefined) header.linkpath = renameFirst(header.linkpath, from, to);
    yield { ...e, header };
  }
}

/** Who owns what an extraction creates. */
export type Ownership =
  /** the archive's uid/gid (docker's copy into a container) */
  | { kind: 'keep' }
  /** whoever runs the copy (docker's copy out to the host) */
  | { kind: 'caller' }
  /** these ids (`cp -a` with a container user) */
  | { kind: 'set'; uid: number; gid: number };

export interface ExtractOptions {
  /** The host directory no path may leave (a container's root filesystem, or the destination dir itself). */
  root: string;
  /** The directory to extract into, inside `root`, as a path relative to it (`''` for the root itself). */
  dir: string;
  ownership: Ownership;
  /** How paths appear in messages: the host path, or the path inside the root (a container's). */
  show?: 'host' | 'in-root';
  signal?: AbortSignal;
}

interface DirMeta {
  host: string;
  mode: number;
  atime: number;
  mtime: number;
}

/**
 * Extracts entries under `dir`, docker's way: missing parents are created (0755), a directory
 * merges with an existing one, anything else replaces what is there, but never a directory by a
 * non-directory or the reverse; modes and times are the archive's (directories' times set last).
 * @throws {CopyOverwriteError}
 */
export async function extractEntries(entries: AsyncIterable<CpEntry>, o: ExtractOptions): Promise<void> {
  const dirs: DirMeta[] = [];
  const base = o.dir === '' ? '' : `${o.dir.replace(/^\/+|\/+$/g, '')}/`;
  const show = (host: string): string => (o.show === 'in-root' ? host.slice(o.root.length) || '/' : host);
  const dirShown = o.show === 'in-root' ? `/${base.replace(/\/$/, '')}` : `${o.root}${base === '' ? '' : `/${base.replace(/\/$/, '')}`}`;
  let count = 0;
  for await (const e of entries) {
    if (++count % YIELD_EVERY === 0) {
      await yieldLoop();
      o.signal?.throwIfAborted();
    }
    const h = e.header;
    const name = inside(h.path);
    if (name === undefined) throw new CopyBreakoutError(`${JSON.stringify(h.path)} is outside of ${JSON.stringify(dirShown)}`);
    const rel = `${base}${name}`.replace(/\/+$/, '');
    const host = resolveInRoot(o.root, rel, { followLast: false });
    const existing = lstatIfAny(host);
    if (existing !== undefined) {
      if (existing.isDirectory() && h.type !== 'directory') {
        throw new CopyOverwriteError(`cannot overwrite directory "${show(host)}" with non-directory "${dirShown}"`);
      }
      if (!existing.isDirectory() && h.type === 'directory') {
        throw new CopyOverwriteError(`cannot overwrite non-directory "${show(host)}" with directory "${dirShown}"`);
      }
      if (existing.isDirectory() && name === '') continue; // the extraction directory itself (`./`)
      if (!existing.isDirectory()) unlinkSync(host);
    } else {
      ensureParent(o.root, host);
    }
    switch (h.type) {
      case 'directory':
        if (existing === undefined) mkdirSync(host, { mode: 0o700 });
        break;
      case 'file':
        if (e.file !== undefined) copyFileSync(e.file, host, constants.COPYFILE_EXCL);
        else await writeBody(host, e.body ?? emptyBody(), h.size);
        break;
      case 'symlink':
        symlinkSync(h.linkpath ?? '', host);
        break;
      case 'hardlink': {
        const to = inside(h.linkpath ?? '');
        if (to === undefined) throw new CopyBreakoutError(`invalid hardlink ${JSON.stringify(h.linkpath)} -> ${JSON.stringify(h.path)}`);
        const target = resolveInRoot(o.root, `${base}${to}`, { followLast: false });
        linkSync(target, host);
        break;
      }
      case 'char-device':
      case 'block-device':
      case 'fifo': {
        const typeBits = h.type === 'fifo' ? constants.S_IFIFO : h.type === 'char-device' ? constants.S_IFCHR : constants.S_IFBLK;
        sys().mknod(host, typeBits | (h.mode & 0o7777), h.devmajor ?? 0, h.devminor ?? 0);
        break;
      }
    }
    if (h.type === 'hardlink') continue; // the link shares its target's inode and metadata
    if (o.ownership.kind === 'keep') lchownSync(host, h.uid, h.gid);
    else if (o.ownership.kind === 'set') lchownSync(host, o.ownership.uid, o.ownership.gid);
    const atime = e.atime ?? h.mtime;
    if (h.type === 'directory') {
      dirs.push({ host, mode: h.mode & 0o7777, atime, mtime: h.mtime });
      continue;
    }
    if (h.type !== 'symlink') chmodSync(host, h.mode & 0o7777); // after chown, which clears setuid/setgid
    // After chown too, which clears capabilities. Like docker's extraction, a filesystem that
    // refuses them (ENOTSUP, EPERM) leaves them out rather than failing the copy.
    for (const [name, value] of h.xattrs ?? []) {
      try {
        sys().lsetxattr(host, name, value);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTSUP' && code !== 'EPERM') throw err;
      }
    }
    lutimesSync(host, atime, h.mtime);
  }
  // Deepest last-written first, so that writing children does not move a parent's mtime again.
  for (const d of dirs.reverse()) {
    chmodSync(d.host, d.mode);
    lutimesSync(d.host, d.atime, d.mtime);
  }
}

/**
 * An archive path relative to the extraction directory, `..` resolved; undefined when it climbs out
 * of it (a leading `/` counts from the directory, as tar does when it strips it).
 */
function inside(path: string): string | undefined {
  const n = posix.normalize(path.replace(/^\/+/, '') || '.');
  if (n === '..' || n.startsWith('../')) return undefined;
  return n === '.' || n === './' ? '' : n.replace(/\/+$/, '').replace(/^\.\//, '');
}

/** Creates the missing parents of `host` (inside `root`), as docker's untar does: 0755, the caller's. */
function ensureParent(root: string, host: string): void {
  const parent = posix.dirname(host);
  if (parent.length < root.length) return;
  const st = lstatIfAny(parent);
  if (st?.isDirectory() === true) return;
  if (st !== undefined) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${parent}'`), { code: 'ENOTDIR' });
  ensureParent(root, parent);
  mkdirSync(parent, { mode: 0o755 });
}

async function writeBody(host: string, body: AsyncIterable<Uint8Array>, size: number): Promise<void> {
  const out = createWriteStream(host, { flags: 'wx', mode: 0o600 });
  try {
    let written = 0;
    for await (const chunk of body) {
      written += chunk.byteLength;
      if (!out.write(chunk)) await once(out, 'drain');
    }
    if (written !== size) throw new InvalidArgumentError('CP_TRUNCATED', `unexpected EOF: ${host} has ${written} of ${size} bytes`);
  } finally {
    out.end();
    await finished(out).catch(() => {});
  }
}

async function* emptyBody(): AsyncGenerator<Uint8Array> {}
