import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { digestOf } from '../oci/index.js';
import { coalesce, sourceDateEpochFromEnv, writeLayer } from './layer-writer.js';
import { gzipParallel } from './compression.js';
import type { TarWriterEntry } from './tar/writer.js';
import { collect } from '../../test/layer/helpers.js';

function* bigEntries(files: number, size: number): Generator<TarWriterEntry> {
  for (let i = 0; i < files; i++) {
    const body = (async function* () {
      for (let off = 0; off < size; off += 1 << 20) yield Buffer.alloc(Math.min(1 << 20, size - off), i);
    })();
    yield { header: { path: `f${i}`, type: 'file', mode: 0o644, uid: 0, gid: 0, size, mtime: 0 }, body };
  }
}

test('respects a slow Writable sink: never more than a few chunks are queued', async () => {
  let maxQueued = 0;
  let written = 0;
  const sink = new Writable({
    highWaterMark: 64 * 1024,
    write(chunk: Buffer, _enc, cb) {
      written += chunk.length;
      maxQueued = Math.max(maxQueued, this.writableLength);
      setImmediate(cb);
    },
  });
  const info = await writeLayer(bigEntries(4, 8 << 20), sink, { compression: 'none' });
  assert.equal(written, info.size);
  assert.equal(info.uncompressedSize, 4 * ((8 << 20) + 512) + 1024);
  assert.ok(maxQueued <= 2 << 20, `queued ${maxQueued} bytes`);
});

test('the parallel gzip stream is one valid member whatever the input chunking', async () => {
  const data = Buffer.alloc(5 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7919) % 251 > 120 ? i & 0xff : 0x41;
  const whole = await collect(gzipParallel((async function* () { yield data; })(), { blockSize: 1 << 20 }));
  const pieces = await collect(gzipParallel((async function* () { for (let i = 0; i < data.length; i += 77777) yield data.subarray(i, i + 77777); })(), { blockSize: 1 << 20, concurrency: 1 }));
  assert.equal(digestOf(whole), digestOf(pieces));
  assert.deepEqual(gunzipSync(whole), data);
  const empty = await collect(gzipParallel((async function* () {})()));
  assert.equal(gunzipSync(empty).length, 0);
});

test('coalesce joins small chunks and passes large ones through', async () => {
  const out: number[] = [];
  for await (const c of coalesce((async function* () {
    for (let i = 0; i < 10; i++) yield Buffer.alloc(100);
    yield Buffer.alloc(5000);
    yield Buffer.alloc(10);
  })(), 1000)) out.push(c.byteLength);
  assert.deepEqual(out, [1000, 5000, 10]);
});

test('reads SOURCE_DATE_EPOCH and refuses a malformed one', () => {
  assert.equal(sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: '1700000000' }), 1_700_000_000);
  assert.equal(sourceDateEpochFromEnv({}), undefined);
  assert.throws(() => sourceDateEpochFromEnv({ SOURCE_DATE_EPOCH: 'yesterday' }), { code: 'ERR_INVALID_SOURCE_DATE_EPOCH' });
});

test('clamps mtimes to $SOURCE_DATE_EPOCH unless told otherwise', async () => {
  const entries = (): TarWriterEntry[] => [{ header: { path: 'f', type: 'file', mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 2_000_000_000 } }];
  const saved = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = '1000';
  try {
    const clamped = await writeLayer(entries(), () => {}, { compression: 'none' });
    const explicit = await writeLayer(entries(), () => {}, { compression: 'none', sourceDateEpoch: 1000 });
    const unclamped = await writeLayer(entries(), () => {}, { compression: 'none', sourceDateEpoch: null });
    assert.equal(clamped.diffId, explicit.diffId);
    assert.notEqual(unclamped.diffId, clamped.diffId);
  } finally {
    if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = saved;
  }
});
