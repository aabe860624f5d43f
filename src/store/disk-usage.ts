/**
 * What `system df` reports: images (sizes with shared layers counted once), containers' writable
 * layers, and the build cache, with what a prune could reclaim. Sizes follow docker's meaning: an
 * image's size is its layers' (uncompressed where known), a layer shared by several images is
 * counted once in the total and as "shared" in each image.
 */
import type { Store } from './store.js';
import type { BuildCacheRecord, ContainerRecord, ImageRecord } from './types.js';

export interface ImageUsage {
  image: ImageRecord;
  /** Bytes of layers that other images use too. */
  sharedSize: number;
  /** size − sharedSize. */
  uniqueSize: number;
}

export interface DiskUsage {
  images: ImageUsage[];
  /** Every distinct layer once. */
  layersSize: number;
  /** Images in use by a container (docker's ACTIVE). */
  activeImages: number;
  /** Bytes the images a container uses hold on their own (docker's `used`). */
  imagesReclaimable: number;
  containers: ContainerRecord[];
  buildCache: BuildCacheRecord[];
}

const RUNNING = new Set(['running', 'paused', 'restarting']);

export function isRunning(c: ContainerRecord): boolean {
  return RUNNING.has(c.state);
}

export function diskUsage(store: Pick<Store, 'db' | 'images' | 'containers' | 'buildCache'>): DiskUsage {
  return store.db.read(() => {
    const images = store.images.list();
    const users = new Map<string, Set<string>>();
    const sizes = new Map<string, number>();
    for (const img of images) {
      for (const l of img.layers) {
        let s = users.get(l.chainId);
        if (s === undefined) users.set(l.chainId, (s = new Set()));
        s.add(img.id);
        sizes.set(l.chainId, l.uncompressedSize ?? l.size);
      }
    }
    let layersSize = 0;
    for (const v of sizes.values()) layersSize += v;
    const usage = images.map((image): ImageUsage => {
      let shared = 0;
      for (const l of image.layers) if ((users.get(l.chainId)?.size ?? 0) > 1) shared += l.uncompressedSize ?? l.size;
      return { image, sharedSize: shared, uniqueSize: image.size - shared };
    });
    let used = 0;
    let active = 0;
    for (const u of usage) {
      if (u.image.containers > 0) {
        active++;
        used += u.uniqueSize;
      }
    }
    return {
      images: usage,
      layersSize,
      activeImages: active,
      imagesReclaimable: layersSize - used,
      containers: store.containers.list(),
      buildCache: store.buildCache.list(),
    };
  });
}
