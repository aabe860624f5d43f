/**
 * Image records: put, resolve, list, tag, untag, remove and prune, with docker's rules and texts.
 *
 * Every change of names or records is one immediate transaction. Blobs are not deleted here: a
 * removal drops rows, then `collect` (gc.ts) removes what nothing refers to any more. `put` checks,
 * inside its transaction, that every blob it records is on disk, so the DB never refers to a
 * missing blob even when a collection runs at the same time.
 *
 * Resolution follows docker's `GetImage`: a 64-hex string or a full digest is an image ID; else the
 * input is a name (`:latest` added when it has neither tag nor digest); a name not found is tried as
 * an ID prefix (with or without `sha256:`), and a prefix that matches several images is refused.
 */
import { statSync } from 'node:fs';
import {
  chainIds,
  type Descriptor,
  type Digest,
  familiarString,
  type ImageConfig,
  isDigest,
  type Manifest,
  MediaType,
  parseNormalizedNamed,
  type Reference,
  referenceString,
  tagNameOnly,
  trimNamed,
  withDigest,
} from '../oci/index.js';
import type { MetadataDb } from './db.js';
import {
  AmbiguousImageIdError,
  DigestTagError,
  ImageConfigMismatchError,
  ImageDeleteConflictError,
  ImageNotFoundError,
  MissingContentError,
  ReferenceInUseError,
} from './errors.js';
import { loadImageListing, loadImages } from './_rows.js';
import type {
  ImageDeleteRecord,
  ImageListEntry,
  ImageRecord,
  LabelFilter,
  PruneImagesOptions,
  PruneReport,
  PutImageInput,
  RemoveImageOptions,
} from './types.js';

/** What the image store needs from the content store. */
export interface ImageContent {
  /** Path of a committed blob, for the synchronous existence check inside a transaction. */
  blobPath(digest: Digest): string;
  /** Reads a small blob whole (configs). */
  readBlob(desc: { digest: Digest; size?: number }, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
}

/** Removes unreferenced blobs after a removal; returns the bytes it freed. */
export type Collector = () => Promise<{ reclaimed: number }>;

/** Thrown inside a transaction to roll a dry run back while keeping its result. */
class DryRun<T> {
  constructor(readonly value: T) {}
}

const RUNNING_STATES = ['running', 'paused', 'restarting'];

export class ImageStore {
  readonly #db: MetadataDb;
  readonly #content: ImageContent;
  readonly #collect: Collector | undefined;

  constructor(db: MetadataDb, content: ImageContent, collect?: Collector) {
    this.#db = db;
    this.#content = content;
    this.#collect = collect;
  }

  /**
   * Records an image whose manifest, config and layers are already in the content store, and points
   * `names` at it (a tag held by another image moves here; that image may become dangling). Putting
   * an image that exists only adds the names. Idempotent.
   * @throws {MissingContentError} when a blob is not in the content store
   * @throws {ImageConfigMismatchError} when the layers do not match the config's diffIDs
   * @throws {InvalidReferenceError} for a bad name
   */
  async put(input: PutImageInput, options: { signal?: AbortSignal } = {}): Promise<ImageRecord> {
    const id = input.config.digest;
    const configBytes = await this.#content.readBlob(input.config, options);
    const config = JSON.parse(Buffer.from(configBytes).toString('utf8')) as ImageConfig;
    const diffIds = (config.rootfs?.diff_ids ?? []) as Digest[];
    if (diffIds.length !== input.layers.length) {
      throw new ImageConfigMismatchError(id, `the config lists ${diffIds.length} diffIDs for ${input.layers.length} layers`);
    }
    input.layers.forEach((l, i) => {
      if (l.diffId !== diffIds[i]) throw new ImageConfigMismatchError(id, `layer ${i} has diffID ${l.diffId}, the config says ${diffIds[i]}`);
    });
    const chains = chainIds(diffIds);
    const names = (input.names ?? []).map((n) => tagNameOnly(parseNormalizedNamed(n)));
    const created = typeof config.created === 'string' ? config.created : undefined;
    const createdMs = created === undefined ? undefined : Date.parse(created);
    const labels = config.config?.Labels ?? {};
    const now = Date.now();

    this.#db.write(() => {
      const s = this.#db.sqlite;
      this.#requireBlob(input.manifest.digest, input.manifest.size, 'manifest');
      this.#requireBlob(input.config.digest, input.config.size, 'config');
      input.layers.forEach((l, i) => this.#requireBlob(l.descriptor.digest, l.descriptor.size, `layer ${i}`));
      const exists = s.prepare('SELECT 1 FROM images WHERE id = ?').get(id) !== undefined;
      if (!exists) {
        const parent =
          input.parent !== undefined && s.prepare('SELECT 1 FROM images WHERE id = ?').get(input.parent) !== undefined ? input.parent : null;
        s.prepare(
          `INSERT INTO images (id, manifest_digest, manifest_type, manifest_size, config_type, config_size, created, created_ms,
             labels, parent, architecture, os, variant, added_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(
          id,
          input.manifest.digest,
          input.manifest.mediaType,
          input.manifest.size,
          input.config.mediaType,
          input.config.size,
          created ?? null,
          createdMs === undefined || Number.isNaN(createdMs) ? null : createdMs,
          JSON.stringify(labels ?? {}),
          parent,
          config.architecture ?? '',
          config.os ?? '',
          typeof config.variant === 'string' ? config.variant : null,
          now,
        );
        const addLayer = s.prepare(
          'INSERT INTO layers (chain_id, diff_id, parent_chain_id, uncompressed_size) VALUES (?, ?, ?, ?) ON CONFLICT(chain_id) DO UPDATE SET uncompressed_size = COALESCE(layers.uncompressed_size, excluded.uncompressed_size)',
        );
        const link = s.prepare('INSERT INTO image_layers (image_id, position, chain_id, digest, media_type, size) VALUES (?, ?, ?, ?, ?, ?)');
        input.layers.forEach((l, i) => {
          addLayer.run(chains[i], l.diffId, i === 0 ? null : chains[i - 1], l.uncompressedSize ?? null);
          link.run(id, i, chains[i], l.descriptor.digest, l.descriptor.mediaType, l.descriptor.size);
        });
      }
      for (const n of names) this.#setName(n, id, now);
    });
    return this.get(id);
  }

  /**
   * Records the image a stored manifest describes (what pull and load do once the blobs are in):
   * reads the manifest and its config from the content store and pairs the layers with the
   * config's diffIDs. Uncompressed sizes stay unknown until an unpacker reports them.
   * @throws {ImageConfigMismatchError} when the manifest is not a single-platform image manifest
   *   or its layers do not match the config
   */
  async putManifest(
    manifest: Descriptor,
    options: { names?: string[]; parent?: Digest; signal?: AbortSignal } = {},
  ): Promise<ImageRecord> {
    const m = JSON.parse(Buffer.from(await this.#content.readBlob(manifest, options)).toString('utf8')) as Partial<Manifest>;
    if (m.config === undefined || !Array.isArray(m.layers)) {
      throw new ImageConfigMismatchError(manifest.digest, 'the manifest has no config or layers (an index? resolve a platform first)');
    }
    const config = JSON.parse(Buffer.from(await this.#content.readBlob(m.config, options)).toString('utf8')) as ImageConfig;
    const diffIds = (config.rootfs?.diff_ids ?? []) as Digest[];
    if (diffIds.length !== m.layers.length) {
      throw new ImageConfigMismatchError(m.config.digest, `the config lists ${diffIds.length} diffIDs for ${m.layers.length} layers`);
    }
    const input: PutImageInput = {
      manifest: { mediaType: manifest.mediaType || (m.mediaType ?? MediaType.OciManifest), digest: manifest.digest, size: manifest.size },
      config: { mediaType: m.config.mediaType, digest: m.config.digest, size: m.config.size },
      layers: m.layers.map((l, i) => ({ descriptor: { mediaType: l.mediaType, digest: l.digest, size: l.size }, diffId: diffIds[i]! })),
    };
    if (options.names !== undefined) input.names = options.names;
    if (options.parent !== undefined) input.parent = options.parent;
    return this.put(input, options.signal === undefined ? {} : { signal: options.signal });
  }

  /** @throws {ImageNotFoundError} */
  get(id: Digest): ImageRecord {
    const [rec] = loadImages(this.#db, [id]);
    if (rec === undefined) throw new ImageNotFoundError(id);
    return rec;
  }

  /** Every image record (unsorted). */
  list(): ImageRecord[] {
    return this.#db.read(() => loadImages(this.#db));
  }

  /**
   * Every image as a listing shows it (`image ls`), newest first (by the config's `created`, then
   * ID), read in one query: names, sizes and counts, without layer or manifest records. Labels
   * are decoded only with `labels: true` (a label filter needs them; the rows do not).
   */
  listing(options: { labels?: boolean } = {}): ImageListEntry[] {
    return loadImageListing(this.#db, options);
  }

  /**
   * Finds an image by name, ID, ID prefix or digest reference (docker's rules, module doc).
   * @throws {ImageNotFoundError} (also for an ambiguous prefix: {AmbiguousImageIdError})
   * @throws {InvalidReferenceError} when the input is neither a name nor an ID
   */
  resolve(reference: string): ImageRecord {
    return this.#db.read(() => this.get(this.#resolveId(reference)));
  }

  /** Records that a layer's uncompressed size is now known (the unpacker or the differ found it). */
  setLayerUncompressedSize(chainId: Digest, size: number): void {
    this.#db.write(() => {
      this.#db.sqlite.prepare('UPDATE layers SET uncompressed_size = ? WHERE chain_id = ?').run(size, chainId);
    });
  }

  /**
   * `docker tag SOURCE TARGET`: points the name `target` at the image `source` resolves to.
   * @throws {ImageNotFoundError} `No such image: <source, normalized>`
   * @throws {DigestTagError} when `target` carries a digest
   */
  tag(source: string, target: string): ImageRecord {
    const name = parseNormalizedNamed(target);
    if (name.digest !== undefined) throw new DigestTagError();
    const full = tagNameOnly(name);
    const id = this.#db.write(() => {
      let id: Digest;
      try {
        id = this.#resolveId(source);
      } catch (err) {
        if (err instanceof ImageNotFoundError && !(err instanceof AmbiguousImageIdError)) throw new ImageNotFoundError(normalizedForMessage(source));
        throw err;
      }
      this.#setName(full, id, Date.now());
      return id;
    });
    return this.get(id);
  }

  /**
   * Points a tag or a digest name (`repo@sha256:…`: a repo digest, as a pull records it) at an image
   * given by ID. Moves the name if another image holds it.
   * @throws {ImageNotFoundError} {InvalidReferenceError}
   */
  addName(id: Digest, reference: string): void {
    const n = tagNameOnly(parseNormalizedNamed(reference));
    this.#db.write(() => {
      if (this.#db.sqlite.prepare('SELECT 1 FROM images WHERE id = ?').get(id) === undefined) throw new ImageNotFoundError(id);
      this.#setName(n, id, Date.now());
    });
  }

  /**
   * Removes one name (tag or digest) without deleting anything. The image may become dangling.
   * @throws {ImageNotFoundError} when no such name exists
   */
  untag(reference: string): ImageDeleteRecord {
    const full = referenceString(tagNameOnly(parseNormalizedNamed(reference)));
    return this.#db.write(() => {
      const r = this.#db.sqlite.prepare('DELETE FROM names WHERE name = ?').run(full);
      if (r.changes === 0) throw new ImageNotFoundError(reference);
      return { untagged: familiarStoredName(full) };
    });
  }

  /**
   * `docker rmi REF`: untags, and deletes the image once nothing names it, with docker's conflicts
   * and records (module doc of errors.ts). Then frees the blobs nothing else uses.
   * @throws {ImageNotFoundError} {ImageDeleteConflictError} {ReferenceInUseError}
   */
  async remove(reference: string, options: RemoveImageOptions = {}): Promise<ImageDeleteRecord[]> {
    const records = this.#transact(options.dryRun === true, () => {
      const out: ImageDeleteRecord[] = [];
      this.#delete(reference, options.force === true, options.noPrune !== true, out);
      return out;
    });
    if (options.dryRun !== true && records.some((r) => r.deleted !== undefined)) await this.#collect?.();
    return records;
  }

  /**
   * `docker image prune`: removes dangling images (or, with `all`, every image no container uses),
   * children before parents, skipping any that conflicts. Returns docker's records and the bytes freed.
   */
  async prune(options: PruneImagesOptions = {}): Promise<PruneReport> {
    const dryRun = options.dryRun === true;
    const { records, estimate } = this.#transact(dryRun, () => {
      const out: ImageDeleteRecord[] = [];
      const before = dryRun ? this.#blobSizes() : undefined;
      for (const img of this.#pruneCandidates(options)) {
        const s = this.#db.sqlite;
        if (s.prepare('SELECT 1 FROM images WHERE id = ?').get(img.id) === undefined) continue; // pruned as a parent
        const names = (s.prepare('SELECT name, tag FROM names WHERE image_id = ? ORDER BY name').all(img.id) as {
          name: string;
          tag: string | null;
        }[]);
        const targets =
          names.length === 0 ? [img.id.slice(img.id.indexOf(':') + 1)] : options.all === true || names.every((n) => n.tag === null) ? names.map((n) => n.name) : [];
        for (const t of targets) {
          const mark = out.length;
          try {
            // A nested transaction is a savepoint: a conflict undoes only this name's changes.
            this.#db.sqlite.transaction(() => this.#delete(t, false, true, out))();
          } catch (err) {
            out.length = mark;
            if (!(err instanceof ImageDeleteConflictError || err instanceof ReferenceInUseError || err instanceof ImageNotFoundError)) throw err;
          }
        }
      }
      let estimate = 0;
      if (before !== undefined) {
        const after = this.#blobSizes();
        for (const [d, size] of before) if (!after.has(d)) estimate += size;
      }
      return { records: out, estimate };
    });
    if (dryRun) return { records, reclaimed: estimate };
    const reclaimed = records.some((r) => r.deleted !== undefined) ? ((await this.#collect?.())?.reclaimed ?? 0) : 0;
    return { records, reclaimed };
  }

  // ---- internals (all run inside a transaction) ----

  #transact<T>(dryRun: boolean, fn: () => T): T {
    if (!dryRun) return this.#db.write(fn);
    try {
      this.#db.write(() => {
        throw new DryRun(fn());
      });
    } catch (err) {
      if (err instanceof DryRun) return err.value as T;
      throw err;
    }
    throw new Error('unreachable');
  }

  #requireBlob(digest: Digest, size: number, role: string): void {
    try {
      const st = statSync(this.#content.blobPath(digest));
      if (st.size !== size) throw new MissingContentError(digest, `${role} (size ${st.size}, expected ${size})`);
    } catch (err) {
      if (err instanceof MissingContentError) throw err;
      throw new MissingContentError(digest, role);
    }
  }

  #setName(n: Reference, id: Digest, now: number): void {
    const key = storedName(n);
    const full = referenceString(key);
    this.#db.sqlite
      .prepare(
        `INSERT INTO names (name, repository, tag, digest, image_id, created_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, created_at = excluded.created_at`,
      )
      .run(full, key.name, key.digest === undefined ? (key.tag ?? null) : null, key.digest ?? null, id, now);
    this.#db.sqlite.prepare('UPDATE images SET last_tag_time = ? WHERE id = ?').run(now, id);
  }

  #resolveId(reference: string): Digest {
    const s = this.#db.sqlite;
    if (/^[a-f0-9]{64}$/.test(reference) || isDigest(reference)) {
      const id = reference.includes(':') ? reference : `sha256:${reference}`;
      if (s.prepare('SELECT 1 FROM images WHERE id = ?').get(id) !== undefined) return id as Digest;
      throw new ImageNotFoundError(reference);
    }
    const name = tagNameOnly(parseNormalizedNamed(reference));
    const key = referenceString(storedName(name));
    const row = s.prepare('SELECT image_id FROM names WHERE name = ?').get(key) as { image_id: string } | undefined;
    if (row !== undefined) return row.image_id as Digest;
    // Not a name we have: try it as an ID prefix.
    const hex = reference.startsWith('sha256:') ? reference.slice('sha256:'.length) : reference;
    if (/^[a-f0-9]+$/.test(hex)) {
      const matches = s.prepare("SELECT id FROM images WHERE id LIKE ? ESCAPE '\\' LIMIT 2").all(`sha256:${hex}%`) as { id: string }[];
      if (matches.length === 1) return matches[0]!.id as Digest;
      if (matches.length > 1) throw new AmbiguousImageIdError(reference, matches.length);
    }
    throw new ImageNotFoundError(reference);
  }

  /** docker's ImageDelete, appending records to `out`. */
  #delete(reference: string, force: boolean, prune: boolean, out: ImageDeleteRecord[]): void {
    const s = this.#db.sqlite;
    const id = this.#resolveId(reference);
    let refs = this.#names(id);
    let removedRepositoryRef = false;
    if (!isImageIdPrefix(id, reference)) {
      if (!force && isSingleReference(refs)) {
        const c = this.#firstContainer(id, false);
        if (c !== undefined) throw new ReferenceInUseError(reference, c, id);
      }
      const n = tagNameOnly(parseNormalizedNamed(reference));
      const removed = referenceString(storedName(n));
      s.prepare('DELETE FROM names WHERE name = ?').run(removed);
      out.push({ untagged: familiarStoredName(removed) });
      refs = this.#names(id);
      if (n.digest === undefined && !refs.some((r) => r.tag !== null && r.repository === n.name)) {
        // The last tag of a repository takes that repository's digest names with it.
        const keep = [];
        for (const r of refs) {
          if (r.digest !== null && r.repository === n.name) {
            s.prepare('DELETE FROM names WHERE name = ?').run(r.name);
            out.push({ untagged: familiarStoredName(r.name) });
          } else keep.push(r);
        }
        refs = keep;
      }
      if (refs.length > 0) return;
      removedRepositoryRef = true;
    } else if (isSingleReference(refs)) {
      const conflict = this.#conflict(id, force ? HARD : HARD | STOPPED);
      if (conflict !== undefined) throw conflict;
      for (const r of refs) {
        s.prepare('DELETE FROM names WHERE name = ?').run(r.name);
        out.push({ untagged: familiarStoredName(r.name) });
      }
    }
    this.#deleteHelper(id, force, prune, removedRepositoryRef, out);
  }

  #deleteHelper(id: Digest, force: boolean, prune: boolean, quiet: boolean, out: ImageDeleteRecord[]): void {
    const s = this.#db.sqlite;
    const conflict = this.#conflict(id, force ? HARD : HARD | SOFT);
    if (conflict !== undefined) {
      // Quietly keep an image that is named or has children, or that a container uses: only a
      // dangling, unused image's conflict is the user's business.
      if (quiet && (!this.#isDangling(id) || conflict.used)) return;
      throw conflict;
    }
    const row = s.prepare('SELECT parent FROM images WHERE id = ?').get(id) as { parent: string | null };
    for (const r of this.#names(id)) {
      s.prepare('DELETE FROM names WHERE name = ?').run(r.name);
      out.push({ untagged: familiarStoredName(r.name) });
    }
    const chains = (s.prepare('SELECT chain_id FROM image_layers WHERE image_id = ? ORDER BY position DESC').all(id) as { chain_id: string }[]).map(
      (r) => r.chain_id,
    );
    s.prepare('DELETE FROM images WHERE id = ?').run(id);
    out.push({ deleted: id });
    // Layers are refcounted by their links: those no image links any more go, top-down (docker's order).
    const seen = new Set<string>();
    for (const chain of chains) {
      if (seen.has(chain)) continue;
      seen.add(chain);
      if (s.prepare('SELECT 1 FROM image_layers WHERE chain_id = ? LIMIT 1').get(chain) === undefined) {
        s.prepare('DELETE FROM layers WHERE chain_id = ?').run(chain);
        out.push({ deleted: chain });
      }
    }
    if (prune && row.parent !== null) this.#deleteHelper(row.parent as Digest, false, true, true, out);
  }

  #conflict(id: Digest, mask: number): ImageDeleteConflictError | undefined {
    const s = this.#db.sqlite;
    if (mask & CHILD && s.prepare('SELECT 1 FROM images WHERE parent = ? LIMIT 1').get(id) !== undefined) {
      return new ImageDeleteConflictError(id, true, 'image has dependent child images', false);
    }
    if (mask & RUNNING) {
      const c = this.#firstContainer(id, true);
      if (c !== undefined) return new ImageDeleteConflictError(id, true, `image is being used by running container ${c.slice(0, 12)}`, true);
    }
    if (mask & REFERENCE && s.prepare('SELECT 1 FROM names WHERE image_id = ? LIMIT 1').get(id) !== undefined) {
      return new ImageDeleteConflictError(id, false, 'image is referenced in multiple repositories', false);
    }
    if (mask & STOPPED) {
      const c = this.#firstContainer(id, false, true);
      if (c !== undefined) return new ImageDeleteConflictError(id, false, `image is being used by stopped container ${c.slice(0, 12)}`, true);
    }
    return undefined;
  }

  #firstContainer(id: Digest, running: boolean, stoppedOnly = false): string | undefined {
    const marks = RUNNING_STATES.map(() => '?').join(',');
    const where = running ? `AND state IN (${marks})` : stoppedOnly ? `AND state NOT IN (${marks})` : '';
    const params = running || stoppedOnly ? [id, ...RUNNING_STATES] : [id];
    const row = this.#db.sqlite.prepare(`SELECT id FROM containers WHERE image_id = ? ${where} ORDER BY created_at, id LIMIT 1`).get(...params) as
      | { id: string }
      | undefined;
    return row?.id;
  }

  #isDangling(id: Digest): boolean {
    const s = this.#db.sqlite;
    return s.prepare('SELECT 1 FROM names WHERE image_id = ? LIMIT 1').get(id) === undefined && s.prepare('SELECT 1 FROM images WHERE parent = ? LIMIT 1').get(id) === undefined;
  }

  #names(id: Digest): { name: string; repository: string; tag: string | null; digest: string | null }[] {
    return this.#db.sqlite.prepare('SELECT name, repository, tag, digest FROM names WHERE image_id = ? ORDER BY name').all(id) as {
      name: string;
      repository: string;
      tag: string | null;
      digest: string | null;
    }[];
  }

  #pruneCandidates(options: PruneImagesOptions): ImageRecord[] {
    const all = loadImages(this.#db);
    const byId = new Map(all.map((i) => [i.id as string, i]));
    const picked = all.filter((img) => {
      if (img.containers > 0) return false; // "without at least one container associated to them"
      if (options.all !== true && img.children > 0) return false; // docker prunes heads; parents follow
      if (img.repoTags.length === 0 && img.repoDigests.length === 0 && img.children > 0) return false; // intermediate
      if (options.all !== true && !img.dangling) return false;
      if (options.until !== undefined && img.createdMs !== undefined && img.createdMs > options.until) return false; // docker: Created.After(until)
      if (options.labels !== undefined && !options.labels.every((f) => labelMatches(img.labels, f))) return false;
      if (options.notLabels !== undefined && options.notLabels.length > 0 && options.notLabels.every((f) => labelMatches(img.labels, f))) return false;
      if (options.predicate !== undefined && !options.predicate(img)) return false;
      return true;
    });
    // Children before parents, so that removing a child can free its parent in the same pass.
    const depth = (img: ImageRecord): number => {
      let d = 0;
      for (let p = img.parent; p !== undefined && d < 1000; p = byId.get(p)?.parent) d++;
      return d;
    };
    return picked.sort((a, b) => depth(b) - depth(a) || b.addedAt - a.addedAt || (a.id < b.id ? -1 : 1));
  }

  /** Sizes of every blob the DB refers to (for a dry run's estimate). */
  #blobSizes(): Map<string, number> {
    const m = new Map<string, number>();
    const s = this.#db.sqlite;
    for (const r of s.prepare('SELECT id AS d, config_size AS n FROM images UNION ALL SELECT manifest_digest, manifest_size FROM images UNION ALL SELECT digest, size FROM image_layers').all() as {
      d: string;
      n: number;
    }[]) {
      m.set(r.d, r.n);
    }
    return m;
  }
}

const CHILD = 1;
const RUNNING = 2;
const REFERENCE = 4;
const STOPPED = 8;
const HARD = CHILD | RUNNING;
const SOFT = REFERENCE | STOPPED;

function isImageIdPrefix(id: string, reference: string): boolean {
  return id.startsWith(reference) || id.slice(id.indexOf(':') + 1).startsWith(reference);
}

/** docker's isSingleReference: one tag (plus digest names of that same repository), or one name. */
function isSingleReference(refs: { repository: string; tag: string | null; digest: string | null }[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  let single: { repository: string } | undefined;
  const canonical = new Set<string>();
  for (const r of refs) {
    if (r.digest !== null) canonical.add(r.repository);
    else if (single === undefined) single = r;
    else return false;
  }
  single ??= refs[0]!;
  return canonical.size === 1 && canonical.has(single.repository);
}

function labelMatches(labels: Record<string, string>, f: LabelFilter): boolean {
  if (!Object.hasOwn(labels, f.key)) return false;
  return f.value === undefined || labels[f.key] === f.value;
}

/** The name a reference is stored under: one with both tag and digest is kept by its digest (docker's reference store does the same). */
function storedName(n: Reference): Reference {
  return n.digest !== undefined ? withDigest(trimNamed(n), n.digest) : n;
}

/** docker's FamiliarString of a stored full name: `debian:latest`, `localhost/busybox:latest`. */
export function familiarStoredName(full: string): string {
  return familiarString(parseNormalizedNamed(full));
}

/** docker names a missing tag source by its normalized familiar form (`nosuch:latest`). */
function normalizedForMessage(source: string): string {
  try {
    if (/^[a-f0-9]{64}$/.test(source) || isDigest(source)) return source;
    return familiarStoredName(referenceString(tagNameOnly(parseNormalizedNamed(source))));
  } catch {
    return source;
  }
}
