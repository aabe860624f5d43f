/**
 * `cp`'s path rules, pure: which argument names a container, what a trailing `/` or `/.` asks
 * for, and where an archive of the source is extracted (and under which name) for each kind of
 * destination. These are docker's documented rules for `docker cp`, which its client implements
 * by archiving the source under its base name and renaming that first path component on the way.
 *
 * Paths on both sides are POSIX paths (a container's, or this Linux host's).
 */
import { posix } from 'node:path';

/** A `cp` argument: a container path (`CONTAINER:PATH`) or a local one. */
export interface CpArg {
  container?: string;
  path: string;
}

/**
 * docker's split: an absolute path, or one whose part before the first `:` starts with `.`, is
 * local (so `./a:b` and `/x:y` are files); otherwise `NAME:PATH` names a container.
 */
export function parseCpArg(arg: string): CpArg {
  if (arg.startsWith('/')) return { path: arg };
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return { path: arg };
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

export function hasTrailingSeparator(path: string): boolean {
  return path.length > 0 && path.endsWith('/');
}

/** `.` or ending in `/.`: "the contents of this directory". */
export function specifiesCurrentDir(path: string): boolean {
  return posix.basename(path) === '.' || path === '.' || path.endsWith('/.');
}

/** The path says it must be a directory (a trailing `/` or `/.`). */
export function assertsDirectory(path: string): boolean {
  return hasTrailingSeparator(path) || specifiesCurrentDir(path);
}

/** Puts back the trailing `/.` or `/` that cleaning `original` took away. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  if (specifiesCurrentDir(original) && !specifiesCurrentDir(cleaned)) {
    return `${hasTrailingSeparator(cleaned) ? cleaned : `${cleaned}/`}.`;
  }
  if (hasTrailingSeparator(original) && !hasTrailingSeparator(cleaned)) return `${cleaned}/`;
  return cleaned;
}

/** The directory and the entry in it that `path` names; `a/b/.` gives `a/b` and `.`. */
export function splitPathDirEntry(path: string): { dir: string; base: string } {
  let cleaned = posix.normalize(path);
  if (cleaned.length > 1 && cleaned.endsWith('/')) cleaned = cleaned.slice(0, -1);
  if (specifiesCurrentDir(path) && cleaned !== '.' && !cleaned.endsWith('/.')) cleaned = cleaned === '/' ? '/.' : `${cleaned}/.`;
  return { dir: posix.dirname(cleaned), base: posix.basename(cleaned) || '/' };
}

/**
 * After a symlink named by `path` resolved to `resolved`: the resolved path with `path`'s trailing
 * `/` or `/.` kept, and the name the archive's entries must take (`rebase`) when the last
 * component changed (a link `/data -> /var/lib/x` is copied as `data`, not `x`).
 */
export function rebaseAfterLink(path: string, resolved: string): { path: string; rebase?: string } {
  let out = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(out)) out = `${out}/.`;
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(out)) out = `${out}/`;
  const want = baseOf(path);
  return baseOf(out) === want ? { path: out } : { path: out, rebase: want };
}

/** Go's filepath.Base: the last element, trailing slashes dropped; `/` for the root. */
function baseOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path === '' ? '.' : '/';
  return posix.basename(trimmed);
}

/** What the copy knows of its source. */
export interface SourceInfo {
  /** The source path (its base name is the archive's first path component). */
  path: string;
  isDir: boolean;
  /** The name the archive's entries take instead of the source's base name. */
  rebase?: string;
}

/** What the copy knows of its destination. */
export interface DestInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
}

/** Where the archive goes: extracted into `dir`, its first component renamed `from` → `to`. */
export interface ExtractPlan {
  dir: string;
  rename?: { from: string; to: string };
}

/** Why a source cannot go to a destination: docker's words (`cannot copy directory`, `no such directory`). */
export type PlanRefusal = 'cannot copy directory' | 'no such directory';

/**
 * docker's placement rules:
 * - an existing directory destination: extracted into it (the source directory itself, or with
 *   `SRC/.` only its contents, since those archive entries are named `./…`);
 * - a directory source onto an existing non-directory: refused;
 * - anything else: extracted into the destination's parent, the source's name becoming the
 *   destination's (a file saved as DEST, a directory created as DEST), except that a file
 *   cannot create a destination that asserts a directory (`DEST/`).
 */
export function planExtract(src: SourceInfo, dst: DestInfo): ExtractPlan | PlanRefusal {
  const { dir: dstDir, base: dstBase } = splitPathDirEntry(dst.path);
  const srcBase = src.rebase ?? splitPathDirEntry(src.path).base;
  if (dst.exists && dst.isDir) return { dir: dst.path };
  if (dst.exists && src.isDir) return 'cannot copy directory';
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) return 'no such directory';
  return { dir: dstDir, rename: { from: srcBase, to: dstBase } };
}

/**
 * An archive path with its first component renamed (docker replaces the first occurrence of the
 * old base name: `./a` becomes `DEST/a` for a `SRC/.` source). Paths are relative, `/`-separated.
 */
export function renameFirst(name: string, from: string, to: string): string {
  if (from === '/' ) return name.startsWith('/') ? `${to}${name}` : name;
  if (name === from) return to;
  if (name.startsWith(`${from}/`)) return `${to}${name.slice(from.length)}`;
  return name;
}
