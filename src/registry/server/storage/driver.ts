/**
 * The narrow storage driver the registry stores everything through (distribution's `StorageDriver`,
 * cut to what we use). Paths are logical, absolute and `/`-separated (`/blobs/sha256/ab/ab…`); a
 * driver maps them to its medium. `paths.ts` decides which paths exist; a driver knows nothing of
 * blobs, manifests or tags.
 *
 * Contracts every driver keeps (checked by `driver-suite.ts` against each one):
 * - `putContent` and `move` are atomic: a reader sees the old content or the new, never a mix.
 * - A `FileWriter` appends; nothing it wrote is durable until `commit()` (fsync). `commit` and
 *   `cancel` both close the writer; `cancel` is idempotent and belongs in `finally`.
 * - Missing paths raise {@link PathNotFoundError}; `delete` of a missing path is not an error.
 */
import type { Readable } from 'node:stream';
import { NotFoundError, InvalidArgumentError } from '../../../errors.js';

export interface FileInfo {
  path: string;
  size: number;
  modTime: Date;
  isDir: boolean;
}

export interface FileWriter {
  /** Bytes in the file, including what this writer appended. */
  readonly size: number;
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes to stable storage and closes. */
  commit(): Promise<void>;
  /** Closes without flushing; the bytes written so far stay (appends are not rolled back). */
  cancel(): Promise<void>;
}

export interface StorageDriver {
  readonly name: string;
  /** The whole content of a small file (links, manifests). */
  getContent(path: string): Promise<Buffer>;
  /** Replaces a file's content atomically, creating parent directories. */
  putContent(path: string, data: Uint8Array): Promise<void>;
  /** Streams `[offset, end)` of a file (to the end when `end` is absent). */
  reader(path: string, options?: { offset?: number; end?: number }): Promise<Readable>;
  /** Opens a file for appending (creating it and its parents when absent). */
  writer(path: string): Promise<FileWriter>;
  stat(path: string): Promise<FileInfo>;
  /** Names of the entries directly under a directory (not full paths), unsorted. */
  list(path: string): Promise<string[]>;
  /** Renames atomically, replacing the destination, creating its parents. */
  move(from: string, to: string): Promise<void>;
  /** Removes a file or a directory tree. */
  delete(path: string): Promise<void>;
  /** Sets a file's modification time to now (the GC grace period reads it). */
  touch(path: string): Promise<void>;
}

export class PathNotFoundError extends NotFoundError {
  constructor(readonly path: string, readonly driver: string) {
    super('STORAGE_PATH_NOT_FOUND', `Cannot find path "${path}" in the ${driver} storage driver`);
  }
}

export class InvalidPathError extends InvalidArgumentError {
  constructor(readonly path: string, readonly driver: string) {
    super('STORAGE_INVALID_PATH', `Cannot use path "${path}" in the ${driver} storage driver: not an absolute clean path`);
  }
}

/** Checks a logical path: absolute, no empty, `.` or `..` components. */
export function checkPath(path: string, driver: string): void {
  if (!path.startsWith('/') || path.length < 2 || path.endsWith('/')) throw new InvalidPathError(path, driver);
  for (const part of path.slice(1).split('/')) {
    if (part === '' || part === '.' || part === '..') throw new InvalidPathError(path, driver);
  }
}
