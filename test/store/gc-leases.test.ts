/** collect() against a real store: what it keeps (roots, leases) and what it removes. */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, utimesSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf } from '../../src/oci/digest.js';
import { ContentNotFoundError, MissingContentError, openStore, withLease, writeBlob, type Store } from '../../src/store/index.js';
import { tempDir } from '../helpers/paths.js';
import { putTestImage } from '../helpers/store-images.js';

function open(t: TestContext): Store {
  const store = openStore({ root: tempDir(t) });
  t.after(() => store.close());
  return store;
}

test('collect keeps blobs of images, containers\' snapshots and cache records; removes the rest', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { names: ['keep:1'] });
  const dangling = await putTestImage(store, { seed: 'dangling' });
  const loose = await writeBlob(store.content, 'loose', 'nobody refers to me', { digest: digestOf('nobody refers to me') });
  const cached = await writeBlob(store.content, 'cached', 'a cache record holds me', { digest: digestOf('a cache record holds me') });
  store.buildCache.put({ id: 'c1', type: 'regular', description: 'RUN x', size: 10, resources: [{ type: 'content', id: cached.digest }] });
  const now = Date.now();
  store.db.sqlite.prepare("INSERT INTO snapshots (key, parent, kind, created_at, updated_at) VALUES (?, NULL, 'committed', ?, ?)").run(img.layers[0]!.chainId, now, now);
  store.db.sqlite.prepare("INSERT INTO snapshots (key, parent, kind, created_at, updated_at) VALUES ('ctr-rw', ?, 'active', ?, ?)").run(img.layers[0]!.chainId, now, now);
  store.db.sqlite.prepare("INSERT INTO snapshots (key, parent, kind, created_at, updated_at) VALUES ('stray', NULL, 'active', ?, ?)").run(now, now);
  store.containers.create({ imageId: img.id, imageRef: 'keep:1', snapshotKey: 'ctr-rw' });
  for (const r of store.db.sqlite.prepare('SELECT id FROM snapshots').all() as { id: number }[]) mkdirSync(join(store.layout.snapshots, String(r.id)));

  const report = await store.collect();
  assert.deepEqual(report.blobs.map((b) => b.digest), [loose.digest]);
  assert.deepEqual(report.snapshots.map((s) => s.key), ['stray']);
  assert.equal(report.reclaimed, loose.size);
  await assert.rejects(store.content.info(loose.digest), ContentNotFoundError);
  for (const d of [img.manifest.digest, img.id, img.layers[0]!.digest, dangling.id, cached.digest]) await store.content.info(d);
  assert.deepEqual(readdirSync(store.layout.snapshots).length, 2);
  assert.ok(!readdirSync(store.layout.tmp).some((n) => n.startsWith('gc-')), 'the moved-aside garbage is gone');
});

test('a lease protects blobs written under it until it ends or expires', async (t) => {
  const store = open(t);
  const lease = store.leases.create({ ttlMs: 60_000 });
  const d = await writeBlob(store.content, 'leased', 'in flight', { digest: digestOf('in flight') }, { lease: lease.id });
  assert.deepEqual(store.leases.listResources(lease.id), [
    { type: 'content', id: d.digest },
    { type: 'ingest', id: 'leased' },
  ]);
  assert.deepEqual((await store.collect()).blobs, []);
  // Expired: protects nothing; the collection removes the lease too.
  const report = await store.collect({ now: Date.now() + 120_000 });
  assert.deepEqual(report.leases, [lease.id]);
  assert.deepEqual(report.blobs.map((b) => b.digest), [d.digest]);
  assert.deepEqual(store.leases.list(), []);
});

test('withLease: blobs written then recorded as an image survive; the lease is gone afterwards', async (t) => {
  const store = open(t);
  const img = await withLease(store.leases, async () => {
    const i = await putTestImage(store, { names: ['leased:1'] });
    assert.equal((await store.collect()).blobs.length, 0);
    return i;
  });
  assert.deepEqual(store.leases.list(), []);
  assert.equal((await store.collect()).blobs.length, 0);
  assert.equal(store.images.resolve('leased:1').id, img.id);
});

test('without a lease, a collection between write and put makes the put fail instead of recording a missing blob', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { seed: 'x' });
  const input = { manifest: img.manifest, config: img.config, layers: img.layers.map((l) => ({ descriptor: l, diffId: l.diffId })), names: ['late:1'] };
  await store.images.remove(img.id); // the blobs are garbage now, as if written but not yet recorded
  await assert.rejects(store.images.put(input), (e: unknown) => e instanceof ContentNotFoundError || e instanceof MissingContentError);
  assert.deepEqual(store.images.list(), []);
});

test('stale tmp entries and ingests older than the grace period go; fresh and locked ones stay', async (t) => {
  const store = open(t);
  const w = await store.content.writer('live');
  await w.write(Buffer.from('x'));
  const old = join(store.layout.tmp, 'old-thing');
  writeFileSync(old, 'x');
  const past = new Date(Date.now() - 3 * 24 * 3600 * 1000);
  utimesSync(old, past, past);
  writeFileSync(join(store.layout.tmp, 'fresh-thing'), 'x');
  mkdirSync(join(store.layout.tmp, 'gc-crashed'));
  const report = await store.collect({ graceMs: 24 * 3600 * 1000 });
  assert.ok(!existsSync(old), 'older than the grace period');
  assert.ok(!existsSync(join(store.layout.tmp, 'gc-crashed')), 'a crashed collection\'s leftovers go at once');
  assert.ok(existsSync(join(store.layout.tmp, 'fresh-thing')), 'younger than the grace period');
  assert.equal(report.tmp.length, 2);
  assert.equal((await store.content.status('live'))?.offset, 1, 'a held ingest is never collected');
  await w.abort();
});

test('withLease renews its lease while the work runs', async (t) => {
  const store = open(t);
  let first = 0;
  let later = 0;
  await withLease(
    store.leases,
    async (lease) => {
      first = store.leases.get(lease.id).expiresAt!;
      await new Promise((r) => setTimeout(r, 1300));
      later = store.leases.get(lease.id).expiresAt!;
    },
    { ttlMs: 2000 },
  );
  assert.ok(later > first, `renewed: ${first} → ${later}`);
  assert.deepEqual(store.leases.list(), []);
});
