/**
 * Faults: a process killed with SIGKILL in the middle of writing a blob or of a multi-step image put,
 * and a full disk. After each, `checkStore` finds no problem and earlier images are intact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from '../../src/oci/digest.js';
import { checkStore, NoSpaceError, openStore, readBlob, writeBlob, type ImageRecord, type Store } from '../../src/store/index.js';
import { formatError } from '../../src/cli/errors.js';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { putTestImage } from '../helpers/store-images.js';
import { killWhenReady } from './_procs.js';
import { testBytes } from './_data.js';

async function assertIntact(store: Store, img: ImageRecord, name: string): Promise<void> {
  assert.equal(store.images.resolve(name).id, img.id);
  // readBlob verifies digest and size: every blob of the image is whole.
  for (const d of [img.manifest, img.config, ...img.layers]) await readBlob(store.content, d);
}

test('SIGKILL while writing a blob: check passes, the ingest is resumable, earlier images are intact', async (t) => {
  const root = tempDir(t);
  let store = openStore({ root });
  const earlier = await putTestImage(store, { names: ['earlier:1'] });
  store.close();
  await killWhenReady(['write-hang', root, 'big', '31', String(3 << 20)]);
  store = openStore({ root });
  t.after(() => store.close());
  const report = await checkStore(store, { verify: true });
  assert.deepEqual(report.problems, []);
  assert.deepEqual(report.orphans.map((o) => o.kind), ['stale-ingest']);
  await assertIntact(store, earlier, 'earlier:1');
  const data = testBytes(31, 3 << 20);
  const d = await writeBlob(store.content, 'big', data, { digest: digestOf(data), size: data.length });
  assert.equal(d.digest, digestOf(data));
});

test('SIGKILL between committing an image\'s blobs and recording it: check passes; repair removes the orphans', async (t) => {
  const root = tempDir(t);
  let store = openStore({ root });
  const earlier = await putTestImage(store, { names: ['earlier:1'], seed: 'earlier' });
  store.close();
  await killWhenReady(['put-hang', root, 'k']);
  store = openStore({ root });
  t.after(() => store.close());
  assert.throws(() => store.images.resolve('hang:k'), /No such image/);
  const report = await checkStore(store);
  assert.deepEqual(report.problems, []);
  assert.deepEqual([...new Set(report.orphans.map((o) => o.kind))], ['orphan-blob']);
  assert.equal(report.orphans.length, 3, 'manifest, config and one layer');
  const repaired = await checkStore(store, { repair: true });
  assert.equal(repaired.repaired?.blobs.length, 3);
  const after = await checkStore(store, { verify: true });
  assert.deepEqual(after.problems, []);
  assert.deepEqual(after.orphans, []);
  await assertIntact(store, earlier, 'earlier:1');
});

test('SIGKILL in the middle of a stream of DB transactions: the DB passes its checks, every committed name is whole', async (t) => {
  const root = tempDir(t);
  await killWhenReady(['tags-forever', root, 'kt'], 400);
  const store = openStore({ root });
  t.after(() => store.close());
  const report = await checkStore(store, { verify: true });
  assert.deepEqual(report.problems, []);
  const [img] = store.images.list();
  assert.ok(img !== undefined && img.repoTags.includes('docker.io/kt/app:first'));
  for (const name of img.repoTags) assert.equal(store.images.resolve(name).id, img.id);
  // Still writable: the killed process's transaction was rolled back, its lock released by SQLite.
  store.images.tag(img.id, 'kt/app:after');
});

test('check finds a missing blob, a damaged blob and a wrong size; repair removes the damaged one', async (t) => {
  const store = openStore({ root: tempDir(t) });
  t.after(() => store.close());
  const img = await putTestImage(store, { names: ['x:1'], layers: [{ a: '1' }, { b: '2' }] });
  const clean = await checkStore(store, { verify: true });
  assert.deepEqual(clean.problems, []);
  await store.content.delete(img.layers[0]!.digest);
  const cfg = store.content.blobPath(img.id);
  rmSync(cfg);
  writeFileSync(cfg, 'x'.repeat(img.config.size)); // same size, other bytes
  const sizeOnly = await checkStore(store);
  assert.deepEqual(sizeOnly.problems.map((p) => p.kind), ['missing-blob']);
  const verified = await checkStore(store, { verify: true });
  assert.deepEqual(verified.problems.map((p) => p.kind).sort(), ['digest-mismatch', 'missing-blob']);
  const now = Date.now();
  store.db.sqlite.prepare("INSERT INTO snapshots (key, kind, created_at, updated_at) VALUES ('no-dir', 'committed', ?, ?)").run(now, now);
  store.buildCache.put({ id: 'keep-snap', type: 'regular', description: 'x', size: 1, resources: [{ type: 'snapshot', id: 'no-dir' }] });
  assert.deepEqual((await checkStore(store)).problems.map((p) => p.kind).sort(), ['missing-blob', 'missing-snapshot-dir']);
  store.buildCache.remove(['keep-snap']);
  store.db.sqlite.prepare("DELETE FROM snapshots WHERE key = 'no-dir'").run();
  await checkStore(store, { verify: true, repair: true });
  assert.deepEqual((await checkStore(store, { verify: true })).problems.map((p) => p.kind).sort(), ['missing-blob', 'missing-blob']);
});

/** A tiny tmpfs, or undefined where mounts are not allowed. The caller unmounts with `unmount`. */
function mountTmpfs(size: string): string | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'gantry-tmpfs-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  if (r.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  return dir;
}

function unmount(dir: string): void {
  execFileSync('umount', ['-l', dir]);
  rmSync(dir, { recursive: true, force: true });
}

test('a full disk gives a one-line NoSpaceError and leaves the store consistent', async (t) => {
  const root = mountTmpfs('3m');
  if (root === undefined) {
    t.skip('needs root and tmpfs mounts');
    return;
  }
  const store = openStore({ root });
  t.after(() => {
    store.close();
    unmount(root);
  });
  const earlier = await putTestImage(store, { names: ['earlier:1'] });
  // A blob bigger than the disk.
  const big = testBytes(41, 4 << 20);
  const err = await writeBlob(store.content, 'too-big', big, { digest: digestOf(big), size: big.length }).catch((e: unknown) => e);
  assert.ok(err instanceof NoSpaceError, String(err));
  const text = formatError(err, false);
  assert.match(text, /^Error: Cannot write content: no space left on device "[^"\n]+"\n$/);
  assert.deepEqual(await store.content.listStatuses(), [], 'the failed ingest was dropped, its space freed');
  // Fill what is left, then make the DB grow until SQLite reports the disk full.
  mkdirSync(join(root, 'fill'));
  const filler = join(root, 'fill', 'x');
  spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=64k'], { stdio: 'ignore' });
  let dbErr: unknown;
  for (let i = 0; i < 2000 && dbErr === undefined; i++) {
    try {
      store.images.tag(earlier.id, `fill/${'x'.repeat(200)}:${i}`);
    } catch (e) {
      dbErr = e;
    }
  }
  assert.ok(dbErr instanceof NoSpaceError, String(dbErr));
  assert.match(formatError(dbErr, false), /^Error: Cannot write the metadata DB: no space left on device "[^"\n]+"\n$/);
  // The same through the CLI: one line, exit 1, no stack.
  const cli = spawnSync(process.execPath, [gantryBin, '--root', root, 'tag', 'earlier:1', `cli/${'y'.repeat(200)}:x`], { encoding: 'utf8' });
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, /^Error: Cannot write the metadata DB: no space left on device "[^"\n]+"\n$/);
  rmSync(filler);
  const report = await checkStore(store, { verify: true });
  assert.deepEqual(report.problems, []);
  await assertIntact(store, earlier, 'earlier:1');
  store.images.tag(earlier.id, 'after:1');
  assert.equal(store.images.resolve('after:1').id, earlier.id);
});
