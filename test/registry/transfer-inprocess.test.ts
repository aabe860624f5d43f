/**
 * pushImage and pullImage in process against gantry's registry server: chunked uploads (PATCH with
 * Content-Range) when a blob is over the monolithic limit, the round trip of an image between two
 * stores, and the progress events a renderer gets.
 */
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { tempDir } from '../helpers/paths.js';
import { serve } from './serve.js';
import { ociManifest, putImage } from './images.js';
import { openStore } from '../../src/store/index.js';
import { digestOf, MediaType } from '../../src/oci/index.js';
import { parseNormalizedNamed } from '../../src/oci/reference.js';
import { RegistryClient, pullImage, pushImage, listTags } from '../../src/registry/client/index.js';
import type { ProgressEvent } from '../../src/progress.js';

const config = { insecureRegistries: [], registryMirrors: [], maxConcurrentDownloads: 3, maxConcurrentUploads: 5, maxDownloadAttempts: 3 };

test('a blob over the monolithic limit is pushed in PATCH chunks and pulls back byte for byte into another store', async (t) => {
  const served = await serve(t);
  const host = new URL(served.url).host;
  const dir = tempDir(t, 'gantry-xfer-');
  const layer = gzipSync(randomBytes(300_000), { level: 0 });
  const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf(randomBytes(8))] } }));
  const manifest = ociManifest(cfg, [layer]);
  const src = openStore({ root: join(dir, 'src') });
  t.after(() => src.close());
  const image = await putImage(src, manifest, [layer, cfg], [`${host}/c/d:1`]);
  const client = await RegistryClient.create({ env: { DOCKER_CONFIG: join(dir, 'docker') }, config });
  const ref = parseNormalizedNamed(`${host}/c/d:1`);
  const events: ProgressEvent[] = [];
  const pushed = await pushImage(ref, { store: src, session: client.session(host), image, monolithicMax: 100_000, chunkSize: 64_000, progress: { emit: (e) => events.push(e) } });
  assert.equal(pushed.digest, digestOf(manifest));
  assert.deepEqual(pushed.blobs.map((b) => b.state), ['pushed', 'pushed']);
  // The chunked upload shows in the server's request log as PATCHes.
  assert.ok((served.log().match(/PATCH /g) ?? []).length >= 5, served.log().slice(0, 2000));
  const phases = events.flatMap((e) => (e.type === 'status' ? [e.status.name] : []));
  assert.equal(phases[0], 'Preparing');
  assert.equal(phases[phases.length - 1], 'Pushed');

  const dst = openStore({ root: join(dir, 'dst') });
  t.after(() => dst.close());
  const pulled = await pullImage(ref, { store: dst, session: client.session(host) });
  assert.equal(pulled.imageId, digestOf(cfg));
  assert.equal(pulled.upToDate, false);
  assert.deepEqual(Buffer.from(await readAll(dst, digestOf(layer))), layer);
  assert.deepEqual(await listTags(client.session(host), 'c/d'), ['1']);
  const again = await pullImage(ref, { store: dst, session: client.session(host) });
  assert.equal(again.upToDate, true);
});

async function readAll(store: ReturnType<typeof openStore>, digest: ReturnType<typeof digestOf>): Promise<Uint8Array> {
  const r = await store.content.reader({ digest });
  try {
    return await r.readAt(0, r.size);
  } finally {
    await r.close();
  }
}

test('an index resolves to the platform asked for (default: this machine), and the repo digest names the index', async (t) => {
  const served = await serve(t);
  const host = new URL(served.url).host;
  const dir = tempDir(t, 'gantry-xfer-');
  const { hostPlatform, only, parsePlatform } = await import('../../src/oci/platform.js');
  const { pushBlob: putBlob, pushManifest } = await import('./serve.js');
  const here = hostPlatform();
  const other = here.architecture === 'arm64' ? { os: 'linux', architecture: 'amd64' } : { os: 'linux', architecture: 'arm64', variant: 'v8' };
  const entries = [];
  const configs: Record<string, string> = {};
  for (const p of [other, here]) {
    const layer = gzipSync(Buffer.from(`layer for ${p.architecture}`));
    const cfg = Buffer.from(JSON.stringify({ architecture: p.architecture, os: p.os, rootfs: { type: 'layers', diff_ids: [digestOf(randomBytes(8))] } }));
    await putBlob(served.url, 'multi/app', layer);
    await putBlob(served.url, 'multi/app', cfg);
    const m = ociManifest(cfg, [layer]).toString('utf8');
    assert.equal((await pushManifest(served.url, 'multi/app', digestOf(m), m)).status, 201);
    entries.push({ mediaType: MediaType.OciManifest, digest: digestOf(m), size: Buffer.byteLength(m), platform: p });
    configs[p.architecture] = digestOf(cfg);
  }
  const index = JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: entries });
  assert.equal((await pushManifest(served.url, 'multi/app', 'v1', index, MediaType.OciIndex)).status, 201);
  const client = await RegistryClient.create({ env: { DOCKER_CONFIG: join(dir, 'docker') }, config });
  const ref = parseNormalizedNamed(`${host}/multi/app:v1`);
  const store = openStore({ root: join(dir, 'root') });
  t.after(() => store.close());
  const mine = await pullImage(ref, { store, session: client.session(host) });
  assert.equal(mine.imageId, configs[here.architecture]);
  assert.equal(mine.digest, digestOf(index));
  assert.deepEqual(store.images.get(mine.imageId).repoDigests, [`${host}/multi/app@${digestOf(index)}`]);
  const want = parsePlatform(`${other.os}/${other.architecture}`);
  const theirs = await pullImage(ref, { store, session: client.session(host), platform: only(want) });
  assert.equal(theirs.imageId, configs[other.architecture]);
  await assert.rejects(pullImage(ref, { store, session: client.session(host), platform: only(parsePlatform('windows/amd64')) }), /no matching manifest/);
});

test('many layers pulled three at a time over kept-alive connections all arrive intact, sizes from empty to several MiB', async (t) => {
  const served = await serve(t);
  const host = new URL(served.url).host;
  const dir = tempDir(t, 'gantry-xfer-');
  const sizes = [0, 1, 4095, 65_536, 65_537, 1 << 20, (1 << 20) + 1, 3 * (1 << 20) + 12_345, 200, 70_000, 5 * (1 << 20), 17];
  const layers = sizes.map((n) => randomBytes(n));
  const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => digestOf(l)) } }));
  const manifest = ociManifest(cfg, layers, MediaType.OciLayer);
  const src = openStore({ root: join(dir, 'src') });
  t.after(() => src.close());
  const image = await putImage(src, manifest, [...layers, cfg], [`${host}/many/layers:1`]);
  const client = await RegistryClient.create({ env: { DOCKER_CONFIG: join(dir, 'docker') }, config });
  const ref = parseNormalizedNamed(`${host}/many/layers:1`);
  await pushImage(ref, { store: src, session: client.session(host), image });
  const dst = openStore({ root: join(dir, 'dst') });
  t.after(() => dst.close());
  const blobGets = (): number => (served.log().match(/method=GET path=\/v2\/many\/layers\/blobs\//g) ?? []).length;
  const before = blobGets();
  const pulled = await pullImage(ref, { store: dst, session: client.session(host), concurrency: 3 });
  assert.equal(pulled.imageId, digestOf(cfg));
  // Uncompressed layers are pushed gzip'd (as gantry pushes the layers it made): what came back
  // is their gzip, under the compressed digests the pushed manifest names.
  const got = dst.images.get(pulled.imageId).layers;
  assert.equal(got.length, layers.length);
  for (const [i, l] of layers.entries()) {
    assert.equal(got[i]!.mediaType, MediaType.OciLayerGzip);
    assert.ok(gunzipSync(await readAll(dst, got[i]!.digest)).equals(l), `layer of ${l.length} bytes`);
  }
  // The server logs each request when it ends; its log reaches us through a pipe, a little later.
  for (let i = 0; i < 50 && blobGets() - before < layers.length + 1; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(blobGets() - before, layers.length + 1, 'one GET per blob (config included), none retried');
});
