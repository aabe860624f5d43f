/** The content-store suite against LocalContentStore, plus what only a filesystem store can show. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf } from '../../src/oci/digest.js';
import { DigestMismatchError, openStore, openVerified, readBlob, writeBlob } from '../../src/store/index.js';
import { tempDir } from '../helpers/paths.js';
import { contentSuite } from './content-suite.js';
import { testBytes } from './_data.js';
import { CHILD, killWhenReady } from './_procs.js';

contentSuite('local', () => {
  const root = tempDir(undefined, 'gantry-content-');
  const store = openStore({ root });
  return {
    store: store.content,
    crashWriter: (ref, seed, size) => killWhenReady(['write-hang', root, ref, String(seed), String(size)]),
    cleanup: () => {
      store.close();
      spawnSync('rm', ['-rf', root]);
    },
  };
});

test('local: committed blobs are read-only files named by their digest, with no ingest left', async (t) => {
  const root = tempDir(t);
  const store = openStore({ root });
  t.after(() => store.close());
  const data = testBytes(20, 1234);
  const w = await store.content.writer('ro');
  await w.write(data);
  const d = await w.commit();
  const path = join(root, 'blobs', 'sha256', d.digest.slice('sha256:'.length));
  assert.equal(statSync(path).mode & 0o777, 0o444);
  assert.deepEqual(readdirSync(join(root, 'tmp', 'ingest')), []);
});

test('local: two processes writing the same blob under different refs both succeed, one copy stored', async (t) => {
  const root = tempDir(t);
  openStore({ root }).close();
  const size = 4 * 1024 * 1024;
  const run = (ref: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const c = spawn(process.execPath, [CHILD, 'write', root, ref, '21', String(size)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      c.stdout.on('data', (b: Buffer) => (out += b.toString()));
      c.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`child exit ${code}`))));
    });
  const [a, b] = await Promise.all([run('p1'), run('p2')]);
  const da = JSON.parse(a) as { digest: string; size: number };
  const db = JSON.parse(b) as { digest: string; size: number };
  const data = testBytes(21, size);
  assert.equal(da.digest, digestOf(data));
  assert.deepEqual(da, db);
  const store = openStore({ root });
  t.after(() => store.close());
  assert.deepEqual(Buffer.from(await readBlob(store.content, { digest: digestOf(data), size })), data);
  assert.deepEqual(readdirSync(join(root, 'blobs', 'sha256')), [digestOf(data).slice(7)]);
  assert.deepEqual(await store.content.listStatuses(), []);
});

test('local: a ref held by a live process in another process is refused; a dead holder is taken over', async (t) => {
  const root = tempDir(t);
  openStore({ root }).close();
  const child = spawn(process.execPath, [CHILD, 'write-hang', root, 'held', '22', '1000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.on('data', (b: Buffer) => b.toString().includes('ready') && resolve()));
  const store = openStore({ root });
  t.after(() => store.close());
  await assert.rejects(store.content.writer('held'), /locked by process \d+/);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  const w = await store.content.writer('held', { expected: { digest: digestOf(testBytes(22, 1000)), size: 1000 } });
  assert.equal(w.offset, 500);
  await w.write(testBytes(22, 1000).subarray(500));
  assert.equal((await w.commit()).digest, digestOf(testBytes(22, 1000)));
});

test('local: openVerified streams a blob and fails when the file on disk was damaged', async (t) => {
  const root = tempDir(t);
  const store = openStore({ root });
  t.after(() => store.close());
  const data = testBytes(23, 100_000);
  const d = await writeBlob(store.content, 'v', data, { digest: digestOf(data), size: data.length });
  const read = async (): Promise<Buffer> => {
    const parts: Buffer[] = [];
    for await (const c of await openVerified(store.content, d)) parts.push(c as Buffer);
    return Buffer.concat(parts);
  };
  assert.deepEqual(await read(), data);
  const path = store.content.blobPath(d.digest);
  chmodSync(path, 0o644);
  const damaged = Buffer.from(data);
  damaged[5000] = damaged[5000]! ^ 1;
  writeFileSync(path, damaged);
  await assert.rejects(read(), DigestMismatchError);
});
