/**
 * COPY and ADD: docker's rules for putting source files into a stage's root filesystem.
 *
 * - Sources are paths relative to the source root (the build context, or another stage's or image's
 *   root); `..` cannot leave it. Wildcards match with Go's filepath.Match per path (`*` stops at `/`).
 * - A directory source copies its contents, not itself; a file source copied onto a destination that
 *   ends with `/` (or is an existing directory) lands inside it; several sources need a `/` at the end.
 * - A relative destination is relative to WORKDIR. Missing parent directories are created (0755).
 * - Files keep their permission bits and mtimes; owners become 0:0 for the build context, are kept
 *   from another stage or image, and are `--chown`'s when given (created directories too).
 *   `--chmod` sets the mode of everything copied.
 * - The named source path itself is followed when it is a symlink; symlinks inside directories are
 *   copied as symlinks.
 * - `--exclude` drops matching paths (dockerignore syntax, relative to each source); `--parents`
 *   keeps each source's path (below a `/./` pivot if there is one) under the destination.
 *
 * Every destination path is resolved inside the destination root (layer's `resolveInRoot`), so a
 * symlink in the image can never make a copy write outside it. The destination is a mounted root,
 * or an overlay snapshot's upper directory written without a mount (layer's OverlayUpperTree, which
 * resolves and creates through the merged view of its layers): the `DestTree` below.
 */
import { stat } from 'node:fs/promises';
import {
  chmodSync,
  chownSync,
  constants,
  copyFileSync,
  lchownSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import { basename, join, posix } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';
import type * as Layer from '../layer/index.js';
import { pathMatch } from '../oci/index.js';
import { PatternMatcher } from '../dockerfile/index.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';

/** layer/ (its tar and compression code behind it) loads with the first copy, not for a cached build. */
let layer: typeof Layer | undefined;
function resolveInRoot(...args: Parameters<typeof Layer.resolveInRoot>): string {
  return (layer as typeof Layer).resolveInRoot(...args);
}
function lstatIfAny(path: string): Stats | undefined {
  return (layer as typeof Layer).lstatIfAny(path);
}

export interface Owner {
  uid: number;
  gid: number;
}

export interface CopyRequest {
  /** The host directory the sources are read from. */
  srcRoot: string;
  /** Paths (relative to srcRoot) that may be read: the context after `.dockerignore`. Default: all. */
  visible?: (relPath: string) => boolean;
  /**
   * The lstat of a source entry as already known (the build context's walk, which the step's cache
   * key was computed from), so the copy need not ask again per file; undefined: lstat it. A file's
   * mode must be its current one: the copy sets a mode only where it differs from that.
   */
  knownStat?: (relPath: string) => KnownStat | undefined;
  /** Source patterns as written (already expanded). */
  sources: readonly string[];
  /** Destination as written (already expanded). */
  dest: string;
  /** The stage's WORKDIR (absolute). */
  workdir: string;
  /**
   * The destination root filesystem: a host directory (a mounted snapshot, or any plain tree), or
   * a tree that is not one directory (an overlay upper directory over its lower layers, written
   * without a mount: layer's OverlayUpperTree).
   */
  destRoot: string | DestTree;
  /** `--chown`, resolved; undefined keeps the source owner (or 0:0 with `resetOwner`). */
  owner?: Owner;
  /** Sources from the build context are owned by root in the image (docker's rule). */
  resetOwner: boolean;
  /** `--chmod`, parsed. */
  chmod?: number;
  parents?: boolean;
  excludes?: readonly string[];
  /**
   * How many sources the instruction names, when `sources` is not what it wrote (ADD hands over
   * each match of a wildcard on its own, having unpacked the archives among them). Default:
   * `sources.length`.
   */
  sourceCount?: number;
  /** For messages: `COPY` or `ADD`. */
  command: string;
  signal?: AbortSignal;
}

export class CopySourceNotFoundError extends NotFoundError {
  constructor(source: string) {
    super('COPY_SOURCE_NOT_FOUND', `failed to compute cache key: failed to calculate checksum of ref: "/${source}": not found`);
  }
}

export class CopyDestinationNotDirectoryError extends InvalidArgumentError {
  constructor(dir: string) {
    super('COPY_DESTINATION_NOT_DIRECTORY', `Cannot copy to ${dir}: it exists and is not a directory`);
  }
}

export class CopyDestinationError extends InvalidArgumentError {
  constructor(command: string) {
    super('COPY_DESTINATION', `When using ${command} with more than one source file, the destination must be a directory and end with a /`);
  }
}

const WILDCARD = /[*?[\\]/;

/** Cleans a source path relative to its root: no leading `/`, `..` clamped, `.` for the root. */
export function cleanSource(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.length === 0 ? '.' : out.join('/');
}

/** A source pattern's matches among `paths` (relative, `/`-separated), in path order. */
export function matchSources(pattern: string, paths: Iterable<string>): string[] {
  const clean = cleanSource(pattern);
  if (!WILDCARD.test(clean)) return [clean];
  const out: string[] = [];
  for (const p of paths) if (pathMatch(clean, p)) out.push(p);
  return out.sort();
}

/** Parses `--chmod` (octal, as docker accepts it). */
export function parseChmod(text: string): number | undefined {
  if (text === '') return undefined;
  if (!/^[0-7]{3,4}$/.test(text)) throw new InvalidArgumentError('INVALID_CHMOD', `invalid chmod parameter: ${text}`);
  return parseInt(text, 8);
}

/** What the copy needs of a source entry's lstat (the context walk's fields; it has no atime). */
export interface KnownStat {
  type: 'file' | 'dir' | 'symlink' | 'other';
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  linkTarget?: string;
}

/** A source entry's lstat, from the system or as known. */
interface SourceStat {
  type: KnownStat['type'];
  /** Permission bits (and setuid/setgid/sticky). */
  perm: number;
  uid: number;
  gid: number;
  atimeMs: number;
  mtimeMs: number;
  linkTarget?: string;
}

function sourceStat(st: Stats): SourceStat {
  const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
  return { type, perm: st.mode & 0o7777, uid: st.uid, gid: st.gid, atimeMs: st.atimeMs, mtimeMs: st.mtimeMs };
}

/**
 * The destination as the copy needs it. Host paths are under `root`; every path handed in was
 * returned by `resolve` (or is a child of such a directory), so symlinks never lead out of it.
 */
export interface DestTree {
  readonly root: string;
  /** The host path that `path` (absolute inside the root) names, symlinks resolved inside the root. */
  resolve(path: string, followLast: boolean): string;
  /** What is at `host` in the destination's view, or undefined. */
  lstatHost(host: string): Stats | undefined;
  /** Readies the directory at `host` (lstatHost said one is there) to have entries written in it. */
  openDir(host: string): void;
  /** Removes what is at `host` so that a new entry can be created there at once. */
  remove(host: string): void;
  /** Creates a directory where `remove` left nothing (or nothing was). */
  mkdir(host: string, mode: number): void;
}

/** A destination that is one host directory (a mounted root): plain file system calls. */
class HostTree implements DestTree {
  readonly root: string;
  constructor(root: string) {
    this.root = root;
  }
  resolve(path: string, followLast: boolean): string {
    return resolveInRoot(this.root, path, { followLast });
  }
  lstatHost(host: string): Stats | undefined {
    return lstatIfAny(host);
  }
  openDir(): void {}
  remove(host: string): void {
    if (lstatIfAny(host)?.isDirectory() === true) rmSync(host, { recursive: true, force: true });
    else unlinkSync(host);
  }
  mkdir(host: string, mode: number): void {
    mkdirSync(host, { mode });
  }
}

interface Planned {
  /** Host path of the source. */
  src: string;
  /** Destination path inside the root (absolute, unresolved). */
  dest: string;
  /** Copy the directory's contents (true) or the entry itself. */
  contents: boolean;
  /** Path of the source relative to its root (the build context's visibility, known stats). */
  rel: string;
  /**
   * Path of the source itself for --exclude, whose patterns BuildKit matches relative to each
   * source: '' for a named source (never excluded itself; its entries are matched by their path
   * below it), or with --parents the path kept under the destination (below the `/./` pivot, or
   * from the root), which BuildKit copies as entries of the pivot directory.
   */
  excl: string;
}

/**
 * Copies the request's sources into its destination root.
 * @throws {CopySourceNotFoundError} when a source (or a wildcard) matches nothing
 * @throws {CopyDestinationError} for several sources without a directory destination
 */
export async function copyInto(req: CopyRequest, listSources: () => Promise<Iterable<string>>): Promise<void> {
  layer ??= await import('../layer/index.js');
  const dest = typeof req.destRoot === 'string' ? new HostTree(req.destRoot) : req.destRoot;
  const destIsDir = req.dest.endsWith('/') || req.dest.endsWith('/.') || req.dest === '.';
  const destAbs = posix.isAbsolute(req.dest) ? posix.normalize(req.dest) : posix.join(req.workdir, req.dest);
  let all: string[] | undefined;
  const matched: string[] = [];
  /** Per match, the leading path components `--parents` drops (those before the pattern's `/./`). */
  const pivots: number[] = [];
  for (const pattern of req.sources) {
    const clean = cleanSource(pattern);
    let found: string[];
    if (WILDCARD.test(clean)) {
      all ??= [...(await listSources())];
      found = matchSources(clean, all);
    } else found = [clean];
    if (found.length === 0) throw new CopySourceNotFoundError(clean);
    matched.push(...found);
    const depth = pivotDepth(pattern);
    for (let i = 0; i < found.length; i++) pivots.push(depth);
  }
  // BuildKit refuses several source arguments without a directory destination; a wildcard that
  // matches several files makes the destination a directory.
  if ((req.sourceCount ?? req.sources.length) > 1 && !destIsDir) throw new CopyDestinationError(req.command);
  const intoDir = destIsDir || matched.length > 1;

  const plan: Planned[] = [];
  for (const [i, rel] of matched.entries()) {
    if (rel !== '.' && req.visible !== undefined && !req.visible(rel)) throw new CopySourceNotFoundError(rel);
    const src = rel === '.' ? req.srcRoot : join(req.srcRoot, rel);
    // The named source is followed when it is a symlink (inside its root).
    const real = rel === '.' ? src : resolveInRoot(req.srcRoot, rel, { followLast: true });
    const st = await stat(real).catch(() => undefined);
    if (st === undefined) throw new CopySourceNotFoundError(rel);
    const parentsPart = req.parents === true ? rel.split('/').slice(pivots[i]).join('/') : undefined;
    const excl = parentsPart === undefined || parentsPart === '.' ? '' : parentsPart;
    if (st.isDirectory()) {
      const d = parentsPart !== undefined ? posix.join(destAbs, parentsPart) : destAbs;
      plan.push({ src: real, dest: d, contents: true, rel, excl });
    } else {
      let d: string;
      if (parentsPart !== undefined) d = posix.join(destAbs, parentsPart);
      else if (intoDir || isDirIn(dest, destAbs)) d = posix.join(destAbs, basename(rel));
      else d = destAbs;
      plan.push({ src: real, dest: d, contents: false, rel, excl });
    }
  }
  const exclude = req.excludes !== undefined && req.excludes.length > 0 ? new PatternMatcher([...req.excludes]) : undefined;
  const copier = new TreeCopier(req, dest, exclude);
  for (const p of plan) {
    req.signal?.throwIfAborted();
    await copier.copy(p);
  }
  await copier.flush();
}

/**
 * `--parents` keeps each source's path under the destination, from the pattern's `/./` pivot on
 * when it has one (`a/./b/c` keeps `b/c`): the number of leading components to drop. Found in the
 * pattern as written: cleaning the path (for the match) takes the `.` out.
 */
export function pivotDepth(pattern: string): number {
  const at = pattern.indexOf('/./');
  if (at < 0) return 0;
  const before = cleanSource(pattern.slice(0, at));
  return before === '.' ? 0 : before.split('/').length;
}

function isDirIn(dest: DestTree, path: string): boolean {
  try {
    return dest.lstatHost(dest.resolve(path, true))?.isDirectory() === true;
  } catch {
    return false;
  }
}

/** Files copied between two turns of the event loop. */
const YIELD_EVERY = 256;

/**
 * Copies trees; directories' metadata is applied after their contents.
 *
 * Synchronous system calls on purpose: a COPY of 20,000 small files is dominated by per-file
 * overhead, and a promise (and a thread-pool hop) per call cost several times the calls themselves
 * on two cores. The event loop still gets a turn every few hundred files. Other savings: a
 * destination directory is resolved in the root once, not once per file; entries under a
 * directory this copy created need no check for what was there; the owner is set only when it
 * differs from ours and the mode only when `copyFile` did not already carry it over.
 */
class TreeCopier {
  readonly #req: CopyRequest;
  readonly #dest: DestTree;
  readonly #exclude: PatternMatcher | undefined;
  readonly #dirMeta: { path: string; mode: number; atime: number; mtime: number; uid: number; gid: number }[] = [];
  readonly #uid = process.geteuid?.() ?? 0;
  readonly #gid = process.getegid?.() ?? 0;
  #sinceYield = 0;

  constructor(req: CopyRequest, dest: DestTree, exclude: PatternMatcher | undefined) {
    this.#req = req;
    this.#dest = dest;
    this.#exclude = exclude;
  }

  #owner(srcUid: number, srcGid: number): Owner {
    if (this.#req.owner !== undefined) return this.#req.owner;
    return this.#req.resetOwner ? { uid: 0, gid: 0 } : { uid: srcUid, gid: srcGid };
  }

  /** Creates the missing directories of `dir` (absolute inside the root), owned like created dirs; returns its host path. */
  #ensureDir(dir: string): string {
    const dest = this.#dest;
    const host = dest.resolve(dir, true);
    if (dest.lstatHost(host)?.isDirectory() === true) {
      dest.openDir(host);
      return host;
    }
    const parent = posix.dirname(dir);
    if (parent !== dir) this.#ensureDir(parent);
    const again = dest.resolve(dir, true);
    if (dest.lstatHost(again) !== undefined) throw new CopyDestinationNotDirectoryError(dir);
    dest.mkdir(again, 0o755);
    const o = this.#req.owner ?? { uid: 0, gid: 0 };
    chownSync(again, o.uid, o.gid);
    return again;
  }

  async copy(p: Planned): Promise<void> {
    if (p.excl !== '' && this.#exclude?.matches(p.excl) === true) return;
    if (p.contents) {
      const hostDir = this.#ensureDir(p.dest);
      if (this.#req.chmod !== undefined) chmodSync(hostDir, this.#req.chmod);
      await this.#copyChildren(p.src, hostDir, p.rel === '.' ? '' : p.rel, p.excl, false);
    } else {
      const hostDir = this.#ensureDir(posix.dirname(p.dest));
      await this.#copyEntry(p.src, hostDir, posix.basename(p.dest), p.rel, '', true, false);
    }
  }

  /**
   * `destHost` is a real directory inside the root (resolved, no symlink); `fresh` when this copy
   * made it. `rel` and `excl` are the source directory's paths as in Planned (`excl` '' for a
   * named source).
   */
  async #copyChildren(srcDir: string, destHost: string, rel: string, excl: string, fresh: boolean): Promise<void> {
    const names = readdirSync(srcDir).sort();
    for (const name of names) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (this.#req.visible !== undefined && !this.#req.visible(childRel)) continue;
      const childExcl = excl === '' ? name : `${excl}/${name}`;
      if (this.#exclude?.matches(childExcl) === true) continue;
      await this.#copyEntry(`${srcDir}/${name}`, destHost, name, childRel, childExcl, false, fresh); // a readdir name: no normalizing needed
    }
  }

  async #copyEntry(src: string, destHost: string, name: string, rel: string, excl: string, follow: boolean, freshParent: boolean): Promise<void> {
    if (++this.#sinceYield >= YIELD_EVERY) {
      this.#sinceYield = 0;
      await yieldLoop();
      this.#req.signal?.throwIfAborted();
    }
    // A known entry's atime is not known: its mtime stands in (no layer records an atime).
    const known = follow ? undefined : this.#req.knownStat?.(rel);
    const st: SourceStat =
      known !== undefined
        ? { type: known.type, perm: known.mode & 0o7777, uid: known.uid, gid: known.gid, atimeMs: known.mtimeMs, mtimeMs: known.mtimeMs, ...(known.linkTarget === undefined ? {} : { linkTarget: known.linkTarget }) }
        : sourceStat(follow ? statSync(src) : lstatSync(src));
    const owner = this.#owner(st.uid, st.gid);
    const mode = this.#req.chmod ?? st.perm;
    // Under a directory this copy created, only names it wrote itself can exist, and each name is
    // copied once: nothing to look at. Elsewhere whatever is there (a symlink above all) goes first.
    const host = `${destHost}/${name}`;
    const existing = freshParent ? undefined : this.#dest.lstatHost(host);
    if (st.type === 'dir') {
      let fresh = false;
      if (existing !== undefined && !existing.isDirectory()) this.#dest.remove(host);
      if (existing === undefined || !existing.isDirectory()) {
        this.#dest.mkdir(host, 0o700);
        fresh = true;
      } else this.#dest.openDir(host);
      await this.#copyChildren(src, host, rel, excl, fresh);
      this.#dirMeta.push({ path: host, mode, atime: st.atimeMs / 1000, mtime: st.mtimeMs / 1000, uid: owner.uid, gid: owner.gid });
      return;
    }
    if (existing !== undefined) this.#dest.remove(host);
    if (st.type === 'symlink') {
      symlinkSync(st.linkTarget ?? readlinkSync(src), host);
      if (owner.uid !== this.#uid || owner.gid !== this.#gid) lchownSync(host, owner.uid, owner.gid);
      lutimesSync(host, st.atimeMs / 1000, st.mtimeMs / 1000); // seconds as numbers: no Date per file, and finer than a Date's ms
      return;
    }
    if (st.type !== 'file') return; // sockets, fifos and devices are not copied from a context (as docker)
    // Nothing is at `host` now (removed above, or under a directory this copy made): EXCL. Without
    // it libuv ftruncates the new file, and ext4 then flushes its data at close (auto_da_alloc's
    // replace-by-truncate guard): a synchronous writeback per file, most of a COPY's system time.
    copyFileSync(src, host, constants.COPYFILE_EXCL); // creates the file with the source's mode (libuv fchmods it, umask aside)
    this.#setFileMeta(host, st, owner, mode);
  }

  #setFileMeta(host: string, st: SourceStat, owner: Owner, mode: number): void {
    const chown = owner.uid !== this.#uid || owner.gid !== this.#gid;
    if (chown) lchownSync(host, owner.uid, owner.gid);
    // chown clears setuid/setgid bits, so the mode goes after it when those are wanted.
    if (mode !== st.perm || (chown && (mode & 0o6000) !== 0)) chmodSync(host, mode);
    lutimesSync(host, st.atimeMs / 1000, st.mtimeMs / 1000); // seconds as numbers: no Date per file, and finer than a Date's ms
  }

  async flush(): Promise<void> {
    // Deepest first, so a parent's mtime is set after its children were written.
    for (const d of this.#dirMeta.reverse()) {
      lchownSync(d.path, d.uid, d.gid);
      chmodSync(d.path, d.mode);
      lutimesSync(d.path, d.atime, d.mtime);
    }
  }
}
