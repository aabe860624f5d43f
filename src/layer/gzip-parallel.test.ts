import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync, inflateRawSync } from 'node:zlib';
import { digestOf } from '../oci/index.js';
import { gzipParallel, reblock, storedBlocks } from './gzip-parallel.js';
import { collect } from '../../test/layer/helpers.js';

function noise(size: number, seed: string): Buffer {
  const out = Buffer.alloc(size);
  for (let off = 0, i = 0; off < size; off += 32, i++) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  return out;
}
const TEXT = Buffer.from('layer tar gzip digest manifest config index blob snapshot overlay whiteout registry\n'.repeat(20_000));

/** W3-like: per 512 KiB, 300 KiB of random bytes then 212 KiB of text, 3.5 MiB in all. */
function mixed(): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < 7; i++) parts.push(noise(300 * 1024, `m${i}`), TEXT.subarray(0, 212 * 1024));
  return Buffer.concat(parts);
}

async function* chunks(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

test('mixed random and text data round-trips, and the output does not depend on chunking or concurrency', async () => {
  const data = mixed();
  const whole = await collect(gzipParallel(chunks(data, data.length)));
  assert.deepEqual(gunzipSync(whole), data);
  const small = await collect(gzipParallel(chunks(data, 77_777), { concurrency: 1 }));
  const wide = await collect(gzipParallel(chunks(data, 1 << 20), { concurrency: 8 }));
  assert.equal(digestOf(small), digestOf(whole));
  assert.equal(digestOf(wide), digestOf(whole));
});

test('random data is stored: the output is barely larger than the input', async () => {
  const data = noise(3 << 20, 'r');
  const out = await collect(gzipParallel(chunks(data, 1 << 20)));
  assert.deepEqual(gunzipSync(out), data);
  // stored blocks cost 5 bytes per 64 KiB, a sync flush 5 bytes per run, the frame 20 bytes
  assert.ok(out.length <= data.length + (data.length >> 12) + 64, `${out.length} bytes for ${data.length}`);
});

test('text is still compressed at the asked level', async () => {
  const data = Buffer.concat([TEXT, TEXT, TEXT]);
  const l6 = await collect(gzipParallel(chunks(data, 1 << 16)));
  const l1 = await collect(gzipParallel(chunks(data, 1 << 16), { level: 1 }));
  assert.deepEqual(gunzipSync(l6), data);
  assert.deepEqual(gunzipSync(l1), data);
  assert.ok(l6.length < data.length / 50, `${l6.length} bytes for ${data.length}`);
});

test('level 0 stores everything and an empty stream is a valid empty member', async () => {
  const data = Buffer.concat([TEXT, noise(100_000, 'z')]);
  const stored = await collect(gzipParallel(chunks(data, 4096), { level: 0, blockSize: 256 * 1024 }));
  assert.deepEqual(gunzipSync(stored), data);
  assert.ok(stored.length > data.length);
  const empty = await collect(gzipParallel(chunks(Buffer.alloc(0), 1)));
  assert.equal(gunzipSync(empty).length, 0);
});

test('a consumer that stops early leaves no unhandled rejection behind', async () => {
  const data = mixed();
  for await (const piece of gzipParallel(chunks(data, 1 << 20))) {
    assert.ok(piece.length > 0);
    break;
  }
});

test('reblock cuts exact blocks and takes its buffers from the free list', async () => {
  const spare = Buffer.alloc(1000);
  const free = [spare];
  const sizes: number[] = [];
  let first: Buffer | undefined;
  for await (const b of reblock(chunks(Buffer.alloc(2500, 7), 300), 1000, free)) {
    first ??= b;
    sizes.push(b.length);
  }
  assert.deepEqual(sizes, [1000, 1000, 500]);
  assert.equal(first, spare);
});

test('storedBlocks writes deflate stored blocks of at most 65,535 bytes', () => {
  for (const size of [0, 1, 65_535, 65_536, 200_000]) {
    const data = noise(size, `s${size}`);
    const out = storedBlocks(data);
    assert.equal(out.length, size + 5 * Math.max(1, Math.ceil(size / 65_535)), `size ${size}`);
    assert.deepEqual([out[0], out.readUInt16LE(1), out.readUInt16LE(3)], [0, Math.min(size, 65_535), ~Math.min(size, 65_535) & 0xffff]);
    // not final blocks: close the stream with an empty final block to inflate it
    assert.deepEqual(inflateRawSync(Buffer.concat([out, Buffer.from([0x03, 0x00])])), data);
  }
});
