/**
 * An overlay snapshot read and written without mounting it: the merged view of an upper directory
 * over its lower layers (top first), with overlayfs's rules, and writes that leave the upper
 * directory as an overlay mount would have left it.
 *
 * Why: a COPY of many small files through a mount pays overlayfs's work per created file (the
 * lookup in every lower layer, the create in the work dir, the rename into the upper dir), and the
 * mount and unmount themselves. Written here, each file is one create in the upper directory; the
 * lower layers are looked at only where the copy meets something that already exists.
 *
 * The merged view (what a mount would show):
 * - the upper entry wins; a 0/0 character device (a whiteout) in any layer hides everything below;
 * - a directory merges with the directories at the same path below it, until one of them is
 *   opaque (`trusted.overlay.opaque=y`) or a layer below has a non-directory there;
 * - a directory that exists only below is copied up before anything is written in it: created in
 *   the upper directory with the lower one's owner, mode, xattrs and times, as overlayfs does;
 * - a directory created where a lower entry would show through is marked opaque, as overlayfs does
 *   when it creates a directory over a whiteout; a non-directory simply shadows what is below.
 *
 * Lower layers are committed snapshots that nothing writes, so what was learned of them is kept;
 * the upper directory is always looked at afresh (except for what this object itself wrote).
 * Only this object writes the upper directory while it is in use (no mount, no other writer).
 */
import { lchownSync, lstatSync, lutimesSync, chmodSync, mkdirSync, readFileSync, readlinkSync, rmSync, unlinkSync, type Stats } from 'node:fs';
import { sys } from '../native/index.js';
import { errnoCode } from '../errors.js';
import { lstatIfAny, resolveInRoot, type RootView } from './safe-path.js';
import { isOverlayOpaque, isOverlayWhiteout, isOverlayXattr, markOverlayOpaque } from './whiteout.js';

/** An entry of the merged view: where it is on the host, and whether it is the upper directory's. */
export interface MergedEntry {
  st: Stats;
  host: string;
  inUpper: boolean;
}

export class OverlayUpperTree implements RootView {
  /** The upper directory: every host path this object hands out is under it. */
  readonly root: string;
  readonly #lowers: readonly string[];
  /** Lower directories (top first) that merge into the lower view's directory at a path. */
  readonly #lowerDirs = new Map<string, string[]>();
  /** Upper directories known to hide the lower layers (opaque or created here over nothing), or not. */
  readonly #upperOpaque = new Map<string, boolean>();

  /** `upper` and `lowers` are absolute, symlink-free host paths; lowers top first. */
  constructor(upper: string, lowers: readonly string[]) {
    this.root = upper;
    this.#lowers = lowers;
  }

  /** The path relative to the root of a host path under it (`''` for the root). */
  #rel(host: string): string {
    return host.length === this.root.length ? '' : host.slice(this.root.length + 1);
  }

  #hidesLower(upperDir: string): boolean {
    let v = this.#upperOpaque.get(upperDir);
    if (v === undefined) {
      v = isOverlayOpaque(upperDir);
      this.#upperOpaque.set(upperDir, v);
    }
    return v;
  }

  /** The lower directories (top first) that make up the lower view's directory at `rel`. */
  #lowerDirsOf(rel: string): string[] {
    const known = this.#lowerDirs.get(rel);
    if (known !== undefined) return known;
    const out: string[] = [];
    if (rel === '') {
      for (const l of this.#lowers) {
        out.push(l);
        if (isOverlayOpaque(l)) break;
      }
    } else {
      for (const { host, st } of this.#inLowerDirs(rel)) {
        // A whiteout ends the merge; so does a non-directory (on top it is the entry itself, below a
        // directory it is hidden by it).
        if (!st.isDirectory()) break;
        out.push(host);
        if (isOverlayOpaque(host)) break;
      }
    }
    this.#lowerDirs.set(rel, out);
    return out;
  }

  /** The entries at `rel` (not the root) in the lower directories that make up its parent, top first. */
  *#inLowerDirs(rel: string): Generator<{ st: Stats; host: string }> {
    const slash = rel.lastIndexOf('/');
    const name = rel.slice(slash + 1);
    for (const d of this.#lowerDirsOf(slash < 0 ? '' : rel.slice(0, slash))) {
      const host = `${d}/${name}`;
      const st = lstatIfAny(host);
      if (st !== undefined) yield { st, host };
    }
  }

  /** The lower layers' entry at `rel` (not the root), or undefined (absent or whited out). */
  #lowerFind(rel: string): { st: Stats; host: string } | undefined {
    for (const e of this.#inLowerDirs(rel)) return isOverlayWhiteout(e.st) ? undefined : e;
    return undefined;
  }

  /**
   * The upper directory's part of the lookup of `rel` (not the root): its entry there (`upper`),
   * whether something in it hides `rel` altogether (a whiteout, a non-directory above), and whether
   * the lower layers still show through at `rel` (no opaque upper directory above it; an upper
   * directory missing on the way changes nothing: the lower layers decide from there).
   */
  #walkUpper(rel: string): { lowerVisible: boolean; upper: Stats | undefined; hidden: boolean } {
    let lowerVisible = !this.#hidesLower(this.root);
    let start = 0;
    for (;;) {
      const slash = rel.indexOf('/', start);
      const host = `${this.root}/${slash < 0 ? rel : rel.slice(0, slash)}`;
      const st = lstatIfAny(host);
      if (st === undefined) return { lowerVisible, upper: undefined, hidden: false };
      if (isOverlayWhiteout(st)) return { lowerVisible: false, upper: undefined, hidden: true };
      if (slash < 0) return { lowerVisible, upper: st, hidden: false };
      if (!st.isDirectory()) return { lowerVisible: false, upper: undefined, hidden: true };
      if (lowerVisible && this.#hidesLower(host)) lowerVisible = false;
      start = slash + 1;
    }
  }

  /** The merged view's entry at `rel` (relative to the root, `''` for the root), or undefined. */
  find(rel: string): MergedEntry | undefined {
    if (rel === '') return { st: lstatSync(this.root), host: this.root, inUpper: true };
    const w = this.#walkUpper(rel);
    if (w.upper !== undefined) return { st: w.upper, host: `${this.root}/${rel}`, inUpper: true };
    if (w.hidden || !w.lowerVisible) return undefined;
    const l = this.#lowerFind(rel);
    return l === undefined ? undefined : { ...l, inUpper: false };
  }

  // ---------------------------------------------------------------- RootView (for resolveInRoot)

  lstat(rel: string): Stats | undefined {
    return this.find(rel)?.st;
  }

  readlink(rel: string): string {
    const e = this.find(rel);
    if (e === undefined) throw Object.assign(new Error(`ENOENT: no such file or directory, readlink '${rel}'`), { code: 'ENOENT' });
    return readlinkSync(e.host);
  }

  // ---------------------------------------------------------------- host paths under the root

  /** The host path (under the upper directory) that `path` names in the merged view, symlinks resolved inside it. */
  resolve(path: string, followLast: boolean): string {
    return resolveInRoot(this.root, path, { followLast, view: this });
  }

  /** What the merged view has at the host path `host` (under the upper directory). */
  lstatHost(host: string): Stats | undefined {
    return this.find(this.#rel(host))?.st;
  }

  /**
   * Makes the merged directory at `host` a directory of the upper directory, copying it (and its
   * parents) up from the lower layers first if needed, as overlayfs does before writing in it.
   * @throws when the merged view has no directory there
   */
  openDir(host: string): void {
    this.#copyUp(this.#rel(host));
  }

  #copyUp(rel: string): void {
    const host = rel === '' ? this.root : `${this.root}/${rel}`;
    const up = lstatIfAny(host);
    if (up?.isDirectory() === true) return;
    const lower = up === undefined && rel !== '' && this.#walkUpper(rel).lowerVisible ? this.#lowerFind(rel) : undefined;
    if (lower === undefined || !lower.st.isDirectory()) {
      throw Object.assign(new Error(`ENOTDIR: not a directory in the merged view, copy-up '${rel}'`), { code: 'ENOTDIR' });
    }
    const slash = rel.lastIndexOf('/');
    const parentRel = slash < 0 ? '' : rel.slice(0, slash);
    this.#copyUp(parentRel);
    const parentHost = parentRel === '' ? this.root : `${this.root}/${parentRel}`;
    const parent = lstatSync(parentHost);
    const st = lower.st;
    mkdirSync(host, { mode: 0o700 });
    lchownSync(host, st.uid, st.gid);
    chmodSync(host, st.mode & 0o7777); // after chown, which clears setgid
    copyXattrs(lower.host, host);
    lutimesSync(host, st.atimeMs / 1000, st.mtimeMs / 1000);
    // A copy-up is no change of the parent: overlayfs puts the parent's times back after it.
    lutimesSync(parentHost, parent.atimeMs / 1000, parent.mtimeMs / 1000);
    this.#upperOpaque.set(host, false);
  }

  /**
   * Creates a directory at `host`, where the upper directory has nothing. It is made opaque when a
   * lower entry would show through (overlayfs's directory over a whiteout), so that what the copy
   * replaced stays hidden and the layer says so (`.wh..wh..opq`), exactly as through a mount.
   */
  mkdir(host: string, mode: number): void {
    const rel = this.#rel(host);
    const opaque = this.#walkUpper(rel).lowerVisible && this.#lowerFind(rel) !== undefined;
    mkdirSync(host, { mode });
    if (opaque) markOverlayOpaque(host);
    // Nothing below shows through a directory made here: either opaque or over nothing.
    this.#upperOpaque.set(host, true);
  }

  /**
   * Removes the upper directory's entry at `host`, if any, before a new entry takes its place; a
   * lower entry needs nothing: the new upper entry shadows it (or, a directory, merges with it).
   */
  remove(host: string): void {
    const st = lstatIfAny(host);
    if (st === undefined) return;
    if (st.isDirectory()) {
      rmSync(host, { recursive: true, force: true });
      for (const k of this.#upperOpaque.keys()) if (k === host || k.startsWith(`${host}/`)) this.#upperOpaque.delete(k);
    } else unlinkSync(host);
  }

  /** A regular file's text in the merged view (symlinks followed inside the root), or undefined. */
  readText(path: string, maxBytes = 4 << 20): string | undefined {
    const e = this.find(this.#rel(this.resolve(path, true)));
    if (e === undefined || !e.st.isFile() || e.st.size > maxBytes) return undefined;
    return readFileSync(e.host, 'utf8');
  }
}

/** Copies a copied-up directory's xattrs (not overlayfs's own), as overlayfs's copy-up does. */
function copyXattrs(from: string, to: string): void {
  let names: string[];
  try {
    names = sys().llistxattr(from);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOTSUP' || code === 'EOPNOTSUPP') return;
    throw err;
  }
  for (const name of names) {
    if (isOverlayXattr(name)) continue;
    const v = sys().lgetxattr(from, name);
    if (v !== null) sys().lsetxattr(to, name, v);
  }
}
