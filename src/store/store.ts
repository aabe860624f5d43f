/**
 * The store as one object: content, metadata DB, images, containers, build cache, leases and
 * garbage collection over one root. `openStore()` creates the layout and brings the DB schema up to
 * date; `close()` releases the DB. Any number of processes may open the same root at once.
 */
import { existsSync, mkdirSync } from 'node:fs';
import type { Digest } from '../oci/index.js';
import { BuildCacheStore } from './build-cache.js';
import { readBlob } from './content-helpers.js';
import { LocalContentStore } from './content-local.js';
import { ContainerStore } from './containers.js';
import { DistributionStore } from './distribution.js';
import { openDatabase, type MetadataDb } from './db.js';
import { collect, type CollectOptions, type GcReport } from './gc.js';
import { ImageStore } from './images.js';
import { MountLocks } from './mount-locks.js';
import { DbIngestLocker } from './ingest-lock.js';
import { LeaseManager } from './leases.js';
import { resolveRoot, storeLayout, type RootOptions, type StoreLayout } from './paths.js';
import { NoSpaceError } from './errors.js';
import { errnoCode } from '../errors.js';

export interface OpenStoreOptions extends RootOptions {
  /** Open the DB read-only and create nothing (for `system df` on a root one cannot write). */
  readonly?: boolean;
}

export interface Store {
  readonly root: string;
  readonly layout: StoreLayout;
  readonly db: MetadataDb;
  readonly content: LocalContentStore;
  readonly images: ImageStore;
  readonly containers: ContainerStore;
  readonly buildCache: BuildCacheStore;
  /** What pushes learned: compressed forms of local layers, repositories that hold blobs. */
  readonly distribution: DistributionStore;
  readonly leases: LeaseManager;
  readonly locker: DbIngestLocker;
  /** Marks on `RUN --mount=type=cache` directories in use, across processes. */
  readonly cacheMounts: MountLocks;
  /** Copies (`cp`) through a container's root filesystem mounted for them, by container ID. */
  readonly rootfsUses: MountLocks;
  /** Removes what nothing refers to (gc.ts). */
  collect(options?: CollectOptions): Promise<GcReport>;
  close(): void;
}

/**
 * Opens the store at the resolved root when one was made there, as `openStore` does; `undefined`
 * when the root has no metadata DB (no store yet: nothing to read), and then creates nothing. For
 * commands that only read: listing an empty store should neither create one nor load SQLite.
 * @throws {SchemaTooNewError}
 */
export function openExistingStore(options: OpenStoreOptions = {}): Store | undefined {
  if (!existsSync(storeLayout(resolveRoot(options)).db)) return undefined;
  return openStore(options);
}

/**
 * Opens the store at the resolved root (`--root`, `GANTRY_ROOT`, or the default).
 * @throws {NoSpaceError} when the layout cannot be created for lack of space
 * @throws {SchemaTooNewError}
 */
export function openStore(options: OpenStoreOptions = {}): Store {
  const root = resolveRoot(options);
  const layout = storeLayout(root);
  if (options.readonly !== true) {
    try {
      for (const d of [layout.root, layout.blobs, `${layout.blobs}/sha256`, layout.snapshots, layout.tmp, layout.ingest]) {
        mkdirSync(d, { recursive: true, mode: 0o700 });
      }
    } catch (err) {
      const code = errnoCode(err);
      if (code === 'ENOSPC' || code === 'EDQUOT') throw new NoSpaceError('create the store', root, err);
      throw err;
    }
  }
  const db = openDatabase(layout.db, { readonly: options.readonly === true });
  const locker = new DbIngestLocker(db);
  const leases = new LeaseManager(db);
  const content = new LocalContentStore({ blobs: layout.blobs, ingest: layout.ingest, locker, leases });
  const gc = (o?: CollectOptions): Promise<GcReport> => collect({ db, layout, locker }, o);
  const images = new ImageStore(
    db,
    {
      blobPath: (d: Digest) => content.blobPath(d),
      readBlob: (desc, o) => readBlob(content, desc, o),
    },
    () => gc(),
  );
  return {
    root,
    layout,
    db,
    content,
    images,
    containers: new ContainerStore(db),
    buildCache: new BuildCacheStore(db),
    distribution: new DistributionStore(db),
    leases,
    locker,
    cacheMounts: new MountLocks(db, locker),
    rootfsUses: new MountLocks(db, locker, 'container-rootfs'),
    collect: gc,
    close: () => db.close(),
  };
}
