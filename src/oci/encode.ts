/**
 * Deterministic JSON for the documents gantry writes. A manifest's or config's digest is its
 * identity, so the same content must always encode to the same bytes.
 *
 * - `encodeManifest`, `encodeIndex`, `encodeImageConfig`, `encodeDescriptor`: members in the order
 *   of the image-spec's Go types (the order docker, containerd and BuildKit write), map keys sorted,
 *   any other members after the known ones in sorted order, no whitespace.
 * - `canonicalJson`: every object's keys sorted; for cache keys and other derived identities.
 *
 * Both escape `<`, `>`, `&`, U+2028 and U+2029 as Go's encoding/json does, so a document gantry
 * re-encodes matches what a Go tool would write for the same values.
 */
import type { Descriptor } from './descriptor.js';
import type { ImageConfig } from './image-config.js';
import type { Index, Manifest } from './manifest.js';

/** Member order of each document type (Go struct field order). `*` marks a map: its keys are sorted. */
type Shape = { readonly [key: string]: Shape | '*' | '' | readonly ['[]', Shape] };

const PLATFORM: Shape = { architecture: '', os: '', 'os.version': '', 'os.features': '', variant: '', features: '' };
const DESCRIPTOR: Shape = {
  mediaType: '',
  digest: '',
  size: '',
  urls: '',
  annotations: '*',
  data: '',
  platform: PLATFORM,
  artifactType: '',
};
const MANIFEST: Shape = {
  schemaVersion: '',
  mediaType: '',
  artifactType: '',
  config: DESCRIPTOR,
  layers: ['[]', DESCRIPTOR],
  subject: DESCRIPTOR,
  annotations: '*',
};
const INDEX: Shape = {
  schemaVersion: '',
  mediaType: '',
  artifactType: '',
  manifests: ['[]', DESCRIPTOR],
  subject: DESCRIPTOR,
  annotations: '*',
};
const HEALTHCHECK: Shape = { Test: '', Interval: '', Timeout: '', StartPeriod: '', StartInterval: '', Retries: '' };
// The OCI ImageConfig members first, then the Docker ones BuildKit writes beside them.
const CONTAINER_CONFIG: Shape = {
  User: '',
  ExposedPorts: '*',
  Env: '',
  Entrypoint: '',
  Cmd: '',
  Volumes: '*',
  WorkingDir: '',
  Labels: '*',
  StopSignal: '',
  ArgsEscaped: '',
  Healthcheck: HEALTHCHECK,
  OnBuild: '',
  Shell: '',
};
const HISTORY: Shape = { created: '', created_by: '', author: '', comment: '', empty_layer: '' };
const IMAGE_CONFIG: Shape = {
  created: '',
  author: '',
  architecture: '',
  os: '',
  'os.version': '',
  'os.features': '',
  variant: '',
  config: CONTAINER_CONFIG,
  rootfs: { type: '', diff_ids: '' },
  history: ['[]', HISTORY],
};

/** Go's encoding/json string escaping (HTML-safe). */
function quote(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function sortedKeys(o: object): string[] {
  return Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function encodeValue(v: unknown, shape: Shape | '*' | '' | readonly ['[]', Shape]): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`Cannot encode JSON: ${v} is not a finite number`);
    return JSON.stringify(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) {
    const item = Array.isArray(shape) ? shape[1] : '';
    return `[${v.map((x) => encodeValue(x === undefined ? null : x, item)).join(',')}]`;
  }
  if (typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const known = typeof shape === 'object' && !Array.isArray(shape) ? (shape as Shape) : undefined;
    // Object.hasOwn, not `in`: a document member named `constructor` or `toString` is data, not a prototype member.
    const keys =
      known === undefined
        ? sortedKeys(o)
        : [...Object.keys(known).filter((k) => Object.hasOwn(o, k)), ...sortedKeys(o).filter((k) => !Object.hasOwn(known, k))];
    const parts: string[] = [];
    for (const k of keys) {
      const value = o[k];
      if (value === undefined) continue;
      const memberShape = known !== undefined && Object.hasOwn(known, k) ? (known[k] ?? '') : '';
      parts.push(`${quote(k)}:${encodeValue(value, memberShape)}`);
    }
    return `{${parts.join(',')}}`;
  }
  throw new TypeError(`Cannot encode JSON: unsupported value of type ${typeof v}`);
}

/** Every object's keys sorted, no whitespace, Go's escaping. */
export function canonicalJson(value: unknown): string {
  return encodeValue(value, '');
}

function bytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** A manifest's bytes, as written to a store, layout or registry. */
export function encodeManifest(m: Manifest): Buffer {
  return bytes(encodeValue(m, MANIFEST));
}

/** An index's bytes. */
export function encodeIndex(i: Index): Buffer {
  return bytes(encodeValue(i, INDEX));
}

/** An image config's bytes (their digest is the image ID). */
export function encodeImageConfig(c: ImageConfig): Buffer {
  return bytes(encodeValue(c, IMAGE_CONFIG));
}

/** A descriptor's JSON text. */
export function encodeDescriptor(d: Descriptor): string {
  return encodeValue(d, DESCRIPTOR);
}
