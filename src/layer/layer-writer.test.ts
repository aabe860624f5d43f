import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf, MediaType, type Digest } from '../oci/index.js';
import { openStore } from '../store/index.js';
import { createLayer } from './diff.js';
import { coalesce, RAW_BLOCK_SIZE, sourceDateEpochFromEnv, writeLayer } from './layer-writer.js';
import { readTar } from './tar/reader.js';
import { writeTar } from './tar/writer.js';
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

/** A BlobSink like the content store's writer: hashes and copies each chunk, done once write resolves. */
class MemoryBlobSink {
  readonly chunks: Buffer[] = [];
  readonly #hash = createHash('sha256');
  offset: number;
  failAfter: number | undefined;
  constructor(offset = 0) {
    this.offset = offset;
  }
  async write(chunk: Uint8Array): Promise<void> {
    await new Promise((r) => setImmediate(r));
    if (this.failAfter !== undefined && this.chunks.length >= this.failAfter) throw new Error('disk on fire');
    this.chunks.push(Buffer.from(chunk));
    this.#hash.update(chunk);
    this.offset += chunk.byteLength;
  }
  digest(): Digest {
    return `sha256:${this.#hash.copy().digest('hex')}` as Digest;
  }
}

async function tarOf(entries: Iterable<TarWriterEntry> | AsyncIterable<TarWriterEntry>): Promise<Buffer> {
  return collect(writeTar(entries));
}

test('uncompressed into a BlobSink: the same bytes as writeTar, digest = diffID, reused blocks never corrupt what was written', async () => {
  // 3 files of 9 MiB span several 4 MiB blocks; each file's bytes differ, so a block reused too early shows.
  const expected = await tarOf(bigEntries(3, 9 << 20));
  const sink = new MemoryBlobSink();
  const info = await writeLayer(bigEntries(3, 9 << 20), sink, { compression: 'none', sourceDateEpoch: null });
  const got = Buffer.concat(sink.chunks);
  assert.ok(got.equals(expected));
  assert.equal(info.diffId, digestOf(expected));
  assert.equal(info.digest, info.diffId);
  assert.equal(info.size, expected.length);
  assert.equal(info.uncompressedSize, expected.length);
  assert.equal(info.mediaType, MediaType.OciLayer);
  assert.ok(sink.chunks.slice(0, -1).every((c) => c.length === RAW_BLOCK_SIZE), 'every write but the last is a whole block');
  const docker = await writeLayer(bigEntries(1, 10), new MemoryBlobSink(), { compression: 'none', format: 'docker' });
  assert.equal(docker.mediaType, MediaType.DockerLayer);
});

test('uncompressed into a BlobSink that already holds bytes: the diffID is hashed here, not taken from the sink', async () => {
  const expected = await tarOf(bigEntries(1, 1000));
  const sink = new MemoryBlobSink(5);
  const info = await writeLayer(bigEntries(1, 1000), sink, { compression: 'none', sourceDateEpoch: null });
  assert.equal(info.diffId, digestOf(expected));
});

test('uncompressed into a BlobSink: a failing write rejects the layer, after the write in flight has settled', async () => {
  const sink = new MemoryBlobSink();
  sink.failAfter = 2;
  await assert.rejects(writeLayer(bigEntries(2, 9 << 20), sink, { compression: 'none' }), /disk on fire/);
  assert.equal(sink.chunks.length, 2);
});

test('a tree committed uncompressed into the content store is a blob whose digest is its diffID', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-rawlayer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'tree', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'tree', 'sub', 'big'), Buffer.alloc(5 << 20, 7));
  writeFileSync(join(dir, 'tree', 'small'), 'x');
  const store = openStore({ root: join(dir, 'root') });
  t.after(() => store.close());
  const writer = await store.content.writer('raw-layer-test');
  const info = await createLayer({ kind: 'tree', root: join(dir, 'tree') }, writer, { compression: 'none', sourceDateEpoch: 0 });
  const desc = await writer.commit(info.size, info.digest);
  assert.equal(desc.digest, info.diffId);
  const blob = readFileSync(store.content.blobPath(desc.digest));
  assert.equal(digestOf(blob), info.diffId);
  const names: string[] = [];
  for await (const e of readTar((async function* () { yield blob; })())) {
    names.push(e.header.path);
    if (e.body !== undefined) for await (const _ of e.body) void _;
  }
  assert.deepEqual(names, ['small', 'sub', 'sub/big']);
});
