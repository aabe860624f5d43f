/**
 * applyLayer: unpacks a layer tar (gzip, zstd or plain) into a directory, safely, and returns its
 * diffID (the sha256 of the uncompressed tar).
 *
 * Two modes:
 * - `flatten` (default): the root holds the layers below; whiteouts delete, opaque markers empty
 *   the directory of what lower layers put there (the vfs driver, `export`, `import`).
 * - `overlay`: the root is a fresh overlay lowerdir for this layer alone; whiteouts are written
 *   as overlayfs whiteouts (0/0 char devices, the opaque xattr) instead of deleting anything. A
 *   directory the layer deletes and re-creates becomes opaque; no whiteout is left inside an
 *   opaque directory (overlayfs lists such entries but fails every call on them); directories
 *   the layer needs but does not carry take their metadata from `parents`, the layers below.
 *
 * Whiteouts follow the image spec and umoci: they remove only what lower layers put there, never
 * an entry of the same layer, whatever the order; an opaque marker keeps the directory itself.
 * Directories the layer changes without carrying them get their times back at the end, and
 * directories it carries get mode and times after their children are written.
 *
 * Safety (DESIGN.md's extraction invariant): every path goes through resolveInRoot, so symlinks
 * already in the tree — or created by this layer — are followed only inside the root; `..`
 * components are refused outright (containerd would clamp them, but no honest layer has them);
 * absolute paths are taken relative to the root; hardlinks must name entries inside the root;
 * overlay xattrs in the tar are dropped so a layer cannot redirect or hide lower files; and the
 * stream is checked: truncated or corrupt input and decompression bombs fail the whole apply
 * (the caller discards the target).
 *
 * The work is sequential and uses synchronous metadata calls: the kernel answers them in
 * microseconds, while a promise per lstat/chown/utimes would dominate for small files. Bodies of
 * large files are written asynchronously, chunk by chunk, so nothing is buffered whole.
 */
import {
  chmodSync, closeSync, constants as FS, linkSync, lchownSync, lstatSync, lutimesSync, mkdirSync,
  openSync, readdirSync, realpathSync, rmSync, symlinkSync, writeSync, type Stats,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Digester, type Digest } from '../oci/index.js';
import { errnoCode } from '../errors.js';
import { sys } from '../native/index.js';
import { decompress, type Compression } from './compression.js';
import { LayerFormatError, UnsafeEntryError, type LayerWarning } from './errors.js';
import { lstatIfAny, resolveInRoot, splitPath } from './safe-path.js';
import { readTar, type TarReadLimits } from './tar/reader.js';
import type { TarHeader } from './tar/header.js';
import {
  classifyWhiteout, isOverlayXattr, makeOverlayWhiteout, markOverlayOpaque, splitParent,
} from './whiteout.js';

export interface ApplyLimits extends TarReadLimits {
  /** Uncompressed ÷ compressed bytes beyond which the stream is taken for a decompression bomb. */
  maxRatio: number;
  /** The ratio is checked only past this many uncompressed bytes (small layers of zeros are fine). */
  ratioGrace: number;
}

export const DEFAULT_APPLY_LIMITS: Pick<ApplyLimits, 'maxRatio' | 'ratioGrace'> = {
  maxRatio: 2000,
  ratioGrace: 256 << 20,
};

export interface ApplyOptions {
  signal?: AbortSignal;
  /** Default: detected from the magic bytes. */
  compression?: Compression | 'auto';
  /** `overlay` writes overlayfs whiteouts for an overlay lowerdir instead of deleting. */
  mode?: 'flatten' | 'overlay';
  onWarning?: (w: LayerWarning) => void;
  /** Turn warnings into errors. */
  strict?: boolean;
  limits?: Partial<ApplyLimits>;
  /** Apply owners from the tar (lchown); default: when running as root. */
  sameOwner?: boolean;
  /**
   * The layers below, top first (overlay mode). A directory this layer needs but does not carry
   * (`etc/.wh.passwd` without `etc/`) is created with the mode, owner and mtime it has there, so
   * it does not mask the lower directory's metadata in the merged view (containerd does the same).
   */
  parents?: string[];
}

export interface ApplyResult {
  /** sha256 of the uncompressed tar stream. */
  diffId: Digest;
  /** Bytes of the uncompressed tar stream. */
  size: number;
  /** Bytes read from the (compressed) input. */
  compressedSize: number;
  compression: Compression;
}

/** Normalizes an archive path: `./a//b/` → `a/b`; refuses `..`; leading `/` is taken relative to the root. */
export function normalizeEntryPath(path: string): string {
  const parts = splitPath(path);
  if (parts.includes('..')) throw new UnsafeEntryError(path, 'the path contains ".." (it would leave the root)');
  return parts.join('/');
}

async function* measure(source: AsyncIterable<Uint8Array>, counter: { n: number }): AsyncGenerator<Uint8Array> {
  for await (const c of source) {
    counter.n += c.byteLength;
    yield c;
  }
}

/**
 * Unpacks a layer into `root` (an existing directory).
 * @throws {LayerFormatError} on a truncated, corrupt or over-limit stream
 * @throws {UnsafeEntryError} on an entry that would escape the root
 */
export async function applyLayer(
  source: AsyncIterable<Uint8Array>,
  root: string,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const limits = { ...DEFAULT_APPLY_LIMITS, ...options.limits };
  const compressed = { n: 0 };
  const { compression, stream } = await decompress(measure(source, compressed), {
    ...(options.compression !== undefined ? { compression: options.compression } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  });
  const diff = new Digester('sha256');
  async function* hashed(): AsyncGenerator<Uint8Array> {
    for await (const c of stream) {
      diff.update(c);
      if (compression !== 'none' && diff.size > limits.ratioGrace && diff.size > limits.maxRatio * compressed.n) {
        throw new LayerFormatError('LAYER_LIMIT_EXCEEDED', `Cannot apply layer: it expands more than ${limits.maxRatio}-fold (${compressed.n} compressed bytes gave ${diff.size}); refusing a decompression bomb`);
      }
      yield c;
    }
  }
  // The root itself may be reached through a symlink (a tmp dir, say); everything below it may not.
  const unpacker = new Unpacker(realpathSync(root), options);
  for await (const entry of readTar(hashed(), {
    ...(options.strict !== undefined ? { strict: options.strict } : {}),
    ...(options.onWarning !== undefined ? { onWarning: options.onWarning } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
    limits,
  })) {
    await unpacker.entry(entry.header, entry.body);
  }
  unpacker.finish();
  return { diffId: diff.digest(), size: diff.size, compressedSize: compressed.n, compression };
}


const XATTR_DROPPABLE = new Set(['ENOTSUP', 'EOPNOTSUPP', 'EPERM', 'EINVAL', 'E2BIG', 'ERANGE', 'ENAMETOOLONG']);

/** Bodies up to this size are collected and written with one synchronous write. */
const SMALL_FILE = 256 * 1024;

class Unpacker {
  readonly #root: string;
  readonly #overlay: boolean;
  readonly #sameOwner: boolean;
  readonly #options: ApplyOptions;
  /** Host paths this layer created: its own whiteouts and opaque markers must not remove them. */
  readonly #added = new Set<string>();
  /** Host paths known to be real directories, to skip lstat in resolveInRoot. */
  readonly #knownDirs = new Set<string>();
  /** Directories whose mode and mtime are set at the end (writing children changes the mtime); the last entry for a path wins. */
  readonly #dirs = new Map<string, TarHeader>();
  /** Directories this layer does not carry but changes (a child added or removed): their times are put back at the end. */
  readonly #parentTimes = new Map<string, { atime: number; mtime: number }>();
  /** Overlay mode: the whiteout devices this layer made, and the directories it made opaque. */
  readonly #ownWhiteouts = new Set<string>();
  readonly #opaqueDirs = new Set<string>();

  constructor(root: string, options: ApplyOptions) {
    this.#root = root;
    this.#overlay = options.mode === 'overlay';
    this.#sameOwner = options.sameOwner ?? process.getuid?.() === 0;
    this.#options = options;
  }

  #warn(w: LayerWarning): void {
    if (this.#options.strict === true) throw new LayerFormatError('LAYER_BAD_HEADER', w.message);
    this.#options.onWarning?.(w);
  }

  #hostOf(dir: string, base: string): string {
    return dir === '/' ? `/${base}` : `${dir}/${base}`;
  }

  /** Resolves `rel`'s parent inside the root (creating missing directories) and returns the host path of `rel`. */
  #target(rel: string): string {
    const [parent, base] = splitParent(rel);
    const dir = this.#ensureDir(parent);
    this.#noteParent(dir);
    return this.#hostOf(dir, base);
  }

  /** Remembers a directory's times before this layer changes what is in it. */
  #noteParent(dir: string): void {
    if (this.#parentTimes.has(dir)) return;
    const st = lstatIfAny(dir);
    if (st?.isDirectory() === true) this.#parentTimes.set(dir, { atime: st.atimeMs / 1000, mtime: st.mtimeMs / 1000 });
  }

  /** The host path of directory `rel`, created (with missing ancestors) when absent. */
  #ensureDir(rel: string): string {
    if (rel === '') return this.#root;
    const host = resolveInRoot(this.#root, rel, { followLast: true, knownDirs: this.#knownDirs });
    if (this.#knownDirs.has(host)) return host;
    if (lstatIfAny(host)?.isDirectory() === true) {
      this.#knownDirs.add(host);
      return host;
    }
    // Slow path: walk down from the root, creating what is missing. Each prefix is resolved
    // inside the root again, so a symlink met on the way is followed only within it.
    const parts = splitPath(rel);
    let dir = this.#root;
    for (let i = 1; i <= parts.length; i++) {
      const sub = parts.slice(0, i).join('/');
      dir = resolveInRoot(this.#root, sub, { followLast: true, knownDirs: this.#knownDirs });
      const st = lstatIfAny(dir);
      if (st?.isDirectory() === true) {
        this.#knownDirs.add(dir);
        continue;
      }
      if (st !== undefined) {
        if (!(this.#overlay && this.#ownWhiteouts.has(dir))) {
          throw new LayerFormatError('LAYER_PATH_CONFLICT', `Cannot extract "${rel}": its parent "${sub}" exists and is not a directory`);
        }
        // This layer deleted the directory and now puts entries below it again: in overlay
        // terms that is a fresh opaque directory, or the lower entries would show through.
        this.#removeOwnWhiteout(dir);
        mkdirSync(dir, { mode: 0o755 });
        this.#makeOpaque(dir);
      } else {
        this.#noteParent(dirname(dir));
        // Recursive: through a symlink, one prefix can name several missing directories; they
        // were resolved lexically under the last existing one, so creating them stays inside.
        mkdirSync(dir, { recursive: true, mode: 0o755 });
        this.#copyParentMetadata(sub, dir);
      }
      this.#knownDirs.add(dir);
    }
    return dir;
  }

  /** Gives an implicitly created directory the metadata it has in the layers below (overlay mode). */
  #copyParentMetadata(sub: string, host: string): void {
    for (const parent of this.#options.parents ?? []) {
      let st: Stats | undefined;
      try {
        st = lstatIfAny(resolveInRoot(parent, sub, { followLast: true }));
      } catch (err) {
        if (err instanceof UnsafeEntryError) return; // a symlink loop below: keep the defaults
        throw err;
      }
      if (st === undefined) continue;
      if (!st.isDirectory()) return;
      if (this.#sameOwner) lchownSync(host, st.uid, st.gid);
      chmodSync(host, st.mode & 0o7777);
      this.#dirs.set(host, { path: sub, type: 'directory', mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: 0, mtime: Math.floor(st.mtimeMs / 1000) });
      return;
    }
  }

  /** Removes what is at `host` (a file, a link, or a whole tree). */
  #remove(host: string, st: Stats): void {
    if (st.isDirectory()) {
      rmSync(host, { recursive: true, force: true });
      this.#knownDirs.clear(); // anything below may have been cached
    } else {
      rmSync(host, { force: true });
    }
    this.#ownWhiteouts.delete(host);
  }

  #removeOwnWhiteout(host: string): void {
    rmSync(host, { force: true });
    this.#ownWhiteouts.delete(host);
    this.#added.delete(host);
  }

  #makeOpaque(host: string): void {
    markOverlayOpaque(host);
    this.#opaqueDirs.add(host);
    // overlayfs lists a whiteout inside an opaque directory but fails every other call on it
    // (umoci found this): drop the ones this layer made there.
    for (const wh of [...this.#ownWhiteouts]) if (wh.startsWith(`${host}/`)) this.#removeOwnWhiteout(wh);
  }

  #insideOpaque(host: string): boolean {
    for (let d = dirname(host); d.length >= this.#root.length && d !== '/'; d = dirname(d)) {
      if (this.#opaqueDirs.has(d)) return true;
      if (d === this.#root) break;
    }
    return false;
  }

  async entry(header: TarHeader, body: AsyncIterable<Uint8Array>): Promise<void> {
    const rel = normalizeEntryPath(header.path);
    const wh = rel === '' ? undefined : classifyWhiteout(rel);
    if (wh !== undefined) {
      if (wh.kind === 'meta') this.#warn({ code: 'LAYER_ENTRY_IGNORED', message: `Cannot apply "${header.path}": aufs metadata is not supported; skipped`, path: header.path });
      else if (wh.kind === 'whiteout') this.#whiteout(wh.target);
      else this.#opaque(wh.dir);
      return;
    }
    if (rel === '') {
      // The root itself ("./"): only its metadata applies.
      if (header.type === 'directory') this.#dirs.set(this.#root, header);
      return;
    }
    const host = this.#target(rel);
    let existing: Stats | undefined;
    try {
      existing = lstatSync(host);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    const replacesOwnWhiteout = this.#overlay && this.#ownWhiteouts.has(host);
    if (existing !== undefined && !(header.type === 'directory' && existing.isDirectory())) {
      this.#remove(host, existing);
      if (this.#knownDirs.has(host)) this.#knownDirs.delete(host);
    }

    switch (header.type) {
      case 'directory':
        if (existing === undefined || !existing.isDirectory()) mkdirSync(host, { mode: 0o700 });
        // Deleted and re-made in one layer: opaque, so the lower directory's entries stay hidden.
        if (replacesOwnWhiteout) this.#makeOpaque(host);
        this.#knownDirs.add(host);
        this.#dirs.set(host, header);
        break;
      case 'file':
        await this.#writeFile(host, header, body);
        break;
      case 'symlink':
        symlinkSync(header.linkpath ?? '', host);
        break;
      case 'hardlink':
        this.#hardlink(rel, host, header);
        break;
      case 'char-device':
      case 'block-device':
      case 'fifo': {
        const type = header.type === 'fifo' ? FS.S_IFIFO : header.type === 'char-device' ? FS.S_IFCHR : FS.S_IFBLK;
        try {
          sys().mknod(host, type | (header.mode & 0o7777), header.devmajor ?? 0, header.devminor ?? 0);
        } catch (err) {
          if (errnoCode(err) !== 'EPERM') throw err;
          // Without CAP_MKNOD (rootless) devices cannot be made; like containerd, skip them.
          this.#warn({ code: 'LAYER_ENTRY_IGNORED', message: `Cannot create device "${header.path}": not permitted; skipped`, path: header.path });
          return;
        }
        break;
      }
    }
    this.#added.add(host);
    if (header.type !== 'hardlink') this.#metadata(host, header);
  }

  async #writeFile(host: string, header: TarHeader, body: AsyncIterable<Uint8Array>): Promise<void> {
    // O_EXCL|O_NOFOLLOW: whatever was at the path was removed above; never write through a link.
    const flags = FS.O_WRONLY | FS.O_CREAT | FS.O_EXCL | FS.O_NOFOLLOW;
    if (header.size <= SMALL_FILE) {
      const parts: Uint8Array[] = [];
      for await (const c of body) parts.push(c);
      const fd = openSync(host, flags, 0o600);
      try {
        for (const p of parts) {
          let off = 0;
          while (off < p.byteLength) off += writeSync(fd, p, off);
        }
      } finally {
        closeSync(fd);
      }
      return;
    }
    const fh = await open(host, flags, 0o600);
    try {
      for await (const c of body) {
        let off = 0;
        while (off < c.byteLength) off += (await fh.write(c, off)).bytesWritten;
      }
    } finally {
      await fh.close();
    }
  }

  #hardlink(rel: string, host: string, header: TarHeader): void {
    const targetRel = normalizeEntryPath(header.linkpath ?? '');
    if (targetRel === '') throw new UnsafeEntryError(rel, 'the hardlink has no target');
    // The target's parent is resolved inside the root; its last component is not followed, so
    // the link is to the entry itself (link(2) does not follow symlinks either).
    const [parent, base] = splitParent(targetRel);
    const parentHost = parent === '' ? this.#root : resolveInRoot(this.#root, parent, { followLast: true, knownDirs: this.#knownDirs });
    const targetHost = `${parentHost === '/' ? '' : parentHost}/${base}`;
    let st: Stats;
    try {
      st = lstatSync(targetHost);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') {
        throw new UnsafeEntryError(rel, `its hardlink target "${header.linkpath}" is not inside the root`);
      }
      throw err;
    }
    if (st.isDirectory()) throw new UnsafeEntryError(rel, `its hardlink target "${header.linkpath}" is a directory`);
    linkSync(targetHost, host);
  }

  #metadata(host: string, header: TarHeader): void {
    const isLink = header.type === 'symlink';
    if (this.#sameOwner) lchownSync(host, header.uid, header.gid); // before chmod: chown clears setuid bits
    if (header.xattrs !== undefined) {
      for (const [name, value] of header.xattrs) {
        if (isOverlayXattr(name)) {
          this.#warn({ code: 'LAYER_ENTRY_INVALID', message: `Cannot set xattr "${name}" on "${header.path}": overlay xattrs are not accepted from a layer; dropped`, path: header.path });
          continue;
        }
        try {
          sys().lsetxattr(host, name, value);
        } catch (err) {
          const code = errnoCode(err);
          // Unsupported here (filesystem, namespace, size) or not allowed (user.* on a symlink):
          // dropped with a warning, as containerd does, rather than failing the whole layer.
          if (code === undefined || !XATTR_DROPPABLE.has(code)) throw err;
          this.#warn({ code: 'LAYER_ENTRY_INVALID', message: `Cannot set xattr "${name}" on "${header.path}": ${code}; dropped`, path: header.path });
        }
      }
    }
    if (header.type === 'directory') return; // mode and mtime at the end
    if (!isLink) chmodSync(host, header.mode & 0o7777);
    lutimesSync(host, header.mtime, header.mtime);
  }

  /** A whiteout removes a lower layer's entry — never one this layer added, whatever the order. */
  #whiteout(targetRel: string): void {
    if (!this.#overlay) {
      // Flattening: nothing to remove when the parent is missing, and nothing to create either.
      const [parent, base] = splitParent(targetRel);
      const dir = parent === '' ? this.#root : resolveInRoot(this.#root, parent, { followLast: true, knownDirs: this.#knownDirs });
      const host = this.#hostOf(dir, base);
      if (this.#added.has(host)) return;
      const st = lstatIfAny(host);
      if (st !== undefined) {
        this.#noteParent(dir);
        this.#remove(host, st);
      }
      return;
    }
    const host = this.#target(targetRel);
    if (this.#added.has(host)) return;
    const st = lstatIfAny(host);
    if (st !== undefined) this.#remove(host, st);
    if (this.#insideOpaque(host)) return; // nothing below shows through an opaque directory anyway
    makeOverlayWhiteout(host);
    this.#ownWhiteouts.add(host);
    this.#added.add(host);
  }

  /** An opaque directory keeps itself and what this layer put in it; lower layers' entries go. */
  #opaque(dirRel: string): void {
    const host = this.#ensureDir(dirRel);
    if (this.#overlay) {
      this.#makeOpaque(host);
      return;
    }
    const prune = (dir: string): void => {
      this.#noteParent(dir);
      for (const name of readdirSync(dir)) {
        const child = this.#hostOf(dir, name);
        const st = lstatSync(child);
        if (!this.#added.has(child)) this.#remove(child, st);
        else if (st.isDirectory()) prune(child);
      }
    };
    prune(host);
  }

  finish(): void {
    // Directories this layer changed but does not carry get their times back, so unpacking the
    // same layers gives the same tree whenever it runs.
    for (const [path, t] of this.#parentTimes) {
      if (this.#dirs.has(path) || lstatIfAny(path)?.isDirectory() !== true) continue;
      lutimesSync(path, t.atime, t.mtime);
    }
    // Deepest first, so setting a parent's mtime comes after its children are done.
    for (const [path, header] of [...this.#dirs].reverse()) {
      // A later entry may have replaced the directory, even by a symlink to outside the root:
      // chmod follows symlinks, so look again and touch only a real directory.
      if (lstatSync(path, { throwIfNoEntry: false })?.isDirectory() !== true) continue;
      if (this.#sameOwner) lchownSync(path, header.uid, header.gid);
      chmodSync(path, header.mode & 0o7777);
      lutimesSync(path, header.mtime, header.mtime);
    }
  }
}
