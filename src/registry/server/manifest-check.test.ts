import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf, MediaType } from '../../oci/index.js';
import { checkManifest, referrerDescriptor } from './manifest-check.js';
import { RegistryError } from './errcodes.js';

const cfg = { mediaType: MediaType.OciConfig, digest: digestOf('c'), size: 1 };
const layer = { mediaType: MediaType.OciLayerGzip, digest: digestOf('l'), size: 1 };
const enc = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof RegistryError ? err.code : 'other';
  }
  return undefined;
}

test('checkManifest() takes the media type from Content-Type, the body, or the shape', () => {
  const m = { schemaVersion: 2, config: cfg, layers: [layer] };
  assert.equal(checkManifest(enc(m), MediaType.DockerManifest).mediaType, MediaType.DockerManifest);
  assert.equal(checkManifest(enc({ ...m, mediaType: MediaType.OciManifest }), 'application/json').mediaType, MediaType.OciManifest);
  assert.equal(checkManifest(enc(m), '').mediaType, MediaType.OciManifest);
  assert.equal(checkManifest(enc({ schemaVersion: 2, manifests: [] }), '').mediaType, MediaType.OciIndex);
});

test('checkManifest() lists what must exist: config and layers, index entries; not the subject or foreign layers', () => {
  const foreign = { mediaType: MediaType.DockerLayerForeignGzip, digest: digestOf('f'), size: 3, urls: ['https://example.com/f'] };
  const subject = { mediaType: MediaType.OciManifest, digest: digestOf('s'), size: 9 };
  const c = checkManifest(enc({ schemaVersion: 2, config: cfg, layers: [layer, foreign], subject }), MediaType.OciManifest);
  assert.deepEqual(c.blobs.map((d) => d.digest), [cfg.digest, layer.digest]);
  assert.equal(c.subject?.digest, subject.digest);
  assert.equal(c.artifactType, MediaType.OciConfig);
  const idx = checkManifest(enc({ schemaVersion: 2, manifests: [{ ...subject }, { mediaType: 'application/x', digest: digestOf('b'), size: 1 }] }), MediaType.OciIndex);
  assert.deepEqual(idx.manifests.map((d) => d.digest), [subject.digest]);
  assert.deepEqual(idx.blobs.map((d) => d.digest), [digestOf('b')]);
});

test('checkManifest() refuses bad JSON, wrong schema versions, mismatched media types and bad descriptors', () => {
  assert.equal(code(() => checkManifest(Buffer.from('nope'), MediaType.OciManifest)), 'MANIFEST_INVALID');
  assert.equal(code(() => checkManifest(enc({ schemaVersion: 1, config: cfg, layers: [] }), MediaType.OciManifest)), 'MANIFEST_INVALID');
  assert.equal(code(() => checkManifest(enc({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [] }), MediaType.OciManifest)), 'MANIFEST_INVALID');
  assert.equal(code(() => checkManifest(enc({ schemaVersion: 2, config: { ...cfg, digest: 'sha256:xyz' }, layers: [] }), MediaType.OciManifest)), 'DIGEST_INVALID');
  assert.equal(code(() => checkManifest(enc({ schemaVersion: 2, config: { ...cfg, size: -1 }, layers: [] }), MediaType.OciManifest)), 'MANIFEST_INVALID');
  assert.equal(code(() => checkManifest(enc({ schemaVersion: 2, config: cfg }), MediaType.OciManifest)), 'MANIFEST_INVALID');
  assert.equal(code(() => checkManifest(enc({ schemaVersion: 2, config: cfg, layers: [], manifests: [] }), MediaType.OciManifest)), 'MANIFEST_INVALID');
  assert.equal(code(() => checkManifest(enc({ schemaVersion: 2, mediaType: MediaType.DockerManifestV1Signed }), '')), 'MANIFEST_INVALID');
});

test('referrerDescriptor() carries artifactType and annotations; an index without artifactType has none', () => {
  const c = checkManifest(enc({ schemaVersion: 2, artifactType: 'application/x.sig', config: cfg, layers: [], annotations: { a: 'b' } }), MediaType.OciManifest);
  assert.deepEqual(referrerDescriptor(c, digestOf('m'), 10), { mediaType: MediaType.OciManifest, digest: digestOf('m'), size: 10, artifactType: 'application/x.sig', annotations: { a: 'b' } });
  const i = checkManifest(enc({ schemaVersion: 2, manifests: [] }), MediaType.OciIndex);
  assert.equal(referrerDescriptor(i, digestOf('i'), 1).artifactType, undefined);
});
