/**
 * createLayer: the differ. Turns a change to a filesystem into an OCI layer, in one streaming pass.
 *
 * Three sources of change:
 * - `{ kind: 'tree', root }` — a whole tree as a layer (import, the first layer of a base).
 * - `{ kind: 'compare', lower, upper }` — two full trees compared entry by entry (the vfs
 *   snapshotter's fallback: upper is a copy of lower that a step then changed). Deleted entries
 *   become `.wh.` whiteouts.
 * - `{ kind: 'overlay', upper, lowers }` — an overlayfs upper dir. Only the upper dir is walked:
 *   its 0/0 char devices are whiteouts and its opaque directories become `.wh..wh..opq`; the lower
 *   dirs (top first) are read only to tell a directory that was merely copied up from one whose
 *   metadata changed.
 *
 * Entries are emitted depth-first, parents before children; in each directory whiteouts come
 * first (as the image spec asks), then entries in name order. The parents of
 * every changed entry are included (as containerd does) so that an applier recreates them with
 * their real mode and owner. Hardlinks among the entries of one layer stay hardlinks. Headers carry
 * no atime/ctime and no user names, so the output depends only on the tree (and SOURCE_DATE_EPOCH).
 */
import { closeSync, lstatSync, openSync, readFileSync, readSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { FailedPreconditionError, errnoCode } from '../errors.js';
import { sys } from '../native/index.js';
import type { TarEntryType, TarHeader } from './tar/header.js';
import type { DirectBody, TarWriterEntry } from './tar/writer.js';
import { isOverlayOpaque, isOverlayWhiteout, isOverlayXattr, opaquePath, whiteoutPath } from './whiteout.js';
import { writeLayer, type LayerSink, type WriteLayerOptions, type WrittenLayer } from './layer-writer.js';
import { lstatIfAny } from './safe-path.js';

export type LayerSource =
  | { kind: 'tree'; root: string }
  | { kind: 'compare'; lower: string; upper: string }
  | { kind: 'overlay'; upper: string; lowers: string[] };

export type CreateLayerOptions = WriteLayerOptions;

/**
 * Writes the layer for `source` into `sink` and returns its diffID, digest and sizes.
 * @example
 * ```ts
 * const out = createWriteStream(tmp);
 * const layer = await createLayer({ kind: 'overlay', upper, lowers }, out, { compression: 'gzip' });
 * ```
 */
export async function createLayer(source: LayerSource, sink: LayerSink, options: CreateLayerOptions = {}): Promise<WrittenLayer> {
  return writeLayer(layerEntries(source, options.signal), sink, options);
}

/** The tar entries of a layer, in order, with bodies streamed from disk when they are written. */
export function* layerEntries(source: LayerSource, signal?: AbortSignal): Generator<TarWriterEntry> {
  const w = new Walker(signal, source.kind === 'overlay');
  switch (source.kind) {
    case 'tree':
      yield* w.compare('', source.root, undefined);
      break;
    case 'compare':
      yield* w.compare('', source.upper, source.lower);
      break;
    case 'overlay':
      yield* w.overlay('', source.upper, source.lowers, false);
      break;
  }
}

const COMPARE = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function byWhiteoutThenName(aWh: boolean, a: string, bWh: boolean, b: string): number {
  return aWh !== bWh ? (aWh ? -1 : 1) : COMPARE(a, b);
}


/**
 * Overlay features whose upper dir cannot be read on its own: a metacopy file keeps its data in a
 * lower layer, a redirected directory its entries under another lower path. The snapshotter mounts
 * without them (`metacopy=off,redirect_dir=off`); meeting one means that promise was broken.
 */
const UNREADABLE_UPPER = ['trusted.overlay.metacopy', 'trusted.overlay.redirect', 'user.overlay.metacopy', 'user.overlay.redirect'];

export class UnsupportedUpperError extends FailedPreconditionError {
  constructor(path: string, xattr: string) {
    super('LAYER_UNSUPPORTED_UPPER', `Cannot diff overlay upper entry "${path}": it carries "${xattr}"`, {
      hint: 'Mount overlay snapshots with metacopy=off and redirect_dir=off',
    });
  }
}

function readXattrs(host: string, overlayUpper = false): Map<string, Buffer> | undefined {
  let names: string[];
  try {
    names = sys().llistxattr(host);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOTSUP' || code === 'EOPNOTSUPP') return undefined;
    throw err;
  }
  if (names.length === 0) return undefined;
  let out: Map<string, Buffer> | undefined;
  for (const name of names.sort(COMPARE)) {
    // SELinux labels belong to the host that wrote the file, not to the image (docker and
    // containerd leave them out too); keeping them would make layers differ between machines.
    if (name === 'security.selinux') continue;
    if (isOverlayXattr(name)) {
      if (overlayUpper && UNREADABLE_UPPER.includes(name)) throw new UnsupportedUpperError(host, name);
      continue; // overlayfs's own bookkeeping, never layer content
    }
    const v = sys().lgetxattr(host, name);
    if (v === null) continue;
    (out ??= new Map()).set(name, v);
  }
  return out;
}

function sameXattrs(a: Map<string, Buffer> | undefined, b: Map<string, Buffer> | undefined): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false;
  for (const [k, v] of a ?? []) if (!b?.get(k)?.equals(v)) return false;
  return true;
}

/** The tar entry type of a file as lstat saw it; undefined for sockets, which docker's archiver skips too. */
export function entryType(st: Stats): TarEntryType | undefined {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'directory';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char-device';
  if (st.isBlockDevice()) return 'block-device';
  if (st.isFIFO()) return 'fifo';
  return undefined;
}

/** True when `upper` differs from `lower` in anything a layer records. */
function changed(upper: Stats, uHost: string, lower: Stats, lHost: string): boolean {
  if (entryType(upper) !== entryType(lower)) return true;
  if (upper.mode !== lower.mode || upper.uid !== lower.uid || upper.gid !== lower.gid) return true;
  if (!upper.isDirectory()) {
    // Directory mtimes move whenever a child changes; the child itself is what the layer records.
    if (upper.size !== lower.size || upper.mtimeMs !== lower.mtimeMs || upper.rdev !== lower.rdev) return true;
    if (upper.isSymbolicLink() && readlinkSync(uHost) !== readlinkSync(lHost)) return true;
  }
  return !sameXattrs(readXattrs(uHost), readXattrs(lHost));
}

const READ_CHUNK = 1 << 20;

/**
 * A regular file's bytes, read when the tar writer gets to them: straight into its blocks
 * (`readInto`, the gzip path) or as 1 MiB pieces (iteration, the other paths). The file is opened
 * on the first read, not when the entry is made.
 */
class FileBody implements DirectBody {
  readonly #host: string;
  readonly #size: number;
  #fd: number | undefined;
  #done = false;

  constructor(host: string, size: number) {
    this.#host = host;
    this.#size = size;
  }

  readInto(target: Uint8Array, offset: number, length: number): number {
    if (this.#done) return 0;
    this.#fd ??= openSync(this.#host, 'r');
    const n = readSync(this.#fd, target, offset, length, null);
    if (n === 0) this.close();
    return n;
  }

  close(): void {
    this.#done = true;
    if (this.#fd === undefined) return;
    const fd = this.#fd;
    this.#fd = undefined;
    closeSync(fd);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    if (this.#size === 0) return;
    if (this.#size <= READ_CHUNK) {
      yield readFileSync(this.#host);
      return;
    }
    try {
      for (;;) {
        const buf = Buffer.allocUnsafe(READ_CHUNK);
        const n = this.readInto(buf, 0, READ_CHUNK);
        if (n === 0) return;
        yield n === READ_CHUNK ? buf : buf.subarray(0, n);
      }
    } finally {
      this.close();
    }
  }
}

interface Pending {
  rel: string;
  host: string;
  st: Stats;
  emitted: boolean;
}

class Walker {
  readonly #signal: AbortSignal | undefined;
  /** dev:ino → path of the first entry of a multiply-linked file in this layer. */
  readonly #links = new Map<string, string>();
  /** Ancestors of the current position that were not emitted yet (unchanged directories). */
  readonly #stack: Pending[] = [];

  readonly #overlayUpper: boolean;

  constructor(signal: AbortSignal | undefined, overlayUpper: boolean) {
    this.#signal = signal;
    this.#overlayUpper = overlayUpper;
  }

  /** Emits not-yet-emitted ancestors, so a changed entry's parents precede it. */
  *#parents(): Generator<TarWriterEntry> {
    for (const p of this.#stack) {
      if (p.emitted) continue;
      p.emitted = true;
      yield this.#entry(p.rel, p.host, p.st);
    }
  }

  #entry(rel: string, host: string, st: Stats): TarWriterEntry {
    const type = entryType(st)!;
    const header: TarHeader = {
      path: rel,
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: 0,
      mtime: Math.floor(st.mtimeMs / 1000),
    };
    const xattrs = readXattrs(host, this.#overlayUpper);
    if (xattrs !== undefined) header.xattrs = xattrs;
    if (type === 'file' && st.nlink > 1) {
      const key = `${st.dev}:${st.ino}`;
      const first = this.#links.get(key);
      if (first !== undefined) {
        header.type = 'hardlink';
        header.linkpath = first;
        return { header };
      }
      this.#links.set(key, rel);
    }
    switch (type) {
      case 'file':
        header.size = st.size;
        return { header, body: new FileBody(host, st.size) };
      case 'symlink':
        header.linkpath = readlinkSync(host);
        break;
      case 'char-device':
      case 'block-device': {
        const [major, minor] = sys().devNumbers(st.rdev);
        header.devmajor = major;
        header.devminor = minor;
        break;
      }
    }
    return { header };
  }

  *#emit(rel: string, host: string, st: Stats): Generator<TarWriterEntry> {
    yield* this.#parents();
    yield this.#entry(rel, host, st);
  }

  *#whiteout(rel: string): Generator<TarWriterEntry> {
    yield* this.#parents();
    yield { header: { path: whiteoutPath(rel), type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0 } };
  }

  /** Walks `upper` against `lower` (undefined: nothing below, every entry is new). */
  *compare(rel: string, upper: string, lower: string | undefined): Generator<TarWriterEntry> {
    this.#signal?.throwIfAborted();
    const names = new Map<string, 'upper' | 'lower' | 'both'>();
    for (const n of readdirSync(upper)) names.set(n, 'upper');
    if (lower !== undefined) for (const n of readdirSync(lower)) names.set(n, names.has(n) ? 'both' : 'lower');
    // Whiteouts first, then by name: the image spec asks for whiteouts before their siblings.
    const order = [...names].sort((a, b) => byWhiteoutThenName(a[1] === 'lower', a[0], b[1] === 'lower', b[0]));
    for (const [name, where] of order) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (where === 'lower') {
        yield* this.#whiteout(childRel);
        continue;
      }
      const uHost = `${upper}/${name}`;
      const ust = lstatSync(uHost);
      if (entryType(ust) === undefined) continue;
      const lHost = where === 'both' ? `${lower}/${name}` : undefined;
      const lst = lHost !== undefined ? lstatIfAny(lHost) : undefined;
      if (!ust.isDirectory()) {
        if (lst === undefined || changed(ust, uHost, lst, lHost!)) yield* this.#emit(childRel, uHost, ust);
        continue;
      }
      const lowerDir = lst?.isDirectory() === true ? lHost : undefined;
      const frame: Pending = { rel: childRel, host: uHost, st: ust, emitted: false };
      if (lowerDir === undefined || changed(ust, uHost, lst!, lHost!)) {
        yield* this.#emit(childRel, uHost, ust);
        frame.emitted = true;
      }
      this.#stack.push(frame);
      try {
        yield* this.compare(childRel, uHost, lowerDir);
      } finally {
        this.#stack.pop();
      }
    }
  }

  /** The first lower layer's entry at `rel` (top first); a whiteout there means none. */
  #lowerStat(lowers: string[], rel: string): { st: Stats; host: string } | undefined {
    for (const dir of lowers) {
      const host = `${dir}/${rel}`;
      const st = lstatIfAny(host);
      if (st === undefined) continue;
      if (isOverlayWhiteout(st)) return undefined;
      return { st, host };
    }
    return undefined;
  }

  /** Walks an overlay upper dir; `fresh` when nothing below shows through (new or opaque dirs). */
  *overlay(rel: string, upper: string, lowers: string[], fresh: boolean): Generator<TarWriterEntry> {
    this.#signal?.throwIfAborted();
    const items = readdirSync(upper).map((name) => {
      const st = lstatSync(`${upper}/${name}`);
      return { name, st, whiteout: isOverlayWhiteout(st) };
    });
    items.sort((a, b) => byWhiteoutThenName(a.whiteout, a.name, b.whiteout, b.name));
    for (const { name, st } of items) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const host = `${upper}/${name}`;
      if (isOverlayWhiteout(st)) {
        if (!fresh) yield* this.#whiteout(childRel);
        continue;
      }
      if (entryType(st) === undefined) continue;
      if (!st.isDirectory()) {
        yield* this.#emit(childRel, host, st);
        continue;
      }
      const opaque = isOverlayOpaque(host);
      const lower = fresh || opaque ? undefined : this.#lowerStat(lowers, childRel);
      const isNew = lower === undefined || !lower.st.isDirectory();
      const frame: Pending = { rel: childRel, host, st, emitted: false };
      if (isNew || opaque || changed(st, host, lower.st, lower.host)) {
        yield* this.#emit(childRel, host, st);
        frame.emitted = true;
        if (opaque && !fresh) yield { header: { path: opaquePath(childRel), type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 0 } };
      }
      this.#stack.push(frame);
      try {
        yield* this.overlay(childRel, host, lowers, fresh || isNew || opaque);
      } finally {
        this.#stack.pop();
      }
    }
  }
}
