/**
 * Document validation against the image-spec's own cases (`image-spec/validation-cases.json`), through
 * both the schema helper (the independent oracle) and src/oci/validate.ts, and against real documents
 * written by docker and go-containerregistry (`go-containerregistry/…/testdata`).
 *
 * Known difference, on purpose: in its default (lenient) mode validate.ts accepts a manifest with no
 * layers (BuildKit writes those for `FROM scratch` images, and docker reads them); strict mode and the
 * schema refuse it. The test checks that this is the only schema case the modes disagree on.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePath } from '../helpers/paths.js';
import { validateOciDocument } from '../helpers/oci-schema.js';
import { MediaType, isConfigMediaType, isIndexMediaType, isManifestMediaType } from '../../src/oci/media-types.js';
import {
  InvalidDocumentError,
  parseDockerArchiveManifest,
  parseImageConfig,
  parseIndex,
  parseLayoutIndex,
  parseManifest,
  parseOciLayoutHeader,
  validateDescriptor,
  type ValidateOptions,
} from '../../src/oci/validate.js';
import type { Descriptor } from '../../src/oci/descriptor.js';

interface SchemaCase {
  source: string;
  validator: string;
  document: string;
  expectValid: boolean;
}
interface Cases {
  schemaCases: SchemaCase[];
  backwardsCompatibility: {
    compatMap: Record<string, string>;
    cases: Array<{ source: string; dockerDocument: string; sha256OfDockerDocument: string; validatorAfterConversion: string; expectValid: boolean }>;
  };
  specExamples: { cases: Array<{ source: string; title: string; validator: string; document: string; expectValid: boolean }> };
}

function load(t: TestContext): Cases | undefined {
  const file = conformancePath('image-spec', 'validation-cases.json');
  if (file === undefined) {
    t.skip('shared conformance data (../shared/conformance/image-spec) is absent');
    return undefined;
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Cases;
}

/** Runs validate.ts's parser for a validator media type; the error, or undefined when valid. */
function gantryValidate(validator: string, text: string, opts: ValidateOptions): InvalidDocumentError | undefined {
  try {
    switch (validator) {
      case MediaType.OciManifest:
        parseManifest(text, opts);
        break;
      case MediaType.OciIndex:
        parseIndex(text, opts);
        break;
      case MediaType.OciConfig:
        parseImageConfig(text, opts);
        break;
      case MediaType.OciLayoutHeader:
        parseOciLayoutHeader(text, opts);
        break;
      case MediaType.OciDescriptor: {
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch {
          return new InvalidDocumentError('descriptor', '', 'is not valid JSON', 'INVALID_DESCRIPTOR');
        }
        validateDescriptor(doc, opts);
        break;
      }
      default:
        throw new Error(`no validator for ${validator}`);
    }
    return undefined;
  } catch (err) {
    if (err instanceof InvalidDocumentError) return err;
    throw err;
  }
}

test('schemaCases: the schema helper agrees with every upstream expectation', (t) => {
  const cases = load(t);
  if (!cases) return;
  assert.equal(cases.schemaCases.length, 67);
  for (const c of cases.schemaCases) {
    const r = validateOciDocument(c.validator, c.document);
    assert.equal(r.valid, c.expectValid, `${c.source}: ${r.errors.join('; ')}`);
  }
});

test('schemaCases: validate.ts in strict mode agrees with every upstream expectation', (t) => {
  const cases = load(t);
  if (!cases) return;
  for (const c of cases.schemaCases) {
    const err = gantryValidate(c.validator, c.document, { strict: true });
    assert.equal(err === undefined, c.expectValid, `${c.source}: ${err?.message ?? 'accepted'}`);
  }
});

test('schemaCases: lenient mode differs from the schema only on the empty layer list', (t) => {
  const cases = load(t);
  if (!cases) return;
  const differences: string[] = [];
  for (const c of cases.schemaCases) {
    const err = gantryValidate(c.validator, c.document, {});
    if ((err === undefined) !== c.expectValid) differences.push(c.source);
  }
  assert.deepEqual(differences, ['schema/manifest_test.go:TestManifest#5']);
});

test('backwardsCompatibility: Docker schema 2 documents validate, as read and after conversion', (t) => {
  const cases = load(t);
  if (!cases) return;
  for (const c of cases.backwardsCompatibility.cases) {
    assert.equal(createHash('sha256').update(c.dockerDocument).digest('hex'), c.sha256OfDockerDocument.replace(/^sha256:/, ''));
    let converted = c.dockerDocument;
    for (const [docker, oci] of Object.entries(cases.backwardsCompatibility.compatMap)) converted = converted.split(docker).join(oci);
    const r = validateOciDocument(c.validatorAfterConversion, converted);
    assert.equal(r.valid, c.expectValid, `${c.source}: ${r.errors.join('; ')}`);
    assert.equal(gantryValidate(c.validatorAfterConversion, converted, { strict: true }), undefined, c.source);
    // As gantry reads them: the Docker media types themselves.
    assert.equal(gantryValidate(c.validatorAfterConversion, c.dockerDocument, {}), undefined, c.source);
  }
});

test('specExamples: every example in the spec validates both ways', (t) => {
  const cases = load(t);
  if (!cases) return;
  assert.ok(cases.specExamples.cases.length >= 13);
  for (const c of cases.specExamples.cases) {
    const r = validateOciDocument(c.validator, c.document);
    assert.ok(r.valid, `${c.source} ${c.title}: ${r.errors.join('; ')}`);
    const err = gantryValidate(c.validator, c.document, { strict: true });
    assert.equal(err, undefined, `${c.source} ${c.title}: ${err?.message}`);
  }
});

const layoutRoot = conformancePath('go-containerregistry', 'pkg', 'v1', 'layout', 'testdata');

test('OCI layouts written by go-containerregistry validate, down to every manifest and config', (t) => {
  if (layoutRoot === undefined) return t.skip('go-containerregistry fixtures are absent');
  let documents = 0;
  for (const name of ['test_index', 'test_index_one_image', 'test_index_media_type', 'test_gc_index', 'test_gc_image_unknown_mediatype']) {
    const dir = join(layoutRoot, name);
    parseOciLayoutHeader(readFileSync(join(dir, 'oci-layout')));
    const index = parseLayoutIndex(readFileSync(join(dir, 'index.json')), { strict: true });
    const pending: Descriptor[] = [...index.manifests];
    while (pending.length > 0) {
      const d = pending.pop() as Descriptor;
      const blob = join(dir, 'blobs', ...d.digest.split(':'));
      if (!existsSync(blob)) continue; // the GC fixtures reference content they do not ship
      const bytes = readFileSync(blob);
      if (isIndexMediaType(d.mediaType)) {
        pending.push(...parseIndex(bytes, { strict: true }).manifests);
      } else if (isManifestMediaType(d.mediaType)) {
        const m = parseManifest(bytes, { strict: true });
        pending.push(m.config);
        assert.ok(validateOciDocument(d.mediaType, bytes).valid);
      } else if (isConfigMediaType(d.mediaType)) {
        parseImageConfig(bytes);
        assert.ok(validateOciDocument(d.mediaType, bytes).valid, `${name} ${d.digest}`);
      } else {
        continue;
      }
      documents++;
    }
  }
  assert.ok(documents >= 10, `validated ${documents} documents`);
});

const tarballRoot = conformancePath('go-containerregistry', 'pkg', 'v1', 'tarball', 'testdata');

function tarEntry(tar: string, entry: string): Buffer {
  return execFileSync('tar', ['-xOf', tar, entry], { maxBuffer: 64 * 1024 * 1024 });
}

test('docker save archives: manifest.json and the image configs it names validate', (t) => {
  if (tarballRoot === undefined) return t.skip('go-containerregistry fixtures are absent');
  const mutateRoot = join(tarballRoot, '..', '..', 'mutate', 'testdata');
  const archives = [
    ...['test_image_1.tar', 'test_image_2.tar', 'test_bundle.tar', 'hello-world-v25.tar', 'test_link.tar', 'test_load_manifest.tar'].map((f) => join(tarballRoot, f)),
    ...['whiteout_image.tar', 'source_image.tar', 'source_image_with_empty_layer_history.tar', 'overwritten_file.tar'].map((f) => join(mutateRoot, f)),
  ];
  let configs = 0;
  for (const tar of archives) {
    const entries = parseDockerArchiveManifest(tarEntry(tar, 'manifest.json'));
    for (const e of entries) {
      const configBytes = tarEntry(tar, e.Config);
      const config = parseImageConfig(configBytes);
      assert.equal(config.rootfs.diff_ids.length, e.Layers.length, `${tar}: one diffID per layer`);
      configs++;
    }
  }
  assert.ok(configs >= archives.length);
  // A manifest.json holding JSON null is refused.
  assert.throws(() => parseDockerArchiveManifest(tarEntry(join(tarballRoot, 'null_manifest.tar'), 'manifest.json')), {
    name: 'InvalidArchiveManifestError',
  });
});

test('what the encoders write validates against the OCI schemas and reads back through validate.ts', async (t) => {
  if (conformancePath('image-spec', 'schema') === undefined) return t.skip('OCI schemas are absent');
  const { encodeImageConfig, encodeIndex, encodeManifest } = await import('../../src/oci/encode.js');
  const { digestOf } = await import('../../src/oci/digest.js');
  const configBytes = encodeImageConfig({
    created: '2026-11-29T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { a: 'b' }, ExposedPorts: { '80/tcp': {} } },
    rootfs: { type: 'layers', diff_ids: [digestOf('layer')] },
    history: [{ created: '2026-11-29T00:00:00Z', created_by: 'COPY . /' }],
  });
  const manifestBytes = encodeManifest({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: digestOf(configBytes), size: configBytes.length },
    layers: [{ mediaType: MediaType.OciLayerGzip, digest: digestOf('gz'), size: 2 }],
    annotations: { 'org.opencontainers.image.created': '2026-11-29T00:00:00Z' },
  });
  const indexBytes = encodeIndex({
    schemaVersion: 2,
    mediaType: MediaType.OciIndex,
    manifests: [{ mediaType: MediaType.OciManifest, digest: digestOf(manifestBytes), size: manifestBytes.length, platform: { os: 'linux', architecture: 'amd64' } }],
  });
  for (const [mediaType, bytes] of [
    [MediaType.OciConfig, configBytes],
    [MediaType.OciManifest, manifestBytes],
    [MediaType.OciIndex, indexBytes],
  ] as const) {
    const r = validateOciDocument(mediaType, bytes);
    assert.ok(r.valid, `${mediaType}: ${r.errors.join('; ')}`);
    assert.equal(gantryValidate(mediaType, bytes.toString(), { strict: true }), undefined, mediaType);
  }
});
