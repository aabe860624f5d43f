import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Digest } from '../oci/index.js';
import { openStore } from './store.js';

function root(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-writeback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a blob larger than the early-writeback step commits whole and verified, and aborts cleanly mid-way', async (t) => {
  const store = openStore({ root: root(t) });
  t.after(() => store.close());
  // 150 MiB in 4 MiB chunks: two early fdatasyncs start while writes go on.
  const chunk = Buffer.alloc(4 << 20);
  const hash = createHash('sha256');
  const writer = await store.content.writer('big');
  for (let i = 0; i < 37; i++) {
    chunk.fill(i);
    hash.update(chunk);
    await writer.write(chunk);
  }
  const digest = `sha256:${hash.digest('hex')}` as Digest;
  const desc = await writer.commit(37 * chunk.length, digest);
  assert.equal(desc.digest, digest);
  const blob = readFileSync(store.content.blobPath(digest));
  assert.equal(blob.length, 37 * chunk.length);
  assert.equal(blob[blob.length - 1], 36);

  const other = await store.content.writer('abandoned');
  for (let i = 0; i < 20; i++) await other.write(chunk);
  await other.abort(); // with a writeback possibly in flight: waits for it, then drops the ingest
  assert.equal(await store.content.status('abandoned'), undefined);
});

test('a blob written through reaches the disk whole and leaves the page cache', async (t) => {
  const store = openStore({ root: root(t) });
  t.after(() => store.close());
  const chunk = Buffer.alloc(4 << 20);
  const hash = createHash('sha256');
  const writer = await store.content.writer('through', { writeThrough: true });
  for (let i = 0; i < 37; i++) {
    chunk.fill(i + 1);
    hash.update(chunk);
    await writer.write(chunk);
  }
  const digest = `sha256:${hash.digest('hex')}` as Digest;
  assert.equal((await writer.commit(37 * chunk.length, digest)).digest, digest);
  const path = store.content.blobPath(digest);
  // fincore(1) counts the file's pages in the page cache: none should be left of 148 MiB.
  const resident = Number(execFileSync('fincore', ['--noheadings', '--bytes', '--output', 'RES', path], { encoding: 'utf8' }).trim());
  assert.ok(resident < 1 << 20, `${resident} bytes of the blob are still cached`);
  const blob = readFileSync(path);
  assert.equal(createHash('sha256').update(blob).digest('hex'), digest.slice('sha256:'.length));
});
