/**
 * Runtime validation of the JSON documents gantry reads: image manifests and indexes (OCI and
 * Docker v2 schema 2), image configs, OCI layout files and docker-archive `manifest.json`.
 *
 * Hand-written rather than schema-driven because it runs on every read: one pass over the object,
 * no compilation, and errors that name the member at fault (`layers[2].digest`). The rules are the
 * OCI image-spec's schemas plus what its Go validator adds (documents must decode into the Go types,
 * descriptor digests must be well formed, config `Env` entries must be `KEY=value`), and
 * test/oci/validate-conformance.test.ts checks them against the spec's own cases.
 *
 * Two modes:
 * - default (lenient): what docker and containerd accept when they read. Go's decoder reads `null` as
 *   "absent", so a null optional member is accepted and removed from the returned object (its type
 *   then tells the truth); a manifest may have no layers (BuildKit writes such images for `FROM scratch`).
 * - `strict: true`: the image-spec schemas exactly; for checking what gantry writes.
 *
 * The validators return their input, typed; apart from the null removal above they do not copy or change it.
 */
import { GantryError, type ErrorKind } from '../errors.js';
import type { Descriptor, Platform } from './descriptor.js';
import type { ContainerConfig, ImageConfig } from './image-config.js';
import type { DockerArchiveManifestEntry, OciLayoutHeader } from './layout.js';
import type { Index, Manifest } from './manifest.js';
import { InvalidReferenceError, parseNormalizedNamed } from './reference.js';
import { isConfigMediaType, isIndexMediaType, isLayerMediaType, isManifestMediaType } from './media-types.js';

/** Which document a validation error is about. */
export type DocumentKind =
  | 'image manifest'
  | 'image index'
  | 'image config'
  | 'descriptor'
  | 'OCI layout'
  | 'docker-archive manifest';

export interface ValidateOptions {
  /** Apply the image-spec schemas exactly (see the module doc). */
  strict?: boolean;
  /** The error kind to raise: `data-loss` for documents read back from gantry's own store. */
  kind?: Extract<ErrorKind, 'invalid-argument' | 'data-loss'>;
}

export interface ManifestValidateOptions extends ValidateOptions {
  /** Also require an image: a config of an image-config media type and layers of layer media types. */
  image?: boolean;
}

/** A document that is not what its type says. `path` names the member at fault (`layers[0].digest`). */
export class InvalidDocumentError extends GantryError {
  constructor(
    readonly document: DocumentKind,
    readonly path: string,
    readonly problem: string,
    code: string,
    kind: ErrorKind = 'invalid-argument',
  ) {
    super(kind, code, `Cannot read ${document}: ${path === '' ? 'the document' : path} ${problem}`);
  }
}
export class InvalidManifestError extends InvalidDocumentError {
  constructor(path: string, problem: string, kind?: ErrorKind) {
    super('image manifest', path, problem, 'INVALID_MANIFEST', kind);
  }
}
export class InvalidIndexError extends InvalidDocumentError {
  constructor(path: string, problem: string, kind?: ErrorKind) {
    super('image index', path, problem, 'INVALID_INDEX', kind);
  }
}
export class InvalidImageConfigError extends InvalidDocumentError {
  constructor(path: string, problem: string, kind?: ErrorKind) {
    super('image config', path, problem, 'INVALID_IMAGE_CONFIG', kind);
  }
}
export class InvalidDescriptorError extends InvalidDocumentError {
  constructor(path: string, problem: string, kind?: ErrorKind) {
    super('descriptor', path, problem, 'INVALID_DESCRIPTOR', kind);
  }
}
export class InvalidLayoutError extends InvalidDocumentError {
  constructor(path: string, problem: string, kind?: ErrorKind) {
    super('OCI layout', path, problem, 'INVALID_LAYOUT', kind);
  }
}
export class InvalidArchiveManifestError extends InvalidDocumentError {
  constructor(path: string, problem: string, kind?: ErrorKind) {
    super('docker-archive manifest', path, problem, 'INVALID_ARCHIVE_MANIFEST', kind);
  }
}

/**
 * The largest manifest or index gantry reads (4 MiB, as distribution's registry and containerd's
 * fetcher); a bigger one is refused before it is parsed.
 */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const MEDIA_TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
// Lengths of the algorithms go-digest registers; others are only checked against the grammar.
const DIGEST_HEX_LENGTH = new Map([
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
]);
const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;
const URI_RE = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$/;
// The image-spec's `^[^=]+=.*$`. Go's `.` stops at a newline, so strict mode refuses multi-line
// values; docker writes them (ENV with an escaped newline), so lenient mode accepts them.
const ENV_RE = /^[^=]+=/;
const STRICT_ENV_RE = /^[^=]+=[^\n]*$/;

type Json = Record<string, unknown>;

/** One validation run: the document kind, the mode, and the error to raise. */
class Checker {
  constructor(
    readonly fail: (path: string, problem: string) => never,
    readonly strict: boolean,
  ) {}

  object(v: unknown, path: string): Json {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(path, `must be an object, not ${describe(v)}`);
    return v as Json;
  }

  /**
   * Reads an optional member: undefined when absent. In lenient mode a null member is removed and
   * read as absent, as Go's decoder does; in strict mode null is a type error, reported by the caller.
   */
  optional(o: Json, key: string): unknown {
    const v = o[key];
    if (v === null && !this.strict) {
      delete o[key];
      return undefined;
    }
    return v;
  }

  required(o: Json, key: string, path: string): unknown {
    const v = o[key];
    if (v === undefined || v === null) this.fail(join(path, key), 'is required');
    return v;
  }

  string(v: unknown, path: string): string {
    if (typeof v !== 'string') this.fail(path, `must be a string, not ${describe(v)}`);
    return v;
  }

  optString(o: Json, key: string, path: string): void {
    const v = this.optional(o, key);
    if (v !== undefined) this.string(v, join(path, key));
  }

  optBoolean(o: Json, key: string, path: string): void {
    const v = this.optional(o, key);
    if (v !== undefined && typeof v !== 'boolean') this.fail(join(path, key), `must be a boolean, not ${describe(v)}`);
  }

  stringArray(v: unknown, path: string): string[] {
    if (!Array.isArray(v)) this.fail(path, `must be an array, not ${describe(v)}`);
    for (let i = 0; i < v.length; i++) this.string(v[i], `${path}[${i}]`);
    return v as string[];
  }

  optStringArray(o: Json, key: string, path: string): void {
    const v = this.optional(o, key);
    if (v !== undefined) this.stringArray(v, join(path, key));
  }

  /** A string → string map (annotations, labels). */
  stringMap(v: unknown, path: string): void {
    const o = this.object(v, path);
    for (const k of Object.keys(o)) this.string(o[k], `${path}[${JSON.stringify(k)}]`);
  }

  optStringMap(o: Json, key: string, path: string): void {
    const v = this.optional(o, key);
    if (v !== undefined) this.stringMap(v, join(path, key));
  }

  /** A string → object map (ExposedPorts, Volumes). */
  objectMap(v: unknown, path: string): void {
    const o = this.object(v, path);
    for (const k of Object.keys(o)) this.object(o[k], `${path}[${JSON.stringify(k)}]`);
  }

  mediaType(v: unknown, path: string): string {
    const s = this.string(v, path);
    if (!MEDIA_TYPE_RE.test(s)) this.fail(path, `is not a valid media type: ${JSON.stringify(s)}`);
    return s;
  }

  size(v: unknown, path: string): number {
    if (typeof v !== 'number' || !Number.isInteger(v)) this.fail(path, `must be an integer, not ${describe(v)}`);
    if (v < 0) this.fail(path, `must not be negative: ${v}`);
    if (!Number.isSafeInteger(v)) this.fail(path, `is too large to be exact: ${v}`);
    return v;
  }

  digest(v: unknown, path: string): string {
    const s = this.string(v, path);
    if (!DIGEST_RE.test(s)) this.fail(path, `is not a valid digest: ${JSON.stringify(s)}`);
    const colon = s.indexOf(':');
    const length = DIGEST_HEX_LENGTH.get(s.slice(0, colon));
    if (length !== undefined) {
      const encoded = s.slice(colon + 1);
      if (encoded.length !== length) this.fail(path, `is not a valid digest: ${JSON.stringify(s)}: invalid checksum digest length`);
      if (!/^[a-f0-9]+$/.test(encoded)) this.fail(path, `is not a valid digest: ${JSON.stringify(s)}: invalid checksum digest format`);
    }
    return s;
  }

  schemaVersion(o: Json, path: string): void {
    const v = this.required(o, 'schemaVersion', path);
    if (v !== 2) this.fail(join(path, 'schemaVersion'), `must be 2, not ${JSON.stringify(v)}`);
  }

  timestamp(o: Json, key: string, path: string): void {
    const v = this.optional(o, key);
    if (v === undefined) return;
    const s = this.string(v, join(path, key));
    if (!RFC3339_RE.test(s)) this.fail(join(path, key), `is not an RFC 3339 date-time: ${JSON.stringify(s)}`);
  }

  descriptor(v: unknown, path: string): Descriptor {
    const d = this.object(v, path);
    this.mediaType(this.required(d, 'mediaType', path), join(path, 'mediaType'));
    this.size(this.required(d, 'size', path), join(path, 'size'));
    this.digest(this.required(d, 'digest', path), join(path, 'digest'));
    const urls = this.optional(d, 'urls');
    if (urls !== undefined) {
      const list = this.stringArray(urls, join(path, 'urls'));
      list.forEach((u, i) => {
        if (!URI_RE.test(u)) this.fail(`${join(path, 'urls')}[${i}]`, `is not an absolute URI: ${JSON.stringify(u)}`);
      });
    }
    const data = this.optional(d, 'data');
    if (data !== undefined) {
      const s = this.string(data, join(path, 'data'));
      // Go decodes []byte with padded standard base64 and skips line breaks.
      if (!BASE64_RE.test(s.replace(/[\r\n]/g, ''))) this.fail(join(path, 'data'), 'is not valid base64');
    }
    const artifactType = this.optional(d, 'artifactType');
    if (artifactType !== undefined) this.mediaType(artifactType, join(path, 'artifactType'));
    this.optStringMap(d, 'annotations', path);
    const platform = this.optional(d, 'platform');
    if (platform !== undefined) this.platform(platform, join(path, 'platform'));
    return d as unknown as Descriptor;
  }

  platform(v: unknown, path: string): Platform {
    const p = this.object(v, path);
    this.string(this.required(p, 'architecture', path), join(path, 'architecture'));
    this.string(this.required(p, 'os', path), join(path, 'os'));
    this.optString(p, 'os.version', path);
    this.optStringArray(p, 'os.features', path);
    this.optString(p, 'variant', path);
    this.optStringArray(p, 'features', path);
    return p as unknown as Platform;
  }

  optDescriptor(o: Json, key: string, path: string): void {
    const v = this.optional(o, key);
    if (v !== undefined) this.descriptor(v, join(path, key));
  }
}

function join(path: string, key: string): string {
  if (path === '') return key;
  // Member names here are code literals; only the dotted OCI ones (`os.version`) need brackets.
  return key.includes('.') ? `${path}[${JSON.stringify(key)}]` : `${path}.${key}`;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v === 'number' ? 'the number' : typeof v} ${String(v)}`;
}

function checker(
  make: (path: string, problem: string, kind?: ErrorKind) => InvalidDocumentError,
  opts: ValidateOptions,
): Checker {
  return new Checker((path, problem) => {
    throw make(path, problem, opts.kind);
  }, opts.strict === true);
}

/**
 * Validates an image manifest (OCI, or Docker v2 schema 2).
 * @throws {InvalidManifestError} naming the member at fault
 */
export function validateManifest(doc: unknown, opts: ManifestValidateOptions = {}): Manifest {
  const c: Checker = checker((p, m, k) => new InvalidManifestError(p, m, k), opts);
  const m = c.object(doc, '');
  c.schemaVersion(m, '');
  const mediaType = c.optional(m, 'mediaType');
  if (mediaType !== undefined) {
    c.mediaType(mediaType, 'mediaType');
    if (!isManifestMediaType(mediaType as string)) {
      c.fail('mediaType', `is ${JSON.stringify(mediaType)}, not an image manifest media type`);
    }
  }
  const artifactType = c.optional(m, 'artifactType');
  if (artifactType !== undefined) c.mediaType(artifactType, 'artifactType');
  const config = c.descriptor(c.required(m, 'config', ''), 'config');
  const layersValue = c.required(m, 'layers', '');
  if (!Array.isArray(layersValue)) c.fail('layers', `must be an array, not ${describe(layersValue)}`);
  if (c.strict && layersValue.length === 0) c.fail('layers', 'must have at least one entry');
  const layers = layersValue.map((l, i) => c.descriptor(l, `layers[${i}]`));
  c.optDescriptor(m, 'subject', '');
  c.optStringMap(m, 'annotations', '');
  if (opts.image === true) {
    if (!isConfigMediaType(config.mediaType)) {
      c.fail('config.mediaType', `is ${JSON.stringify(config.mediaType)}, not an image config media type`);
    }
    layers.forEach((l, i) => {
      if (!isLayerMediaType(l.mediaType)) {
        c.fail(`layers[${i}].mediaType`, `is ${JSON.stringify(l.mediaType)}, not a layer media type`);
      }
    });
  }
  return m as unknown as Manifest;
}

/**
 * Validates an image index (OCI, or a Docker manifest list).
 * @throws {InvalidIndexError} naming the member at fault
 */
export function validateIndex(doc: unknown, opts: ValidateOptions = {}): Index {
  return checkIndex(checker((p, m, k) => new InvalidIndexError(p, m, k), opts), doc);
}

function checkIndex(c: Checker, doc: unknown): Index {
  const x = c.object(doc, '');
  c.schemaVersion(x, '');
  const mediaType = c.optional(x, 'mediaType');
  if (mediaType !== undefined) {
    c.mediaType(mediaType, 'mediaType');
    if (!isIndexMediaType(mediaType as string)) c.fail('mediaType', `is ${JSON.stringify(mediaType)}, not an image index media type`);
  }
  const artifactType = c.optional(x, 'artifactType');
  if (artifactType !== undefined) c.mediaType(artifactType, 'artifactType');
  const manifests = c.required(x, 'manifests', '');
  if (!Array.isArray(manifests)) c.fail('manifests', `must be an array, not ${describe(manifests)}`);
  manifests.forEach((d, i) => c.descriptor(d, `manifests[${i}]`));
  c.optDescriptor(x, 'subject', '');
  c.optStringMap(x, 'annotations', '');
  return x as unknown as Index;
}

/**
 * Validates a content descriptor on its own (as the image-spec's descriptor validator does).
 * @throws {InvalidDescriptorError}
 */
export function validateDescriptor(doc: unknown, opts: ValidateOptions = {}): Descriptor {
  return checker((p, m, k) => new InvalidDescriptorError(p, m, k), opts).descriptor(doc, '');
}

/**
 * Validates an image config (OCI `config.json`, also Docker's `container.image.v1`).
 * @throws {InvalidImageConfigError} naming the member at fault, e.g. `config.Env[0] must be KEY=value`
 */
export function validateImageConfig(doc: unknown, opts: ValidateOptions = {}): ImageConfig {
  const c: Checker = checker((p, m, k) => new InvalidImageConfigError(p, m, k), opts);
  const x = c.object(doc, '');
  c.timestamp(x, 'created', '');
  c.optString(x, 'author', '');
  c.string(c.required(x, 'architecture', ''), 'architecture');
  c.string(c.required(x, 'os', ''), 'os');
  c.optString(x, 'os.version', '');
  c.optStringArray(x, 'os.features', '');
  c.optString(x, 'variant', '');
  const config = c.optional(x, 'config');
  if (config !== undefined) checkContainerConfig(c, config, 'config');
  const rootfs = c.object(c.required(x, 'rootfs', ''), 'rootfs');
  const type = c.required(rootfs, 'type', 'rootfs');
  if (type !== 'layers') c.fail('rootfs.type', `must be "layers", not ${describe(type)}`);
  const diffIds = c.required(rootfs, 'diff_ids', 'rootfs');
  if (!Array.isArray(diffIds)) c.fail('rootfs.diff_ids', `must be an array, not ${describe(diffIds)}`);
  diffIds.forEach((d, i) => c.digest(d, `rootfs.diff_ids[${i}]`));
  const history = c.optional(x, 'history');
  if (history !== undefined) {
    if (!Array.isArray(history)) c.fail('history', `must be an array, not ${describe(history)}`);
    history.forEach((h, i) => {
      const path = `history[${i}]`;
      const entry = c.object(h, path);
      c.timestamp(entry, 'created', path);
      c.optString(entry, 'created_by', path);
      c.optString(entry, 'author', path);
      c.optString(entry, 'comment', path);
      c.optBoolean(entry, 'empty_layer', path);
    });
  }
  if (!c.strict) {
    // Docker's own members, type-checked so that a reader can trust them.
    const containerConfig = c.optional(x, 'container_config');
    if (containerConfig !== undefined) checkContainerConfig(c, containerConfig, 'container_config');
  }
  return x as unknown as ImageConfig;
}

/** The runtime defaults (`config`): the OCI members, and Docker's extra ones where present. */
function checkContainerConfig(c: Checker, v: unknown, path: string): ContainerConfig {
  const o = c.object(v, path);
  c.optString(o, 'User', path);
  const ports = c.optional(o, 'ExposedPorts');
  if (ports !== undefined) c.objectMap(ports, join(path, 'ExposedPorts'));
  const env = c.optional(o, 'Env');
  if (env !== undefined) {
    c.stringArray(env, join(path, 'Env')).forEach((e, i) => {
      if (!(c.strict ? STRICT_ENV_RE : ENV_RE).test(e)) c.fail(`${join(path, 'Env')}[${i}]`, `must be KEY=value, not ${JSON.stringify(e)}`);
    });
  }
  // Entrypoint, Cmd, Volumes and Labels may be null even in the schema.
  for (const key of ['Entrypoint', 'Cmd']) {
    const value = o[key];
    if (value !== undefined && value !== null) c.stringArray(value, join(path, key));
  }
  const volumes = o['Volumes'];
  if (volumes !== undefined && volumes !== null) c.objectMap(volumes, join(path, 'Volumes'));
  c.optString(o, 'WorkingDir', path);
  const labels = o['Labels'];
  if (labels !== undefined && labels !== null) c.stringMap(labels, join(path, 'Labels'));
  c.optString(o, 'StopSignal', path);
  c.optBoolean(o, 'ArgsEscaped', path);
  if (!c.strict) {
    for (const key of ['Hostname', 'Domainname', 'Image', 'MacAddress']) c.optString(o, key, path);
    for (const key of ['AttachStdin', 'AttachStdout', 'AttachStderr', 'Tty', 'OpenStdin', 'StdinOnce', 'NetworkDisabled']) {
      c.optBoolean(o, key, path);
    }
    c.optStringArray(o, 'Shell', path);
    const onBuild = o['OnBuild'];
    if (onBuild !== undefined && onBuild !== null) c.stringArray(onBuild, join(path, 'OnBuild'));
    const health = c.optional(o, 'Healthcheck');
    if (health !== undefined) {
      const hpath = join(path, 'Healthcheck');
      const h = c.object(health, hpath);
      c.optStringArray(h, 'Test', hpath);
      for (const key of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries']) {
        const n = c.optional(h, key);
        if (n !== undefined && (typeof n !== 'number' || !Number.isInteger(n))) {
          c.fail(join(hpath, key), `must be an integer, not ${describe(n)}`);
        }
      }
    }
  }
  return o as ContainerConfig;
}

/**
 * Validates an OCI layout's `oci-layout` file.
 * @throws {InvalidLayoutError}
 */
export function validateOciLayoutHeader(doc: unknown, opts: ValidateOptions = {}): OciLayoutHeader {
  const c: Checker = checker((p, m, k) => new InvalidLayoutError(p, m, k), opts);
  const o = c.object(doc, '');
  const version = c.required(o, 'imageLayoutVersion', '');
  if (version !== '1.0.0') c.fail('imageLayoutVersion', `must be "1.0.0", not ${describe(version)}`);
  return o as unknown as OciLayoutHeader;
}

/**
 * Validates an OCI layout's `index.json` (an image index).
 * @throws {InvalidLayoutError} with the member at fault prefixed by `index.json`
 */
export function validateLayoutIndex(doc: unknown, opts: ValidateOptions = {}): Index {
  const c: Checker = checker((p, m, k) => new InvalidLayoutError(p === '' ? 'index.json' : `index.json ${p}`, m, k), opts);
  return checkIndex(c, doc);
}

/**
 * Validates a docker-archive `manifest.json`: a non-empty list of images whose paths stay inside the archive.
 * @throws {InvalidArchiveManifestError}
 */
export function validateDockerArchiveManifest(doc: unknown, opts: ValidateOptions = {}): DockerArchiveManifestEntry[] {
  const c: Checker = checker((p, m, k) => new InvalidArchiveManifestError(p, m, k), opts);
  if (!Array.isArray(doc)) c.fail('', `must be a list of images, not ${describe(doc)}`);
  if (doc.length === 0) c.fail('', 'lists no images');
  const archivePath = (v: unknown, path: string): void => {
    const s = c.string(v, path);
    // A path that leaves the archive would let a hostile tar make gantry read other files.
    if (s === '' || s.startsWith('/') || s.split('/').includes('..')) {
      c.fail(path, `is not a path inside the archive: ${JSON.stringify(s)}`);
    }
  };
  doc.forEach((entry, i) => {
    const path = `[${i}]`;
    const o = c.object(entry, path);
    archivePath(c.required(o, 'Config', path), join(path, 'Config'));
    const repoTags = c.optional(o, 'RepoTags');
    if (repoTags !== undefined) {
      // docker load refuses tags it cannot parse, and names without a tag (`invalid tag "x"`); archives
      // from other tools (bazel's, in go-containerregistry's fixtures) have bare names, which loaders
      // read as `:latest`, so only strict mode refuses those.
      c.stringArray(repoTags, join(path, 'RepoTags')).forEach((tag, j) => {
        const where = `${join(path, 'RepoTags')}[${j}]`;
        let ref;
        try {
          ref = parseNormalizedNamed(tag);
        } catch (err) {
          if (err instanceof InvalidReferenceError) c.fail(where, `is not a valid tag: ${JSON.stringify(tag)} (${err.reason})`);
          throw err;
        }
        if (ref.tag === undefined && c.strict) c.fail(where, `is not a valid tag: ${JSON.stringify(tag)} (invalid tag ${JSON.stringify(tag)})`);
      });
    }
    const layers = c.required(o, 'Layers', path);
    if (!Array.isArray(layers)) c.fail(join(path, 'Layers'), `must be an array, not ${describe(layers)}`);
    layers.forEach((l, j) => archivePath(l, `${join(path, 'Layers')}[${j}]`));
    c.optString(o, 'Parent', path);
    const sources = c.optional(o, 'LayerSources');
    if (sources !== undefined) {
      const s = c.object(sources, join(path, 'LayerSources'));
      for (const diffId of Object.keys(s)) {
        const spath = `${join(path, 'LayerSources')}[${JSON.stringify(diffId)}]`;
        c.digest(diffId, spath);
        c.descriptor(s[diffId], spath);
      }
    }
  });
  return doc as DockerArchiveManifestEntry[];
}

/**
 * Parses JSON bytes for a validator, refusing oversized input and reporting bad JSON in the
 * validator's error type.
 */
function parseJson(
  bytes: Uint8Array | string,
  make: (path: string, problem: string, kind?: ErrorKind) => InvalidDocumentError,
  opts: ValidateOptions,
  maxBytes: number,
): unknown {
  const length = typeof bytes === 'string' ? Buffer.byteLength(bytes) : bytes.byteLength;
  if (length > maxBytes) throw make('', `is too large: ${length} bytes (limit ${maxBytes})`, opts.kind);
  const text = typeof bytes === 'string' ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw make('', `is not valid JSON (${(err as Error).message})`, opts.kind);
  }
}

/** Parses and validates manifest bytes (at most MAX_MANIFEST_BYTES). @throws {InvalidManifestError} */
export function parseManifest(bytes: Uint8Array | string, opts: ManifestValidateOptions = {}): Manifest {
  return validateManifest(parseJson(bytes, (p, m, k) => new InvalidManifestError(p, m, k), opts, MAX_MANIFEST_BYTES), opts);
}

/** Parses and validates index bytes (at most MAX_MANIFEST_BYTES). @throws {InvalidIndexError} */
export function parseIndex(bytes: Uint8Array | string, opts: ValidateOptions = {}): Index {
  return validateIndex(parseJson(bytes, (p, m, k) => new InvalidIndexError(p, m, k), opts, MAX_MANIFEST_BYTES), opts);
}

/**
 * Parses a manifest or an index, deciding by the document's `mediaType` (or, when it has none, by
 * the media type it was served or stored under, then by its shape: `manifests` means an index).
 * @throws {InvalidManifestError | InvalidIndexError}
 */
export function parseManifestOrIndex(
  bytes: Uint8Array | string,
  mediaType?: string,
  opts: ManifestValidateOptions = {},
): { kind: 'manifest'; manifest: Manifest } | { kind: 'index'; index: Index } {
  const doc = parseJson(bytes, (p, m, k) => new InvalidManifestError(p, m, k), opts, MAX_MANIFEST_BYTES);
  const declared = typeof doc === 'object' && doc !== null && typeof (doc as Json)['mediaType'] === 'string'
    ? ((doc as Json)['mediaType'] as string)
    : mediaType;
  const isIndex = declared !== undefined && isIndexMediaType(declared)
    ? true
    : declared !== undefined && isManifestMediaType(declared)
      ? false
      : typeof doc === 'object' && doc !== null && 'manifests' in doc;
  if (isIndex) return { kind: 'index', index: validateIndex(doc, opts) };
  return { kind: 'manifest', manifest: validateManifest(doc, opts) };
}

/** Parses and validates image config bytes. @throws {InvalidImageConfigError} */
export function parseImageConfig(bytes: Uint8Array | string, opts: ValidateOptions = {}): ImageConfig {
  // Configs carry history and can be larger than manifests; 64 MiB bounds a hostile one.
  return validateImageConfig(parseJson(bytes, (p, m, k) => new InvalidImageConfigError(p, m, k), opts, 64 * 1024 * 1024), opts);
}

/** Parses and validates an `oci-layout` file. @throws {InvalidLayoutError} */
export function parseOciLayoutHeader(bytes: Uint8Array | string, opts: ValidateOptions = {}): OciLayoutHeader {
  return validateOciLayoutHeader(parseJson(bytes, (p, m, k) => new InvalidLayoutError(p, m, k), opts, 64 * 1024), opts);
}

/** Parses and validates an OCI layout `index.json`. @throws {InvalidLayoutError} */
export function parseLayoutIndex(bytes: Uint8Array | string, opts: ValidateOptions = {}): Index {
  const make = (p: string, m: string, k?: ErrorKind): InvalidDocumentError =>
    new InvalidLayoutError(p === '' ? 'index.json' : `index.json ${p}`, m, k);
  return validateLayoutIndex(parseJson(bytes, make, opts, MAX_MANIFEST_BYTES), opts);
}

/** Parses and validates a docker-archive `manifest.json`. @throws {InvalidArchiveManifestError} */
export function parseDockerArchiveManifest(bytes: Uint8Array | string, opts: ValidateOptions = {}): DockerArchiveManifestEntry[] {
  const make = (p: string, m: string, k?: ErrorKind): InvalidDocumentError => new InvalidArchiveManifestError(p, m, k);
  return validateDockerArchiveManifest(parseJson(bytes, make, opts, MAX_MANIFEST_BYTES), opts);
}
