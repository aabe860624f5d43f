/**
 * The content store on a local filesystem (`blobs/<alg>/<hex>`, ingests under `tmp/ingest/`).
 * The roles and the write lifecycle are documented in `content.ts`; this file says how they are kept
 * on disk and why each step is there.
 */
import { createHash } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { chmod, mkdir, open, readFile, readdir, rename, rm, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { type Descriptor, type Digest, digestAlgorithm, type DigestAlgorithm, Digester, digestHex, isDigest } from '../oci/index.js';
import { createHash as newHash, type Hash } from 'node:crypto';
import { CanceledError, errnoCode } from '../errors.js';
import type {
  ContentInfo,
  ContentReader,
  ContentStore,
  ContentWriter,
  IngestStatus,
  WriterOptions,
} from './content.js';
import { ContentNotFoundError, DigestMismatchError, NoSpaceError, SizeMismatchError, WriterClosedError } from './errors.js';
import type { IngestLock, IngestLocker } from './ingest-lock.js';
import type { LeaseRecorder } from './leases.js';

export interface LocalContentStoreOptions {
  /** `blobs/` */
  blobs: string;
  /** `tmp/ingest/` */
  ingest: string;
  locker: IngestLocker;
  /** Records leased ingests and blobs; without it, `lease` options are refused. */
  leases?: LeaseRecorder;
}

const ALGORITHMS: readonly DigestAlgorithm[] = ['sha256', 'sha512'];

/** Bytes between early writebacks of an ingest (see LocalWriter's #startWriteback). */
const WRITEBACK_STEP = 64 << 20;

export class LocalContentStore implements ContentStore {
  readonly #o: LocalContentStoreOptions;

  constructor(options: LocalContentStoreOptions) {
    this.#o = options;
  }

  /** The path of a committed blob (whether or not it exists). */
  blobPath(digest: Digest): string {
    return join(this.#o.blobs, digestAlgorithm(digest), digestHex(digest));
  }

  /** The ingest directory of a ref: named by the ref's hash, so any string is a safe ref. */
  ingestDir(ref: string): string {
    return join(this.#o.ingest, createHash('sha256').update(ref).digest('hex'));
  }

  async info(digest: Digest): Promise<ContentInfo> {
    try {
      const st = await stat(this.blobPath(digest));
      return { digest, size: st.size, committedAt: st.mtimeMs };
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new ContentNotFoundError(digest);
      throw err;
    }
  }

  async reader(desc: { digest: Digest; size?: number }, options: { signal?: AbortSignal } = {}): Promise<ContentReader> {
    options.signal?.throwIfAborted();
    let fh: FileHandle;
    try {
      fh = await open(this.blobPath(desc.digest), 'r');
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw new ContentNotFoundError(desc.digest);
      throw err;
    }
    const size = (await fh.stat()).size;
    if (desc.size !== undefined && desc.size !== size) {
      await fh.close();
      throw new SizeMismatchError(desc.digest, desc.size, size);
    }
    return new LocalReader(desc.digest, size, fh);
  }

  async writer(ref: string, options: WriterOptions = {}): Promise<ContentWriter> {
    options.signal?.throwIfAborted();
    const lock = this.#o.locker.acquire(ref);
    try {
      const dir = this.ingestDir(ref);
      await mkdir(dir, { recursive: true });
      const expected = options.expected ?? {};
      const wanted = JSON.stringify({ digest: expected.digest ?? null, size: expected.size ?? null });
      const dataPath = join(dir, 'data');
      let stored: string | undefined;
      try {
        stored = await readFile(join(dir, 'expected'), 'utf8');
      } catch {
        stored = undefined;
      }
      if (stored !== wanted) {
        // A new ingest, or one opened before with other expectations: start over from zero.
        await writeFile(join(dir, 'ref'), ref);
        await writeFile(join(dir, 'startedat'), String(Date.now()));
        await writeFile(dataPath, new Uint8Array(0));
        await writeFile(join(dir, 'expected'), wanted);
      }
      if (options.lease !== undefined) {
        const leases = this.#requireLeases();
        leases.addResource(options.lease, { type: 'ingest', id: ref });
        if (expected.digest !== undefined) leases.addResource(options.lease, { type: 'content', id: expected.digest });
      }
      const algorithm = expected.digest === undefined ? 'sha256' : digestAlgorithm(expected.digest);
      const digester = new RunningHash(algorithm);
      // Resuming: hash what is already there. Node cannot save a hash's state, so re-reading is the
      // price of resumption (at ~700 MB/s, small next to downloading it again).
      const fh = await open(dataPath, 'a+');
      try {
        const existing = (await fh.stat()).size;
        if (existing > 0) {
          const buf = Buffer.allocUnsafe(1 << 20);
          for (let pos = 0; pos < existing; ) {
            options.signal?.throwIfAborted();
            const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, existing - pos), pos);
            if (bytesRead === 0) break;
            digester.update(buf.subarray(0, bytesRead));
            pos += bytesRead;
          }
        }
      } catch (err) {
        await fh.close();
        throw err;
      }
      const through = options.writeThrough === true ? await writeThroughCall() : undefined;
      return new LocalWriter(this, ref, dir, fh, digester, lock, options, through);
    } catch (err) {
      lock.release();
      throw mapWriteError(err, this.#o.ingest);
    }
  }

  async walk(fn: (info: ContentInfo) => void | Promise<void>, options: { signal?: AbortSignal } = {}): Promise<void> {
    for (const alg of ALGORITHMS) {
      let names: string[];
      try {
        names = await readdir(join(this.#o.blobs, alg));
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') continue;
        throw err;
      }
      for (const name of names) {
        options.signal?.throwIfAborted();
        const digest = `${alg}:${name}`;
        if (!isDigest(digest)) continue; // not ours: reported by `system check`, never touched here
        let st;
        try {
          st = await stat(join(this.#o.blobs, alg, name));
        } catch {
          continue; // removed while walking
        }
        await fn({ digest, size: st.size, committedAt: st.mtimeMs });
      }
    }
  }

  async delete(digest: Digest): Promise<void> {
    try {
      await unlink(this.blobPath(digest));
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }

  async status(ref: string): Promise<IngestStatus | undefined> {
    return readIngestStatus(this.ingestDir(ref));
  }

  async listStatuses(): Promise<IngestStatus[]> {
    let names: string[];
    try {
      names = await readdir(this.#o.ingest);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    }
    const out: IngestStatus[] = [];
    for (const name of names) {
      const s = await readIngestStatus(join(this.#o.ingest, name));
      if (s !== undefined) out.push(s);
    }
    return out;
  }

  async abort(ref: string): Promise<void> {
    const lock = this.#o.locker.acquire(ref);
    try {
      await rm(this.ingestDir(ref), { recursive: true, force: true });
    } finally {
      lock.release();
    }
  }

  /** Publishes a verified ingest file as the blob `digest`. Internal to LocalWriter. */
  async publish(dataPath: string, digest: Digest, size: number, lease: string | undefined): Promise<void> {
    // Lease first: from here on a collection keeps the blob even before an image refers to it.
    if (lease !== undefined) this.#requireLeases().addResource(lease, { type: 'content', id: digest });
    const target = this.blobPath(digest);
    const dir = join(this.#o.blobs, digestAlgorithm(digest));
    try {
      const st = await stat(target);
      // The name is the digest: an existing file of the right size is this content (verified when
      // it was committed). One of the wrong size is damage: replace it.
      if (st.size === size) return;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    await mkdir(dir, { recursive: true });
    await chmod(dataPath, 0o444);
    await rename(dataPath, target);
    await fsyncDir(dir);
  }

  #requireLeases(): LeaseRecorder {
    if (this.#o.leases === undefined) throw new Error('this content store has no lease manager');
    return this.#o.leases;
  }
}

class LocalWriter implements ContentWriter {
  readonly ref: string;
  #offset: number;
  #closed = false;
  #committed = false;
  readonly #store: LocalContentStore;
  readonly #dir: string;
  readonly #fh: FileHandle;
  readonly #digester: RunningHash;
  readonly #lock: IngestLock;
  readonly #options: WriterOptions;
  /** The early writeback in flight, the offset it was started at, and its failure (seen at commit). */
  #flushing: Promise<void> | undefined;
  #flushedAt = 0;
  #flushError: unknown;
  /** With `writeThrough`: flushes a range and drops it from the page cache (the addon's). */
  readonly #through: WriteThrough | undefined;

  constructor(store: LocalContentStore, ref: string, dir: string, fh: FileHandle, digester: RunningHash, lock: IngestLock, options: WriterOptions, through?: WriteThrough) {
    this.#store = store;
    this.ref = ref;
    this.#dir = dir;
    this.#fh = fh;
    this.#digester = digester;
    this.#lock = lock;
    this.#options = options;
    this.#offset = digester.size;
    this.#through = through;
  }

  get offset(): number {
    return this.#offset;
  }

  digest(): Digest {
    return this.#digester.peek();
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#closed) throw new WriterClosedError(this.ref);
    if (this.#options.signal?.aborted === true) throw new CanceledError('CANCELED', `Cannot write "${this.ref}": canceled`);
    const written = this.#writeAll(chunk);
    // Hashed while the write runs on the thread pool, not after it: for a large layer the two
    // would otherwise take turns (sha256 of 1 GiB is ~0.6 s of the main thread). Should the write
    // fail, the writer is closed below and its hash state is never used again.
    this.#digester.update(chunk);
    try {
      await written;
    } catch (err) {
      // The bytes may be partly on disk: the ingest no longer matches the hash state. Close it;
      // a new writer(ref) re-hashes what is there and resumes from the true offset.
      await this.#close();
      throw mapWriteError(err, this.#dir);
    }
    this.#offset += chunk.byteLength;
    this.#startWriteback();
  }

  async #writeAll(chunk: Uint8Array): Promise<void> {
    let done = 0;
    while (done < chunk.byteLength) {
      const { bytesWritten } = await this.#fh.write(chunk, done, chunk.byteLength - done);
      done += bytesWritten;
    }
  }

  /**
   * Every WRITEBACK_STEP bytes, starts writing the ingest's dirty pages to disk (fdatasync on the
   * thread pool, not awaited) while more bytes arrive. The kernel would otherwise hold a large
   * blob's pages until commit's fsync (background writeback starts only at 10% of memory or after
   * 30 s), so that fsync would write all of it while the caller waits: a 1 GiB layer paid its
   * whole disk write after the last byte. Commit still fsyncs; this only moves work earlier.
   * Written through (`writeThrough`), each flushed range also leaves the page cache.
   */
  #startWriteback(): void {
    if (this.#flushing !== undefined || this.#offset - this.#flushedAt < WRITEBACK_STEP) return;
    const from = this.#flushedAt;
    this.#flushedAt = this.#offset;
    const flushed = this.#through === undefined ? this.#fh.datasync() : this.#through(this.#fh.fd, from, this.#offset - from);
    this.#flushing = flushed.then(
      () => {
        this.#flushing = undefined;
      },
      (err: unknown) => {
        this.#flushing = undefined;
        this.#flushError ??= err;
      },
    );
  }

  async commit(size?: number, expected?: Digest): Promise<Descriptor> {
    if (this.#closed) throw new WriterClosedError(this.ref);
    const dataPath = join(this.#dir, 'data');
    try {
      try {
        await this.#flushing;
        if (this.#flushError !== undefined) throw this.#flushError;
        if (this.#through !== undefined) await this.#through(this.#fh.fd, this.#flushedAt, 0); // the tail, to the end
        await this.#fh.sync(); // the bytes are on disk before the name says they are complete
      } finally {
        await this.#close();
      }
      const wantSize = size ?? this.#options.expected?.size;
      if (wantSize !== undefined && wantSize !== this.#offset) {
        await this.#drop();
        throw new SizeMismatchError(expected ?? this.#options.expected?.digest, wantSize, this.#offset);
      }
      const wantDigest = expected ?? this.#options.expected?.digest;
      let actual = this.#digester.peek();
      if (wantDigest !== undefined && digestAlgorithm(wantDigest) !== this.#digester.algorithm) {
        actual = await hashFile(dataPath, digestAlgorithm(wantDigest));
      }
      if (wantDigest !== undefined && wantDigest !== actual) {
        await this.#drop();
        throw new DigestMismatchError(wantDigest, actual);
      }
      await this.#store.publish(dataPath, actual, this.#offset, this.#options.lease);
      this.#committed = true;
      await this.#drop();
      return { mediaType: '', digest: actual, size: this.#offset };
    } catch (err) {
      throw mapWriteError(err, this.#dir);
    } finally {
      this.#lock.release();
    }
  }

  async abort(): Promise<void> {
    if (this.#committed) return;
    await this.#close();
    await this.#drop();
    this.#lock.release();
  }

  async #close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#flushing; // never close the descriptor under a running fdatasync
    await this.#fh.close().catch(() => {});
  }

  async #drop(): Promise<void> {
    await rm(this.#dir, { recursive: true, force: true });
  }
}

class LocalReader implements ContentReader {
  readonly digest: Digest;
  readonly size: number;
  readonly #fh: FileHandle;
  #closed = false;

  constructor(digest: Digest, size: number, fh: FileHandle) {
    this.digest = digest;
    this.size = size;
    this.#fh = fh;
  }

  async readAt(position: number, length: number): Promise<Uint8Array> {
    const n = Math.max(0, Math.min(length, this.size - position));
    const buf = Buffer.allocUnsafe(n);
    let done = 0;
    while (done < n) {
      const { bytesRead } = await this.#fh.read(buf, done, n - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return buf.subarray(0, done);
  }

  stream(options: { start?: number; end?: number; signal?: AbortSignal } = {}): Readable {
    const start = options.start ?? 0;
    const end = options.end ?? this.size;
    // createReadStream's `end` is inclusive and may not be negative: an empty range (an empty blob)
    // is an empty stream of its own.
    if (end <= start) return Readable.from([], { objectMode: false });
    const streamOptions: Parameters<FileHandle['createReadStream']>[0] = { start, end: end - 1, autoClose: false, highWaterMark: 1 << 20 };
    const s = this.#fh.createReadStream(streamOptions);
    if (options.signal !== undefined) {
      const onAbort = (): void => {
        s.destroy(options.signal?.reason instanceof Error ? options.signal.reason : new Error('aborted'));
      };
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
      s.once('close', () => options.signal?.removeEventListener('abort', onAbort));
    }
    return s;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#fh.close();
  }
}

type WriteThrough = (fd: number, offset: number, length: number) => Promise<void>;

/**
 * The addon's writeThrough, or undefined where the addon is not built (or predates it): writing
 * through is an optimisation, and without it the writer flushes with fdatasync as always.
 * Loaded only by writers that ask, so reading commands never load the addon.
 */
async function writeThroughCall(): Promise<WriteThrough | undefined> {
  try {
    const { sys } = await import('../native/index.js');
    const s = sys();
    return s.writeThrough === undefined ? undefined : s.writeThrough.bind(s);
  } catch {
    return undefined;
  }
}

/** A hash that can report its digest so far without finishing (Hash.copy). */
class RunningHash {
  readonly algorithm: DigestAlgorithm;
  readonly #hash: Hash;
  #size = 0;
  constructor(algorithm: DigestAlgorithm) {
    this.algorithm = algorithm;
    this.#hash = newHash(algorithm);
  }
  get size(): number {
    return this.#size;
  }
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#size += chunk.byteLength;
  }
  peek(): Digest {
    return `${this.algorithm}:${this.#hash.copy().digest('hex')}` as Digest;
  }
}

async function readIngestStatus(dir: string): Promise<IngestStatus | undefined> {
  try {
    const [ref, startedAt, expectedText, st] = await Promise.all([
      readFile(join(dir, 'ref'), 'utf8'),
      readFile(join(dir, 'startedat'), 'utf8'),
      readFile(join(dir, 'expected'), 'utf8'),
      stat(join(dir, 'data')),
    ]);
    const expected = JSON.parse(expectedText) as { digest: Digest | null; size: number | null };
    const s: IngestStatus = { ref, offset: st.size, startedAt: Number(startedAt), updatedAt: st.mtimeMs };
    if (expected.size !== null) s.total = expected.size;
    if (expected.digest !== null) s.expected = expected.digest;
    return s;
  } catch {
    return undefined;
  }
}

async function hashFile(path: string, algorithm: DigestAlgorithm): Promise<Digest> {
  const d = new Digester(algorithm);
  const fh = await open(path, 'r');
  try {
    for await (const chunk of fh.createReadStream({ autoClose: false, highWaterMark: 1 << 20 })) d.update(chunk as Buffer);
  } finally {
    await fh.close();
  }
  return d.digest();
}

/** fsyncs a directory, so a rename into it survives a power cut. */
export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

function mapWriteError(err: unknown, where: string): unknown {
  const code = errnoCode(err);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new NoSpaceError('write content', where, err);
  return err;
}
