import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf, MediaType, type Digest } from '../../oci/index.js';
import { MemoryDriver, RegistryStorage } from './storage/index.js';
import { collectGarbage } from './gc.js';
import { blobPath, layerLinkPath, TRASH } from './storage/paths.js';
import { RegistryError } from './errcodes.js';

const HOUR = 3_600_000;

async function blob(s: RegistryStorage, name: string, text: string): Promise<{ mediaType: string; digest: Digest; size: number }> {
  const up = await s.blobs.startUpload(name);
  const digest = digestOf(text);
  await s.blobs.commit(name, up.uuid, digest, [Buffer.from(text)]);
  return { mediaType: MediaType.OciLayerGzip, digest, size: Buffer.byteLength(text) };
}

async function manifest(s: RegistryStorage, name: string, ref: string, doc: unknown, mt: string = MediaType.OciManifest): Promise<Digest> {
  return (await s.manifests.put(name, ref, Buffer.from(JSON.stringify(doc)), mt)).digest;
}

async function fixture() {
  const driver = new MemoryDriver();
  const s = new RegistryStorage(driver);
  const cfg = { ...(await blob(s, 'app', '{"config":1}')), mediaType: MediaType.OciConfig };
  const l1 = await blob(s, 'app', 'layer one');
  const l2 = await blob(s, 'app', 'layer two');
  const orphan = await blob(s, 'app', 'nobody refers to me');
  const tagged = await manifest(s, 'app', 'v1', { schemaVersion: 2, config: cfg, layers: [l1] });
  const untagged = await manifest(s, 'app', digestOf(JSON.stringify({ schemaVersion: 2, config: cfg, layers: [l2] })), { schemaVersion: 2, config: cfg, layers: [l2] });
  const child = await manifest(s, 'app', digestOf(JSON.stringify({ schemaVersion: 2, config: cfg, layers: [l1], annotations: { c: '1' } })), { schemaVersion: 2, config: cfg, layers: [l1], annotations: { c: '1' } });
  const index = await manifest(s, 'app', 'multi', { schemaVersion: 2, manifests: [{ mediaType: MediaType.OciManifest, digest: child, size: JSON.stringify({ schemaVersion: 2, config: cfg, layers: [l1], annotations: { c: '1' } }).length }] }, MediaType.OciIndex);
  const sigDoc = { schemaVersion: 2, artifactType: 'application/x.sig', config: cfg, layers: [], subject: { mediaType: MediaType.OciManifest, digest: tagged, size: 1 } };
  const sig = await manifest(s, 'app', digestOf(JSON.stringify(sigDoc)), sigDoc);
  return { driver, s, cfg, l1, l2, orphan, tagged, untagged, child, index, sig };
}

async function exists(driver: MemoryDriver, path: string): Promise<boolean> {
  return driver.stat(path).then(() => true, () => false);
}

test('collectGarbage() in dry-run reports the unreferenced blob and changes nothing', async () => {
  const f = await fixture();
  f.driver.ageAll(2 * HOUR);
  const r = await collectGarbage(f.driver, { dryRun: true });
  assert.deepEqual(r.deletedBlobs.map((b) => b.digest), [f.orphan.digest]);
  assert.ok(await exists(f.driver, blobPath(f.orphan.digest)));
});

test('collectGarbage() deletes unreferenced old blobs and their repository links, keeps referenced ones', async () => {
  const f = await fixture();
  f.driver.ageAll(2 * HOUR);
  const r = await collectGarbage(f.driver);
  assert.deepEqual(r.deletedBlobs.map((b) => b.digest), [f.orphan.digest]);
  assert.equal(r.deletedManifests.length, 0);
  assert.ok(!(await exists(f.driver, blobPath(f.orphan.digest))));
  assert.ok(!(await exists(f.driver, layerLinkPath('app', f.orphan.digest))));
  for (const d of [f.cfg.digest, f.l1.digest, f.l2.digest, f.tagged, f.untagged, f.index, f.child, f.sig]) assert.ok(await exists(f.driver, blobPath(d)), d);
  assert.equal((await f.s.manifests.get('app', 'v1')).digest, f.tagged);
});

test('collectGarbage() with deleteUntagged removes untagged manifests but keeps index children and referrers', async () => {
  const f = await fixture();
  f.driver.ageAll(2 * HOUR);
  const r = await collectGarbage(f.driver, { deleteUntagged: true });
  assert.deepEqual(r.deletedManifests.map((m) => m.digest), [f.untagged]);
  assert.deepEqual(r.deletedBlobs.map((b) => b.digest).sort(), [f.orphan.digest, f.l2.digest, f.untagged].sort());
  await assert.rejects(f.s.manifests.get('app', f.untagged), (e: unknown) => e instanceof RegistryError && e.code === 'MANIFEST_UNKNOWN');
  assert.equal((await f.s.manifests.get('app', f.child)).digest, f.child);
  assert.deepEqual((await f.s.manifests.referrers('app', f.tagged)).map((d) => d.digest), [f.sig]);
});

test('collectGarbage() keeps blobs within the grace period, and blobs a client touched (HEAD) since', async () => {
  const f = await fixture();
  const r = await collectGarbage(f.driver);
  assert.equal(r.deletedBlobs.length, 0);
  assert.ok(r.keptYoung >= 1);
  f.driver.ageAll(2 * HOUR);
  // A HEAD on the orphan: the client may now push a manifest that references it without uploading.
  assert.equal(await f.s.blobs.stat('app', f.orphan.digest, { touch: true }), f.orphan.size);
  assert.equal((await collectGarbage(f.driver)).deletedBlobs.length, 0);
});

test('collectGarbage() purges uploads idle longer than the maximum age, not fresh ones', async () => {
  const f = await fixture();
  const stale = await f.s.blobs.startUpload('app');
  await f.s.blobs.append('app', stale.uuid, [Buffer.from('partial')]);
  f.driver.ageAll(48 * HOUR);
  const fresh = await f.s.blobs.startUpload('app');
  const r = await collectGarbage(f.driver, { uploadMaxAgeMs: 24 * HOUR });
  assert.deepEqual(r.purgedUploads, [{ name: 'app', uuid: stale.uuid }]);
  await assert.rejects(f.s.blobs.status('app', stale.uuid));
  assert.equal((await f.s.blobs.status('app', fresh.uuid)).size, 0);
});

test('collectGarbage() puts back blobs a crashed gc left in the trash before judging them', async () => {
  const f = await fixture();
  f.driver.ageAll(2 * HOUR);
  await f.driver.move(blobPath(f.l1.digest), `${TRASH}/${f.l1.digest.replace(':', '-')}`);
  await collectGarbage(f.driver);
  assert.ok(await exists(f.driver, blobPath(f.l1.digest)));
});

test('uploads resume after a restart (hash rebuilt from disk) and a wrong digest never becomes a blob', async () => {
  const driver = new MemoryDriver();
  const a = new RegistryStorage(driver);
  const up = await a.blobs.startUpload('r');
  await a.blobs.append('r', up.uuid, [Buffer.from('hello ')], { start: 0 });
  const b = new RegistryStorage(driver); // a new process over the same storage
  await assert.rejects(b.blobs.append('r', up.uuid, [Buffer.from('x')], { start: 0 }), (e: unknown) => e instanceof RegistryError && e.status === 416);
  await b.blobs.append('r', up.uuid, [Buffer.from('world')], { start: 6 });
  await b.blobs.commit('r', up.uuid, digestOf('hello world'));
  assert.equal(await b.blobs.stat('r', digestOf('hello world')), 11);

  const bad = await b.blobs.startUpload('r');
  await assert.rejects(b.blobs.commit('r', bad.uuid, digestOf('other'), [Buffer.from('data')]), (e: unknown) => e instanceof RegistryError && e.code === 'DIGEST_INVALID');
  assert.ok(!(await exists(driver, blobPath(digestOf('other')))));
  assert.ok(!(await exists(driver, blobPath(digestOf('data')))));
  await assert.rejects(b.blobs.status('r', bad.uuid), (e: unknown) => e instanceof RegistryError && e.code === 'BLOB_UPLOAD_UNKNOWN');
});

test('a manifest referring to a blob the repository lacks is refused with MANIFEST_BLOB_UNKNOWN; the subject may be absent', async () => {
  const s = new RegistryStorage(new MemoryDriver());
  const cfg = { ...(await blob(s, 'a', '{}')), mediaType: MediaType.OciConfig };
  const other = await blob(s, 'b', 'only in b');
  await assert.rejects(manifest(s, 'a', 't', { schemaVersion: 2, config: cfg, layers: [other] }), (e: unknown) => e instanceof RegistryError && e.code === 'MANIFEST_BLOB_UNKNOWN');
  await assert.rejects(manifest(s, 'a', 't', { schemaVersion: 2, config: { ...cfg, size: 99 }, layers: [] }), (e: unknown) => e instanceof RegistryError && e.code === 'MANIFEST_INVALID');
  const subject = { mediaType: MediaType.OciManifest, digest: digestOf('absent'), size: 5 };
  await manifest(s, 'a', 't', { schemaVersion: 2, config: cfg, layers: [], subject });
  assert.equal((await s.manifests.referrers('a', subject.digest)).length, 1);
});
