/**
 * The content store's roles, after containerd's `content` package: blobs addressed by digest, written
 * through a named ingest and made visible only by a verified commit.
 *
 * Lifecycle of a write:
 *
 *   writer(ref) ──write()*──► commit(size?, expected?) ──► blobs/<alg>/<hex>   (visible, immutable)
 *        │                          │
 *        │ (process dies)           └─ mismatch → the ingest is dropped, DigestMismatchError / SizeMismatchError
 *        ▼
 *   tmp/ingest/<sha256(ref)>/data   (resumable: writer(ref) again continues at `offset`)
 *
 * - A `ref` is a caller-chosen name for one in-flight write (`pull-<manifest>-<layer digest>`,
 *   `build-<step key>`). At most one writer holds a ref at a time, across processes; a second
 *   `writer(ref)` fails fast with `IngestLockedError` (kind `unavailable`).
 * - `commit` always closes the writer, even when it throws. `abort` is idempotent and belongs in
 *   `finally`: after a successful commit it does nothing.
 * - Idempotence, in umoci's words: a resolved `commit` means the content is stored at its digest, not
 *   necessarily because of this call. An existing blob with the same digest (and size) is success.
 * - With a `lease`, the ingest and the committed digest are added to the lease before they become
 *   visible, so a concurrent garbage collection cannot take them before an image refers to them.
 */
import type { Readable } from 'node:stream';
import type { Descriptor, Digest } from '../oci/index.js';

/** What the store knows about a committed blob. */
export interface ContentInfo {
  digest: Digest;
  size: number;
  /** When the blob was committed (the file's mtime), in ms since the epoch. */
  committedAt: number;
}

/** The state of an in-flight ingest. */
export interface IngestStatus {
  ref: string;
  /** Bytes written so far: a resumed writer continues here. */
  offset: number;
  /** The expected total, when the writer was opened with one. */
  total?: number;
  expected?: Digest;
  startedAt: number;
  updatedAt: number;
}

/** What a writer is told up front; any part may be unknown. */
export interface WriterOptions {
  /** The digest (and size) the content must have. Checked again at commit. */
  expected?: { digest?: Digest; size?: number };
  /** Lease id that keeps the ingest and the committed blob from garbage collection. */
  lease?: string;
  signal?: AbortSignal;
  /**
   * The blob is written to disk as it arrives and its pages leave the page cache: for large blobs
   * that are not read back soon, like the layers a build writes (a pulled layer is read back at
   * once, to be extracted, and should stay cached).
   */
  writeThrough?: boolean;
}

/** An open, random-access view of one committed blob. */
export interface ContentReader {
  readonly digest: Digest;
  readonly size: number;
  /** Reads up to `length` bytes at `position` (fewer at the end of the blob). */
  readAt(position: number, length: number): Promise<Uint8Array>;
  /**
   * Streams bytes [start, end) of the blob (the whole blob by default). The stream does not verify;
   * wrap it with `verifiedStream()` where the bytes leave our hands. It does not close the reader.
   */
  stream(options?: { start?: number; end?: number; signal?: AbortSignal }): Readable;
  /** Releases the file. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Reads committed content. Once `reader()` resolves, the blob stays readable until `close()`, even
 * if garbage collection removes it meanwhile (the reader holds the open file).
 */
export interface ContentProvider {
  /** @throws {ContentNotFoundError} */
  info(digest: Digest): Promise<ContentInfo>;
  /**
   * Opens a blob. When `desc.size` is given it is checked against the stored size at once.
   * @throws {ContentNotFoundError} when absent; {SizeMismatchError} when the sizes differ
   */
  reader(desc: Pick<Descriptor, 'digest'> & { size?: number }, options?: { signal?: AbortSignal }): Promise<ContentReader>;
}

/** One in-flight write. See the module doc for its lifecycle. */
export interface ContentWriter {
  readonly ref: string;
  /** Bytes written so far (including bytes from a resumed ingest). */
  readonly offset: number;
  /** The digest of the bytes written so far (sha256, or the expected digest's algorithm). */
  digest(): Digest;
  /**
   * Appends bytes. Resolves once they are handed to the file (back-pressure: await each call).
   * @throws {NoSpaceError} when the disk is full; the ingest is kept, so the write can resume
   */
  write(chunk: Uint8Array): Promise<void>;
  /**
   * Verifies and publishes the blob: fsync → size check → digest check → (lease) → rename into place
   * → fsync the directory. Always closes the writer.
   * @returns the descriptor of the committed blob (mediaType is left empty for the caller to fill)
   * @throws {SizeMismatchError} {DigestMismatchError} (the ingest is dropped)
   */
  commit(size?: number, expected?: Digest): Promise<Descriptor>;
  /** Drops the ingest. Idempotent; does nothing after a successful commit. */
  abort(): Promise<void>;
}

export interface ContentIngester {
  /**
   * Opens (or resumes) the ingest named `ref`. If the ingest exists with a different expected
   * digest or size, it restarts from zero.
   * @throws {IngestLockedError} when another writer holds `ref`
   */
  writer(ref: string, options?: WriterOptions): Promise<ContentWriter>;
}

export interface ContentManager {
  /** Calls `fn` for every committed blob, in no particular order. */
  walk(fn: (info: ContentInfo) => void | Promise<void>, options?: { signal?: AbortSignal }): Promise<void>;
  /**
   * Removes a blob from disk. Callers outside `gc.ts` should not: the metadata DB may still refer to
   * it. Idempotent (an absent blob is success).
   */
  delete(digest: Digest): Promise<void>;
  /** The state of an in-flight ingest, or undefined. */
  status(ref: string): Promise<IngestStatus | undefined>;
  /** Every in-flight ingest. */
  listStatuses(): Promise<IngestStatus[]>;
  /** Drops an ingest that no live writer holds. Idempotent. */
  abort(ref: string): Promise<void>;
}

/** The full content store: every role at once. */
export type ContentStore = ContentProvider & ContentIngester & ContentManager;
