/**
 * Pure checks of a pushed manifest: is it JSON of a shape we know, which media type it is, what it
 * references, and the descriptor the referrers API lists for it. Existence of the referenced content
 * is checked by the storage layer with the result of this function.
 */
import { isDigest, MediaType, type Descriptor, type Digest } from '../../oci/index.js';
import { RegistryError } from './errcodes.js';

/** The manifest media types this registry stores. */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.OciManifest,
  MediaType.OciIndex,
  MediaType.DockerManifest,
  MediaType.DockerManifestList,
];

export interface CheckedManifest {
  mediaType: string;
  /** Blobs that must be in the repository (config, layers without `urls`). */
  blobs: Descriptor[];
  /** Manifests that must be in the repository (an index's entries). */
  manifests: Descriptor[];
  subject?: Descriptor;
  /** What the referrers API shows: `artifactType`, else the config's media type (manifests only). */
  artifactType?: string;
  annotations?: Record<string, string>;
}

function invalid(detail: string): RegistryError {
  return new RegistryError('MANIFEST_INVALID', { detail });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!isObject(v)) throw invalid(`${where}: not a descriptor object`);
  if (typeof v.mediaType !== 'string' || v.mediaType === '') throw invalid(`${where}: mediaType missing`);
  if (typeof v.digest !== 'string' || !isDigest(v.digest)) {
    throw new RegistryError('DIGEST_INVALID', { detail: `${where}: invalid digest ${JSON.stringify(v.digest)}` });
  }
  if (typeof v.size !== 'number' || !Number.isSafeInteger(v.size) || v.size < 0) throw invalid(`${where}: invalid size`);
  if (v.urls !== undefined && !(Array.isArray(v.urls) && v.urls.every((u) => typeof u === 'string'))) {
    throw invalid(`${where}: urls must be a list of strings`);
  }
  if (v.annotations !== undefined && !stringMap(v.annotations)) throw invalid(`${where}: annotations must map strings to strings`);
  return v as unknown as Descriptor;
}

function stringMap(v: unknown): v is Record<string, string> {
  return isObject(v) && Object.values(v).every((x) => typeof x === 'string');
}

/** Nondistributable layers (and any layer with `urls`) may live elsewhere: the spec lets them be absent. */
function mayBeAbsent(d: Descriptor): boolean {
  return (d.urls !== undefined && d.urls.length > 0) || d.mediaType.includes('nondistributable') || d.mediaType.includes('.foreign.');
}

/**
 * Parses and checks a manifest body.
 * @param contentType the request's Content-Type (parameters already removed), possibly empty
 * @throws {RegistryError} MANIFEST_INVALID or DIGEST_INVALID
 */
export function checkManifest(body: Uint8Array, contentType: string): CheckedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8'));
  } catch {
    throw invalid('body is not JSON');
  }
  if (!isObject(doc)) throw invalid('body is not a JSON object');
  if (doc.schemaVersion !== 2) throw invalid('schemaVersion must be 2');
  const declared = doc.mediaType;
  if (declared !== undefined && typeof declared !== 'string') throw invalid('mediaType must be a string');

  let mediaType: string;
  if (MANIFEST_MEDIA_TYPES.includes(contentType)) {
    if (declared !== undefined && declared !== contentType) {
      throw invalid(`mediaType "${declared}" does not match Content-Type "${contentType}"`);
    }
    mediaType = contentType;
  } else if (declared !== undefined && MANIFEST_MEDIA_TYPES.includes(declared)) {
    mediaType = declared;
  } else if (declared === undefined && 'config' in doc) {
    mediaType = MediaType.OciManifest;
  } else if (declared === undefined && 'manifests' in doc) {
    mediaType = MediaType.OciIndex;
  } else {
    throw invalid(`unsupported manifest media type "${declared ?? contentType}"`);
  }

  const out: CheckedManifest = { mediaType, blobs: [], manifests: [] };
  if (doc.annotations !== undefined) {
    if (!stringMap(doc.annotations)) throw invalid('annotations must map strings to strings');
    out.annotations = doc.annotations;
  }
  if (doc.artifactType !== undefined) {
    if (typeof doc.artifactType !== 'string') throw invalid('artifactType must be a string');
    if (doc.artifactType !== '') out.artifactType = doc.artifactType;
  }
  if (doc.subject !== undefined) out.subject = descriptor(doc.subject, 'subject');

  if (mediaType === MediaType.OciManifest || mediaType === MediaType.DockerManifest) {
    if ('manifests' in doc) throw invalid('an image manifest has no "manifests"');
    const config = descriptor(doc.config, 'config');
    if (!Array.isArray(doc.layers)) throw invalid('layers must be a list');
    const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`));
    out.blobs.push(config, ...layers.filter((l) => !mayBeAbsent(l)));
    if (out.artifactType === undefined) out.artifactType = config.mediaType;
  } else {
    if ('config' in doc || 'layers' in doc) throw invalid('an index has no "config" or "layers"');
    if (!Array.isArray(doc.manifests)) throw invalid('manifests must be a list');
    for (const [i, m] of doc.manifests.entries()) {
      const d = descriptor(m, `manifests[${i}]`);
      if (MANIFEST_MEDIA_TYPES.includes(d.mediaType)) out.manifests.push(d);
      else if (!mayBeAbsent(d)) out.blobs.push(d);
    }
  }
  return out;
}

/** The descriptor of a referrer, as the referrers API lists it. */
export function referrerDescriptor(checked: CheckedManifest, digest: Digest, size: number): Descriptor {
  const d: Descriptor = { mediaType: checked.mediaType, digest, size };
  if (checked.artifactType !== undefined) d.artifactType = checked.artifactType;
  if (checked.annotations !== undefined) d.annotations = checked.annotations;
  return d;
}
