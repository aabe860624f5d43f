/**
 * Layers gantry builds are stored uncompressed and gzip'd when pushed (ARCHITECTURE.md "Layers").
 * Against gantry's own registry and distribution's: build on a gzip base → push (the manifest the
 * registry serves names gzip layers, its digest is what push printed and the image's RepoDigest) →
 * a second push uploads nothing → a push to a sibling repository mounts → a fresh store pulls it
 * and runs a container from it.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { digestOf, MediaType, type Manifest } from '../../src/oci/index.js';
import { openStore, readBlob } from '../../src/store/index.js';
import { busyboxStore } from '../helpers/busybox-image.js';
import { runGantry } from '../helpers/cli.js';
import { haveBusybox } from '../helpers/fixtures.js';
import { assertOciValid, ociSchemasAvailable } from '../helpers/oci-schema.js';
import { tempDir } from '../helpers/paths.js';
import { runtimeSkipReason } from '../runtime/harness.js';
import { startDistribution } from './distribution.js';
import { serve } from './serve.js';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const skip = !haveBusybox() ? 'busybox-static missing' : (runtimeSkipReason() ?? false);

async function manifestOf(host: string, repo: string, tag: string): Promise<{ bytes: Buffer; manifest: Manifest }> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { headers: { accept: `${MediaType.OciManifest}, ${MediaType.DockerManifest}` } });
  assert.equal(res.status, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  return { bytes, manifest: JSON.parse(bytes.toString('utf8')) as Manifest };
}

async function blobOf(host: string, repo: string, digest: string): Promise<Buffer> {
  const res = await fetch(`http://${host}/v2/${repo}/blobs/${digest}`);
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

async function roundTrip(t: TestContext, host: string, uploads: () => number | undefined): Promise<void> {
  const dir = tempDir(t, 'gantry-pushgz-');
  const env = { GANTRY_ROOT: join(dir, 'root'), DOCKER_CONFIG: join(dir, 'docker'), GANTRY_CONFIG: join(dir, 'none.json') };
  const baseLayer = (await busyboxStore(env.GANTRY_ROOT)).layers[0]!;
  const ctx = join(dir, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'hello.txt'), 'copied in\n');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY hello.txt /etc/hello.txt\nRUN echo built > /etc/built\n');
  const image = `${host}/pc/app:1`;
  const built = await runGantry(['build', '-q', '-t', image, ctx], env);
  assert.equal(built.status, 0, built.stderr);

  // As stored: the pulled-style base gzip'd, the two built layers uncompressed (digest = diffID).
  const store = openStore({ root: env.GANTRY_ROOT });
  let local;
  try {
    local = store.images.resolve(image);
  } finally {
    store.close();
  }
  assert.equal(local.layers.length, 3);
  assert.equal(local.layers[0]!.mediaType, MediaType.OciLayerGzip);
  for (const l of local.layers.slice(1)) {
    assert.equal(l.mediaType, MediaType.OciLayer);
    assert.equal(l.digest, l.diffId);
  }

  const pushed = await runGantry(['push', '--tls-verify=false', image], env);
  assert.equal(pushed.status, 0, pushed.stderr);
  const m = /^1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/m.exec(pushed.stdout);
  assert.ok(m !== null, pushed.stdout);
  const served = await manifestOf(host, 'pc/app', '1');
  assert.equal(digestOf(served.bytes), m[1], 'push prints the digest the registry serves');
  assert.equal(served.bytes.length, Number(m[2]));
  if (ociSchemasAvailable()) assertOciValid(MediaType.OciManifest, served.bytes);
  assert.equal(served.manifest.config.digest, local.id);
  assert.deepEqual(served.manifest.layers[0], { mediaType: baseLayer.mediaType, digest: baseLayer.digest, size: baseLayer.size }, 'a gzip layer goes as stored');
  for (const [i, l] of served.manifest.layers.entries()) {
    assert.equal(l.mediaType, MediaType.OciLayerGzip);
    const blob = await blobOf(host, 'pc/app', l.digest);
    assert.equal(blob.length, l.size);
    assert.equal(digestOf(gunzipSync(blob)), local.layers[i]!.diffId, `layer ${i} is the gzip of the stored tar`);
  }
  const inspect = await runGantry(['image', 'inspect', '--format', '{{json .RepoDigests}}', image], env);
  assert.equal(inspect.stdout.trim(), JSON.stringify([`${host}/pc/app@${m[1]}`]));

  // Again: the registry has every blob (the compressed digests are remembered), nothing is uploaded.
  const before = uploads();
  const again = await runGantry(['push', '--tls-verify=false', image], env);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, new RegExp(`^1: digest: ${m[1]} size: ${m[2]}$`, 'm'), 'the same layer gives the same compressed digest');
  assert.equal((again.stdout.match(/Layer already exists/g) ?? []).length, 3, again.stdout);
  if (before !== undefined) assert.equal(uploads(), before, 'no upload session was opened');

  // Another repository of the same registry: the built layers are mounted, not uploaded.
  const sibling = `${host}/pc/sibling:1`;
  assert.equal((await runGantry(['tag', image, sibling], env)).status, 0);
  const mounted = await runGantry(['push', '--tls-verify=false', sibling], env);
  assert.equal(mounted.status, 0, mounted.stderr);
  assert.equal((mounted.stdout.match(/Mounted from pc\/app/g) ?? []).length, 3, mounted.stdout);
  assert.match(mounted.stdout, new RegExp(`^1: digest: ${m[1]} `, 'm'));

  // A fresh store pulls what was pushed and runs it.
  const fresh = { ...env, GANTRY_ROOT: join(dir, 'fresh') };
  const pulled = await runGantry(['pull', '-q', '--tls-verify=false', image], fresh);
  assert.equal(pulled.status, 0, pulled.stderr);
  const run = await runGantry(['run', '--rm', image, 'cat', '/etc/hello.txt', '/etc/built'], fresh);
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, 'copied in\nbuilt\n');
  const id = await runGantry(['image', 'inspect', '--format', '{{.Id}} {{json .RepoDigests}}', image], fresh);
  assert.equal(id.stdout.trim(), `${local.id} ${JSON.stringify([`${host}/pc/app@${m[1]}`])}`);
}

test('gantry registry serve: a built image is pushed with gzip layers; a second push uploads nothing; a sibling repository mounts; a fresh store pulls and runs it', { skip }, async (t) => {
  const s = await serve(t);
  const host = new URL(s.url).host;
  await roundTrip(t, host, () => (s.log().match(/method=POST path=\/v2\/pc\/app\/blobs\/uploads/g) ?? []).length);
});

test("distribution's registry: the same round trip", { skip: skip || (have('docker-registry') ? false : 'docker-registry missing') }, async (t) => {
  const reg = await startDistribution(t);
  await roundTrip(t, reg.host, () => undefined);
});

test('two stores that build the same layer push the same compressed digest for it (deterministic gzip)', { skip }, async (t) => {
  const s = await serve(t);
  const host = new URL(s.url).host;
  const dir = tempDir(t, 'gantry-pushgz2-');
  const layers: unknown[] = [];
  for (const name of ['a', 'b']) {
    // SOURCE_DATE_EPOCH clamps the copied file's mtime: the two uncompressed layers are byte-identical.
    const env = { GANTRY_ROOT: join(dir, name), DOCKER_CONFIG: join(dir, 'docker'), GANTRY_CONFIG: join(dir, 'none.json'), SOURCE_DATE_EPOCH: '0' };
    await busyboxStore(env.GANTRY_ROOT);
    const ctx = join(dir, `ctx-${name}`);
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'data.txt'), 'the same bytes\n'.repeat(5000));
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY data.txt /data.txt\n');
    const built = await runGantry(['build', '-q', '-t', `${host}/det/${name}:1`, ctx], env);
    assert.equal(built.status, 0, built.stderr);
    const pushed = await runGantry(['push', '-q', '--tls-verify=false', `${host}/det/${name}:1`], env);
    assert.equal(pushed.status, 0, pushed.stderr);
    const st2 = openStore({ root: env.GANTRY_ROOT });
    try {
      const rec = st2.images.resolve(`${host}/det/${name}:1`);
      assert.equal(rec.repoDigests.length, 1);
      const stored = JSON.parse((await readBlob(st2.content, rec.manifest)).toString()) as Manifest;
      assert.equal(stored.layers[1]!.mediaType, MediaType.OciLayer, 'the stored manifest is unchanged by the push');
    } finally {
      st2.close();
    }
    layers.push((await manifestOf(host, `det/${name}`, '1')).manifest.layers);
  }
  assert.deepEqual(layers[0], layers[1]);
});
