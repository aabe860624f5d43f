/**
 * Resolving archive paths inside an extraction root, the way runc's securejoin does: every
 * component is looked at with lstat, symlinks are followed *within* the root (an absolute target
 * restarts at the root, `..` stops at the root), and the number of symlinks followed is capped.
 * The result can therefore never name anything outside the root, even when the tree already holds
 * symlinks such as `lib -> /usr/lib` or a hostile `escape -> ../../..`.
 *
 * The calls are synchronous on purpose: a resolution is a few lstat calls that the kernel answers
 * from its dentry cache, and extraction is the only writer of its root, so there is no window in
 * which another writer could swap a component (the race securejoin's kernel-assisted variant closes).
 */
import { lstatSync, readlinkSync, type Stats } from 'node:fs';
import { errnoCode } from '../errors.js';
import { UnsafeEntryError } from './errors.js';

/** The most symlinks followed in one resolution (Linux's own limit is 40 per lookup; securejoin uses 255). */
export const MAX_SYMLINK_HOPS = 255;

export interface ResolveOptions {
  /** Follow the last component too (for a parent directory); default false (for creating the entry itself). */
  followLast?: boolean;
  /** Absolute host paths known to be real directories (not symlinks): their lstat is skipped. */
  knownDirs?: Set<string>;
  /** The most symlinks to follow; default MAX_SYMLINK_HOPS. */
  maxHops?: number;
  /**
   * Where the entries are looked up, when not in the host directory `root` itself: a merged view
   * (an overlay upper directory and its lower layers, see overlay-view.ts) whose entries live in
   * several directories. Given the path relative to the root (no leading `/`).
   */
  view?: RootView;
}

/** The entries of a root filesystem that is not one host directory. */
export interface RootView {
  /** What is at `rel` (relative to the root) in the view, or undefined. */
  lstat(rel: string): Stats | undefined;
  /** The target of the symlink at `rel`. */
  readlink(rel: string): string;
}

/** lstat, or undefined when nothing is there (or a parent is not a directory). */
export function lstatIfAny(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** Splits a slash-separated path into its components, dropping empty ones and `.`. */
export function splitPath(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * The host path that `path` names inside `root`, with symlinks resolved inside the root.
 * `root` must be an absolute, symlink-free path.
 * @throws {UnsafeEntryError} when more than `maxHops` (MAX_SYMLINK_HOPS) symlinks are followed
 */
export function resolveInRoot(root: string, path: string, options: ResolveOptions = {}): string {
  const rootPath = root.endsWith('/') && root.length > 1 ? root.slice(0, -1) : root;
  const queue = splitPath(path).reverse(); // a stack: the next component is at the end
  const current: string[] = [];
  const maxHops = options.maxHops ?? MAX_SYMLINK_HOPS;
  let hops = 0;
  while (queue.length > 0) {
    const c = queue.pop()!;
    if (c === '..') {
      current.pop(); // clamped: popping an empty list stays at the root
      continue;
    }
    const relPath = `${current.length > 0 ? current.join('/') + '/' : ''}${c}`;
    const candidate = `${rootPath === '/' ? '' : rootPath}/${relPath}`;
    if (queue.length === 0 && options.followLast !== true) {
      current.push(c);
      break;
    }
    if (options.knownDirs?.has(candidate) === true) {
      current.push(c);
      continue;
    }
    // Where nothing exists, nothing below can be a symlink either: the rest is resolved lexically.
    const view = options.view;
    if ((view === undefined ? lstatIfAny(candidate) : view.lstat(relPath))?.isSymbolicLink() !== true) {
      current.push(c);
      continue;
    }
    if (++hops > maxHops) throw new UnsafeEntryError(path, `more than ${maxHops} symlinks were followed (a symlink loop)`);
    const target = view === undefined ? readlinkSync(candidate) : view.readlink(relPath);
    if (target.startsWith('/')) current.length = 0;
    const parts = splitPath(target);
    for (let i = parts.length - 1; i >= 0; i--) queue.push(parts[i]!);
  }
  return current.length === 0 ? rootPath : `${rootPath === '/' ? '' : rootPath}/${current.join('/')}`;
}
