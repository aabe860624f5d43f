/** Small helpers over the driver for link files and existence checks. */
import { isKind } from '../../../errors.js';
import type { FileInfo, StorageDriver } from './driver.js';

/** The stat of a path, or undefined when it does not exist. */
export async function statOrUndefined(driver: StorageDriver, path: string): Promise<FileInfo | undefined> {
  try {
    return await driver.stat(path);
  } catch (err) {
    if (isKind(err, 'not-found')) return undefined;
    throw err;
  }
}

/** A file's text, or undefined when it does not exist. */
export async function readOrUndefined(driver: StorageDriver, path: string): Promise<string | undefined> {
  try {
    return (await driver.getContent(path)).toString('utf8');
  } catch (err) {
    if (isKind(err, 'not-found')) return undefined;
    throw err;
  }
}

/** Directory entries, or an empty list when the directory does not exist. */
export async function listOrEmpty(driver: StorageDriver, path: string): Promise<string[]> {
  try {
    return await driver.list(path);
  } catch (err) {
    if (isKind(err, 'not-found')) return [];
    throw err;
  }
}

/** Sets the mtime to now; false when the path is gone (gc took it, or never there). */
export async function touchIfExists(driver: StorageDriver, path: string): Promise<boolean> {
  try {
    await driver.touch(path);
    return true;
  } catch (err) {
    if (isKind(err, 'not-found')) return false;
    throw err;
  }
}
