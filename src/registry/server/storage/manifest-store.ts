/**
 * Manifests, tags and referrers of the registry's repositories.
 *
 * A manifest's bytes are a blob (stored exactly as pushed); the repository links it as a revision
 * whose link also records the media type it was pushed with. A tag is a link to a digest. A manifest
 * with a `subject` adds an entry under `_referrers/<subject>/`, holding the descriptor the referrers
 * API lists, so listing referrers reads one directory instead of every manifest.
 *
 * Write order keeps a crash harmless: the blob first, then the revision link, then the referrer
 * entry and the tag. Deletes go the other way. Readers skip referrer entries whose revision is gone.
 */
import { digestOf, isDigest, parseDigest, digestAlgorithm, type Descriptor, type Digest } from '../../../oci/index.js';
import { RegistryError } from '../errcodes.js';
import { checkManifest, referrerDescriptor, type CheckedManifest } from '../manifest-check.js';
import type { StorageDriver } from './driver.js';
import type { BlobStore } from './blob-store.js';
import { listOrEmpty, readOrUndefined, statOrUndefined, touchIfExists } from './links.js';
import {
  blobPath,
  referrerEntryPath,
  referrersPath,
  repositoryPath,
  revisionLinkPath,
  tagLinkPath,
  tagsPath,
} from './paths.js';

export interface StoredManifest {
  digest: Digest;
  mediaType: string;
  body: Buffer;
}

export interface PutManifestResult {
  digest: Digest;
  subject?: Digest;
}

// Manifests are small, immutable by digest and read on every pull: keep recent ones in memory.
const CACHE_BYTES = 64 * 1024 * 1024;

export class ManifestStore {
  readonly #driver: StorageDriver;
  readonly #blobs: BlobStore;
  readonly #cache = new Map<string, Buffer>();
  #cacheBytes = 0;

  constructor(driver: StorageDriver, blobs: BlobStore) {
    this.#driver = driver;
    this.#blobs = blobs;
  }

  /** The digest a reference (tag or digest) resolves to, or undefined. */
  async resolve(name: string, reference: string): Promise<Digest | undefined> {
    if (isDigest(reference)) return reference;
    const link = await readOrUndefined(this.#driver, tagLinkPath(name, reference));
    return link !== undefined && isDigest(link.trim()) ? (link.trim() as Digest) : undefined;
  }

  /** @throws {RegistryError} MANIFEST_UNKNOWN */
  async get(name: string, reference: string): Promise<StoredManifest> {
    const digest = await this.resolve(name, reference);
    const revision = digest === undefined ? undefined : await readOrUndefined(this.#driver, revisionLinkPath(name, digest));
    if (digest === undefined || revision === undefined) {
      throw new RegistryError('MANIFEST_UNKNOWN', { detail: { name, reference } });
    }
    const mediaType = revision.split('\n')[1] ?? '';
    const body = await this.#body(digest);
    if (body === undefined) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { name, reference } });
    return { digest, mediaType, body };
  }

  async #body(digest: Digest): Promise<Buffer | undefined> {
    const hit = this.#cache.get(digest);
    if (hit !== undefined) {
      this.#cache.delete(digest);
      this.#cache.set(digest, hit);
      return hit;
    }
    let body: Buffer;
    try {
      body = await this.#driver.getContent(blobPath(digest));
    } catch {
      return undefined;
    }
    this.#remember(digest, body);
    return body;
  }

  #remember(digest: string, body: Buffer): void {
    if (body.length > CACHE_BYTES / 16) return;
    this.#cache.set(digest, body);
    this.#cacheBytes += body.length;
    for (const [k, v] of this.#cache) {
      if (this.#cacheBytes <= CACHE_BYTES) break;
      this.#cache.delete(k);
      this.#cacheBytes -= v.length;
    }
  }

  /**
   * Validates and stores a manifest under a tag or its digest.
   * @throws {RegistryError} MANIFEST_INVALID, DIGEST_INVALID, MANIFEST_BLOB_UNKNOWN
   */
  async put(name: string, reference: string, body: Buffer, contentType: string): Promise<PutManifestResult> {
    const checked = checkManifest(body, contentType);
    const byDigest = isDigest(reference);
    const digest = byDigest ? digestOf(body, digestAlgorithm(reference as Digest)) : digestOf(body);
    if (byDigest && digest !== reference) {
      throw new RegistryError('DIGEST_INVALID', { detail: { expected: reference, actual: digest } });
    }
    await this.#checkReferences(name, checked);

    if (!(await touchIfExists(this.#driver, blobPath(digest)))) await this.#driver.putContent(blobPath(digest), body);
    this.#remember(digest, body);
    await this.#driver.putContent(revisionLinkPath(name, digest), Buffer.from(`${digest}\n${checked.mediaType}\n`));
    const result: PutManifestResult = { digest };
    if (checked.subject !== undefined) {
      const entry = referrerDescriptor(checked, digest, body.length);
      await this.#driver.putContent(referrerEntryPath(name, checked.subject.digest, digest), Buffer.from(JSON.stringify(entry)));
      result.subject = checked.subject.digest;
    }
    if (!byDigest) await this.#driver.putContent(tagLinkPath(name, reference), Buffer.from(digest));
    return result;
  }

  /** Everything a manifest refers to must be in the repository (the subject excepted, as the spec says). */
  async #checkReferences(name: string, checked: CheckedManifest): Promise<void> {
    const unknown: Descriptor[] = [];
    for (const d of checked.blobs) {
      // touch: a blob referenced now must survive a gc that marked before this manifest existed.
      const size = await this.#blobs.stat(name, d.digest, { touch: true });
      if (size === undefined) unknown.push(d);
      else if (size !== d.size) {
        throw new RegistryError('MANIFEST_INVALID', { detail: `descriptor ${d.digest} has size ${d.size}, the blob has ${size}` });
      }
    }
    for (const d of checked.manifests) {
      const rev = await statOrUndefined(this.#driver, revisionLinkPath(name, d.digest));
      if (rev === undefined || !(await touchIfExists(this.#driver, blobPath(d.digest)))) unknown.push(d);
    }
    if (unknown.length > 0) {
      throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { detail: unknown.map((d) => ({ digest: d.digest })) });
    }
  }

  /**
   * Deletes a manifest revision, the tags that point at it and its referrer entry.
   * @throws {RegistryError} MANIFEST_UNKNOWN
   */
  async delete(name: string, digest: Digest): Promise<void> {
    const rev = await statOrUndefined(this.#driver, revisionLinkPath(name, digest));
    if (rev === undefined) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { name, digest } });
    for (const tag of await this.tags(name)) {
      if ((await this.resolve(name, tag)) === digest) await this.#driver.delete(tagLinkPath(name, tag));
    }
    const body = await this.#body(digest);
    if (body !== undefined) {
      const subject = subjectOf(body);
      if (subject !== undefined) await this.#driver.delete(referrerEntryPath(name, subject, digest));
    }
    await this.#driver.delete(revisionLinkPath(name, digest));
  }

  /** @throws {RegistryError} MANIFEST_UNKNOWN */
  async deleteTag(name: string, tag: string): Promise<void> {
    if ((await statOrUndefined(this.#driver, tagLinkPath(name, tag))) === undefined) {
      throw new RegistryError('MANIFEST_UNKNOWN', { detail: { name, tag } });
    }
    await this.#driver.delete(tagLinkPath(name, tag));
  }

  async exists(name: string): Promise<boolean> {
    return (await statOrUndefined(this.#driver, repositoryPath(name)))?.isDir === true;
  }

  /** A repository's tags, unsorted. */
  async tags(name: string): Promise<string[]> {
    return listOrEmpty(this.#driver, tagsPath(name));
  }

  /** Descriptors of the manifests whose subject is `subject`, optionally of one artifact type. */
  async referrers(name: string, subject: Digest, artifactType?: string): Promise<Descriptor[]> {
    const out: Descriptor[] = [];
    for (const entry of (await listOrEmpty(this.#driver, referrersPath(name, subject))).sort()) {
      const text = await readOrUndefined(this.#driver, `${referrersPath(name, subject)}/${entry}`);
      if (text === undefined) continue;
      let d: Descriptor;
      try {
        d = JSON.parse(text) as Descriptor;
      } catch {
        continue;
      }
      if ((await statOrUndefined(this.#driver, revisionLinkPath(name, d.digest))) === undefined) continue;
      if (artifactType !== undefined && d.artifactType !== artifactType) continue;
      out.push(d);
    }
    return out;
  }
}

/** The subject digest of a stored manifest, if it has one. */
export function subjectOf(body: Buffer): Digest | undefined {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { subject?: { digest?: unknown } };
    const d = doc.subject?.digest;
    return typeof d === 'string' ? parseDigest(d) : undefined;
  } catch {
    return undefined;
  }
}
