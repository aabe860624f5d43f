/**
 * pigz-style gzip: the stream is cut into fixed blocks, each deflated on its own on libuv's thread
 * pool (several at once) with the previous 32 KiB as its dictionary and a sync flush at its end,
 * and the pieces are joined into one gzip member with a combined CRC.
 *
 * The output depends only on the bytes, the level and the block size — never on the number of
 * threads or how the input was chunked — so the same tree gives the same digest on every machine.
 *
 * Where the CPU goes (perf, 256 MiB of half-random data at level 6): ~75% in zlib's match search
 * and Huffman coding, ~4% sha256 (the caller's two digests), ~3% memcpy, ~3% reading files. So:
 * - incompressible stretches (see incompressible.ts) are stored, not searched: zlib at level 6
 *   runs as slowly on random bytes as on text and gains nothing; the stored blocks are written
 *   here, without a zlib stream;
 * - memLevel 9 (a 64K-entry hash table instead of 32K): ~10–20% less CPU in the match search for
 *   the same size (±0.1%); zlib's own default is 8 only to save 128 KiB of memory per stream;
 * - blocks are recycled, not allocated per MiB, and the final block is not held back to learn
 *   that it is last: every block ends with a sync flush and the stream with an empty final block.
 */
import { constants as Z, crc32, createDeflateRaw } from 'node:zlib';
import { classifyRuns, type Run } from './incompressible.js';
import { BlockFiller } from './blocks.js';

export interface GzipOptions {
  /** zlib level 1–9 (0 stores everything); default 6 (gzip's, Go's and so BuildKit's default). */
  level?: number;
  /** Uncompressed bytes per independently deflated block; default 1 MiB (pigz uses 128 KiB). */
  blockSize?: number;
  /** Blocks compressed at once on the thread pool; default 3 (all cores busy, one more queued). */
  concurrency?: number;
}

const DICT = 32 * 1024;
/** zlib's memLevel: hash table of 2^(memLevel+7) heads. */
const MEM_LEVEL = 9;
// A fixed gzip header: no name, mtime 0, OS "unix": nothing about the machine or the moment.
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);
/** An empty final block with fixed Huffman codes (BFINAL=1, BTYPE=01, end-of-block): ends the deflate stream. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/**
 * Deflates one run on the thread pool. The stream API, not `deflateRaw(buf, cb)`: that one joins
 * its output with Buffer.concat, a fresh allocation and a copy of every compressed byte.
 */
function deflateRun(input: Uint8Array, dictionary: Uint8Array | undefined, level: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const z = createDeflateRaw({
      level,
      memLevel: MEM_LEVEL,
      // One output buffer for the whole run (deflate's worst case is +0.1%, stored blocks +5 bytes per 64 KiB).
      chunkSize: Math.max(64 * 1024, input.length + (input.length >> 3) + 1024),
      finishFlush: Z.Z_SYNC_FLUSH,
      // zlib copies the dictionary when the stream is made (synchronously), so it may be reused right after.
      ...(dictionary !== undefined && dictionary.length > 0 ? { dictionary } : {}),
    });
    const out: Buffer[] = [];
    z.on('data', (chunk: Buffer) => out.push(chunk));
    z.once('end', () => resolve(out));
    z.once('error', reject);
    z.end(input);
  });
}

/** deflate's largest stored block. */
const STORED_MAX = 0xffff;

/**
 * A run as stored deflate blocks, written here rather than by zlib: a zlib stream would cost its
 * set-up (Chromium's zlib zeroes ~256 KiB of window and hash table per stream) and a thread hop
 * to copy bytes. Every run before this one ended with a sync flush, so the stream is at a byte
 * boundary: each block is the byte 0x00 (BFINAL 0, BTYPE 00, padding), LEN and NLEN, the bytes.
 */
export function storedBlocks(input: Uint8Array): Buffer {
  const count = Math.max(1, Math.ceil(input.length / STORED_MAX));
  const out = Buffer.allocUnsafe(input.length + 5 * count);
  let at = 0;
  for (let off = 0; off < input.length || at === 0; off += STORED_MAX) {
    const len = Math.min(STORED_MAX, input.length - off);
    out[at] = 0;
    out.writeUInt16LE(len, at + 1);
    out.writeUInt16LE(~len & 0xffff, at + 3);
    out.set(input.subarray(off, off + len), at + 5);
    at += 5 + len;
  }
  return out;
}

/**
 * Cuts a byte stream into blocks of exactly `size` bytes (the last may be shorter), taking block
 * buffers from `free` when it holds any: the consumer hands a block back once it is done with it.
 */
export async function* reblock(source: AsyncIterable<Uint8Array>, size: number, free: Buffer[] = []): AsyncGenerator<Buffer> {
  const out = new BlockFiller(size, free);
  for await (const chunk of source) {
    out.put(chunk);
    yield* out.take();
  }
  const rest = out.rest();
  if (rest !== undefined) yield rest;
}

interface InFlight {
  block: Buffer;
  pieces: Array<Promise<Buffer[]>>;
}

/** The default uncompressed bytes per block. */
export const GZIP_BLOCK_SIZE = 1 << 20;

/** Compresses a stream into one deterministic gzip member, deflating blocks in parallel. */
export function gzipParallel(source: AsyncIterable<Uint8Array>, options: GzipOptions = {}): AsyncGenerator<Buffer> {
  const free: Buffer[] = [];
  return gzipBlocks(reblock(source, options.blockSize ?? GZIP_BLOCK_SIZE, free), { ...options, free });
}

/**
 * `gzipParallel` for a source already cut into blocks of `blockSize` bytes (the last may be
 * shorter; any other short block would change the output). A block must stay untouched until
 * it is handed back: to `free`, once its compressed pieces have been yielded.
 */
export async function* gzipBlocks(blocks: AsyncIterable<Buffer>, options: GzipOptions & { free?: Buffer[] } = {}): AsyncGenerator<Buffer> {
  const level = options.level ?? 6;
  const blockSize = options.blockSize ?? GZIP_BLOCK_SIZE;
  const concurrency = Math.max(1, options.concurrency ?? 3);
  const free = options.free ?? [];
  const pending: InFlight[] = [];
  let crc = 0;
  let total = 0;
  let dictionary: Buffer | undefined;
  async function* drain(keep: number): AsyncGenerator<Buffer> {
    while (pending.length > keep) {
      const job = pending.shift()!;
      for (const piece of job.pieces) yield* await piece;
      // A short last block is a view of a pooled buffer; only whole ones go back.
      if (job.block.length === blockSize) free.push(job.block);
    }
  }
  try {
    yield GZIP_HEADER;
    let short = false;
    for await (const block of blocks) {
      if (short) throw new RangeError(`gzipBlocks: a block of ${blockSize} bytes came after a short one`);
      short = block.length < blockSize;
      crc = crc32(block, crc);
      total += block.length;
      const runs: Run[] = level === 0 ? [{ start: 0, end: block.length, stored: true }] : classifyRuns(block);
      const pieces = runs.map((run) => {
        if (run.stored) return Promise.resolve([storedBlocks(block.subarray(run.start, run.end))]);
        const dict = run.start === 0 ? dictionary : block.subarray(Math.max(0, run.start - DICT), run.start);
        const p = deflateRun(block.subarray(run.start, run.end), dict, level);
        p.catch(() => {}); // rejections are seen when the pieces are awaited in order; this stops an early unhandled report
        return p;
      });
      pending.push({ block, pieces });
      // The next block's dictionary, copied: this block goes back to the pool when its pieces are done.
      dictionary = Buffer.from(block.subarray(Math.max(0, block.length - DICT)));
      yield* drain(concurrency - 1);
    }
    yield* drain(0);
  } finally {
    // On an early exit (error, abort) let the running deflates finish quietly; their buffers are dropped.
    pending.length = 0;
  }
  const trailer = Buffer.alloc(10);
  FINAL_BLOCK.copy(trailer, 0);
  trailer.writeUInt32LE(crc >>> 0, 2);
  trailer.writeUInt32LE(total % 2 ** 32, 6);
  yield trailer;
}
