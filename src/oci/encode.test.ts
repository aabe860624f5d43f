import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf } from './digest.js';
import type { ImageConfig } from './image-config.js';
import type { Manifest } from './manifest.js';
import { MediaType } from './media-types.js';
import { canonicalJson, encodeDescriptor, encodeImageConfig, encodeManifest } from './encode.js';

test('encodeManifest() writes members in the image-spec’s Go order whatever the object’s order', () => {
  const config = { size: 2, digest: digestOf('{}'), mediaType: MediaType.OciConfig };
  const m = { layers: [], annotations: { z: '1', a: '2' }, config, schemaVersion: 2, mediaType: MediaType.OciManifest } as unknown as Manifest;
  assert.equal(
    encodeManifest(m).toString(),
    `{"schemaVersion":2,"mediaType":"${MediaType.OciManifest}","config":{"mediaType":"${MediaType.OciConfig}","digest":"${config.digest}","size":2},"layers":[],"annotations":{"a":"2","z":"1"}}`,
  );
});

test('encoders are deterministic: equal content gives equal bytes', () => {
  const a: ImageConfig = {
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [] },
    config: { Labels: { b: '1', a: '2' }, Env: ['A=1'], Cmd: null },
  };
  const b = JSON.parse('{"config":{"Cmd":null,"Env":["A=1"],"Labels":{"a":"2","b":"1"}},"rootfs":{"diff_ids":[],"type":"layers"},"os":"linux","architecture":"amd64"}') as ImageConfig;
  assert.deepEqual(encodeImageConfig(a), encodeImageConfig(b));
  assert.equal(
    encodeImageConfig(a).toString(),
    '{"architecture":"amd64","os":"linux","config":{"Env":["A=1"],"Cmd":null,"Labels":{"a":"2","b":"1"}},"rootfs":{"type":"layers","diff_ids":[]}}',
  );
});

test('unknown members follow the known ones, sorted; undefined members are left out', () => {
  const d = { mediaType: 'a/b', digest: digestOf('x'), size: 1, zeta: 1, alpha: 2, urls: undefined };
  assert.equal(encodeDescriptor(d as never), `{"mediaType":"a/b","digest":"${d.digest}","size":1,"alpha":2,"zeta":1}`);
});

test('canonicalJson() sorts keys everywhere and escapes like Go', () => {
  assert.equal(canonicalJson({ b: [{ d: 1, c: '<&>' }], a: null }), '{"a":null,"b":[{"c":"\\u003c\\u0026\\u003e","d":1}]}');
  assert.equal(canonicalJson('\u2028'), '"\\u2028"');
  assert.throws(() => canonicalJson({ n: NaN }), /not a finite number/);
});

test('members named like prototype members are kept as data', () => {
  const config = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, constructor: 'x', toString: 1 } as unknown as ImageConfig;
  assert.equal(
    encodeImageConfig(config).toString(),
    '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]},"constructor":"x","toString":1}',
  );
});
