/**
 * Image records with docker's rules: resolution, tag, rmi (every conflict and record order) and
 * prune. Expected texts were taken from docker 20.10 on this machine and moby's image_delete.go.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  AmbiguousImageIdError,
  DigestTagError,
  ImageDeleteConflictError,
  ImageNotFoundError,
  InvalidReferenceError,
  MissingContentError,
  ReferenceInUseError,
  openExistingStore,
  openStore,
  type ImageDeleteRecord,
  type Store,
} from '../../src/store/index.js';
import { tempDir } from '../helpers/paths.js';
import { putTestImage } from '../helpers/store-images.js';

function open(t: TestContext): Store {
  const store = openStore({ root: tempDir(t) });
  t.after(() => store.close());
  return store;
}

const short = (id: string): string => id.slice(7, 19);
const lines = (records: ImageDeleteRecord[]): string[] => records.map((r) => (r.untagged !== undefined ? `Untagged: ${r.untagged}` : `Deleted: ${r.deleted}`));

test('put records names normalized, sizes, labels and layers with chainIDs', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { names: ['busybox', 'localhost/busybox:1', 'user/app:v2'], labels: { a: 'b' }, layers: [{ a: '1' }, { b: '2' }] });
  assert.deepEqual(img.repoTags, ['docker.io/library/busybox:latest', 'docker.io/user/app:v2', 'localhost/busybox:1']);
  assert.equal(img.layers.length, 2);
  assert.equal(img.layers[0]!.chainId, img.layers[0]!.diffId);
  assert.notEqual(img.layers[1]!.chainId, img.layers[1]!.diffId);
  assert.equal(img.size, img.layers.reduce((s, l) => s + l.uncompressedSize!, 0));
  assert.deepEqual(img.labels, { a: 'b' });
  assert.equal(img.createdMs, Date.parse('2020-01-01T00:00:00Z'));
  assert.equal(img.dangling, false);
  assert.equal(img.architecture, 'amd64');
});

test('putManifest records the image a stored manifest describes, as pull and load will', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { seed: 'pm', layers: [{ a: '1' }, { b: '2' }] });
  // Blobs in the content store and no record: the state after a pull or load wrote its blobs.
  store.db.write(() => store.db.sqlite.prepare('DELETE FROM images WHERE id = ?').run(img.id));
  assert.throws(() => store.images.get(img.id), ImageNotFoundError);
  const again = await store.images.putManifest(img.manifest, { names: ['pulled:1', `pulled@${img.manifest.digest}`] });
  assert.equal(again.id, img.id);
  assert.deepEqual(again.layers.map((l) => [l.digest, l.diffId, l.chainId]), img.layers.map((l) => [l.digest, l.diffId, l.chainId]));
  assert.deepEqual(again.repoTags, ['docker.io/library/pulled:1']);
  assert.deepEqual(again.repoDigests, [`docker.io/library/pulled@${img.manifest.digest}`]);
  await assert.rejects(store.images.putManifest(img.config), /has no config or layers/);
});

test('put refuses an image whose blobs are not in the content store', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { seed: 'x' });
  await store.content.delete(img.layers[0]!.digest);
  await assert.rejects(
    store.images.put({ manifest: img.manifest, config: { ...img.config }, layers: img.layers.map((l) => ({ descriptor: l, diffId: l.diffId })), names: ['other'] }),
    MissingContentError,
  );
});

test('resolve finds images by name, full ID, digest, ID prefix (with or without sha256:) and repo digest', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { names: ['busybox:latest'] });
  const hex = img.id.slice(7);
  for (const ref of ['busybox', 'busybox:latest', 'docker.io/library/busybox:latest', img.id, hex, hex.slice(0, 12), hex.slice(0, 1), `sha256:${hex.slice(0, 5)}`]) {
    assert.equal(store.images.resolve(ref).id, img.id, ref);
  }
  store.images.addName(img.id, `busybox@${img.manifest.digest}`);
  assert.equal(store.images.resolve(`busybox@${img.manifest.digest}`).id, img.id);
  assert.throws(() => store.images.resolve('nosuch'), (e: unknown) => e instanceof ImageNotFoundError && e.message === 'No such image: nosuch');
  assert.throws(() => store.images.resolve('Bad/Name'), InvalidReferenceError);
});

test('an ID prefix that matches two images is refused as not found, with a hint', async (t) => {
  const store = open(t);
  const ids: string[] = [];
  // Find two images whose IDs share a first hex digit (16 candidates: pigeonhole after 17).
  for (let i = 0; i < 17; i++) ids.push((await putTestImage(store, { seed: `amb-${i}` })).id);
  const first = ids.map((id) => id[7]!);
  const dup = first.find((c, i) => first.indexOf(c) !== i)!;
  assert.throws(
    () => store.images.resolve(dup),
    (e: unknown) => e instanceof AmbiguousImageIdError && e.message === `No such image: ${dup}` && /matches 2 images|matches \d+ images/.test(e.hint ?? ''),
  );
});

test('tag points a new name at the image; a moved tag leaves the old image dangling', async (t) => {
  const store = open(t);
  const a = await putTestImage(store, { names: ['app:1'], seed: 'a' });
  const b = await putTestImage(store, { seed: 'b' });
  assert.equal(b.dangling, true);
  store.images.tag(b.id, 'app:1');
  assert.equal(store.images.get(a.id).dangling, true);
  assert.deepEqual(store.images.get(b.id).repoTags, ['docker.io/library/app:1']);
  assert.ok(store.images.get(b.id).lastTagTime !== undefined);
  assert.throws(() => store.images.tag(a.id, `x@${a.manifest.digest}`), (e: unknown) => e instanceof DigestTagError && e.message === 'refusing to create a tag with a digest reference');
  assert.throws(() => store.images.tag('nosuch', 'x'), (e: unknown) => e instanceof ImageNotFoundError && e.message === 'No such image: nosuch:latest');
  assert.throws(() => store.images.tag(a.id, 'foo/X'), (e: unknown) => e instanceof InvalidReferenceError && e.message === 'invalid reference format: repository name (foo/X) must be lowercase');
});

test('rmi by name untags; the last name deletes the image and its layers (docker order)', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { names: ['storeprobe/a:1', 'storeprobe/b:2'], layers: [{ a: '1' }, { b: '2' }] });
  assert.deepEqual(lines(await store.images.remove('storeprobe/b:2')), ['Untagged: storeprobe/b:2']);
  assert.deepEqual(lines(await store.images.remove('storeprobe/a:1')), [
    'Untagged: storeprobe/a:1',
    `Deleted: ${img.id}`,
    `Deleted: ${img.layers[1]!.chainId}`,
    `Deleted: ${img.layers[0]!.chainId}`,
  ]);
  assert.throws(() => store.images.get(img.id), ImageNotFoundError);
  // The blobs went with it.
  assert.deepEqual(readdirSync(join(store.root, 'blobs', 'sha256')), []);
});

test('rmi of the last tag also removes the digest names of that repository', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { names: ['app:1'] });
  store.images.addName(img.id, `app@${img.manifest.digest}`);
  assert.deepEqual(lines(await store.images.remove('app:1')), [
    'Untagged: app:1',
    `Untagged: app@${img.manifest.digest}`,
    `Deleted: ${img.id}`,
    `Deleted: ${img.layers[0]!.chainId}`,
  ]);
});

test('rmi by ID with several names is a soft conflict; -f untags every name then deletes', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { names: ['b:2', 'a:1'] });
  await assert.rejects(store.images.remove(short(img.id)), (e: unknown) => {
    assert.ok(e instanceof ImageDeleteConflictError);
    assert.equal(e.message, `conflict: unable to delete ${short(img.id)} (must be forced) - image is referenced in multiple repositories`);
    return true;
  });
  assert.deepEqual(lines(await store.images.remove(short(img.id), { force: true })), [
    'Untagged: a:1',
    'Untagged: b:2',
    `Deleted: ${img.id}`,
    `Deleted: ${img.layers[0]!.chainId}`,
  ]);
});

test('rmi by ID with one tag untags and deletes', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { names: ['storeprobe/a:1'] });
  assert.deepEqual(lines(await store.images.remove(img.id.slice(7, 8))), ['Untagged: storeprobe/a:1', `Deleted: ${img.id}`, `Deleted: ${img.layers[0]!.chainId}`]);
});

test('a stopped container: the last tag needs force, the ID is a soft conflict, force deletes', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { names: ['storeprobe/a:1', 'storeprobe/b:2'] });
  const c = store.containers.create({ imageId: img.id, imageRef: 'storeprobe/a:1', state: 'exited' });
  assert.deepEqual(lines(await store.images.remove('storeprobe/b:2')), ['Untagged: storeprobe/b:2']);
  await assert.rejects(
    store.images.remove('storeprobe/a:1'),
    (e: unknown) =>
      e instanceof ReferenceInUseError &&
      e.message === `conflict: unable to remove repository reference "storeprobe/a:1" (must force) - container ${c.id.slice(0, 12)} is using its referenced image ${short(img.id)}`,
  );
  await assert.rejects(
    store.images.remove(short(img.id)),
    (e: unknown) =>
      e instanceof ImageDeleteConflictError &&
      e.message === `conflict: unable to delete ${short(img.id)} (must be forced) - image is being used by stopped container ${c.id.slice(0, 12)}`,
  );
  store.images.tag(img.id, 'storeprobe/b:2');
  await assert.rejects(store.images.remove(short(img.id)), /image is referenced in multiple repositories/);
  assert.deepEqual(lines(await store.images.remove(short(img.id), { force: true })), [
    'Untagged: storeprobe/a:1',
    'Untagged: storeprobe/b:2',
    `Deleted: ${img.id}`,
    `Deleted: ${img.layers[0]!.chainId}`,
  ]);
  assert.equal(store.containers.get(c.id).imageId, img.id, 'the container keeps naming the deleted image, as in docker');
});

test('a running container is a hard conflict even with force; a forced untag of its last name leaves it dangling', async (t) => {
  const store = open(t);
  const img = await putTestImage(store, { names: ['storeprobe/a:1', 'storeprobe/b:2'] });
  const c = store.containers.create({ imageId: img.id, imageRef: 'storeprobe/a:1', state: 'running' });
  const hard = `conflict: unable to delete ${short(img.id)} (cannot be forced) - image is being used by running container ${c.id.slice(0, 12)}`;
  await assert.rejects(store.images.remove(short(img.id), { force: true }), (e: unknown) => e instanceof ImageDeleteConflictError && e.hard && e.message === hard);
  assert.deepEqual(lines(await store.images.remove('storeprobe/b:2', { force: true })), ['Untagged: storeprobe/b:2']);
  assert.deepEqual(lines(await store.images.remove('storeprobe/a:1', { force: true })), ['Untagged: storeprobe/a:1']);
  const after = store.images.get(img.id);
  assert.equal(after.dangling, true);
  await assert.rejects(store.images.remove(img.id, { force: true }), (e: unknown) => e instanceof ImageDeleteConflictError && e.message === hard);
});

test('child images are a hard conflict; deleting the child prunes untagged parents unless noPrune', async (t) => {
  const store = open(t);
  const base = await putTestImage(store, { names: ['base:1'], seed: 'base', layers: [{ base: '1' }] });
  const mid = await putTestImage(store, { seed: 'mid', parent: base.id, layers: [{ base: '1' }, { mid: '1' }] });
  const top = await putTestImage(store, { names: ['top:1'], seed: 'top', parent: mid.id, layers: [{ base: '1' }, { mid: '1' }, { top: '1' }] });
  assert.equal(store.images.get(mid.id).children, 1);
  for (const force of [false, true]) {
    await assert.rejects(
      store.images.remove(mid.id, { force }),
      (e: unknown) => e instanceof ImageDeleteConflictError && e.message === `conflict: unable to delete ${short(mid.id)} (cannot be forced) - image has dependent child images`,
    );
  }
  // Dry run: the records, and nothing changes.
  const dry = await store.images.remove('top:1', { dryRun: true });
  assert.equal(store.images.resolve('top:1').id, top.id);
  const real = await store.images.remove('top:1');
  assert.deepEqual(real, dry);
  assert.deepEqual(lines(real), [
    'Untagged: top:1',
    `Deleted: ${top.id}`,
    `Deleted: ${top.layers[2]!.chainId}`,
    `Deleted: ${mid.id}`,
    `Deleted: ${mid.layers[1]!.chainId}`,
  ]);
  assert.equal(store.images.get(base.id).id, base.id, 'a tagged parent stays');

  const mid2 = await putTestImage(store, { seed: 'mid2', parent: base.id, layers: [{ base: '1' }, { m2: '1' }] });
  const top2 = await putTestImage(store, { names: ['top:2'], seed: 'top2', parent: mid2.id, layers: [{ base: '1' }, { m2: '1' }, { t2: '1' }] });
  assert.deepEqual(lines(await store.images.remove('top:2', { noPrune: true })), ['Untagged: top:2', `Deleted: ${top2.id}`, `Deleted: ${top2.layers[2]!.chainId}`]);
  assert.equal(store.images.get(mid2.id).dangling, true);
});

test('rmi of an unknown name or ID says No such image', async (t) => {
  const store = open(t);
  await assert.rejects(store.images.remove('nosuch'), (e: unknown) => e instanceof ImageNotFoundError && e.message === 'No such image: nosuch');
  await assert.rejects(store.images.remove('nosuch:tag'), (e: unknown) => e instanceof ImageNotFoundError && e.message === 'No such image: nosuch:tag');
});

test('prune removes dangling images only by default; -a removes every image without a container', async (t) => {
  const store = open(t);
  const named = await putTestImage(store, { names: ['keep:1'], seed: 'n' });
  const dangling = await putTestImage(store, { seed: 'd' });
  const used = await putTestImage(store, { names: ['used:1'], seed: 'u' });
  const usedDangling = await putTestImage(store, { seed: 'ud' });
  store.containers.create({ imageId: used.id, imageRef: 'used:1', state: 'exited' });
  store.containers.create({ imageId: usedDangling.id, imageRef: usedDangling.id, state: 'exited' });

  const r1 = await store.images.prune();
  assert.deepEqual(lines(r1.records), [`Deleted: ${dangling.id}`, `Deleted: ${dangling.layers[0]!.chainId}`]);
  assert.ok(r1.reclaimed > 0);
  const r2 = await store.images.prune({ all: true });
  assert.deepEqual(lines(r2.records), ['Untagged: keep:1', `Deleted: ${named.id}`, `Deleted: ${named.layers[0]!.chainId}`]);
  assert.deepEqual(
    store.images.list().map((i) => i.id).sort(),
    [used.id, usedDangling.id].sort(),
  );
  const r3 = await store.images.prune({ all: true });
  assert.deepEqual(r3, { records: [], reclaimed: 0 });
});

test('prune filters: until, label=, label!= and a caller predicate; dry run changes nothing', async (t) => {
  const store = open(t);
  const old = await putTestImage(store, { seed: 'old', created: '2019-01-01T00:00:00Z', labels: { keep: 'yes', team: 'a' } });
  const recent = await putTestImage(store, { seed: 'new', created: '2024-01-01T00:00:00Z', labels: { team: 'b' } });
  const until = Date.parse('2020-01-01T00:00:00Z');
  const ids = (r: { records: ImageDeleteRecord[] }): string[] => r.records.filter((x) => x.deleted?.startsWith('sha256:') === true && [old.id, recent.id].includes(x.deleted as never)).map((x) => x.deleted!);
  assert.deepEqual(ids(await store.images.prune({ until, dryRun: true })), [old.id]);
  assert.deepEqual(ids(await store.images.prune({ labels: [{ key: 'team', value: 'b' }], dryRun: true })), [recent.id]);
  assert.deepEqual(ids(await store.images.prune({ labels: [{ key: 'team' }], dryRun: true })).sort(), [old.id, recent.id].sort());
  assert.deepEqual(ids(await store.images.prune({ notLabels: [{ key: 'keep' }], dryRun: true })), [recent.id]);
  assert.deepEqual(ids(await store.images.prune({ predicate: (i) => i.id === old.id, dryRun: true })), [old.id]);
  const dry = await store.images.prune({ dryRun: true });
  assert.ok(dry.reclaimed > 0, 'a dry run estimates the bytes');
  assert.equal(store.images.list().length, 2);
  const real = await store.images.prune();
  assert.deepEqual(real.records, dry.records);
  assert.equal(store.images.list().length, 0);
});

test('prune -a removes a tagged chain children first, so parents go in the same pass', async (t) => {
  const store = open(t);
  const base = await putTestImage(store, { names: ['base:1'], seed: 'pb', layers: [{ a: '1' }] });
  const child = await putTestImage(store, { names: ['child:1'], seed: 'pc', parent: base.id, layers: [{ a: '1' }, { b: '1' }] });
  const r = await store.images.prune({ all: true });
  assert.deepEqual(lines(r.records), [
    'Untagged: child:1',
    `Deleted: ${child.id}`,
    `Deleted: ${child.layers[1]!.chainId}`,
    'Untagged: base:1',
    `Deleted: ${base.id}`,
    `Deleted: ${base.layers[0]!.chainId}`,
  ]);
});

test('list reports containers, children, dangling and parent for image ls', async (t) => {
  const store = open(t);
  const base = await putTestImage(store, { names: ['base:1'], seed: 'lb' });
  const child = await putTestImage(store, { seed: 'lc', parent: base.id });
  store.containers.create({ imageId: base.id, imageRef: 'base:1' });
  const byId = new Map(store.images.list().map((i) => [i.id, i]));
  assert.equal(byId.get(base.id)!.containers, 1);
  assert.equal(byId.get(base.id)!.children, 1);
  assert.equal(byId.get(child.id)!.parent, base.id);
  assert.equal(byId.get(child.id)!.dangling, true);
});

test('listing has what list has for image ls, in one query, newest first then by ID', async (t) => {
  const store = open(t);
  const base = await putTestImage(store, { names: ['base:1', 'base:0', 'localhost:5000/team/base:9'], seed: 'ls-b', labels: { env: 'test' }, layers: [{ a: '1' }, { b: '22' }] });
  const child = await putTestImage(store, { seed: 'ls-c', parent: base.id, created: '2021-06-01T00:00:00Z' });
  const digested = await putTestImage(store, { names: ['app:v1'], seed: 'ls-d', created: '2019-01-01T00:00:00Z' });
  store.images.addName(digested.id, `app@${digested.manifest.digest}`);
  store.images.addName(digested.id, `other/app@${digested.manifest.digest}`);
  const sameTime = await putTestImage(store, { names: ['same:1'], seed: 'ls-e', created: '2019-01-01T00:00:00Z' });
  store.containers.create({ imageId: base.id, imageRef: 'base:1' });
  store.containers.create({ imageId: base.id, imageRef: 'base:1' });
  // A layer whose uncompressed size is unknown counts with its stored size, as list's size does.
  store.db.write(() => store.db.sqlite.prepare('UPDATE layers SET uncompressed_size = NULL WHERE chain_id = ?').run(sameTime.layers[0]!.chainId));

  const records = store.images.list();
  const byId = new Map(records.map((r) => [r.id as string, r]));
  const listing = store.images.listing({ labels: true });
  assert.deepEqual(
    listing.map((e) => e.id),
    [...records].sort((a, b) => (b.createdMs ?? 0) - (a.createdMs ?? 0) || (a.id < b.id ? -1 : 1)).map((r) => r.id),
  );
  for (const e of listing) {
    const r = byId.get(e.id)!;
    assert.deepEqual(
      { ...e },
      {
        id: r.id,
        createdMs: r.createdMs,
        size: r.size,
        contentSize: r.manifest.size + r.config.size + r.layers.reduce((n, l) => n + l.size, 0),
        repoTags: r.repoTags,
        repoDigests: r.repoDigests,
        labels: r.labels,
        containers: r.containers,
        children: r.children,
      },
    );
  }
  const e = new Map(listing.map((x) => [x.id as string, x]));
  assert.deepEqual(e.get(base.id)!.repoTags, ['docker.io/library/base:0', 'docker.io/library/base:1', 'localhost:5000/team/base:9']);
  assert.deepEqual([e.get(base.id)!.containers, e.get(base.id)!.children], [2, 1]);
  assert.deepEqual(e.get(digested.id)!.repoDigests, [`docker.io/library/app@${digested.manifest.digest}`, `docker.io/other/app@${digested.manifest.digest}`]);
  assert.deepEqual(e.get(child.id)!.repoTags, []);
  assert.equal(e.get(sameTime.id)!.size, sameTime.layers[0]!.size);
  assert.deepEqual(store.images.listing().map((x) => x.labels), listing.map(() => ({})), 'labels are decoded only when asked for');
});

test('openExistingStore opens a root that has a store and creates nothing where none was made', async (t) => {
  const root = tempDir(t);
  const absent = join(root, 'never-made');
  assert.equal(openExistingStore({ root: absent }), undefined);
  assert.equal(existsSync(absent), false);
  assert.equal(openExistingStore({ root }), undefined); // the directory alone is no store
  assert.deepEqual(readdirSync(root), []);
  const made = openStore({ root });
  const img = await putTestImage(made, { names: ['x:1'], seed: 'existing' });
  made.close();
  const store = openExistingStore({ root });
  assert.ok(store !== undefined);
  try {
    assert.equal(store.images.resolve('x:1').id, img.id);
  } finally {
    store.close();
  }
});
