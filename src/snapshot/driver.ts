/**
 * How snapshots become directories and mounts. Two drivers: `overlay` (an active snapshot is an
 * overlayfs upper dir over its ancestors' dirs; nothing is copied) and `vfs` (every snapshot is a full
 * copy of its parent; works on any filesystem, costs space and time). The snapshotter decides what
 * exists; a driver only lays out `snapshots/<id>/` and describes how to mount it.
 */
import { spawn } from 'node:child_process';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GantryError } from '../errors.js';
import type { Mount } from './mount.js';
import type { SnapshotKind } from './metadata.js';

export interface SnapshotDriver {
  readonly name: 'overlay' | 'vfs';
  /**
   * Fills a new snapshot's directory `dir` (already created, empty). `parents` are the directories of
   * its committed ancestors, nearest first.
   */
  create(dir: string, kind: 'active' | 'view', parents: readonly string[], options?: { signal?: AbortSignal }): Promise<void>;
  /** The mounts that give the snapshot's root filesystem. */
  mounts(dir: string, kind: SnapshotKind, parents: readonly string[]): Mount[];
  /** Called when an active snapshot is committed (drops what only a writable snapshot needs). */
  commit(dir: string): Promise<void>;
}

/** The directory holding a snapshot's files (the upper dir for overlay; the whole tree for vfs). */
export function fsDir(dir: string): string {
  return join(dir, 'fs');
}

/** overlayfs: lower dirs are the ancestors' `fs`, nearest first; the snapshot's `fs` is the upper. */
export const overlayDriver: SnapshotDriver = {
  name: 'overlay',
  async create(dir, kind) {
    await mkdir(fsDir(dir), { mode: 0o755 });
    if (kind === 'active') await mkdir(join(dir, 'work'), { mode: 0o700 });
  },
  mounts(dir, kind, parents) {
    const lowers = parents.map(fsDir);
    if (kind === 'active') {
      if (lowers.length === 0) return [{ type: 'bind', source: fsDir(dir), options: ['rbind', 'rw'] }];
      return [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${lowers.join(':')}`, `upperdir=${fsDir(dir)}`, `workdir=${join(dir, 'work')}`, 'index=off'] }];
    }
    // A view or a committed snapshot read as a whole: read-only, no upper dir.
    const all = kind === 'committed' ? [fsDir(dir), ...lowers] : lowers;
    if (all.length === 0) return [{ type: 'bind', source: fsDir(dir), options: ['rbind', 'ro'] }];
    if (all.length === 1) return [{ type: 'bind', source: all[0]!, options: ['rbind', 'ro'] }];
    return [{ type: 'overlay', source: 'overlay', options: [`lowerdir=${all.join(':')}`, 'index=off'] }];
  },
  async commit(dir) {
    await rm(join(dir, 'work'), { recursive: true, force: true });
  },
};

function copyTree(from: string, to: string, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    // cp -a keeps owners, modes, times, links, device nodes and xattrs; --reflink=auto shares blocks
    // where the filesystem can (btrfs, xfs), so vfs costs less there.
    const child = spawn('cp', ['-a', '--reflink=auto', `${from}/.`, to], { stdio: ['ignore', 'ignore', 'pipe'], ...(signal === undefined ? {} : { signal }) });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new GantryError('internal', 'SNAPSHOT_COPY_FAILED', `Cannot copy snapshot ${from}: ${err.trim()}`))));
  });
}

/** vfs: each snapshot's `fs` is a complete tree, copied from its parent. */
export const vfsDriver: SnapshotDriver = {
  name: 'vfs',
  async create(dir, _kind, parents, options = {}) {
    await mkdir(fsDir(dir), { mode: 0o755 });
    if (parents[0] !== undefined) await copyTree(fsDir(parents[0]), fsDir(dir), options.signal);
  },
  mounts(dir, kind) {
    return [{ type: 'bind', source: fsDir(dir), options: ['rbind', kind === 'active' ? 'rw' : 'ro'] }];
  },
  async commit() {},
};

/** True when this kernel mounts overlayfs (listed in /proc/filesystems). */
export async function overlayAvailable(): Promise<boolean> {
  try {
    return /\boverlay\b/.test(await readFile('/proc/filesystems', 'utf8'));
  } catch {
    return false;
  }
}
