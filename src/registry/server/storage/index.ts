/** The registry's storage: blobs, uploads, manifests, tags and referrers over one driver. */
import type { StorageDriver } from './driver.js';
import { BlobStore } from './blob-store.js';
import { ManifestStore } from './manifest-store.js';
import { listRepositories } from './repositories.js';

export class RegistryStorage {
  readonly driver: StorageDriver;
  readonly blobs: BlobStore;
  readonly manifests: ManifestStore;

  constructor(driver: StorageDriver) {
    this.driver = driver;
    this.blobs = new BlobStore(driver);
    this.manifests = new ManifestStore(driver, this.blobs);
  }

  repositories(): Promise<string[]> {
    return listRepositories(this.driver);
  }
}

export type { StorageDriver, FileWriter, FileInfo } from './driver.js';
export { PathNotFoundError, InvalidPathError } from './driver.js';
export { FsDriver } from './fs-driver.js';
export { MemoryDriver } from './memory-driver.js';
export { BlobStore, uploadRange, uploadLocation, isUuid } from './blob-store.js';
export { ManifestStore } from './manifest-store.js';
