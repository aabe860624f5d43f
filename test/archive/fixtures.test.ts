/**
 * `image load` against go-containerregistry's real archives and layouts
 * (../shared/conformance/go-containerregistry, fixtures.json lists upstream's expectations): every
 * case loads or fails as upstream says, and a failed load leaves the store as it was.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadArchive, loadDirectory, type LoadOptions, type LoadedImage } from '../../src/archive/index.js';
import { applyLayer, decompress, readTar } from '../../src/layer/index.js';
import { openStore, readBlob, checkStore, type Store } from '../../src/store/index.js';
import type { Digest } from '../../src/oci/index.js';
import { assertOciValid, ociSchemasAvailable } from '../helpers/oci-schema.js';
import { conformancePath, tempDir } from '../helpers/paths.js';

const base = conformancePath('go-containerregistry');
const tarball = (name: string): string => join(base ?? '', 'pkg/v1/tarball/testdata', name);
const mutate = (name: string): string => join(base ?? '', 'pkg/v1/mutate/testdata', name);
const layout = (name: string): string => join(base ?? '', 'pkg/v1/layout/testdata', name);

function skipWithout(t: TestContext): boolean {
  if (base === undefined) {
    t.skip('../shared/conformance/go-containerregistry is absent');
    return true;
  }
  return false;
}

function freshStore(t: TestContext): Store {
  const store = openStore({ root: tempDir(t) });
  t.after(() => store.close());
  return store;
}

async function loadFile(store: Store, path: string, options: LoadOptions = {}): Promise<LoadedImage[]> {
  return loadArchive(store, createReadStream(path), options);
}

/** The store has no images and no names, and passes its consistency check. */
async function assertUntouched(store: Store): Promise<void> {
  assert.deepEqual(store.images.list(), []);
  const report = await checkStore(store, { verify: true });
  assert.deepEqual(report.problems, []);
}

/** Every document of a loaded image is readable, valid, and the store is consistent. */
async function assertLoadedValid(store: Store, loaded: LoadedImage[]): Promise<void> {
  for (const { record } of loaded) {
    const manifest = await readBlob(store.content, record.manifest);
    const config = await readBlob(store.content, record.config);
    if (ociSchemasAvailable()) {
      assertOciValid(record.manifest.mediaType, manifest, `manifest of ${record.id}`);
      assertOciValid(record.config.mediaType, config, `config of ${record.id}`);
    }
  }
  const report = await checkStore(store, { verify: true });
  assert.deepEqual(report.problems, []);
}

test('test_image_1.tar (docker save, legacy <id>/layer.tar) loads with its tag: 1 layer, 1 history entry', async (t) => {
  if (skipWithout(t)) return;
  const store = freshStore(t);
  const loaded = await loadFile(store, tarball('test_image_1.tar'));
  assert.equal(loaded.length, 1);
  const { record, names } = loaded[0] as LoadedImage;
  assert.deepEqual(names, ['bazel/v1/tarball:test_image_1']);
  assert.equal(record.id, 'sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e');
  assert.equal(record.layers.length, 1);
  const config = JSON.parse(Buffer.from(await readBlob(store.content, record.config)).toString()) as { history?: unknown[] };
  assert.equal(config.history?.length, 1);
  assert.deepEqual(store.images.resolve('bazel/v1/tarball:test_image_1').id, record.id);
  await assertLoadedValid(store, loaded);
});

test('test_image_2.tar and test_load_manifest.tar load', async (t) => {
  if (skipWithout(t)) return;
  const store = freshStore(t);
  const a = await loadFile(store, tarball('test_image_2.tar'));
  assert.equal(a[0]?.record.id, 'sha256:930705ce23e3b6ed4c08746b6fe880089c864fbaf62482702ae3fdd66b8c7fe9');
  const b = await loadFile(store, tarball('test_load_manifest.tar'));
  assert.equal(b.length, 1);
  await assertLoadedValid(store, [...a, ...b]);
});

test('test_bundle.tar: two images; loading one without a tag is ambiguous and leaves nothing', async (t) => {
  if (skipWithout(t)) return;
  const store = freshStore(t);
  await assert.rejects(loadFile(store, tarball('test_bundle.tar'), { single: true }), (err: Error & { code?: string }) => err.code === 'ERR_ARCHIVE_AMBIGUOUS');
  await assertUntouched(store);
});

test('test_bundle.tar: each image loads by tag, after docker.io/library normalization and the latest default', async (t) => {
  if (skipWithout(t)) return;
  const ids: Record<string, Digest> = {
    test_image_1: 'sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e' as Digest,
    test_image_2: 'sha256:930705ce23e3b6ed4c08746b6fe880089c864fbaf62482702ae3fdd66b8c7fe9' as Digest,
  };
  for (const [tag, want] of [
    ['test_image_1', ids.test_image_1],
    ['test_image_2', ids.test_image_2],
    ['test_image_1:latest', ids.test_image_1],
    ['test_image_2:latest', ids.test_image_2],
    ['index.docker.io/library/test_image_1:latest', ids.test_image_1],
  ] as const) {
    const store = freshStore(t);
    const loaded = await loadFile(store, tarball('test_bundle.tar'), { tag, single: true });
    assert.equal(loaded.length, 1, tag);
    assert.equal(loaded[0]?.record.id, want, tag);
    assert.equal(store.images.list().length, 1, tag);
    await assertLoadedValid(store, loaded);
  }
  const store = freshStore(t);
  await assert.rejects(loadFile(store, tarball('test_bundle.tar'), { tag: 'test_image_3' }), (err: Error & { code?: string }) => err.code === 'ERR_ARCHIVE_NO_SUCH_TAG');
  await assertUntouched(store);
});

test('test_bundle.tar: image load (every image) prints both, in manifest.json order', async (t) => {
  if (skipWithout(t)) return;
  const store = freshStore(t);
  const loaded = await loadFile(store, tarball('test_bundle.tar'));
  assert.deepEqual(
    loaded.map((l) => l.names),
    [['test_image_2:latest'], ['test_image_1:latest']],
  );
  await assertLoadedValid(store, loaded);
});

test('null_manifest.tar (manifest.json is null) and no_manifest.tar (pre-1.10 save) fail and leave nothing', async (t) => {
  if (skipWithout(t)) return;
  const store = freshStore(t);
  await assert.rejects(loadFile(store, tarball('null_manifest.tar')), /manifest\.json.*must be a list of images, not null/);
  await assert.rejects(loadFile(store, tarball('no_manifest.tar')), /neither manifest\.json .* nor oci-layout/);
  await assertUntouched(store);
});

test('hello-world-v25.tar (Docker 25 OCI-in-tar with manifest.json into blobs/) loads untagged and validates', async (t) => {
  if (skipWithout(t)) return;
  const store = freshStore(t);
  const loaded = await loadFile(store, tarball('hello-world-v25.tar'));
  assert.equal(loaded.length, 1);
  const { record, names } = loaded[0] as LoadedImage;
  assert.deepEqual(names, []);
  assert.equal(record.id, 'sha256:ee301c921b8aadc002973b2e0c3da17d701dcd994b606769a7e6eaa100b81d44');
  assert.deepEqual(
    record.layers.map((l) => [l.digest, l.diffId]),
    [['sha256:12660636fe55438cc3ae7424da7ac56e845cdb52493ff9cf949c47a7f57f8b43', 'sha256:12660636fe55438cc3ae7424da7ac56e845cdb52493ff9cf949c47a7f57f8b43']],
  );
  assert.equal(record.dangling, true);
  await assertLoadedValid(store, loaded);
});

test('test_link.tar: a layer.tar stored as a link is followed; its content is the real layer', async (t) => {
  if (skipWithout(t)) return;
  const store = freshStore(t);
  const loaded = await loadFile(store, tarball('test_link.tar'), { tag: 'bazel/v1/tarball:test_image_3' });
  const { record } = loaded[0] as LoadedImage;
  const layer = record.layers.find((l) => l.diffId === 'sha256:8897395fd26dc44ad0e2a834335b33198cb41ac4d98dfddf58eced3853fa7b17');
  assert.ok(layer !== undefined, 'the linked layer is in the image');
  const bytes = await readBlob(store.content, { digest: layer.digest, size: layer.size });
  assert.ok(bytes.length > 0);
  const { stream } = await decompress((async function* () { yield bytes; })());
  let entries = 0;
  for await (const e of readTar(stream)) {
    entries++;
    await e.skip();
  }
  assert.ok(entries > 0, 'the layer holds tar entries, not a link');
  await assertLoadedValid(store, loaded);
});

/** Flattens a loaded image's layers into `dir`. */
async function flatten(store: Store, loaded: LoadedImage, dir: string): Promise<void> {
  for (const l of loaded.record.layers) {
    const bytes = await readBlob(store.content, { digest: l.digest, size: l.size });
    await applyLayer((async function* () { yield bytes; })(), dir, { mode: 'flatten' });
  }
}

test('mutate fixtures: whiteouts and overwritten files flatten as upstream expects', async (t) => {
  if (skipWithout(t)) return;
  const store = freshStore(t);
  const [wf] = await loadFile(store, mutate('whiteout_image.tar'));
  const d1 = tempDir(t);
  await flatten(store, wf as LoadedImage, d1);
  assert.equal(existsSync(join(d1, 'foo.txt')), false, 'foo.txt is whited out');

  const [wd] = await loadFile(store, mutate('whiteout_dir.tar'));
  const d2 = tempDir(t);
  await flatten(store, wd as LoadedImage, d2);
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [e.name, ...walk(join(d, e.name))] : [e.name]));
  assert.equal(walk(d2).includes('foo'), false, 'no entry named foo after the whiteout of a/');

  const [ow] = await loadFile(store, mutate('overwritten_file.tar'));
  const d3 = tempDir(t);
  await flatten(store, ow as LoadedImage, d3);
  assert.notEqual(readFileSync(join(d3, 'foo.txt'), 'utf8'), 'foo');

  const [eh] = await loadFile(store, mutate('source_image_with_empty_layer_history.tar'));
  const config = JSON.parse(Buffer.from(await readBlob(store.content, (eh as LoadedImage).record.config)).toString()) as { history: { empty_layer?: boolean }[] };
  assert.equal(config.history.filter((h) => h.empty_layer !== true).length, (eh as LoadedImage).record.layers.length);
  await loadFile(store, mutate('source_image.tar'));
  await assertLoadedValid(store, [wf, wd, ow, eh] as LoadedImage[]);
});

test('layout test_index (directory): the image manifest and the nested indexes resolve to one image', async (t) => {
  if (skipWithout(t)) return;
  const store = freshStore(t);
  const loaded = await loadDirectory(store, layout('test_index'));
  assert.equal(loaded.length, 1);
  const { record } = loaded[0] as LoadedImage;
  assert.equal(record.manifest.digest, 'sha256:eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650');
  assert.equal(record.id, 'sha256:6e0b05049ed9c17d02e1a55e80d6599dbfcce7f4f4b022e3c673e685789c470e');
  // ref.name "1" … "4" are bare tags: they name no repository, so the image stays untagged.
  assert.deepEqual(loaded[0]?.names, []);
  await assertLoadedValid(store, loaded);
});

test('layout test_index as a tar and as a gzip-compressed tar loads the same image', async (t) => {
  if (skipWithout(t)) return;
  const dir = tempDir(t);
  const plain = join(dir, 'layout.tar');
  execFileSync('tar', ['-C', layout('test_index'), '-cf', plain, '.']);
  execFileSync('sh', ['-c', `gzip -c '${plain}' > '${plain}.gz'`]);
  for (const file of [plain, `${plain}.gz`]) {
    const store = freshStore(t);
    const loaded = await loadFile(store, file);
    assert.equal(loaded[0]?.record.manifest.digest, 'sha256:eebff607b1628d67459b0596643fc07de70d702eccf030f0bc7bb6fc2b278650', file);
    await assertLoadedValid(store, loaded);
  }
});

test('layout with a missing blob (deadbeef…) fails and leaves nothing', async (t) => {
  if (skipWithout(t)) return;
  const dir = join(tempDir(t), 'layout');
  cpSync(layout('test_index'), dir, { recursive: true });
  const missing = `sha256:${'deadbeef'.repeat(8)}`;
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 423, digest: missing }] }));
  const store = freshStore(t);
  await assert.rejects(loadDirectory(store, dir), /no file "blobs\/sha256\/deadbeef/);
  await assertUntouched(store);
});

test('layout test_gc_index loads its one image and not the unreferenced blob', async (t) => {
  if (skipWithout(t)) return;
  const store = freshStore(t);
  const loaded = await loadDirectory(store, layout('test_gc_index'));
  assert.equal(loaded.length, 1);
  await assertLoadedValid(store, loaded);
  await assert.rejects(store.content.info('sha256:492b89b9dd3cda4596f94916d17f6901455fb8bd7f4c5a2a90df8d39c90f48a0' as Digest));
  const one = freshStore(t);
  assert.equal((await loadDirectory(one, layout('test_index_one_image'))).length, 1);
});

test('layouts with no container image (a Helm chart; a bare descriptor entry) are refused with nothing left', async (t) => {
  if (skipWithout(t)) return;
  for (const name of ['test_index_media_type', 'test_gc_image_unknown_mediatype']) {
    const store = freshStore(t);
    await assert.rejects(loadDirectory(store, layout(name)), /lists no container image/, name);
    await assertUntouched(store);
  }
});

test('corrupt archives: a blob that does not match its name, a truncated tar, a bad diffID: one error, nothing loaded', async (t) => {
  if (skipWithout(t)) return;
  const dir = tempDir(t);
  const src = join(dir, 'v25');
  mkdirSync(src);
  execFileSync('tar', ['-C', src, '-xf', tarball('hello-world-v25.tar')]);
  // 1. the config's bytes changed: its name no longer matches
  const cfg = join(src, 'blobs/sha256/ee301c921b8aadc002973b2e0c3da17d701dcd994b606769a7e6eaa100b81d44');
  const original = readFileSync(cfg);
  writeFileSync(cfg, Buffer.concat([original.subarray(0, original.length - 2), Buffer.from(' }')]));
  const bad = join(dir, 'bad.tar');
  execFileSync('tar', ['-C', src, '-cf', bad, '.']);
  const store = freshStore(t);
  await assert.rejects(loadFile(store, bad), /does not match its digest/);
  await assertUntouched(store);
  writeFileSync(cfg, original);
  // 2. truncated in the middle of a blob
  const good = join(dir, 'good.tar');
  execFileSync('tar', ['-C', src, '-cf', good, '.']);
  const bytes = readFileSync(good);
  const cut = join(dir, 'cut.tar');
  writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(loadFile(store, cut), (err: Error) => /truncated|end/i.test(err.message));
  await assertUntouched(store);
  // 3. the layer is not the one the config names
  const layerPath = join(src, 'blobs/sha256/12660636fe55438cc3ae7424da7ac56e845cdb52493ff9cf949c47a7f57f8b43');
  const other = join(dir, 'other.tar');
  execFileSync('tar', ['-C', dir, '-cf', other, 'good.tar']);
  const manifest = JSON.parse(readFileSync(join(src, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
  (manifest[0] as { Layers: string[] }).Layers = ['other.tar'];
  writeFileSync(join(src, 'manifest.json'), JSON.stringify(manifest));
  cpSync(other, join(src, 'other.tar'));
  const swapped = join(dir, 'swapped.tar');
  execFileSync('tar', ['-C', src, '-cf', swapped, '.']);
  await assert.rejects(loadFile(store, swapped), /has diffID .* the config says/);
  await assertUntouched(store);
  assert.ok(existsSync(layerPath));
});
