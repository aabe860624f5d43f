/**
 * The one streaming pass that turns tar entries into a stored layer: tar → sha256 (the diffID) →
 * compression → sha256 and size of the compressed bytes (the blob's digest) → sink.
 *
 * Nothing is held whole: bodies stream from disk through the tar writer. For gzip the tar is
 * written into the compressor's 1 MiB blocks directly; otherwise small pieces (headers,
 * small files) are coalesced into 256 KiB chunks so the hashing and compression stages see few,
 * large buffers, and the sink's back-pressure pauses the whole chain.
 *
 * Uncompressed into a {@link BlobSink} (a content store writer: how gantry stores the layers it
 * makes, see ARCHITECTURE.md "Layers") the pass is as short as it can be: files are read with
 * read(2) straight into recycled 4 MiB blocks, each block is written while the next is read (one
 * write in flight, on libuv's pool), and the bytes are hashed once, by the sink, whose digest is
 * both the blob's and the diffID.
 */
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { Digester, layerMediaType, type Compression, type Digest } from '../oci/index.js';
import { InvalidArgumentError } from '../errors.js';
import { zstdCompress } from './compression.js';
import { GZIP_BLOCK_SIZE, gzipBlocks } from './gzip-parallel.js';
import { writeTar, writeTarBlocks, type TarWriterEntry } from './tar/writer.js';

/**
 * A sink that hashes what it is given and is done with each chunk once `write` resolves: a content
 * store writer. Uncompressed, its digest is the diffID (no second hash), and blocks are reused.
 */
export interface BlobSink {
  write(chunk: Uint8Array): Promise<void>;
  /** sha256 of every byte written so far (including any written before the layer). */
  digest(): Digest;
  /** Bytes written so far: the layer's own digest is the sink's only when this starts at 0. */
  readonly offset: number;
}

/** Where layer bytes go: a function (awaited), a Writable (its back-pressure honoured; it is not ended), or a BlobSink. */
export type LayerSink = ((chunk: Uint8Array) => void | Promise<void>) | Writable | BlobSink;

function isBlobSink(sink: LayerSink): sink is BlobSink {
  return typeof sink === 'object' && !(sink instanceof Writable) && typeof (sink as Partial<BlobSink>).digest === 'function';
}

/** Bytes per block of the uncompressed path: few syscalls, and 2–3 blocks live at once. */
export const RAW_BLOCK_SIZE = 4 << 20;

export interface WriteLayerOptions {
  /** Default gzip. */
  compression?: Compression;
  /** gzip 1–9 (default 6), zstd 1–19 (default 3). */
  level?: number;
  /** gzip blocks compressed at once (default 3). Output does not depend on it. */
  concurrency?: number;
  /**
   * Clamp mtimes to this many seconds since the epoch. Left out: `$SOURCE_DATE_EPOCH` when set
   * (reproducible-builds.org's convention); `null`: never clamp.
   */
  sourceDateEpoch?: number | null;
  /** 'oci' (default) or 'docker' media types in the result. */
  format?: 'oci' | 'docker';
  signal?: AbortSignal;
}

export interface WrittenLayer {
  /** sha256 of the uncompressed tar. */
  diffId: Digest;
  /** sha256 of the bytes written to the sink. */
  digest: Digest;
  /** Bytes written to the sink. */
  size: number;
  /** Bytes of the uncompressed tar. */
  uncompressedSize: number;
  compression: Compression;
  mediaType: string;
}

/** Reads SOURCE_DATE_EPOCH from the environment, as reproducible-builds.org specifies it. */
export function sourceDateEpochFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const v = env.SOURCE_DATE_EPOCH;
  if (v === undefined || v === '') return undefined;
  if (!/^[0-9]+$/.test(v)) throw new InvalidArgumentError('INVALID_SOURCE_DATE_EPOCH', `Cannot use SOURCE_DATE_EPOCH "${v}": it is not a whole number of seconds`);
  return Number(v);
}

/** Joins small chunks into pieces of at least `size` bytes; large chunks pass through uncopied. */
export async function* coalesce(source: AsyncIterable<Uint8Array>, size = 256 * 1024): AsyncGenerator<Uint8Array> {
  let buf = Buffer.allocUnsafe(size);
  let fill = 0;
  for await (const chunk of source) {
    if (fill === 0 && chunk.byteLength >= size) {
      yield chunk;
      continue;
    }
    if (fill + chunk.byteLength > size) {
      yield buf.subarray(0, fill);
      buf = Buffer.allocUnsafe(size);
      fill = 0;
      if (chunk.byteLength >= size) {
        yield chunk;
        continue;
      }
    }
    buf.set(chunk, fill);
    fill += chunk.byteLength;
  }
  if (fill > 0) yield buf.subarray(0, fill);
}

/** Passes `source` through unchanged, hashing each chunk into `digester` on the way. */
export async function* tap<T extends Uint8Array>(source: AsyncIterable<T>, digester: Digester): AsyncGenerator<T> {
  for await (const c of source) {
    digester.update(c);
    yield c;
  }
}

async function write(sink: LayerSink, chunk: Uint8Array, signal?: AbortSignal): Promise<void> {
  if (typeof sink === 'function') {
    await sink(chunk);
    return;
  }
  if (isBlobSink(sink)) {
    await sink.write(chunk);
    return;
  }
  if (!sink.write(chunk)) await once(sink, 'drain', signal !== undefined ? { signal } : {});
}

/** Writes `entries` as a layer into `sink`, computing diffID and digest on the way. */
export async function writeLayer(
  entries: AsyncIterable<TarWriterEntry> | Iterable<TarWriterEntry>,
  sink: LayerSink,
  options: WriteLayerOptions = {},
): Promise<WrittenLayer> {
  const compression = options.compression ?? 'gzip';
  const epoch = options.sourceDateEpoch === undefined ? sourceDateEpochFromEnv() : options.sourceDateEpoch;
  const tarOptions = {
    ...(epoch !== undefined && epoch !== null ? { sourceDateEpoch: epoch } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
  if (compression === 'none' && isBlobSink(sink)) return writeRaw(entries, sink, tarOptions, options.format ?? 'oci');
  const diff = new Digester('sha256');
  let out: AsyncIterable<Uint8Array>;
  if (compression === 'gzip') {
    // The tar is written straight into the compressor's blocks (files read into them), and the
    // blocks are recycled once compressed: no per-MiB buffers, one copy of each byte (the kernel's).
    const free: Buffer[] = [];
    const blocks = tap(writeTarBlocks(entries, { ...tarOptions, blockSize: GZIP_BLOCK_SIZE, free }), diff);
    out = gzipBlocks(blocks, { free, ...(options.level !== undefined ? { level: options.level } : {}), ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}) });
  } else {
    const tar = tap(coalesce(writeTar(entries, tarOptions)), diff);
    out = compression === 'zstd' ? zstdCompress(tar, { ...(options.level !== undefined ? { level: options.level } : {}), ...(options.signal !== undefined ? { signal: options.signal } : {}) }) : tar;
  }
  // Uncompressed, the blob is the tar: its digest is the diffID, and hashing it twice would cost a pass.
  const blob = compression === 'none' ? undefined : new Digester('sha256');
  let size = 0;
  for await (const chunk of out) {
    options.signal?.throwIfAborted();
    blob?.update(chunk);
    size += chunk.byteLength;
    await write(sink, chunk, options.signal);
  }
  const diffId = diff.digest();
  return {
    diffId,
    digest: blob?.digest() ?? diffId,
    size,
    uncompressedSize: diff.size,
    compression,
    mediaType: layerMediaType(options.format ?? 'oci', compression),
  };
}

/**
 * The uncompressed tar into a BlobSink. While block N is being written (on the thread pool), the
 * main thread reads files into block N+1; a block goes back to the pool once its write resolved
 * (the sink is done with it by then, see BlobSink). The sink hashes; the tar is not hashed twice.
 */
async function writeRaw(
  entries: AsyncIterable<TarWriterEntry> | Iterable<TarWriterEntry>,
  sink: BlobSink,
  tarOptions: { sourceDateEpoch?: number; signal?: AbortSignal },
  format: 'oci' | 'docker',
): Promise<WrittenLayer> {
  const signal = tarOptions.signal;
  // A sink that already holds bytes (a resumed ingest) digests more than this layer: hash here.
  const own = sink.offset === 0 ? undefined : new Digester('sha256');
  const free: Buffer[] = [];
  let size = 0;
  let inflight: { done: Promise<void>; block: Buffer } | undefined;
  const settle = async (): Promise<void> => {
    if (inflight === undefined) return;
    const { done, block } = inflight;
    inflight = undefined;
    await done;
    if (block.length === RAW_BLOCK_SIZE) free.push(block);
  };
  try {
    for await (const block of writeTarBlocks(entries, { ...tarOptions, blockSize: RAW_BLOCK_SIZE, free })) {
      await settle();
      signal?.throwIfAborted();
      own?.update(block);
      size += block.byteLength;
      const done = sink.write(block);
      done.catch(() => {}); // seen by settle(); this stops an early unhandled report
      inflight = { done, block };
    }
    await settle();
  } catch (err) {
    // Let a write still running end before the caller aborts the ingest under it.
    await inflight?.done.catch(() => {});
    throw err;
  }
  const diffId = own?.digest() ?? sink.digest();
  return { diffId, digest: diffId, size, uncompressedSize: size, compression: 'none', mediaType: layerMediaType(format, 'none') };
}
