/**
 * Blobs and blob uploads of the registry's repositories.
 *
 * An upload is a directory `_uploads/<uuid>/` holding `data` (bytes received so far) and
 * `startedat`. Bytes are hashed as they stream in; the hash state lives in memory, keyed by upload,
 * and is rebuilt from `data` when missing (after a restart) or out of step (after an interrupted
 * request). Commit: fsync `data`, compare the digest, then rename `data` to `blobs/<alg>/…`. The
 * rename is the only way bytes become a blob, so an interrupted or mismatched upload never does.
 *
 * Requests on one upload are serialized in-process (a second PATCH waits for the first), so the
 * offset checks that produce 416 see a settled size.
 */
import { randomUUID, createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { digestAlgorithm, type Digest, type DigestAlgorithm } from '../../../oci/index.js';
import { RegistryError } from '../errcodes.js';
import type { StorageDriver } from './driver.js';
import { listOrEmpty, readOrUndefined, statOrUndefined, touchIfExists } from './links.js';
import {
  blobPath,
  layerLinkPath,
  revisionLinkPath,
  uploadDataPath,
  uploadPath,
  uploadStartedAtPath,
  uploadsPath,
} from './paths.js';

export interface UploadStatus {
  uuid: string;
  /** Bytes received so far. */
  size: number;
  startedAt: Date;
}

interface HashState {
  hash: Hash;
  algorithm: DigestAlgorithm;
  offset: number;
}

// Abandoned uploads keep their hash state until evicted; rebuilding it from disk is always correct.
const MAX_HASH_STATES = 4096;

export class BlobStore {
  readonly #driver: StorageDriver;
  readonly #hashes = new Map<string, HashState>();
  readonly #locks = new Map<string, Promise<void>>();

  constructor(driver: StorageDriver) {
    this.#driver = driver;
  }

  /**
   * The size of a blob the repository may serve, or undefined. `touch` refreshes the blob's mtime:
   * a client that saw it exist may now reference it, and gc's grace period must protect it.
   */
  async stat(name: string, digest: Digest, options: { touch?: boolean } = {}): Promise<number | undefined> {
    const linked =
      (await statOrUndefined(this.#driver, layerLinkPath(name, digest))) ??
      (await statOrUndefined(this.#driver, revisionLinkPath(name, digest)));
    if (linked === undefined) return undefined;
    if (options.touch === true && !(await touchIfExists(this.#driver, blobPath(digest)))) return undefined;
    const st = await statOrUndefined(this.#driver, blobPath(digest));
    return st === undefined || st.isDir ? undefined : st.size;
  }

  /** Streams `[start, end)` of a blob. */
  async reader(digest: Digest, start?: number, end?: number): Promise<Readable> {
    return this.#driver.reader(blobPath(digest), { ...(start === undefined ? {} : { offset: start }), ...(end === undefined ? {} : { end }) });
  }

  /** Links an existing blob into a repository. */
  async link(name: string, digest: Digest): Promise<void> {
    await this.#driver.putContent(layerLinkPath(name, digest), Buffer.from(digest));
  }

  /**
   * Removes a repository's link to a blob (the bytes stay until gc finds nothing refers to them).
   * @throws {RegistryError} BLOB_UNKNOWN when the repository has no such blob
   */
  async unlink(name: string, digest: Digest): Promise<void> {
    if ((await statOrUndefined(this.#driver, layerLinkPath(name, digest))) === undefined) {
      throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
    }
    await this.#driver.delete(layerLinkPath(name, digest));
  }

  /** Cross-repository mount: true when `from` had the blob and `name` now links it too. */
  async mount(name: string, from: string, digest: Digest): Promise<number | undefined> {
    const size = await this.stat(from, digest, { touch: true });
    if (size === undefined) return undefined;
    await this.link(name, digest);
    return size;
  }

  // ---- uploads ----

  async startUpload(name: string): Promise<UploadStatus> {
    const uuid = randomUUID();
    const startedAt = new Date();
    // A session needs no fsync: losing one in a power cut costs a client a retry, never a blob
    // (the data is fsynced at commit). Skipping it saves four syncs per pushed blob.
    const started = await this.#driver.writer(uploadStartedAtPath(name, uuid));
    await started.write(Buffer.from(startedAt.toISOString()));
    await started.cancel();
    await (await this.#driver.writer(uploadDataPath(name, uuid))).cancel();
    return { uuid, size: 0, startedAt };
  }

  /** @throws {RegistryError} BLOB_UPLOAD_UNKNOWN */
  async status(name: string, uuid: string): Promise<UploadStatus> {
    if (!isUuid(uuid)) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { detail: { uuid } });
    const data = await statOrUndefined(this.#driver, uploadDataPath(name, uuid));
    const started = await readOrUndefined(this.#driver, uploadStartedAtPath(name, uuid));
    if (data === undefined || started === undefined) throw new RegistryError('BLOB_UPLOAD_UNKNOWN', { detail: { uuid } });
    return { uuid, size: data.size, startedAt: new Date(started) };
  }

  /**
   * Appends a request body to an upload. With `start` (from Content-Range) the chunk must begin
   * where the upload ends, else 416; with `length` the body must have exactly that many bytes.
   * @returns the upload's size afterwards
   */
  async append(
    name: string,
    uuid: string,
    body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: { start?: number; length?: number } = {},
  ): Promise<number> {
    return this.#locked(uuid, async () => {
      const status = await this.status(name, uuid);
      if (options.start !== undefined && options.start !== status.size) {
        throw rangeError(name, uuid, status.size);
      }
      return this.#appendLocked(name, uuid, status.size, body, options.length);
    });
  }

  async #appendLocked(name: string, uuid: string, size: number, body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, length?: number): Promise<number> {
    const state = await this.#hashState(name, uuid, size, 'sha256');
    const writer = await this.#driver.writer(uploadDataPath(name, uuid));
    let received = 0;
    try {
      for await (const chunk of body) {
        await writer.write(chunk);
        state.hash.update(chunk);
        state.offset += chunk.byteLength;
        received += chunk.byteLength;
      }
    } catch (err) {
      // Some bytes may be on disk that the hash did not see; rebuild it next time.
      this.#hashes.delete(uuid);
      await writer.cancel();
      throw err;
    }
    await writer.cancel();
    if (length !== undefined && received !== length) {
      throw new RegistryError('SIZE_INVALID', { detail: { expected: length, received } });
    }
    return state.offset;
  }

  /**
   * Finishes an upload: appends the optional final chunk, checks the digest and makes the blob.
   * On a digest mismatch the upload is discarded (its bytes can never become that blob).
   * @throws {RegistryError} BLOB_UPLOAD_UNKNOWN, DIGEST_INVALID, SIZE_INVALID, BLOB_UPLOAD_INVALID (416)
   */
  async commit(
    name: string,
    uuid: string,
    digest: Digest,
    body?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    options: { start?: number; length?: number } = {},
  ): Promise<number> {
    return this.#locked(uuid, async () => {
      const status = await this.status(name, uuid);
      if (options.start !== undefined && options.start !== status.size) throw rangeError(name, uuid, status.size);
      let size = status.size;
      if (body !== undefined) size = await this.#appendLocked(name, uuid, size, body, options.length);
      // fsync the data before the rename makes it a blob.
      const writer = await this.#driver.writer(uploadDataPath(name, uuid));
      await writer.commit();
      const state = await this.#hashState(name, uuid, size, digestAlgorithm(digest));
      const actual = `${state.algorithm}:${state.hash.copy().digest('hex')}`;
      if (actual !== digest) {
        await this.#drop(name, uuid);
        throw new RegistryError('DIGEST_INVALID', { detail: { expected: digest, actual } });
      }
      await this.#driver.move(uploadDataPath(name, uuid), blobPath(digest));
      await this.link(name, digest);
      await this.#drop(name, uuid);
      return size;
    });
  }

  /** Cancels an upload and removes its bytes. @throws {RegistryError} BLOB_UPLOAD_UNKNOWN */
  async cancel(name: string, uuid: string): Promise<void> {
    await this.#locked(uuid, async () => {
      await this.status(name, uuid);
      await this.#drop(name, uuid);
    });
  }

  /** Upload ids of a repository (for gc). */
  async uploads(name: string): Promise<string[]> {
    return (await listOrEmpty(this.#driver, uploadsPath(name))).filter(isUuid);
  }

  async #drop(name: string, uuid: string): Promise<void> {
    this.#hashes.delete(uuid);
    await this.#driver.delete(uploadPath(name, uuid));
  }

  /** The hash over the upload's first `size` bytes, rebuilt from disk when the cached one is stale. */
  async #hashState(name: string, uuid: string, size: number, algorithm: DigestAlgorithm): Promise<HashState> {
    const cached = this.#hashes.get(uuid);
    if (cached !== undefined && cached.offset === size && cached.algorithm === algorithm) return cached;
    const state: HashState = { hash: createHash(algorithm), algorithm, offset: 0 };
    if (size > 0) {
      const stream = await this.#driver.reader(uploadDataPath(name, uuid), { offset: 0, end: size });
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        state.hash.update(chunk);
        state.offset += chunk.byteLength;
      }
    }
    if (this.#hashes.size >= MAX_HASH_STATES) {
      const oldest = this.#hashes.keys().next().value;
      if (oldest !== undefined) this.#hashes.delete(oldest);
    }
    this.#hashes.set(uuid, state);
    return state;
  }

  async #locked<T>(uuid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.#locks.get(uuid) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => (release = r));
    const chained = prev.then(() => mine);
    this.#locks.set(uuid, chained);
    await prev;
    try {
      return await fn();
    } finally {
      release();
      if (this.#locks.get(uuid) === chained) this.#locks.delete(uuid);
    }
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isUuid(s: string): boolean {
  return UUID.test(s);
}

/** The spec's `Range: 0-<end>` value for an upload of `size` bytes (distribution sends 0-0 when empty). */
export function uploadRange(size: number): string {
  return `0-${Math.max(0, size - 1)}`;
}

export function uploadLocation(name: string, uuid: string): string {
  return `/v2/${name}/blobs/uploads/${uuid}`;
}

function rangeError(name: string, uuid: string, size: number): RegistryError {
  return new RegistryError('BLOB_UPLOAD_INVALID', {
    status: 416,
    message: 'invalid content range',
    detail: { size },
    headers: { Range: uploadRange(size), Location: uploadLocation(name, uuid), 'Docker-Upload-UUID': uuid },
  });
}
