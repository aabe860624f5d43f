/**
 * Validates documents against the OCI image-spec JSON schemas in `../shared/conformance/image-spec/`
 * (draft-04), plus the checks the image-spec's Go validator runs before its schemas: documents must
 * decode into the Go types (here: `data` must be padded base64, which the schemas do not say), a
 * descriptor's digest must be well formed, and config `Env` entries must match `^[^=]+=.*$`.
 *
 * This is the independent oracle for "everything gantry writes validates against the OCI schemas":
 * it shares no code with src/oci/validate.ts.
 *
 * @example
 * ```ts
 * import { assertOciValid, ociSchemasAvailable } from '../helpers/oci-schema.js';
 * test('writes a valid manifest', (t) => {
 *   if (!ociSchemasAvailable()) return t.skip('no OCI schemas');
 *   assertOciValid(MediaType.OciManifest, manifestBytes);
 * });
 * ```
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvModule, { type ValidateFunction } from 'ajv-draft-04';
import { conformancePath } from './paths.js';

/** Docker media types and their OCI equivalents, as the image-spec's backwards-compatibility test maps them. */
export const DOCKER_TO_OCI_MEDIA_TYPES: Readonly<Record<string, string>> = {
  'application/vnd.docker.container.image.v1+json': 'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json': 'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json': 'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.image.rootfs.diff.tar.gzip': 'application/vnd.oci.image.layer.v1.tar+gzip',
};

interface Aliases {
  validatorSchemas: Record<string, string>;
  specURLs: Record<string, string[]>;
}

interface Loaded {
  validators: Map<string, ValidateFunction>;
}

let loaded: Loaded | undefined;

// ajv-draft-04 is CommonJS: under NodeNext its default import is the module object, whose `default` is the class.
const Ajv = AjvModule.default;

/** True when the shared schemas are present (tests skip with a notice otherwise). */
export function ociSchemasAvailable(): boolean {
  return conformancePath('image-spec', 'schema') !== undefined;
}

function load(): Loaded {
  if (loaded) return loaded;
  const dir = conformancePath('image-spec');
  if (dir === undefined) throw new Error('the OCI schemas (../shared/conformance/image-spec) are absent');
  const aliases = JSON.parse(readFileSync(join(dir, 'schema-aliases.json'), 'utf8')) as Aliases;
  // strict: false because the spec's schemas use a non-standard keyword (`media`).
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  ajv.addFormat('uri', { type: 'string', validate: isAbsoluteUri });
  for (const file of readdirSync(join(dir, 'schema')).filter((f) => f.endsWith('.json'))) {
    const schema = dropRefSiblingIds(JSON.parse(readFileSync(join(dir, 'schema', file), 'utf8'))) as Record<string, unknown>;
    const own = typeof schema['id'] === 'string' ? schema['id'] : undefined;
    // Register under each URL the spec's loader uses, so every cross-file `$ref` (with its JSON
    // pointer) resolves. The schema is added under its own id (or the alias named after its file);
    // each other URL gets a copy without ids, so that ajv does not see the same id twice. A URL that
    // an inner `id` of the file already claims is left to that inner schema.
    const urls = aliases.specURLs[file] ?? [];
    const inner = innerIds(schema);
    const primary = own ?? urls.find((u) => u.endsWith(`/${file}`)) ?? file;
    ajv.addSchema(schema, own === undefined ? primary : undefined);
    for (const url of [...urls, file]) {
      if (url !== primary && !inner.has(url)) ajv.addSchema(withoutIds(schema) as Record<string, unknown>, url);
    }
  }
  const validators = new Map<string, ValidateFunction>();
  for (const [mediaType, file] of Object.entries(aliases.validatorSchemas)) {
    const fn = ajv.getSchema(file);
    if (fn === undefined) throw new Error(`no schema for ${mediaType} (${file})`);
    validators.set(mediaType, fn);
  }
  loaded = { validators };
  return loaded;
}

/**
 * Draft-04 ignores every sibling of `$ref`, `id` included, so `{"id": ".../annotations", "$ref":
 * "defs-descriptor.json#…"}` resolves against the enclosing schema's base. ajv would rebase the
 * `$ref` on that `id`; removing such ids restores the draft's meaning.
 */
function dropRefSiblingIds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(dropRefSiblingIds);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Record<string, unknown> = {};
  const hasRef = '$ref' in schema;
  for (const [k, v] of Object.entries(schema)) {
    if (hasRef && k === 'id') continue;
    out[k] = dropRefSiblingIds(v);
  }
  return out;
}

function withoutIds(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withoutIds);
  if (typeof schema !== 'object' || schema === null) return schema;
  return Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'id').map(([k, v]) => [k, withoutIds(v)]));
}

/** The `id`s declared inside a schema (below its root), which ajv registers by itself. */
function innerIds(schema: unknown, root = true, out = new Set<string>()): Set<string> {
  if (typeof schema !== 'object' || schema === null) return out;
  const id = (schema as Record<string, unknown>)['id'];
  if (!root && typeof id === 'string') out.add(id);
  for (const v of Object.values(schema)) innerIds(v, false, out);
  return out;
}

// RFC 3339 date-time, as the draft-04 `date-time` format requires.
function isDateTime(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/.exec(s);
  if (m === null) return false;
  const [, , month, day, hour, minute, second] = m.map(Number);
  return (
    month !== undefined && month >= 1 && month <= 12 && day !== undefined && day >= 1 && day <= 31 &&
    hour !== undefined && hour <= 23 && minute !== undefined && minute <= 59 && second !== undefined && second <= 60
  );
}

// An absolute URI (with a scheme), as Go's url.Parse + IsAbs decides for the upstream validator.
function isAbsoluteUri(s: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(s)) return false;
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

export interface SchemaResult {
  valid: boolean;
  /** One line per problem: `<instance path> <message>`. */
  errors: string[];
}

/** The media type whose schema validates `mediaType` (Docker types map to their OCI equivalents). */
export function schemaMediaType(mediaType: string): string {
  return DOCKER_TO_OCI_MEDIA_TYPES[mediaType] ?? mediaType;
}

/**
 * Validates `doc` (bytes, JSON text, or a value) as the image-spec's Go validator for `mediaType`
 * does. Docker documents are first rewritten with DOCKER_TO_OCI_MEDIA_TYPES, as the spec's
 * backwards-compatibility test does.
 */
export function validateOciDocument(mediaType: string, doc: Uint8Array | string | unknown): SchemaResult {
  const validator = load().validators.get(schemaMediaType(mediaType));
  if (validator === undefined) throw new Error(`no OCI schema validates ${mediaType}`);
  let text: string;
  if (typeof doc === 'string') text = doc;
  else if (doc instanceof Uint8Array) text = Buffer.from(doc).toString('utf8');
  else text = JSON.stringify(doc);
  for (const [docker, oci] of Object.entries(DOCKER_TO_OCI_MEDIA_TYPES)) text = text.split(docker).join(oci);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { valid: false, errors: [`not JSON: ${(err as Error).message}`] };
  }
  const errors = goSideErrors(schemaMediaType(mediaType), value);
  if (!validator(value)) {
    for (const e of validator.errors ?? []) errors.push(`${e.instancePath || '/'} ${e.message ?? e.keyword}`);
  }
  return { valid: errors.length === 0, errors };
}

/** Asserts that `doc` validates; the failure lists every problem. */
export function assertOciValid(mediaType: string, doc: Uint8Array | string | unknown, message?: string): void {
  const r = validateOciDocument(mediaType, doc);
  assert.ok(r.valid, `${message ?? mediaType} does not validate against the OCI schema:\n  ${r.errors.join('\n  ')}`);
}

const GO_DIGEST_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** The checks upstream's validator runs in Go before the schema (see the module doc). */
function goSideErrors(mediaType: string, value: unknown): string[] {
  const errors: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  // encoding/json decodes a descriptor's `data` ([]byte) as padded standard base64.
  const checkData = (d: unknown, where: string): void => {
    if (!isObject(d) || typeof d['data'] !== 'string') return;
    const s = d['data'].replace(/[\r\n]/g, '');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s)) errors.push(`${where}/data illegal base64 data`);
  };
  if (!isObject(value)) return errors;
  switch (mediaType) {
    case 'application/vnd.oci.descriptor.v1+json': {
      checkData(value, '');
      const digest = value['digest'];
      if (typeof digest === 'string') {
        const i = digest.indexOf(':');
        const length = GO_DIGEST_LENGTH[digest.slice(0, i)];
        if (i <= 0 || i === digest.length - 1) errors.push('/digest invalid checksum digest format');
        else if (length !== undefined) {
          const hex = digest.slice(i + 1);
          if (hex.length !== length) errors.push('/digest invalid checksum digest length');
          else if (!/^[a-f0-9]+$/.test(hex)) errors.push('/digest invalid checksum digest format');
        }
      }
      break;
    }
    case 'application/vnd.oci.image.manifest.v1+json': {
      checkData(value['config'], '/config');
      checkData(value['subject'], '/subject');
      if (Array.isArray(value['layers'])) value['layers'].forEach((l, i) => checkData(l, `/layers/${i}`));
      break;
    }
    case 'application/vnd.oci.image.index.v1+json': {
      checkData(value['subject'], '/subject');
      if (Array.isArray(value['manifests'])) value['manifests'].forEach((m, i) => checkData(m, `/manifests/${i}`));
      break;
    }
    case 'application/vnd.oci.image.config.v1+json': {
      const config = value['config'];
      if (isObject(config) && Array.isArray(config['Env'])) {
        config['Env'].forEach((e, i) => {
          // Go's `^[^=]+=.*$`: `.` stops at a newline.
          if (typeof e === 'string' && !/^[^=]+=[^\n]*$/.test(e)) errors.push(`/config/Env/${i} unexpected env: ${JSON.stringify(e)}`);
        });
      }
      break;
    }
  }
  return errors;
}
