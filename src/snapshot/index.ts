/**
 * snapshot/ — prepared and committed snapshots: overlayfs mounts of unpacked layers and containers'
 * upper dirs, with a copying `vfs` fallback where overlay is unavailable. Knows nothing of images or
 * tags; the store's `snapshots` table records them through the `SnapshotMetadata` role.
 *
 * @example
 * ```ts
 * const snapshotter = new Snapshotter({ root: join(gantryRoot, 'snapshots'), driver: overlayDriver, metadata });
 * const mounts = await snapshotter.prepare(containerId, layerChainId);
 * await mountAll(mounts, rootfs);   // the container's root filesystem
 * // … run, unmount, then diff snapshotter.fsPath(info) (the upper dir) into a layer
 * ```
 */
export { Snapshotter, type SnapshotterOptions, type SnapshotOptions } from './snapshotter.js';
export { overlayDriver, vfsDriver, overlayAvailable, fsDir, type SnapshotDriver } from './driver.js';
export { DbSnapshotMetadata } from './db-metadata.js';
export {
  MemorySnapshotMetadata, SnapshotNotFoundError, SnapshotExistsError, type SnapshotInfo, type SnapshotKind, type SnapshotMetadata,
} from './metadata.js';
export { mountAll, unmount, isMountPoint, hasMountsUnder, isInUse, parseMountInfo, mountArgs, MountError, type Mount } from './mount.js';
