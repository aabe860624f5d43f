import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../errors.js';
import { digestOf } from './digest.js';
import { MediaType } from './media-types.js';
import {
  InvalidArchiveManifestError,
  InvalidImageConfigError,
  InvalidIndexError,
  InvalidManifestError,
  MAX_MANIFEST_BYTES,
  parseDockerArchiveManifest,
  parseImageConfig,
  parseManifest,
  parseManifestOrIndex,
  validateImageConfig,
  validateIndex,
  validateManifest,
} from './validate.js';

const CONFIG = { mediaType: MediaType.OciConfig, digest: digestOf('config'), size: 6 };
const LAYER = { mediaType: MediaType.OciLayerGzip, digest: digestOf('layer'), size: 5 };

function manifest(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { schemaVersion: 2, mediaType: MediaType.OciManifest, config: { ...CONFIG }, layers: [{ ...LAYER }], ...extra };
}

function config(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digestOf('diff')] }, ...extra };
}

test('validateManifest() accepts OCI and Docker manifests and returns them typed', () => {
  const m = validateManifest(manifest());
  assert.equal(m.layers[0]?.digest, LAYER.digest);
  const docker = manifest({ mediaType: MediaType.DockerManifest });
  (docker['config'] as Record<string, unknown>)['mediaType'] = MediaType.DockerConfig;
  assert.equal(validateManifest(docker, { image: true }).mediaType, MediaType.DockerManifest);
});

test('errors name the member at fault and say what is wrong', () => {
  const bad = manifest();
  (bad['layers'] as Array<Record<string, unknown>>)[0]!['digest'] = `sha256:${'a'.repeat(63)}`;
  assert.throws(() => validateManifest(bad), {
    name: 'InvalidManifestError',
    message: `Cannot read image manifest: layers[0].digest is not a valid digest: "sha256:${'a'.repeat(63)}": invalid checksum digest length`,
  });
  assert.throws(() => validateManifest(manifest({ schemaVersion: 1 })), { message: 'Cannot read image manifest: schemaVersion must be 2, not 1' });
  assert.throws(() => validateManifest(manifest({ config: undefined })), { message: 'Cannot read image manifest: config is required' });
  assert.throws(() => validateManifest(manifest({ annotations: { a: 1 } })), {
    message: 'Cannot read image manifest: annotations["a"] must be a string, not the number 1',
  });
  assert.throws(() => validateManifest(manifest({ mediaType: MediaType.OciIndex })), /not an image manifest media type/);
  assert.throws(() => validateIndex({ schemaVersion: 2, manifests: [{ ...CONFIG, platform: { os: 'linux' } }] }), {
    message: 'Cannot read image index: manifests[0].platform.architecture is required',
  });
  assert.throws(() => validateImageConfig(config({ config: { Env: ['PATH=/bin', 'oops'] } })), {
    message: 'Cannot read image config: config.Env[1] must be KEY=value, not "oops"',
  });
});

test('the error kind is invalid-argument by default and data-loss on request', () => {
  try {
    validateManifest({}, { kind: 'data-loss' });
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(err instanceof InvalidManifestError);
    assert.ok(isKind(err, 'data-loss'));
    assert.equal(err.code, 'ERR_INVALID_MANIFEST');
  }
  assert.throws(() => validateManifest({}), (err: unknown) => isKind(err, 'invalid-argument'));
});

test('lenient mode reads null optional members as absent, as Go does; strict mode refuses them', () => {
  const doc = config({ author: null, config: { Env: null, Cmd: null, Labels: null, User: 'root' }, history: null });
  const c = validateImageConfig(doc);
  assert.equal('author' in c, false);
  assert.equal('history' in c, false);
  assert.equal('Env' in (c.config ?? {}), false);
  assert.equal(c.config?.Cmd, null); // the schema itself allows null here
  assert.throws(() => validateImageConfig(config({ author: null }), { strict: true }), InvalidImageConfigError);
});

test('lenient mode accepts a manifest without layers; strict mode and image checks follow the spec', () => {
  assert.deepEqual(validateManifest(manifest({ layers: [] })).layers, []);
  assert.throws(() => validateManifest(manifest({ layers: [] }), { strict: true }), /layers must have at least one entry/);
  const artifact = manifest({ config: { ...CONFIG, mediaType: 'application/vnd.example.config+json' } });
  assert.ok(validateManifest(artifact));
  assert.throws(() => validateManifest(artifact, { image: true }), /config.mediaType is "application\/vnd.example.config\+json", not an image config media type/);
});

test('descriptor data must be padded base64 and urls absolute', () => {
  const withData = manifest({ config: { ...CONFIG, data: 'e30=' } });
  assert.ok(validateManifest(withData));
  assert.throws(() => validateManifest(manifest({ config: { ...CONFIG, data: 'e30' } })), /config.data is not valid base64/);
  assert.throws(() => validateManifest(manifest({ config: { ...CONFIG, urls: ['value'] } })), /config.urls\[0\] is not an absolute URI/);
});

test('unknown digest algorithms pass when well formed; known ones are checked strictly', () => {
  assert.ok(validateManifest(manifest({ config: { ...CONFIG, digest: 'multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8' } })));
  assert.throws(() => validateManifest(manifest({ config: { ...CONFIG, digest: `sha256:${'A'.repeat(64)}` } })), /invalid checksum digest format/);
  assert.throws(() => validateManifest(manifest({ config: { ...CONFIG, size: -1 } })), /config.size must not be negative/);
  assert.throws(() => validateManifest(manifest({ config: { ...CONFIG, size: 1.5 } })), /config.size must be an integer/);
});

test('parseManifest() refuses bad JSON and oversized input before parsing', () => {
  assert.throws(() => parseManifest('{'), /Cannot read image manifest: the document is not valid JSON/);
  assert.throws(() => parseManifest(Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20)), /is too large/);
  const bytes = Buffer.from(JSON.stringify(manifest()));
  assert.equal(parseManifest(bytes.subarray(0)).schemaVersion, 2);
});

test('parseManifestOrIndex() decides by mediaType, then by the served type, then by shape', () => {
  const index = { schemaVersion: 2, manifests: [{ ...CONFIG, mediaType: MediaType.OciManifest }] };
  assert.equal(parseManifestOrIndex(JSON.stringify(index)).kind, 'index');
  assert.equal(parseManifestOrIndex(JSON.stringify({ ...index, mediaType: MediaType.DockerManifestList })).kind, 'index');
  const m = manifest();
  delete m['mediaType'];
  assert.equal(parseManifestOrIndex(JSON.stringify(m), MediaType.OciManifest).kind, 'manifest');
  assert.throws(() => parseManifestOrIndex(JSON.stringify({ schemaVersion: 2, manifests: 'x' })), InvalidIndexError);
});

test('image configs: rootfs, diffIDs and history are checked', () => {
  assert.ok(parseImageConfig(JSON.stringify(config({ history: [{ created: '2024-01-02T03:04:05Z', empty_layer: true }] }))));
  assert.throws(() => validateImageConfig(config({ rootfs: { type: 'tar', diff_ids: [] } })), /rootfs.type must be "layers"/);
  assert.throws(() => validateImageConfig(config({ rootfs: { type: 'layers', diff_ids: ['x'] } })), /rootfs.diff_ids\[0\] is not a valid digest/);
  assert.throws(() => validateImageConfig(config({ created: 'yesterday' })), /created is not an RFC 3339 date-time/);
  assert.throws(() => validateImageConfig(config({ config: { Healthcheck: { Interval: '1s' } } })), /config.Healthcheck.Interval must be an integer/);
  // Docker writes multi-line ENV values; only strict mode follows the spec's single-line rule.
  assert.ok(validateImageConfig(config({ config: { Env: ['A=x\ny'] } })));
  assert.throws(() => validateImageConfig(config({ config: { Env: ['A=x\ny'] } }), { strict: true }), /must be KEY=value/);
});

test('docker-archive manifest.json: paths must stay inside the archive', () => {
  const entry = { Config: 'abc.json', RepoTags: ['busybox:latest'], Layers: ['l1/layer.tar'] };
  assert.equal(parseDockerArchiveManifest(JSON.stringify([entry]))[0]?.Config, 'abc.json');
  assert.ok(parseDockerArchiveManifest(JSON.stringify([{ ...entry, RepoTags: null }])));
  assert.throws(() => parseDockerArchiveManifest('null'), InvalidArchiveManifestError);
  assert.throws(() => parseDockerArchiveManifest('[]'), /lists no images/);
  assert.throws(() => parseDockerArchiveManifest(JSON.stringify([{ ...entry, Layers: ['../../etc/passwd'] }])), /\[0\].Layers\[0\] is not a path inside the archive/);
  assert.throws(() => parseDockerArchiveManifest(JSON.stringify([{ ...entry, Config: '/etc/shadow' }])), /not a path inside the archive/);
  assert.throws(() => parseDockerArchiveManifest(JSON.stringify([{ ...entry, RepoTags: ['Busybox:1'] }])), {
    message: 'Cannot read docker-archive manifest: [0].RepoTags[0] is not a valid tag: "Busybox:1" (invalid reference format: repository name (library/Busybox) must be lowercase)',
  });
  assert.ok(parseDockerArchiveManifest(JSON.stringify([{ ...entry, RepoTags: ['busybox'] }])));
  assert.throws(() => parseDockerArchiveManifest(JSON.stringify([{ ...entry, RepoTags: ['busybox'] }]), { strict: true }), /\(invalid tag "busybox"\)/);
});
