/**
 * The records the store keeps about images, layers, containers, build cache and leases, and the
 * role interfaces over them. Implementations live beside this file (`images.ts`, `containers.ts`,
 * `build-cache.ts`, `leases.ts`); other parts import these through `store/index.ts`.
 *
 * Names: a *reference* is what a user types (`debian`, `a1b2c3`, `reg:5000/app@sha256:…`); a *name*
 * is a normalized reference the store keeps: a tag (`docker.io/library/debian:latest`) or a repo
 * digest (`docker.io/library/debian@sha256:…`). An image's ID is its config's digest.
 */
import type { Descriptor, Digest } from '../oci/index.js';

/** One layer of an image, in order from the base up. */
export interface LayerRecord {
  /** The blob as stored: compressed when pulled, a plain tar (digest = diffID) when gantry made it. */
  digest: Digest;
  mediaType: string;
  size: number;
  /** The digest of the uncompressed tar (the config's `rootfs.diff_ids` entry). */
  diffId: Digest;
  /** The chainID of the stack up to and including this layer: names its unpacked snapshot. */
  chainId: Digest;
  /** Size of the uncompressed tar, once known (the differ or the unpacker reports it). */
  uncompressedSize?: number;
}

/** Everything `image ls`, `inspect`, `history`, `save` and `push` need about one image. */
export interface ImageRecord {
  /** The config digest. */
  id: Digest;
  /** The manifest stored for the image (single-platform). */
  manifest: Descriptor;
  config: Descriptor;
  layers: LayerRecord[];
  /** Full tag names, sorted: `docker.io/library/debian:latest`. */
  repoTags: string[];
  /** Full digest names, sorted: `docker.io/library/debian@sha256:…`. */
  repoDigests: string[];
  /** The config's `created` (RFC 3339) as given, if any, and as ms since the epoch. */
  created?: string;
  createdMs?: number;
  /** Sum of the layers' sizes (uncompressed where known, else as stored). */
  size: number;
  labels: Record<string, string>;
  /** The parent image (classic builder's intermediate images, `commit`), if it is in the store. */
  parent?: Digest;
  architecture: string;
  os: string;
  variant?: string;
  /** When the record was put, and when a name was last added (ms since the epoch). */
  addedAt: number;
  lastTagTime?: number;
  /** How many container records use the image. */
  containers: number;
  /** How many images name this one as their parent. */
  children: number;
  /** No tag names (docker's rule: repo digests alone leave an image dangling). */
  dangling: boolean;
}

/**
 * One image as a listing shows it (`image ls`): what the rows need, read in one query, without the
 * layer and manifest records an {@link ImageRecord} carries.
 */
export interface ImageListEntry {
  id: Digest;
  /** The config's `created` as ms since the epoch, if it has one. */
  createdMs?: number;
  /** Sum of the layers' sizes (uncompressed where known, else as stored): ImageRecord's `size`. */
  size: number;
  /** Bytes of the manifest, config and layer blobs as stored. */
  contentSize: number;
  /** Full tag names, sorted. */
  repoTags: string[];
  /** Full digest names, sorted. */
  repoDigests: string[];
  /** The config's labels; only when asked for (an empty object otherwise). */
  labels: Record<string, string>;
  containers: number;
  children: number;
}

/** A layer to record with an image put. */
export interface PutLayer {
  descriptor: Descriptor;
  diffId: Digest;
  uncompressedSize?: number;
}

/** What `ImageStore.put` needs: every blob must already be in the content store. */
export interface PutImageInput {
  manifest: Descriptor;
  config: Descriptor;
  layers: PutLayer[];
  /** References to point at the image (tags, or digests). Moved from any other image. */
  names?: string[];
  parent?: Digest;
}

/** docker's delete response items, in docker's order. `untagged` is a familiar name. */
export type ImageDeleteRecord = { untagged: string; deleted?: undefined } | { deleted: string; untagged?: undefined };

export interface RemoveImageOptions {
  /** Give way on soft conflicts (extra names, stopped containers). */
  force?: boolean;
  /** Do not remove untagged parents. */
  noPrune?: boolean;
  /** Compute the records without changing anything. */
  dryRun?: boolean;
}

/** A `label=k`, `label=k=v` or `label!=…` prune filter. */
export interface LabelFilter {
  key: string;
  value?: string;
}

export interface PruneImagesOptions {
  /** All images without a container (docker's `-a`), rather than dangling ones only. */
  all?: boolean;
  /** Only images created at or before this time (ms since the epoch). */
  until?: number;
  /** Every one must match (docker's `label=`). */
  labels?: LabelFilter[];
  /** Images matching every one of these are kept (docker's `label!=`). */
  notLabels?: LabelFilter[];
  /** An extra predicate from the caller (say, `reference=`); false keeps the image. */
  predicate?: (image: ImageRecord) => boolean;
  dryRun?: boolean;
}

export interface PruneReport {
  records: ImageDeleteRecord[];
  /** Bytes freed on disk (blobs and snapshots that nothing else used). */
  reclaimed: number;
}

/** Container states, as docker names them. Only `running` (and `paused`) block a forced rmi. */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerRecord {
  /** 64 hex characters. */
  id: string;
  /** Unique, without docker's leading slash. */
  name: string;
  /** The image's ID. After a forced rmi it may name an image no longer in the store, as in docker. */
  imageId: Digest;
  /** The reference the user gave (`debian:bookworm`), for `ps`. */
  imageRef: string;
  /** The snapshot key of the container's root filesystem, once prepared. */
  snapshotKey?: string;
  state: ContainerState;
  pid?: number;
  exitCode?: number;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  /** Size of the writable layer, once measured (for `system df`). */
  sizeRw?: number;
  /** The container part's own configuration (command, env, mounts …), as JSON. */
  config: Record<string, unknown>;
  labels: Record<string, string>;
}

export interface NewContainer {
  id?: string;
  name?: string;
  imageId: Digest;
  imageRef: string;
  snapshotKey?: string;
  state?: ContainerState;
  config?: Record<string, unknown>;
  labels?: Record<string, string>;
}

export type ContainerUpdate = Partial<
  Pick<ContainerRecord, 'state' | 'pid' | 'exitCode' | 'startedAt' | 'finishedAt' | 'sizeRw' | 'snapshotKey' | 'config' | 'labels'>
>;

/** What a lease or a cache record can hold on to. */
export type ResourceType = 'content' | 'ingest' | 'snapshot';
export interface Resource {
  type: ResourceType;
  /** A digest for content, a ref for an ingest, a key for a snapshot. */
  id: string;
}

/** A build-cache record: one cached step result, holding its blobs and snapshots. */
export interface BuildCacheRecord {
  id: string;
  /** BuildKit's record types: `regular`, `source.local`, `exec.cachemount`, `frontend`, … */
  type: string;
  description: string;
  /** The step's cache key (DESIGN.md: cache keys). */
  cacheKey?: string;
  parents: string[];
  size: number;
  inUse: boolean;
  shared: boolean;
  createdAt: number;
  lastUsedAt?: number;
  usageCount: number;
  resources: Resource[];
}

export type NewBuildCacheRecord = Pick<BuildCacheRecord, 'id' | 'type' | 'description' | 'size'> &
  Partial<Pick<BuildCacheRecord, 'cacheKey' | 'parents' | 'inUse' | 'shared' | 'resources'>>;

export interface Lease {
  id: string;
  createdAt: number;
  /** After this time (ms since the epoch) the lease no longer protects anything. */
  expiresAt?: number;
  labels: Record<string, string>;
}
