/**
 * Layer compression: detection by magic bytes, streaming decompression (gzip, zstd), and the
 * compressors used when a layer is written.
 *
 * gzip is written pigz-style, blocks deflated in parallel on libuv's thread pool: see gzip-parallel.ts.
 */
import { Readable, Transform, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createRequire } from 'node:module';
import type { Compression } from '../oci/index.js';
import { LayerFormatError } from './errors.js';

export { gzipParallel, type GzipOptions } from './gzip-parallel.js';

export type { Compression };

/** Which compression a stream's first bytes show. */
export function detectCompression(head: Uint8Array): Compression {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

interface ZstdModule {
  CompressStream: new (p?: { compressionLevel?: number }) => Transform;
  DecompressStream: new () => Transform;
}
let zstd: ZstdModule | undefined;
function loadZstd(): ZstdModule {
  // zstd-napi is CommonJS and native: loaded only when a zstd layer is met.
  zstd ??= createRequire(import.meta.url)('zstd-napi') as ZstdModule;
  return zstd;
}

/** Runs `source` through a Node transform stream, as an async iterable; errors on either side propagate. */
export function throughTransform(source: AsyncIterable<Uint8Array>, transform: Transform, signal?: AbortSignal): AsyncIterable<Uint8Array> {
  const out = pipeline(Readable.from(source, { objectMode: false }), transform, () => {
    // errors reach the consumer through the iteration of `out`
  });
  if (signal !== undefined) {
    const onAbort = (): void => void out.destroy(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    out.once('close', () => signal.removeEventListener('abort', onAbort));
  }
  return out as AsyncIterable<Uint8Array>;
}

/** Looks at the first bytes without consuming them. */
export async function peek(source: AsyncIterable<Uint8Array>, n: number): Promise<{ head: Buffer; stream: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  const buffered: Uint8Array[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await it.next();
    if (r.done === true) {
      done = true;
      break;
    }
    buffered.push(r.value);
    have += r.value.byteLength;
  }
  const head = Buffer.concat(buffered).subarray(0, n);
  async function* stream(): AsyncGenerator<Uint8Array> {
    try {
      yield* buffered;
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done === true) return;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
  return { head, stream: stream() };
}

/**
 * Decompresses a layer stream, detecting the compression from its magic bytes unless told.
 * @throws {LayerFormatError} `LAYER_BAD_COMPRESSION` (while iterating) when the stream is corrupt
 */
export async function decompress(
  source: AsyncIterable<Uint8Array>,
  options: { compression?: Compression | 'auto'; signal?: AbortSignal } = {},
): Promise<{ compression: Compression; stream: AsyncIterable<Uint8Array> }> {
  const { head, stream } = await peek(source, 4);
  const compression = options.compression === undefined || options.compression === 'auto' ? detectCompression(head) : options.compression;
  if (compression === 'none') return { compression, stream };
  const transform = compression === 'gzip' ? createGunzip({ chunkSize: 256 * 1024 }) : new (loadZstd().DecompressStream)();
  return { compression, stream: rewrapErrors(throughTransform(stream, transform, options.signal), compression) };
}

async function* rewrapErrors(source: AsyncIterable<Uint8Array>, compression: Compression): AsyncGenerator<Uint8Array> {
  try {
    yield* source;
  } catch (err) {
    if (err instanceof LayerFormatError || !(err instanceof Error)) throw err;
    const code = (err as { code?: unknown }).code;
    if (/unexpected end of (file|stream)|truncated|ended in (the )?middle/i.test(err.message)) {
      throw new LayerFormatError('LAYER_TRUNCATED', `Cannot decompress layer: the ${compression} stream is truncated`, { cause: err });
    }
    if (typeof code === 'string' && code.startsWith('Z_') || compression === 'zstd' && code === undefined) {
      throw new LayerFormatError('LAYER_BAD_COMPRESSION', `Cannot decompress layer: the ${compression} stream is corrupt (${err.message})`, { cause: err });
    }
    throw err;
  }
}

/** Compresses with zstd (level 3 unless told), single-threaded for reproducible output. */
export function zstdCompress(source: AsyncIterable<Uint8Array>, options: { level?: number; signal?: AbortSignal } = {}): AsyncIterable<Uint8Array> {
  return throughTransform(source, new (loadZstd().CompressStream)({ compressionLevel: options.level ?? 3 }), options.signal);
}
