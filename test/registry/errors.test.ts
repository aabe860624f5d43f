/**
 * Error answers and media types beyond the conformance cases: the spec's codes with their statuses
 * for bad digests, sizes, ranges and references; Docker schema 2 manifests and manifest lists; OCI
 * index negotiation; upload cancel; concurrent pushes of one blob.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { serve, req, sha256, pushBlob, pushManifest, errorCode } from './serve.js';

const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

describe('registry error answers and media types', () => {
  let base = '';
  const cleanups: (() => unknown)[] = [];
  before(async () => {
    base = (await serve({ after: (fn: () => unknown) => void cleanups.push(fn) })).url;
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  it('PUT with a digest that does not match the bytes is DIGEST_INVALID and leaves no blob', async () => {
    const start = await req(base, 'POST', '/v2/err/a/blobs/uploads/');
    const r = await req(base, 'PUT', `${start.headers.get('location')}?digest=${sha256('other')}`, { body: 'data' });
    assert.equal(r.status, 400);
    assert.equal(errorCode(r), 'DIGEST_INVALID');
    assert.equal((await req(base, 'HEAD', `/v2/err/a/blobs/${sha256('other')}`)).status, 404);
    assert.equal((await req(base, 'HEAD', `/v2/err/a/blobs/${sha256('data')}`)).status, 404);
    assert.equal(errorCode(await req(base, 'GET', start.headers.get('location')!)), 'BLOB_UPLOAD_UNKNOWN');
  });

  it('a missing or malformed digest on PUT is DIGEST_INVALID, a Content-Length that disagrees with Content-Range SIZE_INVALID', async () => {
    const start = await req(base, 'POST', '/v2/err/a/blobs/uploads/');
    const loc = start.headers.get('location')!;
    assert.equal(errorCode(await req(base, 'PUT', loc, { body: 'x' })), 'DIGEST_INVALID');
    assert.equal(errorCode(await req(base, 'PUT', `${loc}?digest=sha256:zz`, { body: 'x' })), 'DIGEST_INVALID');
    const r = await req(base, 'PATCH', loc, { body: 'abc', headers: { 'Content-Range': '0-9' } });
    assert.equal(r.status, 400);
    assert.equal(errorCode(r), 'SIZE_INVALID');
    const bad = await req(base, 'PATCH', loc, { body: 'abc', headers: { 'Content-Range': 'junk' } });
    assert.equal(bad.status, 416);
  });

  it('sha512 digests work for uploads (chunked) and pulls', async () => {
    const data = randomBytes(5000);
    const d512 = `sha512:${createHash('sha512').update(data).digest('hex')}`;
    const start = await req(base, 'POST', '/v2/err/sha512/blobs/uploads/');
    const p = await req(base, 'PATCH', start.headers.get('location')!, { body: data.subarray(0, 1000), headers: { 'Content-Range': '0-999' } });
    assert.equal(p.status, 202);
    const put = await req(base, 'PUT', `${p.headers.get('location')}?digest=${d512}`, { body: data.subarray(1000), headers: { 'Content-Range': `1000-${data.length - 1}` } });
    assert.equal(put.status, 201, put.body.toString());
    const got = await req(base, 'GET', `/v2/err/sha512/blobs/${d512}`);
    assert.deepEqual(got.body, data);
    assert.equal(got.headers.get('docker-content-digest'), d512);
  });

  it('DELETE cancels an upload: 204, then BLOB_UPLOAD_UNKNOWN', async () => {
    const start = await req(base, 'POST', '/v2/err/a/blobs/uploads/');
    const loc = start.headers.get('location')!;
    await req(base, 'PATCH', loc, { body: 'partial' });
    const del = await req(base, 'DELETE', loc);
    assert.equal(del.status, 204);
    const again = await req(base, 'PATCH', loc, { body: 'more' });
    assert.equal(again.status, 404);
    assert.equal(errorCode(again), 'BLOB_UPLOAD_UNKNOWN');
    assert.equal(errorCode(await req(base, 'GET', '/v2/err/a/blobs/uploads/not-a-uuid')), 'BLOB_UPLOAD_UNKNOWN');
  });

  it('an upload cannot be continued under another repository name', async () => {
    const start = await req(base, 'POST', '/v2/err/a/blobs/uploads/');
    const uuid = start.headers.get('docker-upload-uuid')!;
    assert.equal(errorCode(await req(base, 'PATCH', `/v2/err/b/blobs/uploads/${uuid}`, { body: 'x' })), 'BLOB_UPLOAD_UNKNOWN');
  });

  it('manifests: invalid JSON MANIFEST_INVALID, missing blobs MANIFEST_BLOB_UNKNOWN, digest mismatch DIGEST_INVALID, too large 413', async () => {
    assert.equal(errorCode(await pushManifest(base, 'err/m', 'v1', 'not json')), 'MANIFEST_INVALID');
    const m = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256('nope'), size: 4 }, layers: [] };
    const r = await pushManifest(base, 'err/m', 'v1', m);
    assert.equal(r.status, 400);
    assert.equal(errorCode(r), 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(r.json<{ errors: { detail: { digest: string }[] }[] }>().errors[0]!.detail[0]!.digest, sha256('nope'));
    const cfg = await pushBlob(base, 'err/m', '{}');
    const ok = JSON.stringify({ ...m, config: { ...m.config, digest: cfg, size: 2 } });
    assert.equal(errorCode(await pushManifest(base, 'err/m', sha256('different'), ok)), 'DIGEST_INVALID');
    assert.equal(errorCode(await pushManifest(base, 'err/m', 'v1', ok, OCI_INDEX)), 'MANIFEST_INVALID');
    assert.equal((await pushManifest(base, 'err/m', 'bad:tag', ok)).status, 400);
    const huge = await req(base, 'PUT', '/v2/err/m/manifests/big', { body: Buffer.alloc(5 * 1024 * 1024, 32), headers: { 'Content-Type': OCI_MANIFEST } });
    assert.equal(huge.status, 413);
  });

  it('Docker schema 2 manifests and manifest lists are stored and served with their media types', async () => {
    const name = 'err/docker';
    const cfg = Buffer.from('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const layer = randomBytes(100);
    await pushBlob(base, name, cfg);
    await pushBlob(base, name, layer);
    const image = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: sha256(cfg), size: cfg.length },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: sha256(layer), size: layer.length }],
    });
    assert.equal((await pushManifest(base, name, 'amd64', image, DOCKER_MANIFEST)).status, 201);
    const list = JSON.stringify({
      schemaVersion: 2,
      mediaType: DOCKER_LIST,
      manifests: [{ mediaType: DOCKER_MANIFEST, digest: sha256(image), size: Buffer.byteLength(image), platform: { architecture: 'amd64', os: 'linux' } }],
    });
    assert.equal((await pushManifest(base, name, 'latest', list, DOCKER_LIST)).status, 201);
    const got = await req(base, 'GET', `/v2/${name}/manifests/latest`, { headers: { Accept: `${DOCKER_LIST}, ${DOCKER_MANIFEST}` } });
    assert.equal(got.headers.get('content-type'), DOCKER_LIST);
    assert.equal(got.body.toString(), list);
    // A list naming a manifest the repository lacks is refused.
    const dangling = JSON.stringify({ schemaVersion: 2, mediaType: DOCKER_LIST, manifests: [{ mediaType: DOCKER_MANIFEST, digest: sha256('x'), size: 1 }] });
    assert.equal(errorCode(await pushManifest(base, name, 'broken', dangling, DOCKER_LIST)), 'MANIFEST_BLOB_UNKNOWN');
    // An OCI index is not served to a client that accepts only Docker types.
    const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [{ mediaType: DOCKER_MANIFEST, digest: sha256(image), size: Buffer.byteLength(image) }] });
    assert.equal((await pushManifest(base, name, 'oci', index, OCI_INDEX)).status, 201);
    assert.equal((await req(base, 'GET', `/v2/${name}/manifests/oci`, { headers: { Accept: DOCKER_LIST } })).status, 404);
    assert.equal((await req(base, 'GET', `/v2/${name}/manifests/oci`, { headers: { Accept: `${DOCKER_LIST}, ${OCI_INDEX}` } })).status, 200);
    assert.equal((await req(base, 'GET', `/v2/${name}/manifests/oci`)).status, 200);
    // If-None-Match with the digest is 304.
    const etag = got.headers.get('etag')!;
    assert.equal((await req(base, 'GET', `/v2/${name}/manifests/latest`, { headers: { 'If-None-Match': etag } })).status, 304);
  });

  it('ten concurrent uploads of the same blob all succeed and leave one blob', async () => {
    const data = randomBytes(64 * 1024);
    const digests = await Promise.all(Array.from({ length: 10 }, (_, i) => pushBlob(base, `err/same${i % 3}`, data)));
    assert.ok(digests.every((d) => d === sha256(data)));
    for (let i = 0; i < 3; i++) assert.equal(sha256((await req(base, 'GET', `/v2/err/same${i}/blobs/${sha256(data)}`)).body), sha256(data));
  });

  it('concurrent PATCHes on one upload are serialized: exactly one of two same-offset chunks wins', async () => {
    const start = await req(base, 'POST', '/v2/err/race/blobs/uploads/');
    const loc = start.headers.get('location')!;
    const [a, b] = await Promise.all([
      req(base, 'PATCH', loc, { body: 'aaaa', headers: { 'Content-Range': '0-3' } }),
      req(base, 'PATCH', loc, { body: 'bbbb', headers: { 'Content-Range': '0-3' } }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [202, 416]);
    assert.equal((await req(base, 'GET', loc)).headers.get('range'), '0-3');
  });
});
