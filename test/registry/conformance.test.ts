/**
 * Our own run of the OCI distribution-spec v1.1 conformance cases (the upstream suite is Go, in
 * opencontainers/distribution-spec `conformance/0{1..4}_*_test.go`): the same four workflows, the
 * same requests and the same expectations, against `gantry registry serve` on a random port.
 * Where upstream accepts either of two answers (201 or 202 for a mount), we assert the one our
 * registry gives, since it implements the optional feature.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { serve, req, sha256, pushBlob, pushManifest, errorCode, SPEC_CODES, type Res } from './serve.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

// The upstream suite's layer: a gzipped tar of one small text file.
const LAYER = Buffer.from(
  'H4sIAAAAAAAAA+3OQQrCMBCF4a49xXgBSUnaHMCTRBptQRNpp6i3t0UEV7oqIv7fYgbmzeJpHHSjVy0' +
    'WZCa1c/MufWVe94N3RWlrZ72x3k/30nhbFWKWLPU0Dhp6keJ8im//PuU/6pZH2WVtYx8b0Sz7LjWSR5VLG6YRBumSzOlGtjkd+qD' +
    'jMWiX07Befbs7AAAAAAAAAAAAAAAAAPyzO34MnqoAKAAA',
  'base64',
);
const LAYER_DIGEST = sha256(LAYER);

function config(): Buffer {
  return Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, author: randomBytes(8).toString('hex') }, null, '\t'));
}

// Upstream's manifests carry the config inline (`data`) and a field no spec defines: a registry must accept both.
function manifestFor(cfg: Buffer): Buffer {
  return Buffer.from(
    JSON.stringify(
      {
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length, data: cfg.toString('base64'), newUnspecifiedField: 'aGVsbG8gd29ybGQ=' },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: LAYER_DIGEST, size: LAYER.length }],
      },
      null,
      '\t',
    ),
  );
}

const configs = [config(), config(), config(), config(), config()];
const manifests = configs.map(manifestFor);
const digests = manifests.map((m) => sha256(m));

function ok2xx(r: Res): void {
  assert.ok(r.status >= 200 && r.status < 300, `expected 2xx, got ${r.status}: ${r.body.toString()}`);
}

describe('distribution-spec conformance against gantry registry serve', () => {
  let base = '';
  const cleanups: (() => unknown)[] = [];
  before(async () => {
    base = (await serve({ after: (fn: () => unknown) => void cleanups.push(fn) })).url;
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  describe('pull', () => {
    const name = 'conformance/pull';
    it('setup: populates blobs and manifests (by tag and by digest)', async () => {
      await pushBlob(base, name, configs[0]!);
      await pushBlob(base, name, configs[1]!);
      await pushBlob(base, name, LAYER);
      ok2xx(await pushManifest(base, name, 'tagtest0', manifests[0]!.toString()));
      ok2xx(await pushManifest(base, name, digests[1]!, manifests[1]!.toString()));
    });
    it('HEAD request to nonexistent blob should result in 404 response', async () => {
      assert.equal((await req(base, 'HEAD', `/v2/${name}/blobs/${sha256('nope')}`)).status, 404);
    });
    it('HEAD request to existing blob should yield 200 with its digest and size', async () => {
      const r = await req(base, 'HEAD', `/v2/${name}/blobs/${sha256(configs[0]!)}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('docker-content-digest'), sha256(configs[0]!));
      assert.equal(r.headers.get('content-length'), String(configs[0]!.length));
      assert.equal(r.body.length, 0);
    });
    it('GET nonexistent blob should result in 404 response with BLOB_UNKNOWN', async () => {
      const r = await req(base, 'GET', `/v2/${name}/blobs/${sha256('nope')}`);
      assert.equal(r.status, 404);
      assert.equal(errorCode(r), 'BLOB_UNKNOWN');
    });
    it('GET request to existing blob URL should yield 200 and the bytes', async () => {
      const r = await req(base, 'GET', `/v2/${name}/blobs/${LAYER_DIGEST}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, LAYER);
      assert.equal(r.headers.get('docker-content-digest'), LAYER_DIGEST);
    });
    it('GET with Range returns 206 and the slice; an unsatisfiable range 416', async () => {
      const r = await req(base, 'GET', `/v2/${name}/blobs/${LAYER_DIGEST}`, { headers: { Range: 'bytes=10-19' } });
      assert.equal(r.status, 206);
      assert.deepEqual(r.body, LAYER.subarray(10, 20));
      assert.equal(r.headers.get('content-range'), `bytes 10-19/${LAYER.length}`);
      const tail = await req(base, 'GET', `/v2/${name}/blobs/${LAYER_DIGEST}`, { headers: { Range: 'bytes=-5' } });
      assert.deepEqual(tail.body, LAYER.subarray(LAYER.length - 5));
      const bad = await req(base, 'GET', `/v2/${name}/blobs/${LAYER_DIGEST}`, { headers: { Range: `bytes=${LAYER.length}-` } });
      assert.equal(bad.status, 416);
      assert.equal(bad.headers.get('content-range'), `bytes */${LAYER.length}`);
    });
    it('HEAD request to nonexistent manifest should return 404', async () => {
      assert.equal((await req(base, 'HEAD', `/v2/${name}/manifests/.INVALID_MANIFEST_NAME`)).status, 404);
    });
    for (const i of [0, 1]) {
      it(`HEAD and GET of manifest[${i}] by digest yield 200 with digest, type and length`, async () => {
        for (const method of ['HEAD', 'GET']) {
          const r = await req(base, method, `/v2/${name}/manifests/${digests[i]}`, { headers: { Accept: OCI_MANIFEST } });
          assert.equal(r.status, 200);
          assert.equal(r.headers.get('docker-content-digest'), digests[i]);
          assert.equal(r.headers.get('content-type'), OCI_MANIFEST);
          assert.equal(r.headers.get('content-length'), String(manifests[i]!.length));
          if (method === 'GET') assert.deepEqual(r.body, manifests[i]);
        }
      });
    }
    it('HEAD and GET of the manifest by tag yield 200 with manifest[0] digest', async () => {
      for (const method of ['HEAD', 'GET']) {
        const r = await req(base, method, `/v2/${name}/manifests/tagtest0`, { headers: { Accept: OCI_MANIFEST } });
        assert.equal(r.status, 200);
        assert.equal(r.headers.get('docker-content-digest'), digests[0]);
      }
    });
    it('GET nonexistent manifest should return 404 with MANIFEST_UNKNOWN', async () => {
      const r = await req(base, 'GET', `/v2/${name}/manifests/.INVALID_MANIFEST_NAME`);
      assert.equal(r.status, 404);
      const missing = await req(base, 'GET', `/v2/${name}/manifests/nosuchtag`);
      assert.equal(missing.status, 404);
      assert.equal(errorCode(missing), 'MANIFEST_UNKNOWN');
    });
    it('400 response body should contain OCI-conforming JSON message', async () => {
      // Upstream also sends a body with this GET; fetch() cannot, and the registry ignores it anyway.
      const r = await req(base, 'GET', `/v2/${name}/manifests/sha256:totallywrong`, { headers: { 'Content-Type': OCI_MANIFEST } });
      assert.equal(r.status, 400);
      assert.ok(SPEC_CODES.includes(errorCode(r) ?? ''), r.body.toString());
    });
    it('teardown: deletes manifests, then blobs', async () => {
      for (const d of [digests[0], digests[1]]) assert.equal((await req(base, 'DELETE', `/v2/${name}/manifests/${d}`)).status, 202);
      for (const d of [sha256(configs[0]!), sha256(configs[1]!), LAYER_DIGEST]) {
        assert.equal((await req(base, 'DELETE', `/v2/${name}/blobs/${d}`)).status, 202);
      }
    });
  });

  describe('push', () => {
    const name = 'conformance/push';
    const cross = 'conformance/crossmount';
    const blobA = randomBytes(42);
    const blobB = randomBytes(42);
    const chunk1 = blobB.subarray(0, 21);
    const chunk2 = blobB.subarray(21);
    let last: Res | undefined;
    let prev: Res | undefined;

    it('streamed: PATCH request with blob in body (no Content-Range) should yield 202', async () => {
      const start = await req(base, 'POST', `/v2/${name}/blobs/uploads/`);
      assert.equal(start.status, 202);
      assert.ok(start.headers.get('location'));
      assert.ok(start.headers.get('docker-upload-uuid'));
      const r = await req(base, 'PATCH', start.headers.get('location')!, { body: blobA, headers: { 'Content-Type': 'application/octet-stream' } });
      assert.equal(r.status, 202);
      assert.equal(r.headers.get('range'), `0-${blobA.length - 1}`);
      last = r;
    });
    it('streamed: PUT request to session URL with digest should yield 201', async () => {
      const r = await req(base, 'PUT', `${last!.headers.get('location')}?digest=${sha256(blobA)}`, { headers: { 'Content-Length': '0' } });
      assert.equal(r.status, 201);
      assert.equal(r.headers.get('location'), `/v2/${name}/blobs/${sha256(blobA)}`);
      assert.equal(r.headers.get('docker-content-digest'), sha256(blobA));
    });
    it('monolithic: GET nonexistent blob should result in 404 response', async () => {
      assert.equal((await req(base, 'GET', `/v2/${name}/blobs/${sha256(configs[1]!)}`)).status, 404);
    });
    it('monolithic: POST request with digest and blob should yield 201 and the blob exists', async () => {
      const r = await req(base, 'POST', `/v2/${name}/blobs/uploads/?digest=${sha256(configs[1]!)}`, {
        body: configs[1]!,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      assert.equal(r.status, 201);
      assert.ok(r.headers.get('location'));
      assert.equal((await req(base, 'GET', `/v2/${name}/blobs/${sha256(configs[1]!)}`)).status, 200);
    });
    it('monolithic: POST request should yield a session ID, PUT of a blob a 201', async () => {
      const start = await req(base, 'POST', `/v2/${name}/blobs/uploads/`);
      assert.equal(start.status, 202);
      const r = await req(base, 'PUT', `${start.headers.get('location')}?digest=${sha256(configs[1]!)}`, {
        body: configs[1]!,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      assert.equal(r.status, 201);
      assert.ok(r.headers.get('location'));
      assert.equal((await req(base, 'GET', `/v2/${name}/blobs/${sha256(configs[1]!)}`)).status, 200);
    });
    it('monolithic: PUT upload of a layer blob should yield a 201 Response', async () => {
      await pushBlob(base, name, LAYER);
      assert.equal((await req(base, 'GET', `/v2/${name}/blobs/${LAYER_DIGEST}`)).status, 200);
    });
    it('chunked: out-of-order blob upload should return 416', async () => {
      const start = await req(base, 'POST', `/v2/${name}/blobs/uploads/`, { headers: { 'Content-Length': '0' } });
      const r = await req(base, 'PATCH', start.headers.get('location')!, {
        body: chunk2,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${chunk1.length}-${blobB.length - 1}` },
      });
      assert.equal(r.status, 416);
      assert.equal(errorCode(r), 'BLOB_UPLOAD_INVALID');
      assert.equal(r.headers.get('range'), '0-0');
    });
    it('chunked: PATCH request with first chunk should return 202 and its Range', async () => {
      const start = await req(base, 'POST', `/v2/${name}/blobs/uploads/`, { headers: { 'Content-Length': '0' } });
      prev = start;
      const r = await req(base, 'PATCH', start.headers.get('location')!, {
        body: chunk1,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${chunk1.length - 1}` },
      });
      assert.equal(r.status, 202);
      assert.equal(r.headers.get('range'), `0-${chunk1.length - 1}`);
      last = r;
    });
    it('chunked: retry previous blob chunk should return 416', async () => {
      const r = await req(base, 'PATCH', prev!.headers.get('location')!, {
        body: chunk1,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${chunk1.length - 1}` },
      });
      assert.equal(r.status, 416);
    });
    it('chunked: GET on stale blob upload should return 204 with a range and location', async () => {
      const r = await req(base, 'GET', prev!.headers.get('location')!);
      assert.equal(r.status, 204);
      assert.ok(r.headers.get('location'));
      assert.equal(r.headers.get('range'), `0-${chunk1.length - 1}`);
      last = r;
    });
    it('chunked: PATCH request with second chunk should return 202', async () => {
      const r = await req(base, 'PATCH', last!.headers.get('location')!, {
        body: chunk2,
        headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `${chunk1.length}-${blobB.length - 1}` },
      });
      assert.equal(r.status, 202);
      assert.equal(r.headers.get('range'), `0-${blobB.length - 1}`);
      last = r;
    });
    it('chunked: PUT request with digest should return 201 and the blob reads back whole', async () => {
      const r = await req(base, 'PUT', `${last!.headers.get('location')}?digest=${sha256(blobB)}`, { headers: { 'Content-Length': '0' } });
      assert.equal(r.status, 201);
      assert.deepEqual((await req(base, 'GET', `/v2/${name}/blobs/${sha256(blobB)}`)).body, blobB);
    });
    it('cross-mounting of a blob without the from argument should yield a session id (202)', async () => {
      const r = await req(base, 'POST', `/v2/${cross}/blobs/uploads/?mount=${sha256('dummy')}`);
      assert.equal(r.status, 202);
      assert.ok(r.headers.get('location'));
    });
    it("POST request to mount another repository's blob should return 201 with the blob's location", async () => {
      const r = await req(base, 'POST', `/v2/${cross}/blobs/uploads/?mount=${sha256(blobA)}&from=${name}`);
      assert.equal(r.status, 201);
      assert.equal(r.headers.get('location'), `/v2/${cross}/blobs/${sha256(blobA)}`);
      assert.equal((await req(base, 'GET', r.headers.get('location')!)).status, 200);
    });
    it('cross-mounting of a nonexistent blob falls back to a new upload session', async () => {
      const r = await req(base, 'POST', `/v2/${cross}/blobs/uploads/?mount=${sha256('absent')}&from=${name}`);
      assert.equal(r.status, 202);
      assert.ok(r.headers.get('location')!.startsWith(`/v2/${cross}/blobs/uploads/`));
    });
    it('GET nonexistent manifest should return 404', async () => {
      assert.equal((await req(base, 'GET', `/v2/${name}/manifests/.INVALID_MANIFEST_NAME`)).status, 404);
    });
    it('PUT should accept a manifest upload (four tags)', async () => {
      for (let i = 0; i < 4; i++) {
        const r = await pushManifest(base, name, `test${i}`, manifests[1]!.toString());
        assert.equal(r.status, 201, r.body.toString());
        assert.ok(r.headers.get('location'));
        assert.equal(r.headers.get('docker-content-digest'), digests[1]);
      }
    });
    it('Registry should accept a manifest upload with no layers (and no mediaType field)', async () => {
      const m = { schemaVersion: 2, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(configs[1]!), size: configs[1]!.length }, layers: [] };
      const r = await pushManifest(base, name, 'emptylayer', m);
      assert.equal(r.status, 201);
      assert.ok(r.headers.get('location'));
      const got = await req(base, 'GET', `/v2/${name}/manifests/emptylayer`);
      assert.equal(got.headers.get('content-type'), OCI_MANIFEST);
    });
    it('GET request to manifest URL (digest) should yield 200 response', async () => {
      assert.equal((await req(base, 'GET', `/v2/${name}/manifests/${digests[1]}`, { headers: { Accept: OCI_MANIFEST } })).status, 200);
    });
  });

  describe('content discovery', () => {
    const name = 'conformance/discovery';
    const empty = Buffer.from('{}');
    const emptyDesc = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(empty), size: 2 };
    const refA = Buffer.from('NHL Peanut Butter on my NHL bagel');
    const refB = Buffer.from('NBA Strawberry Jam on my NBA croissant');
    const typeA = 'application/vnd.nhl.peanut.butter.bagel';
    const typeB = 'application/vnd.nba.strawberry.jam.croissant';
    const key = 'org.opencontainers.conformance.test';
    const subject4 = { mediaType: OCI_MANIFEST, size: manifests[4]!.length, digest: digests[4] };
    const subject3 = { mediaType: OCI_MANIFEST, size: manifests[3]!.length, digest: digests[3] };
    const configArtifact = (blob: Buffer, type: string, note: string, subject = subject4): string =>
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: type, size: blob.length, digest: sha256(blob) }, subject, layers: [emptyDesc], annotations: { [key]: note } }, null, '\t');
    const layerArtifact = (blob: Buffer, type: string, note: string, subject = subject4): string =>
      JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType: type, config: emptyDesc, subject, layers: [{ mediaType: 'application/octet-stream', size: blob.length, digest: sha256(blob) }], annotations: { [key]: note } }, null, '\t');
    const aConfig = configArtifact(refA, typeA, 'test config a');
    const aLayer = layerArtifact(refA, typeA, 'test layer a');
    const bConfig = configArtifact(refB, typeB, 'test config b');
    const bLayer = layerArtifact(refB, typeB, 'test layer b');
    const cLayer = layerArtifact(refB, typeB, 'test layer c', subject3);
    const indexArtifact = JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      artifactType: 'application/vnd.food.stand',
      manifests: [
        { mediaType: OCI_MANIFEST, size: Buffer.byteLength(aConfig), digest: sha256(aConfig) },
        { mediaType: OCI_MANIFEST, size: Buffer.byteLength(aLayer), digest: sha256(aLayer) },
      ],
      subject: subject4,
      annotations: { [key]: 'test index' },
    }, null, '\t');
    const notes: Record<string, string> = {
      [sha256(aConfig)]: 'test config a', [sha256(aLayer)]: 'test layer a', [sha256(bConfig)]: 'test config b',
      [sha256(bLayer)]: 'test layer b', [sha256(indexArtifact)]: 'test index',
    };
    let numTags = 0;

    it('setup: populates tags and referrers, each subject push answered with OCI-Subject', async () => {
      await pushBlob(base, name, configs[2]!);
      await pushBlob(base, name, LAYER);
      for (let i = 0; i < 4; i++) ok2xx(await pushManifest(base, name, `test${i}`, manifests[2]!.toString()));
      await pushBlob(base, name, empty);
      await pushBlob(base, name, refA);
      for (const m of [aConfig, aLayer]) {
        const r = await pushManifest(base, name, sha256(m), m);
        ok2xx(r);
        assert.equal(r.headers.get('oci-subject'), digests[4]);
      }
      const ri = await pushManifest(base, name, sha256(indexArtifact), indexArtifact, OCI_INDEX);
      ok2xx(ri);
      assert.equal(ri.headers.get('oci-subject'), digests[4]);
      await pushBlob(base, name, configs[4]!);
      ok2xx(await pushManifest(base, name, 'tagtest0', manifests[4]!.toString()));
      await pushBlob(base, name, refB);
      for (const m of [bConfig, bLayer]) {
        const r = await pushManifest(base, name, sha256(m), m);
        ok2xx(r);
        assert.equal(r.headers.get('oci-subject'), digests[4]);
      }
      const rc = await pushManifest(base, name, sha256(cLayer), cLayer);
      ok2xx(rc);
      assert.equal(rc.headers.get('oci-subject'), digests[3]);
    });
    it('GET request to list tags should yield 200 response, in lexical order', async () => {
      const r = await req(base, 'GET', `/v2/${name}/tags/list`);
      assert.equal(r.status, 200);
      const { name: n, tags } = r.json<{ name: string; tags: string[] }>();
      assert.equal(n, name);
      assert.deepEqual(tags, ['tagtest0', 'test0', 'test1', 'test2', 'test3']);
      numTags = tags.length;
    });
    it('GET number of tags should be limitable by `n` query parameter, with a Link to the rest', async () => {
      const n = Math.floor(numTags / 2);
      const r = await req(base, 'GET', `/v2/${name}/tags/list?n=${n}`);
      assert.equal(r.status, 200);
      assert.equal(r.json<{ tags: string[] }>().tags.length, n);
      assert.equal(r.headers.get('link'), `</v2/${name}/tags/list?n=${n}&last=test0>; rel="next"`);
      const zero = await req(base, 'GET', `/v2/${name}/tags/list?n=0`);
      assert.deepEqual(zero.json<{ tags: string[] }>().tags, []);
      assert.equal(zero.headers.get('link'), null);
    });
    it('GET start of tag is set by `last` query parameter', async () => {
      const r = await req(base, 'GET', `/v2/${name}/tags/list?n=2&last=test0`);
      assert.deepEqual(r.json<{ tags: string[] }>().tags, ['test1', 'test2']);
      const rest = await req(base, 'GET', `/v2/${name}/tags/list?last=test2`);
      assert.deepEqual(rest.json<{ tags: string[] }>().tags, ['test3']);
      assert.equal(rest.headers.get('link'), null);
    });
    it('GET referrers of a nonexistent manifest should result in an empty 200 index', async () => {
      const r = await req(base, 'GET', `/v2/${name}/referrers/${sha256('dummy')}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), OCI_INDEX);
      const idx = r.json<{ schemaVersion: number; mediaType: string; manifests: unknown[] }>();
      assert.equal(idx.schemaVersion, 2);
      assert.equal(idx.mediaType, OCI_INDEX);
      assert.equal(idx.manifests.length, 0);
    });
    it('GET referrers of an existing manifest should list its five referrers with annotations and artifactType', async () => {
      const r = await req(base, 'GET', `/v2/${name}/referrers/${digests[4]}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), OCI_INDEX);
      const idx = r.json<{ manifests: { digest: string; artifactType?: string; annotations: Record<string, string>; mediaType: string; size: number }[] }>();
      assert.equal(idx.manifests.length, 5);
      assert.equal(new Set(idx.manifests.map((m) => m.digest)).size, 5);
      for (const m of idx.manifests) {
        assert.equal(Object.keys(m.annotations).length, 1);
        assert.equal(m.annotations[key], notes[m.digest]);
      }
      const byDigest = new Map(idx.manifests.map((m) => [m.digest, m]));
      assert.equal(byDigest.get(sha256(aConfig))!.artifactType, typeA, 'config media type stands in for artifactType');
      assert.equal(byDigest.get(sha256(aLayer))!.artifactType, typeA);
      assert.equal(byDigest.get(sha256(indexArtifact))!.mediaType, OCI_INDEX);
      assert.equal(byDigest.get(sha256(indexArtifact))!.size, Buffer.byteLength(indexArtifact));
    });
    it('GET referrers with an artifactType filter should list two and say OCI-Filters-Applied', async () => {
      const r = await req(base, 'GET', `/v2/${name}/referrers/${digests[4]}?artifactType=${encodeURIComponent(typeA)}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('oci-filters-applied'), 'artifactType');
      const idx = r.json<{ manifests: { digest: string; annotations: Record<string, string> }[] }>();
      assert.equal(idx.manifests.length, 2);
      for (const m of idx.manifests) assert.equal(m.annotations[key], notes[m.digest]);
    });
    it('GET referrers of a missing manifest should yield 200 with its one referrer', async () => {
      const r = await req(base, 'GET', `/v2/${name}/referrers/${digests[3]}`);
      assert.equal(r.status, 200);
      const idx = r.json<{ manifests: { digest: string }[] }>();
      assert.deepEqual(idx.manifests.map((m) => m.digest), [sha256(cLayer)]);
    });
    it('GET referrers with an invalid digest is 400', async () => {
      const r = await req(base, 'GET', `/v2/${name}/referrers/sha256:nothex`);
      assert.equal(r.status, 400);
      assert.equal(errorCode(r), 'DIGEST_INVALID');
    });
    it('deleting a referrer removes it from the referrers list', async () => {
      assert.equal((await req(base, 'DELETE', `/v2/${name}/manifests/${sha256(bLayer)}`)).status, 202);
      const idx = (await req(base, 'GET', `/v2/${name}/referrers/${digests[4]}`)).json<{ manifests: { digest: string }[] }>();
      assert.equal(idx.manifests.length, 4);
      assert.ok(!idx.manifests.some((m) => m.digest === sha256(bLayer)));
    });
    it('the catalog lists repositories with n/last pagination and a Link header', async () => {
      const all = (await req(base, 'GET', '/v2/_catalog')).json<{ repositories: string[] }>().repositories;
      assert.ok(all.includes(name) && all.includes('conformance/push'), all.join(','));
      assert.deepEqual([...all].sort(), all);
      const first = await req(base, 'GET', '/v2/_catalog?n=1');
      assert.deepEqual(first.json<{ repositories: string[] }>().repositories, [all[0]]);
      assert.equal(first.headers.get('link'), `</v2/_catalog?n=1&last=${encodeURIComponent(all[0]!)}>; rel="next"`);
      const next = await req(base, 'GET', `/v2/_catalog?n=100&last=${encodeURIComponent(all[0]!)}`);
      assert.deepEqual(next.json<{ repositories: string[] }>().repositories, all.slice(1));
    });
  });

  describe('content management', () => {
    const name = 'conformance/management';
    let numTags = 0;
    it('setup: populates a config, a layer and a tag', async () => {
      await pushBlob(base, name, configs[3]!);
      await pushBlob(base, name, LAYER);
      ok2xx(await pushManifest(base, name, 'tagtest0', manifests[3]!.toString()));
      ok2xx(await pushManifest(base, name, 'keep', manifests[3]!.toString()));
      numTags = (await req(base, 'GET', `/v2/${name}/tags/list`)).json<{ tags: string[] }>().tags.length;
      assert.equal(numTags, 2);
    });
    it('DELETE request to manifest tag should return 202 and the tag is gone, the manifest not', async () => {
      assert.equal((await req(base, 'DELETE', `/v2/${name}/manifests/tagtest0`)).status, 202);
      assert.equal((await req(base, 'GET', `/v2/${name}/manifests/tagtest0`)).status, 404);
      assert.equal((await req(base, 'GET', `/v2/${name}/manifests/${digests[3]}`)).status, 200);
      assert.deepEqual((await req(base, 'GET', `/v2/${name}/tags/list`)).json<{ tags: string[] }>().tags, ['keep']);
    });
    it('DELETE request to manifest (digest) should yield 202 response', async () => {
      assert.equal((await req(base, 'DELETE', `/v2/${name}/manifests/${digests[3]}`)).status, 202);
      assert.equal((await req(base, 'DELETE', `/v2/${name}/manifests/${digests[3]}`)).status, 404);
    });
    it('GET request to deleted manifest URL should yield 404 response', async () => {
      const r = await req(base, 'GET', `/v2/${name}/manifests/${digests[3]}`);
      assert.equal(r.status, 404);
      assert.equal(errorCode(r), 'MANIFEST_UNKNOWN');
    });
    it('GET request to tags list should reflect manifest deletion (tags of the digest go too)', async () => {
      const r = await req(base, 'GET', `/v2/${name}/tags/list`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json<{ tags: string[] }>().tags, []);
    });
    it('DELETE request to blob URL should yield 202 response; GET then 404', async () => {
      for (const d of [sha256(configs[3]!), LAYER_DIGEST]) {
        assert.equal((await req(base, 'DELETE', `/v2/${name}/blobs/${d}`)).status, 202);
      }
      assert.equal((await req(base, 'GET', `/v2/${name}/blobs/${sha256(configs[3]!)}`)).status, 404);
      const again = await req(base, 'DELETE', `/v2/${name}/blobs/${LAYER_DIGEST}`);
      assert.equal(again.status, 404);
      assert.equal(errorCode(again), 'BLOB_UNKNOWN');
    });
  });
});
