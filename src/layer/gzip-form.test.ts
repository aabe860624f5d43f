import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf, encodeManifest, MediaType, type Descriptor, type Manifest } from '../oci/index.js';
import { gzipLayerMediaType, replaceLayerDescriptors } from './gzip-form.js';

test('an uncompressed layer is pushed as gzip of its own family; compressed and foreign layers are not converted', () => {
  assert.equal(gzipLayerMediaType(MediaType.OciLayer), MediaType.OciLayerGzip);
  assert.equal(gzipLayerMediaType(MediaType.DockerLayer), MediaType.DockerLayerGzip);
  assert.equal(gzipLayerMediaType(MediaType.OciLayerNondistributable), MediaType.OciLayerNondistributableGzip);
  for (const mt of [MediaType.OciLayerGzip, MediaType.OciLayerZstd, MediaType.DockerLayerGzip, MediaType.DockerLayerForeignGzip, MediaType.OciConfig, 'application/x-anything']) {
    assert.equal(gzipLayerMediaType(mt), undefined, mt);
  }
});

const d = (s: string): Descriptor => ({ mediaType: MediaType.OciLayer, digest: digestOf(s), size: s.length });

test('the pushed manifest names the compressed descriptors and keeps every other field', () => {
  const stored: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: digestOf('config'), size: 6 },
    layers: [
      { mediaType: MediaType.OciLayerGzip, digest: digestOf('base.gz'), size: 7 },
      { ...d('built'), annotations: { 'org.example': 'kept' } },
    ],
    annotations: { 'org.opencontainers.image.created': '2026-01-01T00:00:00Z' },
  };
  const bytes = Buffer.from(JSON.stringify(stored));
  const gz: Descriptor = { mediaType: MediaType.OciLayerGzip, digest: digestOf('built.gz'), size: 8 };
  const out = JSON.parse(replaceLayerDescriptors(bytes, new Map([[1, gz]])).toString()) as Manifest;
  assert.deepEqual(out.layers[0], stored.layers[0]);
  assert.deepEqual(out.layers[1], { ...gz, annotations: { 'org.example': 'kept' } });
  assert.deepEqual(out.config, stored.config);
  assert.deepEqual(out.annotations, stored.annotations);
  assert.equal(out.mediaType, MediaType.OciManifest);
  // Deterministic: the same replacement gives the same bytes (so the same manifest digest).
  assert.ok(replaceLayerDescriptors(bytes, new Map([[1, gz]])).equals(encodeManifest(out)));
});

test('with nothing compressed the stored manifest bytes are pushed as they are (a pulled image keeps its digest)', () => {
  const odd = Buffer.from('{"schemaVersion":2,  "layers":[] ,"config":{}}');
  assert.ok(replaceLayerDescriptors(odd, new Map()).equals(odd));
});
