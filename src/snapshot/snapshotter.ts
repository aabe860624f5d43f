/**
 * The snapshotter: containerd's lifecycle over a driver and a metadata store.
 *
 *   prepare(key, parent) → an active snapshot: writable, on top of the committed `parent`
 *   view(key, parent)    → a read-only snapshot of `parent`
 *   commit(name, key)    → the active `key` becomes the immutable `name`, usable as a parent
 *   remove(key)          → record deleted first, then its directory (never through a live mount)
 *   cleanup()            → directories without a record (left by a crash) are removed
 *
 * Mounts are returned as data; the caller mounts them (`mountAll`) where it needs the tree, e.g. as a
 * container's root filesystem. A new snapshot's directory is built under `snapshots/new-<random>` and
 * renamed to `snapshots/<id>` once recorded, so a crash leaves at worst an orphan `new-*` for cleanup.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { FailedPreconditionError } from '../errors.js';
import { fsDir, type SnapshotDriver } from './driver.js';
import { SnapshotNotFoundError, type SnapshotInfo, type SnapshotMetadata } from './metadata.js';
import { isInUse, type Mount } from './mount.js';

export interface SnapshotterOptions {
  /** `<gantry-root>/snapshots`. */
  root: string;
  driver: SnapshotDriver;
  metadata: SnapshotMetadata;
}

export interface SnapshotOptions {
  labels?: Record<string, string>;
  signal?: AbortSignal;
}

export class Snapshotter {
  readonly root: string;
  readonly driver: SnapshotDriver;
  readonly #meta: SnapshotMetadata;

  constructor(options: SnapshotterOptions) {
    this.root = options.root;
    this.driver = options.driver;
    this.#meta = options.metadata;
  }

  /** The snapshot's directory. */
  dir(info: Pick<SnapshotInfo, 'id'>): string {
    return join(this.root, String(info.id));
  }

  /** The directory holding its own files (overlay: its upper dir). */
  fsPath(info: Pick<SnapshotInfo, 'id'>): string {
    return fsDir(this.dir(info));
  }

  /** @throws {SnapshotNotFoundError} */
  async stat(key: string): Promise<SnapshotInfo> {
    const info = await this.#meta.get(key);
    if (info === undefined) throw new SnapshotNotFoundError(key);
    return info;
  }

  /** A writable snapshot on top of `parent` (a committed name) or empty. */
  async prepare(key: string, parent?: string, options: SnapshotOptions = {}): Promise<Mount[]> {
    return this.#create('active', key, parent, options);
  }

  /** A read-only snapshot of `parent`. */
  async view(key: string, parent?: string, options: SnapshotOptions = {}): Promise<Mount[]> {
    return this.#create('view', key, parent, options);
  }

  /** The mounts of an existing snapshot. */
  async mounts(key: string): Promise<Mount[]> {
    const info = await this.stat(key);
    return this.driver.mounts(this.dir(info), info.kind, await this.#parentDirs(info.parent));
  }

  /** The directories of `info`'s committed ancestors, nearest first (the overlay lower dirs). */
  async parentDirs(key: string): Promise<string[]> {
    return this.#parentDirs((await this.stat(key)).parent);
  }

  /** Makes the active snapshot `key` the committed snapshot `name`. */
  async commit(name: string, key: string): Promise<SnapshotInfo> {
    const info = await this.stat(key);
    if (await isInUse(this.dir(info))) {
      throw new FailedPreconditionError('SNAPSHOT_MOUNTED', `Cannot commit snapshot ${key}: it is still mounted`);
    }
    const committed = await this.#meta.commit(key, name);
    await this.driver.commit(this.dir(committed));
    return committed;
  }

  /**
   * Removes a snapshot: its record first, then its directory. Refuses while something is mounted
   * from it, or when other snapshots use it as a parent.
   */
  async remove(key: string): Promise<void> {
    const info = await this.stat(key);
    const dir = this.dir(info);
    if (await isInUse(dir)) throw new FailedPreconditionError('SNAPSHOT_MOUNTED', `Cannot remove snapshot ${key}: it is still mounted`);
    await this.#meta.remove(key);
    await rm(dir, { recursive: true, force: true });
  }

  async list(): Promise<SnapshotInfo[]> {
    return this.#meta.list();
  }

  /** Removes directories that have no record (crash leftovers); returns their names. */
  async cleanup(): Promise<string[]> {
    const known = new Set((await this.#meta.list()).map((i) => String(i.id)));
    const removed: string[] = [];
    let names: string[] = [];
    try {
      names = await readdir(this.root);
    } catch {
      return removed;
    }
    for (const name of names) {
      if (known.has(name)) continue;
      const p = join(this.root, name);
      if (!(await lstat(p)).isDirectory() || (await isInUse(p))) continue;
      await rm(p, { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }

  async #parentDirs(parent: string | undefined): Promise<string[]> {
    const dirs: string[] = [];
    for (let p = parent; p !== undefined; ) {
      const info = await this.stat(p);
      dirs.push(this.dir(info));
      p = info.parent;
    }
    return dirs;
  }

  async #create(kind: 'active' | 'view', key: string, parent: string | undefined, options: SnapshotOptions): Promise<Mount[]> {
    const parents = await this.#parentDirs(parent);
    await mkdir(this.root, { recursive: true, mode: 0o700 });
    const tmp = join(this.root, `new-${randomBytes(6).toString('hex')}`);
    await mkdir(tmp, { mode: 0o700 });
    try {
      await this.driver.create(tmp, kind, parents, options.signal === undefined ? {} : { signal: options.signal });
      const info = await this.#meta.create({ key, kind, ...(parent === undefined ? {} : { parent }), ...(options.labels === undefined ? {} : { labels: options.labels }) });
      try {
        await rename(tmp, this.dir(info));
      } catch (err) {
        await this.#meta.remove(key).catch(() => undefined);
        throw err;
      }
      return this.driver.mounts(this.dir(info), kind, parents);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
}
