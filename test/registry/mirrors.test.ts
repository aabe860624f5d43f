/**
 * Registry mirrors for docker.io from the config file (`registry-mirrors`), with local registries
 * (gantry's server in-process) as mirrors: a docker.io pull goes to the first mirror that has the
 * image, in the configured order, skipping one that does not answer and one that lacks the image;
 * when every mirror fails it falls back to docker.io itself, whose error is the one reported (this
 * machine and CI may be offline: then docker.io's is a dial error naming registry-1.docker.io).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { startRegistry, MemoryDriver } from '../../src/registry/server/index.js';
import { openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/paths.js';
import { freePort } from '../helpers/net.js';
import { tarOf } from '../helpers/store-images.js';
import { pushBlob, pushManifest, sha256 } from './serve.js';
import { runGantry } from '../helpers/cli.js';

/** A registry whose request log is kept as `GET /v2/…` lines, to see which mirror was asked what. */
async function logged(): Promise<{ url: string; host: string; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _e, cb) {
      for (const line of chunk.toString().split('\n')) {
        const m = /method=(\S+).*path=(\S+)/.exec(line);
        if (m) requests.push(`${m[1]} ${m[2]}`);
      }
      cb();
    },
  });
  const reg = await startRegistry({ driver: new MemoryDriver(), addr: '127.0.0.1:0', logStream });
  return { url: reg.url, host: new URL(reg.url).host, requests, close: () => reg.close() };
}

/** Puts a one-file image under `library/<repo>:latest` as docker.io would name it. */
async function putImage(base: string, repo: string, text: string): Promise<string> {
  const name = `library/${repo}`;
  const tar = tarOf({ 'etc/mirror.txt': text });
  const layer = gzipSync(tar);
  const config = JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: [sha256(tar)] } });
  await pushBlob(base, name, layer);
  await pushBlob(base, name, config);
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: Buffer.byteLength(config) },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: sha256(layer), size: layer.length }],
  });
  const r = await pushManifest(base, name, 'latest', manifest);
  assert.equal(r.status, 201);
  return sha256(manifest);
}


function setup(dir: string, mirrors: string[]): Record<string, string> {
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ 'registry-mirrors': mirrors, 'max-download-attempts': 1 }));
  writeFileSync(join(dir, 'docker.json'), '{}');
  return { GANTRY_ROOT: join(dir, 'root'), GANTRY_CONFIG: join(dir, 'config.json'), DOCKER_CONFIG: dir };
}

const manifestGets = (requests: string[], repo: string): number => requests.filter((r) => r === `GET /v2/library/${repo}/manifests/latest`).length;

test('docker.io pulls go to the mirrors in order: a dead one and one without the image are skipped, the next one serves', async (t) => {
  const empty = await logged();
  t.after(() => empty.close());
  const good = await logged();
  t.after(() => good.close());
  const spare = await logged();
  t.after(() => spare.close());
  const digest = await putImage(good.url, 'busybox', 'from the second mirror\n');
  await putImage(spare.url, 'busybox', 'from the third mirror\n');
  const dead = `http://127.0.0.1:${await freePort()}`;
  const dir = tempDir(t);
  const env = setup(dir, [dead, empty.url, good.url, spare.url]);
  for (const reg of [good, spare]) reg.requests.length = 0; // forget the set-up pushes

  const r = await runGantry(['pull', 'busybox'], env);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`^Digest: ${digest}$`, 'm'));
  assert.match(r.stdout, /^Status: Downloaded newer image for busybox:latest$/m);
  assert.match(r.stdout, /^docker\.io\/library\/busybox:latest$/m);
  assert.equal(manifestGets(empty.requests, 'busybox'), 1, 'the mirror without the image was asked first');
  assert.equal(manifestGets(good.requests, 'busybox'), 1);
  assert.equal(spare.requests.length, 0, 'a mirror after the one that served is never asked');

  const store = openStore({ root: env.GANTRY_ROOT! });
  try {
    const img = store.images.resolve('busybox');
    assert.deepEqual(img.repoDigests, [`docker.io/library/busybox@${digest}`]);
  } finally {
    store.close();
  }
});

test('when every mirror fails the pull falls back to docker.io, and docker.io\'s answer is the error', async (t) => {
  const empty = await logged();
  t.after(() => empty.close());
  const dir = tempDir(t);
  const dead = `http://127.0.0.1:${await freePort()}`;
  const env = setup(dir, [empty.url, dead]);
  // A repository that exists nowhere: offline docker.io cannot be reached, online it refuses.
  const r = await runGantry(['pull', 'gantry-test-nonexistent/mirror-fallback'], env);
  assert.equal(r.status, 1);
  assert.equal(empty.requests.filter((q) => q.startsWith('GET /v2/gantry-test-nonexistent/mirror-fallback/manifests/')).length, 1);
  assert.doesNotMatch(r.stderr, /127\.0\.0\.1/, `the mirrors' errors are not the one reported: ${r.stderr}`);
  assert.match(r.stderr, /registry-1\.docker\.io|docker\.io|pull access denied|denied|unauthorized/);
  if (/Get "https:\/\/registry-1\.docker\.io\/v2\/"/.test(r.stderr)) {
    assert.match(r.stderr, /Get "https:\/\/registry-1\.docker\.io\/v2\/": dial tcp/, 'offline: docker\'s dial error text');
  }
});
