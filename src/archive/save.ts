/**
 * `image save`: one tar that is both a docker-archive and an OCI image layout, as Docker 25+
 * writes it, so every consumer finds its format: `docker load` (any version since 1.10) and
 * podman/skopeo's `docker-archive:` read `manifest.json` and `repositories`; umoci, skopeo's
 * `oci-archive:` and containerd read `oci-layout` + `index.json`. Both point at the same files
 * under `blobs/sha256/`, so nothing is stored twice.
 *
 * Layers are written as stored — compressed when pulled, uncompressed when gantry made them (as
 * Docker 25+ writes its own) — and the OCI manifest in the layout names them by their stored digests;
 * docker load, podman and skopeo read either. With `gzipLayers` (`build --output type=oci`, as
 * BuildKit's OCI exporter writes gzip layers) uncompressed layers are gzip'd first, into temporary
 * files (a tar entry's size comes before its body), and the manifest is rewritten to name them.
 * `manifest.json` carries no `LayerSources`: docker treats a layer listed there as foreign
 * (never pushed), which ours are not.
 *
 * Deterministic: entries sorted by path, mtime 0, uid/gid 0, JSON encoded with fixed member order;
 * the same images and names give the same bytes.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openVerified, readBlob, familiarName, type ImageRecord, type Store } from '../store/index.js';
import { gzipForm, gzipLayerMediaType, replaceLayerDescriptors, replaceLayers, writeTar, type TarWriterEntry } from '../layer/index.js';
import {
  anyPlatform, digestOf, digestHex, encodeIndex, formatPlatform, isFullId, MediaType, normalizePlatform, parseNormalizedNamed, OCI_LAYOUT_VERSION,
  type Descriptor, type Digest, type DockerArchiveManifestEntry, type Index, type Platform,
} from '../oci/index.js';
import { ImagePlatformMismatchError } from './errors.js';

export interface SaveOptions {
  /** gzip the layers stored uncompressed, and name the compressed blobs in the manifests. */
  gzipLayers?: boolean;
  signal?: AbortSignal;
}

/**
 * `save --platform`: keeps, of each item, the image for one of `platforms` (containerd's strict
 * matching after normalization: `linux/amd64/v1` is `linux/amd64`, no fallback to `386`). The store
 * keeps one platform per image record, so an image for another platform is refused, as Docker 25+
 * refuses a platform the image does not have.
 * @throws {ImagePlatformMismatchError} naming the first image that is for none of them
 */
export function selectSavePlatforms(items: SaveItem[], platforms: readonly Platform[]): SaveItem[] {
  if (platforms.length === 0) return items;
  const mc = anyPlatform(...platforms.map(normalizePlatform));
  for (const item of items) {
    const own: Platform = { os: item.record.os, architecture: item.record.architecture, ...(item.record.variant === undefined || item.record.variant === '' ? {} : { variant: item.record.variant }) };
    if (!mc.match(own)) {
      const ref = item.tags[0] !== undefined ? familiarName(item.tags[0]) : item.record.id;
      throw new ImagePlatformMismatchError(ref, platforms.map(formatPlatform).join(', '), formatPlatform(normalizePlatform(own)));
    }
  }
  return items;
}

/** One image to save, with the tags (full names) it is saved under. */
export interface SaveItem {
  record: ImageRecord;
  tags: string[];
}

/**
 * Resolves `docker save` arguments as moby's tarexport does: an ID (or ID prefix, or `sha256:…`)
 * saves the image without names; `repo:tag` saves that tag; a bare `repo` saves every tag of the
 * repository (which may span several images); `repo@digest` saves the image without a tag.
 * Images named twice are saved once, with the union of their tags, in the order first named.
 * @throws {ImageNotFoundError} as `image inspect` does for an unknown reference
 */
export function resolveSaveItems(store: Store, references: string[]): SaveItem[] {
  const items = new Map<Digest, SaveItem>();
  const add = (record: ImageRecord, tag?: string): void => {
    const item = items.get(record.id) ?? { record, tags: [] };
    if (tag !== undefined && !item.tags.includes(tag)) item.tags.push(tag);
    items.set(record.id, item);
  };
  for (const ref of references) {
    if (ref.startsWith('sha256:') || isFullId(ref)) {
      add(store.images.resolve(ref));
      continue;
    }
    const named = parseNormalizedNamed(ref);
    if (named.digest !== undefined) {
      add(store.images.resolve(ref));
      continue;
    }
    if (named.tag !== undefined) {
      add(store.images.resolve(ref), `${named.name}:${named.tag}`);
      continue;
    }
    const prefix = `${named.name}:`;
    let found = false;
    for (const record of store.images.list().sort((a, b) => a.addedAt - b.addedAt)) {
      for (const t of record.repoTags) {
        if (t.startsWith(prefix)) {
          add(record, t);
          found = true;
        }
      }
    }
    // No tag in that repository: an ID prefix (`docker save 3f2a`), or docker's "No such image".
    if (!found) add(store.images.resolve(ref));
  }
  return [...items.values()];
}

const DIR_MODE = 0o755;
const FILE_MODE = 0o644;

function fileEntry(path: string, size: number, body: Uint8Array | AsyncIterable<Uint8Array>): TarWriterEntry {
  return { header: { path, type: 'file', mode: FILE_MODE, uid: 0, gid: 0, size, mtime: 0 }, body };
}

function dirEntry(path: string): TarWriterEntry {
  return { header: { path, type: 'directory', mode: DIR_MODE, uid: 0, gid: 0, size: 0, mtime: 0 } };
}

function blobPath(d: Digest): string {
  return `blobs/sha256/${digestHex(d)}`;
}

/** The documents of the archive, from the items (pure: unit-tested for shape and determinism). */
export function archiveDocuments(items: SaveItem[]): { index: Index; manifest: DockerArchiveManifestEntry[]; repositories: Record<string, Record<string, string>> } {
  const manifests: Descriptor[] = [];
  const manifest: DockerArchiveManifestEntry[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  for (const { record, tags } of items) {
    const desc: Descriptor = { mediaType: record.manifest.mediaType || MediaType.OciManifest, digest: record.manifest.digest, size: record.manifest.size };
    if (tags.length === 0) manifests.push(desc);
    for (const t of tags) {
      const r = parseNormalizedNamed(t);
      manifests.push({ ...desc, annotations: { 'io.containerd.image.name': t, 'org.opencontainers.image.ref.name': r.tag ?? 'latest' } });
      const repo = familiarName(r.name);
      const top = record.layers.at(-1)?.digest ?? record.id;
      (repositories[repo] ??= {})[r.tag ?? 'latest'] = digestHex(top);
    }
    manifest.push({
      Config: blobPath(record.id),
      RepoTags: tags.length === 0 ? null : tags.map((t) => familiarName(t)),
      Layers: record.layers.map((l) => blobPath(l.digest)),
    });
  }
  return { index: { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }, manifest, repositories };
}

/**
 * Streams the archive of `items`. Every blob is verified as it is read from the store: a corrupt
 * blob ends the stream with an error rather than writing bad bytes.
 */
export async function* saveArchive(store: Store, items: SaveItem[], options: SaveOptions = {}): AsyncGenerator<Uint8Array> {
  const sig = options.signal === undefined ? {} : { signal: options.signal };
  const scratch = options.gzipLayers === true ? mkdtempSync(join(store.layout.tmp, 'save-gzip-')) : undefined;
  try {
    // Where each blob's bytes come from: the store (verified as read), a temporary gzip file, or memory.
    const extra = new Map<Digest, string | Buffer>();
    if (scratch !== undefined) items = await gzipItems(store, items, scratch, extra, sig);
    const blobs = new Map<Digest, number>();
    for (const { record } of items) {
      if (record.manifest.digest.startsWith('sha256:') === false) continue;
      blobs.set(record.manifest.digest, record.manifest.size);
      blobs.set(record.config.digest, record.config.size);
      for (const l of record.layers) blobs.set(l.digest, l.size);
    }
    yield* writeArchive(store, items, blobs, extra, sig);
  } finally {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * The items with their uncompressed layers gzip'd into `scratch` (deterministic gzip, so the same
 * digests a push gives; remembered for push) and their manifests rewritten in memory.
 */
async function gzipItems(store: Store, items: SaveItem[], scratch: string, extra: Map<Digest, string | Buffer>, sig: { signal?: AbortSignal }): Promise<SaveItem[]> {
  const out: SaveItem[] = [];
  for (const item of items) {
    const replaced = new Map<number, Descriptor>();
    for (const [i, l] of item.record.layers.entries()) {
      const mediaType = gzipLayerMediaType(l.mediaType);
      if (mediaType === undefined) continue;
      const file = join(scratch, `${replaced.size}-${digestHex(l.digest)}`);
      const source = await openVerified(store.content, l, sig);
      const gz = gzipForm(source, mediaType);
      await pipeline(gz.chunks, createWriteStream(file), sig);
      const desc = gz.descriptor();
      store.distribution.recordCompressed(l.diffId, desc);
      extra.set(desc.digest, file);
      replaced.set(i, desc);
    }
    if (replaced.size === 0) {
      out.push(item);
      continue;
    }
    const manifest = replaceLayerDescriptors(await readBlob(store.content, item.record.manifest, sig), replaced);
    const md: Descriptor = { mediaType: item.record.manifest.mediaType, digest: digestOf(manifest), size: manifest.length };
    extra.set(md.digest, manifest);
    out.push({ ...item, record: { ...item.record, manifest: md, layers: replaceLayers(item.record.layers, replaced) } });
  }
  return out;
}

async function* writeArchive(
  store: Store,
  items: SaveItem[],
  blobs: Map<Digest, number>,
  extra: Map<Digest, string | Buffer>,
  sig: { signal?: AbortSignal },
): AsyncGenerator<Uint8Array> {
  const docs = archiveDocuments(items);
  const json = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
  async function* entries(): AsyncGenerator<TarWriterEntry> {
    yield dirEntry('blobs/');
    yield dirEntry('blobs/sha256/');
    for (const [digest, size] of [...blobs.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const from = extra.get(digest);
      if (Buffer.isBuffer(from)) yield fileEntry(blobPath(digest), size, from);
      else if (from !== undefined) yield fileEntry(blobPath(digest), size, createReadStream(from, { highWaterMark: 1 << 20 }));
      else yield fileEntry(blobPath(digest), size, await openVerified(store.content, { digest, size }, sig));
    }
    const index = encodeIndex(docs.index);
    yield fileEntry('index.json', index.length, index);
    const manifest = json(docs.manifest);
    yield fileEntry('manifest.json', manifest.length, manifest);
    const layout = json({ imageLayoutVersion: OCI_LAYOUT_VERSION });
    yield fileEntry('oci-layout', layout.length, layout);
    const repos = json(sortKeys(docs.repositories));
    yield fileEntry('repositories', repos.length, repos);
  }
  yield* writeTar(entries(), sig);
}

function sortKeys(o: Record<string, Record<string, string>>): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const k of Object.keys(o).sort()) {
    const inner: Record<string, string> = {};
    for (const t of Object.keys(o[k] as Record<string, string>).sort()) inner[t] = (o[k] as Record<string, string>)[t] as string;
    out[k] = inner;
  }
  return out;
}
