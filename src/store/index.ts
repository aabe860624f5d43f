/**
 * store/ — where images live: the content store (blobs by digest, verified on write), the metadata
 * DB (SQLite, WAL), image and name records, containers' and build-cache records, leases, garbage
 * collection and the consistency check. It knows nothing of Dockerfiles or registries.
 *
 * Layout of a root: see `paths.ts`. Rules other parts rely on:
 * - Write blobs through `content.writer()` / `writeBlob()` under a lease (`withLease`), then record
 *   them with `images.putManifest()` (pull, load: the manifest and config are read back from the
 *   store) or `images.put()` (build, commit: layers with their diffIDs and uncompressed sizes), or a
 *   build-cache record, before the lease ends. `put` refuses blobs that are not stored.
 * - Names: `images.tag()` is docker's tag (no digests); `images.addName()` also records repo
 *   digests (`repo@sha256:…`, as a pull does). Stored names are full (`docker.io/library/x:1`);
 *   docker's records (`Untagged: x:1`) use the familiar form.
 * - Reading: `images.list()` has whole records (layers, manifest, tags, repo digests, created, size,
 *   labels, containers, children, dangling, parent); `images.listing()` reads what `image ls` shows
 *   in one query, newest first, without layer records; `readBlob()` for configs and manifests,
 *   `content.reader()` + `verifiedStream()`/`openVerified()` for layers.
 * - Containers: `containers.create/update/remove` keep the records that make rmi refuse (running:
 *   hard, stopped: soft) and that keep a container's snapshot from collection.
 * - Images are removed only by `images.remove()` / `images.prune()` (docker's rules); blobs and
 *   snapshots by `collect()`, from the roots (images, containers, cache records, unexpired leases).
 * - Snapshots (snapshot/): rows in the `snapshots` table, dirs `snapshots/<id>`. A committed
 *   snapshot of an image layer is keyed by its chainID and kept while a layer row has that chainID;
 *   any other snapshot must be held by a container, a cache record or a lease, or `collect()`
 *   removes it (never through a live mount).
 *
 * @example
 * ```ts
 * import { openStore, writeBlob, withLease } from '../store/index.js';
 * const store = openStore({ root: globals.root });
 * try {
 *   const img = store.images.resolve('busybox');
 *   for (const r of await store.images.remove('busybox:latest')) console.log(r);
 * } finally {
 *   store.close();
 * }
 * ```
 */
export type {
  ContentInfo,
  ContentReader,
  ContentProvider,
  ContentIngester,
  ContentManager,
  ContentStore,
  ContentWriter,
  IngestStatus,
  WriterOptions,
} from './content.js';
export { LocalContentStore } from './content-local.js';
export { writeBlob, readBlob, copy, verifiedStream, openVerified, isContentMissing, MAX_SMALL_BLOB } from './content-helpers.js';
export * from './errors.js';
export * from './types.js';
export { resolveRoot, storeLayout, type StoreLayout, type RootOptions } from './paths.js';
export { openDatabase, MetadataDb, BUSY_TIMEOUT_MS } from './db.js';
export { SCHEMA_VERSION } from './migrations.js';
export { ImageStore } from './images.js';
export { ContainerStore } from './containers.js';
export { BuildCacheStore } from './build-cache.js';
export { MountLocks, type Release } from './mount-locks.js';
export { DistributionStore, type BlobSource } from './distribution.js';
export { LeaseManager, withLease, DEFAULT_LEASE_TTL_MS, type LeaseRecorder, type CreateLeaseOptions } from './leases.js';
export { mark, collect, DEFAULT_GRACE_MS, type NodeKey, type CollectOptions, type GcReport } from './gc.js';
export { checkStore, type CheckIssue, type CheckReport, type CheckOptions } from './check.js';
export { diskUsage, isRunning, type DiskUsage, type ImageUsage } from './disk-usage.js';
export { openStore, openExistingStore, type Store, type OpenStoreOptions } from './store.js';
/** docker's FamiliarString of a stored full name (`debian:latest`); for references use `oci/`'s. */
export { familiarStoredName as familiarName } from './images.js';
export { isMountedUnder } from './_mounts.js';
