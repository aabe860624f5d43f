/**
 * Snapshots: the filesystems containers and build steps run on, after containerd's snapshotter.
 *
 * Glossary (containerd's words):
 * - A **committed** snapshot is immutable and has a *name*. An unpacked image layer is a committed
 *   snapshot named by the layer's chainID, so images that share layers share their unpacked trees.
 * - An **active** snapshot has a *key*; it is writable: a container's root filesystem, or a build
 *   step's. `commit(name, key)` turns an active snapshot into a committed one (its upper directory
 *   becomes that layer's unpacked tree, so nothing is extracted again).
 * - A **view** is a read-only active snapshot (for reading a stage's files, `COPY --from`).
 * - The *parent* of a snapshot is a committed snapshot; the chain of parents is the stack of lower
 *   layers.
 *
 * `prepare` and `view` return mounts (plain data) that the caller mounts where it wants, and must
 * unmount before `remove`. Records live in the store's `snapshots` table (so `collect()` keeps what
 * images, containers, cache records and leases use); directories are `snapshots/<row id>/`, never
 * named by a user's key.
 */

/** A mount as plain data: what `mount -t TYPE -o OPTIONS SOURCE TARGET` would do. */
export interface Mount {
  type: 'overlay' | 'bind';
  source: string;
  options: string[];
  /** Directory to mount from: overlay lowerdirs may be relative to it (long layer stacks fit a page). */
  cwd?: string;
}

/** What changed in an active snapshot, in the shape `layer.createLayer` takes. */
export type DiffSource =
  | { kind: 'overlay'; upper: string; lowers: string[] }
  | { kind: 'compare'; lower: string; upper: string }
  | { kind: 'tree'; root: string };

export type SnapshotKind = 'view' | 'active' | 'committed';

export interface SnapshotInfo {
  /** The row id; the directory is `snapshots/<id>`. */
  id: number;
  key: string;
  parent?: string;
  kind: SnapshotKind;
  createdAt: number;
  labels: Record<string, string>;
}

export interface PrepareOptions {
  labels?: Record<string, string>;
  /** Adds the snapshot to this lease before it is visible, so a collection cannot take it. */
  lease?: string;
}

export interface Snapshotter {
  readonly driver: 'overlay' | 'vfs';
  /** The record of `key`, or undefined. */
  stat(key: string): SnapshotInfo | undefined;
  /**
   * A new active snapshot on top of `parent` (a committed snapshot), and the mounts for it.
   * @throws {SnapshotExistsError} when `key` is taken
   * @throws {SnapshotNotFoundError} when `parent` does not exist or is not committed
   */
  prepare(key: string, parent?: string, options?: PrepareOptions): Promise<Mount[]>;
  /** Like `prepare`, read-only. */
  view(key: string, parent?: string, options?: PrepareOptions): Promise<Mount[]>;
  /** The mounts of an active snapshot or view. */
  mounts(key: string): Mount[];
  /**
   * Commits the active snapshot `key` as `name`. If `name` already exists (another process unpacked
   * the same layer first), the active snapshot is removed and the call still succeeds; unless
   * `name`'s tree needs renewal, which `key`'s tree then replaces (keeping `name`'s row, so
   * snapshots built on it keep their parent).
   */
  commit(name: string, key: string, options?: { labels?: Record<string, string> }): Promise<void>;
  /**
   * True when the committed snapshot's tree cannot be trusted: nothing syncs a committed tree (its
   * layer blob is the durable copy), so one written before the machine last booted may have lost
   * data in a crash; or its tree is missing. Committing the same layer extracted again under its
   * name replaces the tree (see `commit`).
   */
  needsRenewal(name: string): boolean;
  /** Removes a snapshot that nothing mounts and no snapshot has as parent. Idempotent. */
  remove(key: string): Promise<void>;
  /** The writable directory of an active snapshot (overlay: the upperdir; vfs: the whole tree). */
  upperDir(key: string): string;
  /** The unpacked trees below `key`, top first (overlay lowerdirs). */
  lowerDirs(key: string): string[];
  /** What to diff to turn the active snapshot's changes into a layer. */
  diffSource(key: string): DiffSource;
  /** Every snapshot record. */
  list(): SnapshotInfo[];
  /** Bytes and inodes used by the snapshot's own directory. */
  usage(key: string): Promise<{ size: number; inodes: number }>;
}
