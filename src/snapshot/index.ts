/**
 * snapshot/ — the filesystems containers and build steps run on: committed snapshots of unpacked
 * layers (named by chainID, shared between images), active snapshots on top of them (overlayfs, or
 * full copies with the `vfs` driver), mounts as plain data, and unpacking an image's layers once.
 * It knows nothing of image names or Dockerfiles.
 *
 * @example
 * ```ts
 * const snaps = openSnapshotter(store);             // overlay, or vfs with { driver: 'vfs' }
 * const parent = await unpackLayers(store.content, snaps, image.layers);
 * const mounts = await snaps.prepare(`container-${id}`, parent);
 * await mountAll(mounts, rootfs);
 * // … run, then: await unmount(rootfs); createLayer(snaps.diffSource(`container-${id}`), sink)
 * ```
 */
import { InvalidArgumentError } from '../errors.js';
import type { Store } from '../store/index.js';
import { LocalSnapshotter } from './local.js';

export type { Mount, DiffSource, SnapshotInfo, SnapshotKind, Snapshotter, PrepareOptions } from './snapshotter.js';
export { LocalSnapshotter } from './local.js';
export { mountAll, unmount, volatileMounts } from './mount.js';
export { RUNTIME_MOUNT_TARGETS, findMountStubs, removeStubs } from './mount-stubs.js';
export { unpackLayers, LayerDiffIdMismatchError, type UnpackOptions } from './unpack.js';
export * from './errors.js';

export type SnapshotDriver = 'overlay' | 'vfs';

/** The snapshotter for a store; the driver is `--storage-driver`, `GANTRY_STORAGE_DRIVER`, or overlay. */
export function openSnapshotter(store: Pick<Store, 'db' | 'layout' | 'leases'>, options: { driver?: string } = {}): LocalSnapshotter {
  const driver = options.driver ?? process.env.GANTRY_STORAGE_DRIVER ?? 'overlay';
  if (driver !== 'overlay' && driver !== 'vfs' && driver !== 'overlay2') {
    throw new UnknownDriverError(driver);
  }
  return new LocalSnapshotter(store, driver === 'vfs' ? 'vfs' : 'overlay');
}

export class UnknownDriverError extends InvalidArgumentError {
  constructor(driver: string) {
    super('UNKNOWN_STORAGE_DRIVER', `Cannot use storage driver "${driver}": use overlay or vfs`);
  }
}
