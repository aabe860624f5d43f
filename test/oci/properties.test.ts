/**
 * Properties over generated inputs (seeded, so every run checks the same cases): what the parsers
 * accept prints back to text that parses to the same value, and hostile input only ever produces
 * the parsers' own typed errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GantryError } from '../../src/errors.js';
import { BadPatternError, pathMatch } from '../../src/oci/path-match.js';
import { formatAll, parsePlatform } from '../../src/oci/platform.js';
import {
  familiarString,
  InvalidReferenceError,
  parseDockerRef,
  parseNormalizedNamed,
  parseReference,
  referenceString,
} from '../../src/oci/reference.js';
import { InvalidDocumentError, validateImageConfig, validateIndex, validateManifest } from '../../src/oci/validate.js';

/** mulberry32: a small seeded generator. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomString(r: () => number, alphabet: string, maxLength: number): string {
  const n = Math.floor(r() * maxLength);
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

const REF_ALPHABET = 'abcz09AZ._-/:@_-..//::sha256';

test('references: whatever parses prints back to the same reference', () => {
  const r = rng(42);
  let accepted = 0;
  for (let i = 0; i < 10_000; i++) {
    const s = r() < 0.1 ? `${randomString(r, REF_ALPHABET, 20)}@sha256:${'ab'.repeat(32)}` : randomString(r, REF_ALPHABET, 24);
    let ref;
    try {
      ref = parseReference(s);
    } catch (err) {
      assert.ok(err instanceof InvalidReferenceError, `${JSON.stringify(s)}: ${String(err)}`);
      continue;
    }
    accepted++;
    assert.equal(referenceString(ref), s, 'Parse keeps the text as written');
    assert.deepEqual(parseReference(referenceString(ref)), ref);
    try {
      const normalized = parseNormalizedNamed(s);
      assert.deepEqual(parseNormalizedNamed(familiarString(normalized)), normalized, s);
      assert.deepEqual(parseNormalizedNamed(referenceString(normalized)), normalized, s);
      const docker = parseDockerRef(s);
      assert.ok(docker.tag !== undefined || docker.digest !== undefined);
    } catch (err) {
      assert.ok(err instanceof InvalidReferenceError, `${JSON.stringify(s)}: ${String(err)}`);
    }
  }
  assert.ok(accepted > 500, `only ${accepted} generated inputs were valid`);
});

test('platforms: formatAll output parses back to the same platform', () => {
  const r = rng(7);
  const oses = ['linux', 'windows', 'darwin', 'freebsd'];
  const arches = ['amd64', 'arm64', 'arm', '386', 's390x', 'riscv64', 'ppc64le'];
  const variants = ['', 'v5', 'v6', 'v7', 'v8', 'v2', 'v3'];
  for (let i = 0; i < 2000; i++) {
    const os = oses[Math.floor(r() * oses.length)] as string;
    const arch = arches[Math.floor(r() * arches.length)] as string;
    const variant = variants[Math.floor(r() * variants.length)] as string;
    const version = r() < 0.3 ? randomString(r, '0123456789.+%()/ab', 10) : '';
    const features = r() < 0.3 ? [randomString(r, 'abc+%()/', 6) || 'f'] : [];
    let spec = os;
    if (version !== '' || features.length > 0) {
      spec += `(${encodeURIComponent(version).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}${features.map((f) => `+${encodeURIComponent(f).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`).join('')})`;
    }
    spec += `/${arch}${variant === '' ? '' : `/${variant}`}`;
    const p = parsePlatform(spec);
    const text = formatAll(p);
    assert.equal(formatAll(parsePlatform(text)), text, spec);
  }
});

test('pathMatch() throws nothing but BadPatternError on random patterns', () => {
  const r = rng(99);
  for (let i = 0; i < 20_000; i++) {
    const pattern = randomString(r, 'ab*?[]^-\\/', 10);
    const name = randomString(r, 'ab/-]', 8);
    try {
      pathMatch(pattern, name);
    } catch (err) {
      assert.ok(err instanceof BadPatternError, `${JSON.stringify(pattern)}: ${String(err)}`);
    }
  }
});

test('validators throw only their typed errors on mutated documents', () => {
  const r = rng(2024);
  const base = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 1 },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${'b'.repeat(64)}`, size: 2, annotations: { a: 'b' } }],
    manifests: [{ mediaType: 'x/y', digest: `sha256:${'c'.repeat(64)}`, size: 3, platform: { os: 'linux', architecture: 'amd64' } }],
    architecture: 'amd64',
    os: 'linux',
    rootfs: { type: 'layers', diff_ids: [`sha256:${'d'.repeat(64)}`] },
    config2: { Env: ['A=b'] },
  };
  const junk: unknown[] = [null, 0, -1, 1.5, '', 'x', [], {}, true, [null], { a: null }, Number.MAX_SAFE_INTEGER * 4];
  const mutate = (v: unknown, depth: number): unknown => {
    if (r() < 0.15 || depth > 4) return junk[Math.floor(r() * junk.length)];
    if (Array.isArray(v)) return v.map((x) => mutate(x, depth + 1));
    if (typeof v === 'object' && v !== null) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (r() > 0.1) out[k] = mutate(x, depth + 1);
      return out;
    }
    return v;
  };
  for (let i = 0; i < 1000; i++) {
    for (const validate of [validateManifest, validateIndex, validateImageConfig]) {
      for (const strict of [false, true]) {
        try {
          validate(mutate(structuredClone(base), 0), { strict });
        } catch (err) {
          assert.ok(err instanceof InvalidDocumentError && err instanceof GantryError, String(err));
          assert.match(err.message, /^Cannot read /);
        }
      }
    }
  }
});
