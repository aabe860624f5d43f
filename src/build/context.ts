/**
 * The build context: the directory a build reads COPY/ADD sources from, seen through `.dockerignore`.
 *
 * It answers two questions for the solver: which context paths a source pattern selects, and the
 * content digest of a selection (file data, mode, ownership, link targets — not mtimes), which goes
 * into the COPY step's cache key. Digests of unchanged files come from a stat cache (path → size,
 * mtime, ctime, inode → digest), so a rebuild that changed nothing reads no file again: ctime is in
 * the key because a write always moves it, even when a tool restores mtime and size.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { closeSync, constants, lstatSync, openSync, readdirSync, readlinkSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import type { Digest } from '../oci/index.js';
import { optionalSys } from '../native/index.js';
import type { StatCache } from './stat-cache.js';

/** Decides which context paths the build may see (`.dockerignore`). Paths are relative, `/`-separated. */
export interface ContextFilter {
  /** True when the path is excluded. */
  excluded(path: string): boolean;
  /**
   * True when an excluded directory may still hold included paths (an exception such as `!dir/keep`
   * exists below it), so the walker must descend into it.
   */
  mayIncludeBelow(dir: string): boolean;
}

export const includeEverything: ContextFilter = { excluded: () => false, mayIncludeBelow: () => true };

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface ContextEntry {
  /** Relative to the context root, `/`-separated, no leading `./`. */
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  linkTarget?: string;
}

/** `crypto.hash` (one-shot, no Hash object) where this Node has it (20.12+), else a Hash per call. */
const cryptoHash = (nodeCrypto as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;
const sha256Hex = (data: Uint8Array): string => (cryptoHash !== undefined ? cryptoHash('sha256', data, 'hex') : createHash('sha256').update(data).digest('hex'));

/** Files up to this size are hashed with synchronous reads into one shared buffer. */
const SMALL_FILE = 1 << 20;
/** The event loop gets a turn after this many entries walked or bytes hashed synchronously. */
const YIELD_ENTRIES = 4096;
const YIELD_BYTES = 32 << 20;
/** Entries from which a walk counts as large (checked at each yield). */
const LARGE_WALK = YIELD_ENTRIES;

export class BuildContext {
  readonly root: string;
  readonly #filter: ContextFilter;
  readonly #statCache: StatCache | undefined;
  readonly #onFileRead: ((path: string) => void) | undefined;
  readonly #onLargeWalk: (() => void) | undefined;
  #entries: Map<string, WalkEntry> | undefined;
  /** The entries in walk order, where a directory's tree is one contiguous run (each knows its index). */
  #order: WalkEntry[] = [];

  readonly #only: readonly string[] | undefined;

  /**
   * `only` limits the walk to these paths (relative, clean, no wildcards) and what is below them:
   * for a few sources in a big tree (a stage's root filesystem). A path is found only through real
   * directories, as the full walk would find it (never through a symlink).
   */
  constructor(
    root: string,
    options: {
      filter?: ContextFilter;
      statCache?: StatCache;
      onFileRead?: (path: string) => void;
      /** Called once when the walk passes `LARGE_WALK` entries. */
      onLargeWalk?: () => void;
      only?: readonly string[];
    } = {},
  ) {
    this.root = root;
    this.#onLargeWalk = options.onLargeWalk;
    this.#only = options.only;
    this.#onFileRead = options.onFileRead;
    this.#filter = options.filter ?? includeEverything;
    this.#statCache = options.statCache;
  }

  /**
   * Every included path, walked once (lstat only; no file is read), in path order (each
   * directory's names sorted, a directory before its contents).
   *
   * Synchronous calls, with a turn for the event loop every few thousand entries: on a context
   * of 20,000 files a promise per lstat costs several times the system calls themselves.
   */
  async entries(): Promise<Map<string, ContextEntry>> {
    if (this.#entries) return this.#entries;
    const out = new Map<string, WalkEntry>();
    const order: WalkEntry[] = [];
    const add = (e: WalkEntry): void => {
      e.at = order.length;
      order.push(e);
      out.set(e.path, e);
    };
    let sinceYield = 0;
    const walk = async (rel: string): Promise<void> => {
      // Names from readdir hold no `/` and are never `.` or `..`: plain concatenation is a join
      // (path.join normalizes, which costs more than the lstat on a 20,000-file walk).
      const dir = rel === '' ? this.root : join(this.root, rel);
      const { names, stats, sorted } = listDir(dir);
      for (const i of sorted) {
        const name = names[i] as string;
        // Array.join makes a flat string; a template would keep a rope (rel, '/', name) per path.
        const path = rel === '' ? name : [rel, name].join('/');
        const isDir = ((stats[i * STAT_FIELDS] as number) & S_IFMT) === S_IFDIR;
        const excluded = this.#filter.excluded(path);
        if (!excluded) add(new WalkEntry(path, stats, i * STAT_FIELDS, dir, name));
        if (++sinceYield >= YIELD_ENTRIES) {
          sinceYield = 0;
          if (order.length >= LARGE_WALK) this.#largeWalk();
          await yieldLoop();
        }
        if (isDir && (!excluded || this.#filter.mayIncludeBelow(path))) await walk(path);
      }
    };
    if (this.#only === undefined) await walk('');
    else {
      for (const p of [...new Set(this.#only)].sort()) {
        if (p === '' || p === '.') {
          if (out.size === 0) await walk('');
          continue;
        }
        if (out.has(p)) continue; // below a path walked already
        const st = this.#lstatThroughDirs(p);
        if (st === undefined) continue;
        const excluded = this.#filter.excluded(p);
        if (!excluded) add(new WalkEntry(p, statFields(st), 0, this.root, p));
        if ((st.mode & S_IFMT) === S_IFDIR && (!excluded || this.#filter.mayIncludeBelow(p))) await walk(p);
      }
    }
    this.#entries = out;
    this.#order = order;
    this.#statCache?.observe(out);
    return out;
  }

  #largeWalkSeen = false;
  #largeWalk(): void {
    if (this.#largeWalkSeen) return;
    this.#largeWalkSeen = true;
    this.#onLargeWalk?.();
  }

  /** The lstat of `path` when every parent on the way is a real directory (not a symlink). */
  #lstatThroughDirs(path: string): Stats | undefined {
    const parts = path.split('/');
    let host = this.root;
    for (let i = 0; i < parts.length; i++) {
      host = join(host, parts[i] as string);
      let st: Stats | undefined;
      try {
        st = lstatSync(host);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
        throw err;
      }
      if (i === parts.length - 1) return st;
      if (!st.isDirectory()) return undefined;
      if (this.#filter.excluded(parts.slice(0, i + 1).join('/')) && !this.#filter.mayIncludeBelow(parts.slice(0, i + 1).join('/'))) return undefined;
    }
    return undefined;
  }

  /** The entry at `path` and everything below it (a directory's contents), in path order. */
  async tree(path: string): Promise<ContextEntry[]> {
    await this.entries();
    if (path === '' || path === '.') return this.#order.slice();
    const top = this.#entries?.get(path);
    if (top === undefined) return [];
    if (top.type !== 'dir') return [top];
    const at = top.at;
    // The walk is depth first, so everything below a directory directly follows it.
    const prefix = `${path}/`;
    let end = at + 1;
    while (end < this.#order.length && (this.#order[end] as ContextEntry).path.startsWith(prefix)) end++;
    return this.#order.slice(at, end);
  }

  /**
   * The digest of a selection of context paths and everything below them: what a COPY step's cache
   * key depends on. A selection whose paths and stat fields are all as last time takes its digest
   * from the stat cache whole; otherwise unchanged files' data digests come from it one by one and
   * only the others are read.
   */
  async checksum(paths: readonly string[], options: { signal?: AbortSignal; ignoreOwner?: boolean } = {}): Promise<Digest> {
    const selected: ContextEntry[] = [];
    const seen = new Set<string>();
    for (const p of paths) {
      for (const e of await this.tree(p)) {
        if (seen.has(e.path)) continue;
        seen.add(e.path);
        selected.push(e);
      }
    }
    const ignoreOwner = options.ignoreOwner === true;
    let fp: string | undefined;
    if (this.#statCache !== undefined) {
      fp = fingerprint(selected, ignoreOwner);
      const known = this.#statCache.selection(fp);
      if (known !== undefined) return known as Digest;
    }
    const digests = await this.#fileDigests(selected.filter((e) => e.type === 'file'), options.signal);
    const h = createHash('sha256');
    for (const e of selected) {
      // Permission bits and type, owner, link target, content: what ends up in the image. A COPY
      // from the build context resets owners to 0:0 (docker's client sends them so), so there
      // the owner is left out and a chown in the context keeps the step cached, as with docker.
      const owner = ignoreOwner ? '' : `${e.uid}:${e.gid}`;
      const data = e.type === 'file' ? (digests.get(e.path) as string) : '';
      h.update(`${e.path}\0${e.type}\0${(e.mode & 0o7777).toString(8)}\0${owner}\0${e.linkTarget ?? ''}\0${data}\n`);
    }
    const digest = `sha256:${h.digest('hex')}` as Digest;
    if (fp !== undefined) this.#statCache?.recordSelection(fp, digest);
    return digest;
  }

  /** The sha256 of one regular file's data, from the stat cache when the file is unchanged. */
  async fileDigest(e: ContextEntry): Promise<string> {
    return (await this.#fileDigests([e])).get(e.path) as string;
  }

  /**
   * The data digests of regular files: from the stat cache where it knows them, else read. Small
   * files are read synchronously into one reused buffer (a stream or promise per file costs far
   * more than reading 10 KiB), large ones in 1 MiB reads: memory stays bounded either way.
   */
  async #fileDigests(files: readonly ContextEntry[], signal?: AbortSignal): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    let buf: Buffer | undefined;
    let sinceYield = 0;
    for (const e of files) {
      const cached = this.#statCache?.lookup(e.path);
      if (cached !== undefined) {
        out.set(e.path, cached);
        continue;
      }
      signal?.throwIfAborted();
      this.#onFileRead?.(e.path);
      buf ??= Buffer.allocUnsafe(SMALL_FILE + 1);
      const file = join(this.root, e.path);
      let digest: string | undefined;
      if (e.size <= SMALL_FILE) {
        const fd = openSync(file, 'r');
        try {
          // One read gets a small file whole (the extra byte tells a file that grew since the
          // walk); a one-shot hash of it makes no Hash object per file.
          let len = 0;
          for (;;) {
            const n = readSync(fd, buf, len, buf.length - len, null);
            if (n === 0 || (len += n) === buf.length) break;
          }
          sinceYield += len;
          if (len <= SMALL_FILE) digest = sha256Hex(buf.subarray(0, len));
          else {
            const h = createHash('sha256').update(buf.subarray(0, len));
            for (let n = readSync(fd, buf, 0, buf.length, null); n > 0; n = readSync(fd, buf, 0, buf.length, null)) {
              h.update(buf.subarray(0, n));
              sinceYield += n;
            }
            digest = h.digest('hex');
          }
        } finally {
          closeSync(fd);
        }
      } else {
        const h = createHash('sha256');
        const fh = await open(file, 'r');
        try {
          for (;;) {
            const { bytesRead } = await fh.read(buf, 0, buf.length, null);
            if (bytesRead === 0) break;
            h.update(buf.subarray(0, bytesRead));
            signal?.throwIfAborted();
          }
          digest = h.digest('hex');
        } finally {
          await fh.close();
        }
      }
      this.#statCache?.record(e.path, digest);
      out.set(e.path, digest);
      if (sinceYield >= YIELD_BYTES) {
        sinceYield = 0;
        await yieldLoop();
      }
    }
    return out;
  }
}

const { S_IFMT, S_IFDIR, S_IFREG, S_IFLNK } = constants;

/** An lstat as the walk keeps it: these fields, in this order, in a Float64Array (the native addon's layout). */
const STAT_FIELDS = 7; // mode uid gid size mtimeMs ctimeMs ino

/**
 * One walked path. Its stat fields stay in its directory's lstat array and are read through
 * getters: an object of its own per field set would box every number (7 heap numbers per entry,
 * the largest item of a 20,000-file walk's memory before this form).
 */
class WalkEntry implements ContextEntry {
  readonly path: string;
  readonly type: EntryType;
  linkTarget?: string;
  /** Its index in walk order. */
  at = 0;
  readonly #stats: Float64Array;
  readonly #o: number;

  /** `dir`/`name` is where the entry is on disk: read only for a symlink's target. */
  constructor(path: string, stats: Float64Array, offset: number, dir: string, name: string) {
    this.path = path;
    this.#stats = stats;
    this.#o = offset;
    const fmt = (stats[offset] as number) & S_IFMT;
    this.type = fmt === S_IFDIR ? 'dir' : fmt === S_IFREG ? 'file' : fmt === S_IFLNK ? 'symlink' : 'other';
    if (this.type === 'symlink') this.linkTarget = readlinkSync(join(dir, name));
  }

  get mode(): number {
    return this.#stats[this.#o] as number;
  }
  get uid(): number {
    return this.#stats[this.#o + 1] as number;
  }
  get gid(): number {
    return this.#stats[this.#o + 2] as number;
  }
  get size(): number {
    return this.type === 'dir' ? 0 : (this.#stats[this.#o + 3] as number);
  }
  get mtimeMs(): number {
    return this.#stats[this.#o + 4] as number;
  }
  get ctimeMs(): number {
    return this.#stats[this.#o + 5] as number;
  }
  get ino(): number {
    return this.#stats[this.#o + 6] as number;
  }
}

function statFields(st: Stats): Float64Array {
  return Float64Array.of(st.mode, st.uid, st.gid, st.size, st.mtimeMs, st.ctimeMs, st.ino);
}

/**
 * A directory's entries: names, their lstat fields (`STAT_FIELDS` per name, in the names' order),
 * and the indexes of the names still there sorted by name (as `readdirSync().sort()` sorts). The
 * native addon's `lstatDir` does a directory in one call; without it (not built, or built before it
 * had that call), node:fs does it entry by entry. Entries removed meanwhile are left out.
 */
function listDir(dir: string): { names: string[]; stats: Float64Array; sorted: number[] } {
  const native = optionalSys();
  let names: string[];
  let stats: Float64Array;
  const present: number[] = [];
  if (native?.lstatDir !== undefined) {
    ({ names, stats } = native.lstatDir(dir));
    for (let i = 0; i < names.length; i++) {
      // A name that is not UTF-8 cannot be opened by the name node gives it: node:fs decides.
      if (!(names[i] as string).includes('\uFFFD') || lstatInto(dir, names[i] as string, stats, i)) present.push(i);
    }
  } else {
    names = readdirSync(dir);
    stats = new Float64Array(names.length * STAT_FIELDS);
    for (let i = 0; i < names.length; i++) if (lstatInto(dir, names[i] as string, stats, i)) present.push(i);
  }
  const sorted = present.sort((a, b) => {
    const x = names[a] as string;
    const y = names[b] as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return { names, stats, sorted };
}

/** Writes the lstat of `dir/name` into slot `i` of `stats`; false when it was removed meanwhile. */
function lstatInto(dir: string, name: string, stats: Float64Array, i: number): boolean {
  try {
    stats.set(statFields(lstatSync(`${dir}/${name}`)), i * STAT_FIELDS);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false; // removed while we walked
    throw err;
  }
}

/**
 * What a selection's checksum depends on, cheaply: paths and link targets as one string, the stat
 * fields as one array of doubles (no number is formatted as text), hashed together.
 */
function fingerprint(selected: readonly ContextEntry[], ignoreOwner: boolean): string {
  const nums = new Float64Array(selected.length * 7);
  const names: string[] = [];
  let i = 0;
  for (const e of selected) {
    names.push(`${e.path}\0${e.linkTarget ?? ''}`); // no path or target holds a NUL
    nums[i++] = e.mode;
    nums[i++] = e.uid;
    nums[i++] = e.gid;
    nums[i++] = e.size;
    nums[i++] = e.mtimeMs;
    nums[i++] = e.ctimeMs;
    nums[i++] = e.ino;
  }
  return createHash('sha256')
    .update(ignoreOwner ? 'v1 owner-ignored\n' : 'v1\n')
    .update(names.join('\0'))
    .update(new Uint8Array(nums.buffer))
    .digest('hex');
}
