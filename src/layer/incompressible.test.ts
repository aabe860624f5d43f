import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { SEGMENT, classifyRuns, looksIncompressible } from './incompressible.js';

/** Deterministic random-looking bytes (sha256 in counter mode). */
function noise(size: number, seed = 'seed'): Buffer {
  const out = Buffer.alloc(size);
  for (let off = 0, i = 0; off < size; off += 32, i++) createHash('sha256').update(`${seed}:${i}`).digest().copy(out, off);
  return out;
}
const TEXT = Buffer.from('The quick brown fox jumps over the lazy dog 0123456789 lorem ipsum dolor sit amet\n'.repeat(20_000));
const text = (size: number): Buffer => TEXT.subarray(0, size);
const periodic = (period: number, size: number): Buffer => {
  const unit = noise(period, `p${period}`);
  const out = Buffer.alloc(size);
  for (let off = 0; off < size; off += period) unit.copy(out, off);
  return out;
};
const shape = (block: Buffer): string => classifyRuns(block).map((r) => `${r.start / 1024}-${r.end / 1024}${r.stored ? 'S' : 'c'}`).join(' ');

test('random bytes are stored and text is compressed, segment by segment', () => {
  assert.equal(shape(noise(1 << 20)), '0-1024S');
  assert.equal(shape(text(1 << 20)), '0-1024c');
  // W3's layout: 512 KiB of random bytes then 512 KiB of text, here not aligned to segments.
  const mixed = Buffer.concat([noise(300 * 1024), text(512 * 1024), noise(212 * 1024)]);
  // The segments where the kinds meet (256–320 and 768–832 KiB) hold text at one end: compressed.
  assert.equal(shape(mixed), '0-256S 256-832c 832-1024S');
});

test('already-compressed data counts as incompressible', () => {
  const gz = gzipSync(Buffer.concat([text(1 << 20), noise(1 << 20)]).toString('base64'));
  assert.ok(gz.length > SEGMENT * 4);
  assert.equal(looksIncompressible(gz, SEGMENT, 2 * SEGMENT), true);
});

test('random data that repeats within deflate\'s 32 KiB window is compressed', () => {
  for (const period of [1000, 4096, 5000, 8192, 16384, 30000, 32768]) {
    assert.equal(shape(periodic(period, 1 << 20)), '0-1024c', `period ${period}`);
  }
});

test('short pieces and empty blocks are never stored', () => {
  assert.equal(looksIncompressible(noise(8192), 0, 8192), false);
  assert.deepEqual(classifyRuns(Buffer.alloc(0)), [{ start: 0, end: 0, stored: false }]);
  assert.equal(shape(noise(100 * 1024)), '0-100S');
  assert.equal(shape(noise(70 * 1024)), '0-64S 64-70c'); // a 6 KiB tail is too short to judge
});

test('the verdict depends only on the bytes', () => {
  const block = Buffer.concat([noise(400 * 1024, 'a'), text(200 * 1024), noise(424 * 1024, 'b')]);
  assert.equal(shape(block), shape(Buffer.from(block)));
  assert.deepEqual(classifyRuns(block), classifyRuns(block));
});
