/**
 * `cp`: files between a container's root filesystem and the host, docker's way (cp-paths.ts has
 * the placement rules, cp-entries.ts the archive entries and their extraction).
 *
 * The container side is its root filesystem: mounted already while it runs, mounted for the copy
 * otherwise (the overlay shows the merged view, upper over lowers with whiteouts honoured; written
 * through it, a change lands in the upper directory, where `start`, `commit`, `diff` and `export`
 * see it), and unmounted after. Every container path is resolved inside that root, or inside the
 * host directory of a `-v` bind it is under, symlinks confined to it (layer's `resolveInRoot`, see
 * cp-rootfs.ts), as docker's daemon does in the container's scope.
 *
 * The host side follows docker's client: local paths are made absolute, a destination symlink is
 * followed, the source's parents are resolved (its last component only with `followLink`).
 */
import { lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { errnoCode, isKind } from '../errors.js';
import { lstatIfAny } from '../layer/index.js';
import { loadUserDb, parseGroup, parsePasswd, parseVolume } from '../runtime/index.js';
import { ContainerPaths, type CpBind, type Located } from './cp-rootfs.js';
import type { ContainerRecord } from '../store/index.js';
import { isRunning, storedConfig, type Containers } from './containers.js';
import { CopyBreakoutError, CopyOverwriteError, extractEntries, renamed, tarEntries, toTar, walkTree, type CpEntry, type Ownership } from './cp-entries.js';
import { copyDaemonError, copyRefused, noSuchContainerPath } from './cp-errors.js';
import {
  hasTrailingSeparator, planExtract, preserveTrailingDotOrSeparator, rebaseAfterLink, specifiesCurrentDir, splitPathDirEntry, type DestInfo, type SourceInfo,
} from './cp-paths.js';

export interface CopyFromOptions {
  /** The container as the user named it (for messages). */
  container: string;
  srcPath: string;
  /** A host path, or `-` for a tar stream on `stdout`. */
  destPath: string;
  followLink?: boolean;
  /** Where `-` writes. */
  stdout?: (chunk: Uint8Array) => Promise<void>;
  /** Where relative host paths start (default: the process's working directory). */
  cwd?: string;
  signal?: AbortSignal;
}

export interface CopyToOptions {
  container: string;
  /** A host path, or `-` for a tar stream read from `stdin`. */
  srcPath: string;
  destPath: string;
  followLink?: boolean;
  /** `-a`: owned by the container's user (docker's archive mode); else the source's uid/gid. */
  archive?: boolean;
  /** The tar stream for `-` (default: the process's stdin). */
  stdin?: Readable | AsyncIterable<Uint8Array>;
  /** Where relative host paths start (default: the process's working directory). */
  cwd?: string;
  signal?: AbortSignal;
}

/**
 * Runs `fn` on the container's root filesystem, mounting it for the call when it is not running.
 * Each copy marks the mount in use (store.rootfsUses, across processes): the last copy to finish
 * unmounts it, unless the container runs on it by then (started meanwhile by another gantry), which
 * leaves it to the start's own unmount when the container exits.
 */
async function withRootfs<T>(c: Containers, rec: ContainerRecord, fn: (root: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
  const release = await c.store.rootfsUses.use(rec.id, signal === undefined ? {} : { signal });
  try {
    const root = await c.mount(rec, signal);
    return await fn(root);
  } finally {
    release();
    if (!startedSince(c, rec.id)) {
      // Claimed atomically when no copy uses it: a copy starting meanwhile waits for the unmount.
      const unmounting = c.store.rootfsUses.tryRemove(rec.id);
      if (unmounting !== undefined) {
        try {
          await c.unmount(rec);
        } finally {
          unmounting();
        }
      }
    }
  }
}

function startedSince(c: Containers, id: string): boolean {
  try {
    return isRunning(c.store.containers.get(id));
  } catch {
    return false; // removed meanwhile: nothing runs on the mount
  }
}

async function findContainer(c: Containers, name: string): Promise<ContainerRecord | undefined> {
  try {
    return await c.resolve(name);
  } catch (err) {
    if (isKind(err, 'not-found')) return undefined;
    throw err;
  }
}

// ----------------------------------------------------------------------------- container side

/** The container's paths: its root filesystem and the host directories bound into it. */
function containerPaths(rec: ContainerRecord, root: string): ContainerPaths {
  const binds: CpBind[] = [];
  for (const v of storedConfig(rec).flags.volume ?? []) {
    const b = parseVolume(v);
    binds.push({ destination: b.destination, source: b.source, ...(b.readonly === true ? { readonly: true } : {}) });
  }
  return new ContainerPaths(root, binds);
}

/** lstat of a resolved container path; undefined when missing; docker's daemon error when a parent is a file. */
function statContainerPath(r: Located): Stats | undefined {
  try {
    return lstatSync(r.host);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return undefined;
    if (code === 'ENOTDIR') throw copyDaemonError(`lstat ${r.host}: not a directory`);
    throw err;
  }
}

// ---------------------------------------------------------------------------------- copy out

/**
 * `cp CONTAINER:SRC DEST|-`. The archive's entries are named after the source's last component
 * (`.` for `SRC/.`, `/` for the root), then placed by docker's rules; copied out, files belong to
 * whoever runs the copy, with the container's modes and times.
 * @throws {CopyError} with docker's line for a missing container or path, or a refused placement
 */
export async function copyFromContainer(c: Containers, o: CopyFromOptions): Promise<void> {
  const toStdout = o.destPath === '-';
  const dest = toStdout ? '-' : localPath(o.destPath, o.cwd);
  if (!toStdout) validateOutputPath(dest);
  const rec = await findContainer(c, o.container);
  if (rec === undefined) throw noSuchContainerPath(o.container, o.srcPath);
  await withRootfs(c, rec, async (root) => {
    const paths = containerPaths(rec, root);
    let srcPath = o.srcPath;
    let rebase: string | undefined;
    if (o.followLink === true) {
      const r = paths.resolve(srcPath);
      if (statContainerPathQuiet(r)?.isSymbolicLink() === true) {
        ({ path: srcPath, rebase } = rebaseAfterLink(srcPath, paths.target(r)));
      }
    }
    const r = paths.resolve(srcPath);
    const st = statContainerPath(r);
    if (st === undefined) throw noSuchContainerPath(o.container, srcPath);
    const archiveName = splitPathDirEntry(r.abs).base;
    if (toStdout) {
      // The archive as docker's daemon sends it: no renaming (not even -L's).
      for await (const chunk of toTar(walkTree(r.host, archiveName, signalOpt(o.signal)), signalOpt(o.signal))) await o.stdout?.(chunk);
      return;
    }
    const src: SourceInfo = { path: srcPath, isDir: st.isDirectory(), ...(rebase === undefined ? {} : { rebase }) };
    const entries = walkTree(r.host, rebase ?? archiveName, signalOpt(o.signal));
    await placeOnHost(entries, src, dest, o.signal);
  }, o.signal);
}

function statContainerPathQuiet(r: Located): Stats | undefined {
  try {
    return statContainerPath(r);
  } catch {
    return undefined;
  }
}

/** Extracts the entries at the host destination by docker's rules (its client's `CopyTo`). */
async function placeOnHost(entries: AsyncIterable<CpEntry>, src: SourceInfo, dest: string, signal: AbortSignal | undefined): Promise<void> {
  const dst = hostDestInfo(dest);
  const plan = planExtract(src, dst);
  if (typeof plan === 'string') throw copyRefused(plan);
  const named = plan.rename === undefined ? entries : renamed(entries, plan.rename.from, plan.rename.to);
  try {
    await extractEntries(named, { root: plan.dir, dir: '', ownership: { kind: 'caller' }, ...signalOpt(signal) });
  } catch (err) {
    if (err instanceof CopyOverwriteError || err instanceof CopyBreakoutError) throw copyRefused(err.message);
    throw err;
  }
}


/** docker's `ValidateOutputPath`: the destination's directory must exist; an existing path be a dir or a file. */
function validateOutputPath(path: string): void {
  const dir = posix.dirname(posix.normalize(path));
  if (lstatIfAnyFollow(dir) === 'missing') throw copyRefused(`invalid output path: directory "${dir}" does not exist`);
  const st = lstatIfAnyFollow(path);
  if (st === 'missing') return;
  if (st.isDirectory() || st.isFile()) return;
  throw copyRefused(`invalid output path: "${path}" must be a directory or a regular file`);
}

/** stat (following symlinks), `missing` for ENOENT, docker's `stat …` text for other failures. */
function lstatIfAnyFollow(path: string): Stats | 'missing' {
  try {
    return statSync(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return 'missing';
    throw copyRefused(`stat ${path}: ${errnoText(err)}`);
  }
}

/** docker's `CopyInfoDestinationPath`: a destination symlink is followed (10 links at most). */
function hostDestInfo(path: string): DestInfo {
  const original = path;
  let st = lstatIfAny(path);
  for (let n = 0; st?.isSymbolicLink() === true; n++) {
    if (n > 10) throw copyRefused(`too many symlinks in ${original}`);
    let target = readlinkSync(path);
    if (!target.startsWith('/')) target = posix.join(splitPathDirEntry(path).dir, target);
    path = target;
    st = lstatIfAny(path);
  }
  if (st !== undefined) return { path, exists: true, isDir: st.isDirectory() };
  const parent = splitPathDirEntry(path).dir;
  const pst = lstatIfAnyFollow(parent);
  if (pst === 'missing') throw copyRefused(`stat ${parent}: no such file or directory`);
  if (!pst.isDirectory()) throw copyRefused('not a directory');
  return { path, exists: false, isDir: false };
}

// ----------------------------------------------------------------------------------- copy in

/**
 * `cp SRC|- CONTAINER:DEST`. A host source is archived under its name and placed by docker's
 * rules; a tar stream (`-`) is extracted into DEST, which must be a directory. The entries keep
 * their uid/gid (docker 20.10's daemon does; `-a` gives them the container user's instead), modes
 * and times.
 * @throws {CopyError} with docker's line
 */
export async function copyToContainer(c: Containers, o: CopyToOptions): Promise<void> {
  const fromStdin = o.srcPath === '-';
  const srcLocal = fromStdin ? '-' : localPath(o.srcPath, o.cwd);
  const rec = await findContainer(c, o.container);
  const run = async (root: string | undefined): Promise<void> => {
    const dst: DestInfo = { path: o.destPath, exists: false, isDir: false };
    const paths = root === undefined || rec === undefined ? undefined : containerPaths(rec, root);
    if (paths !== undefined) {
      let r = paths.resolve(o.destPath);
      let st = statContainerPathQuiet(r);
      if (st?.isSymbolicLink() === true) {
        dst.path = paths.target(r);
        r = paths.resolve(dst.path);
        st = statContainerPathQuiet(r);
      }
      if (st !== undefined && !st.isDirectory() && !st.isFile() && !st.isSymbolicLink()) {
        throw copyRefused(`destination "${o.container}:${o.destPath}" must be a directory or a regular file: got ${st.isFIFO() ? 'a named pipe' : 'a device'}`);
      }
      if (st !== undefined) {
        dst.exists = true;
        dst.isDir = st.isDirectory();
      }
    }
    let entries: AsyncIterable<CpEntry>;
    let dir: string;
    if (fromStdin) {
      if (!dst.isDir) throw copyRefused(`destination "${o.container}:${o.destPath}" must be a directory`);
      entries = tarEntries(o.stdin ?? process.stdin, signalOpt(o.signal));
      dir = dst.path;
    } else {
      const src = hostSourceInfo(srcLocal, o.followLink === true);
      const plan = planExtract(src, dst);
      if (typeof plan === 'string') throw copyRefused(plan);
      const name = src.rebase ?? splitPathDirEntry(src.path).base;
      const walked = walkTree(src.host, name, signalOpt(o.signal));
      entries = plan.rename === undefined ? walked : renamed(walked, plan.rename.from, plan.rename.to);
      dir = plan.dir;
    }
    if (paths === undefined || rec === undefined) throw noSuchContainerPath(o.container, dir);
    // The extraction point, resolved in the container (followed to the end, as docker's daemon does).
    const point = paths.resolveDir(dir);
    const pst = lstatIfAny(point.host);
    if (pst === undefined) throw noSuchContainerPath(o.container, dir);
    if (!pst.isDirectory()) throw copyDaemonError('extraction point is not a directory');
    if (point.bind?.readonly === true) throw copyDaemonError('mounted volume is marked read-only', 'failed-precondition');
    if (point.bind === undefined && storedConfig(rec).flags.readOnly === true) throw copyDaemonError('container rootfs is marked read-only', 'failed-precondition');
    const ownership: Ownership = o.archive === true ? await containerUserOwnership(c, rec, paths.root, o.signal) : { kind: 'keep' };
    try {
      await extractEntries(entries, {
        root: point.fsRoot,
        dir: point.host === point.fsRoot ? '' : point.host.slice(point.fsRoot.length + 1),
        ownership,
        show: 'in-root',
        ...signalOpt(o.signal),
      });
    } catch (err) {
      // docker's daemon extracts in a child process and reports its failure so.
      if (err instanceof CopyOverwriteError || err instanceof CopyBreakoutError) throw copyDaemonError(`Error processing tar file(exit status 1): ${err.message}`);
      throw err;
    }
  };
  if (rec === undefined) return run(undefined);
  await withRootfs(c, rec, run, o.signal);
}

/** The host source: docker's `CopyInfoSourcePath` (parents resolved; the last component with -L). */
function hostSourceInfo(path: string, followLink: boolean): SourceInfo & { host: string } {
  let resolved: string;
  let rebase: string | undefined;
  try {
    if (followLink) {
      ({ path: resolved, rebase } = rebaseAfterLink(path, realpathSync(path)));
    } else {
      const slash = path.lastIndexOf('/');
      const dirPart = path.slice(0, slash + 1);
      const base = path.slice(slash + 1);
      const dir = realpathSync(dirPart === '' ? '.' : dirPart);
      resolved = `${dir === '/' ? '' : dir}/${base}`;
      if (hasTrailingSeparator(path) && goBase(path) !== goBase(resolved)) rebase = goBase(path);
    }
  } catch (err) {
    throw copyRefused(`lstat ${path.replace(/\/+$/, '') || '/'}: ${errnoText(err)}`);
  }
  let st: Stats;
  try {
    st = lstatSync(resolved);
  } catch (err) {
    throw copyRefused(`lstat ${resolved}: ${errnoText(err)}`);
  }
  // The tree to walk: the entry itself, or for `DIR/.` and `DIR/` the directory.
  const host = specifiesCurrentDir(resolved) || hasTrailingSeparator(resolved) ? realpathSync(resolved) : resolved.replace(/\/+$/, '');
  return { path: resolved, isDir: st.isDirectory(), host, ...(rebase === undefined ? {} : { rebase }) };
}

/**
 * `-a`: the container's user (`--user`, else the image's `User`) and its primary group, from the
 * container's own /etc/passwd and /etc/group; no user: the archive's ids, as docker does.
 */
async function containerUserOwnership(c: Containers, rec: ContainerRecord, root: string, signal?: AbortSignal): Promise<Ownership> {
  const user = storedConfig(rec).flags.user ?? (await imageUser(c, rec, signal));
  if (user === undefined || user === '') return { kind: 'keep' };
  const [u = '', g] = user.split(':');
  // The user database read and parsed as a container start reads it; docker's lookup rules and words.
  const db = await loadUserDb(root);
  const entry = parsePasswd(db.passwd).find((e) => e.name === u || (/^\d+$/.test(u) && e.uid === Number(u)));
  let uid: number;
  let gid: number;
  if (entry !== undefined) {
    uid = entry.uid;
    gid = entry.gid;
  } else if (/^\d+$/.test(u)) {
    uid = Number(u);
    gid = uid;
  } else throw copyDaemonError(`getent unable to find entry "${u}" in passwd database`, 'not-found');
  if (g !== undefined && g !== '') {
    if (/^\d+$/.test(g)) gid = Number(g);
    else {
      const group = parseGroup(db.group).find((e) => e.name === g);
      if (group === undefined) throw copyDaemonError(`getent unable to find entry "${g}" in group database`, 'not-found');
      gid = group.gid;
    }
  }
  return { kind: 'set', uid, gid };
}

/** The image's `User` (the stored flags have the user only when `--user` was given). */
async function imageUser(c: Containers, rec: ContainerRecord, signal?: AbortSignal): Promise<string | undefined> {
  const stored = storedConfig(rec);
  if (stored.user !== undefined) return stored.user; // recorded at the first start, from the flags or the image
  try {
    return (await c.imageConfig(c.store.images.get(rec.imageId), signal)).config?.User;
  } catch (err) {
    if (isKind(err, 'not-found')) return undefined;
    throw err;
  }
}

// ----------------------------------------------------------------------------------- helpers

/** docker's `resolveLocalPath`: absolute, with a trailing `/` or `/.` kept. */
function localPath(path: string, cwd = process.cwd()): string {
  return preserveTrailingDotOrSeparator(posix.resolve(cwd, path), path);
}

function goBase(path: string): string {
  const t = path.replace(/\/+$/, '');
  return t === '' ? '/' : posix.basename(t);
}

function errnoText(err: unknown): string {
  switch (errnoCode(err)) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EACCES':
      return 'permission denied';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}

function signalOpt(signal: AbortSignal | undefined): { signal?: AbortSignal } {
  return signal === undefined ? {} : { signal };
}
