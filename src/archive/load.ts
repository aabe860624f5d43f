/**
 * `image load`: images from a docker-archive (docker save of every era since 1.10, podman save,
 * skopeo's docker-archive), an OCI layout (in a tar, as Docker 25+ writes it beside manifest.json,
 * or a directory), optionally gzip/zstd-compressed.
 *
 * All or nothing: every blob is written under one lease and verified (by its name in `blobs/`, by
 * the manifest's descriptors, and each layer's diffID against the config); images are recorded
 * only once everything of every image is in; names are set in one transaction at the end. A
 * corrupt or truncated archive leaves no image and no name behind (its blobs go with the lease).
 *
 * docker-archive is read as moby's tarexport does: `manifest.json` lists each image's config and
 * layer paths; `repositories` and the legacy `<id>/json` files are ignored (no manifest.json means
 * a pre-1.10 archive, which we refuse, as go-containerregistry does).
 */
import { decompress } from '../layer/index.js';
import {
  Digester, bestMatch, isConfigMediaType, digestOf, encodeManifest, familiarString, hostPlatform, isIndexMediaType, isManifestMediaType, MediaType, parseDockerArchiveManifest, parseImageConfig,
  parseIndex, parseLayoutIndex, parseManifest, parseNormalizedNamed, DOCKER_ARCHIVE_MANIFEST_FILE, OCI_INDEX_FILE, OCI_LAYOUT_FILE,
  anyPlatform, formatPlatform, normalizePlatform,
  type Descriptor, type Digest, type DockerArchiveManifestEntry, type ImageConfig, type Index, type Manifest, type Platform, type PlatformMatchComparer,
} from '../oci/index.js';
import { writeBlob, type ImageRecord, type PutLayer, type Store } from '../store/index.js';
import { directoryFiles, readArchiveTar, type ArchiveFiles } from './archive-files.js';
import { ArchiveDataError, ArchiveFormatError } from './errors.js';
import { decompressInput } from './decompress.js';

export interface LoadOptions {
  signal?: AbortSignal;
  /**
   * Load only the image with this tag (`test_image_1`, `docker.io/library/x:latest`; `latest` is
   * the default tag). Without it every image is loaded.
   */
  tag?: string;
  /** Refuse an archive of several images when no `tag` picks one (go-containerregistry's rule). */
  single?: boolean;
  /** Progress: each archive entry as it is read. */
  onEntry?: (path: string, size: number) => void;
  /**
   * `load --platform`: load only images for these platforms (containerd's strict matching after
   * normalization); an archive with none of them is refused. Without it, a multi-platform index
   * gives the image for this machine.
   */
  platforms?: Platform[];
}

export interface LoadedImage {
  record: ImageRecord;
  /** The names given, familiar form (`busybox:latest`), as docker prints them. */
  names: string[];
  /** Names that pointed at another image before (familiar form, and that image's ID): docker reports each. */
  renamed: { name: string; previous: Digest }[];
}

/** One image found in the archive, before it is recorded. */
interface PlannedImage {
  manifest: Descriptor;
  config: Descriptor;
  layers: PutLayer[];
  /** Full names (`docker.io/library/busybox:latest`). */
  names: string[];
}

/** Loads a tar stream (possibly compressed). */
export async function loadArchive(store: Store, source: AsyncIterable<Uint8Array>, options: LoadOptions = {}): Promise<LoadedImage[]> {
  return withLoadLease(store, async (lease) => {
    const sig = options.signal === undefined ? {} : { signal: options.signal };
    const { stream } = await decompressInput(source, sig);
    const files = await readArchiveTar(store.content, stream, {
      lease,
      ...sig,
      ...(options.onEntry === undefined ? {} : { onEntry: options.onEntry }),
    });
    return loadFiles(store, files, lease, options);
  });
}

/** Loads a plain OCI layout directory (or an extracted docker-archive). */
export async function loadDirectory(store: Store, dir: string, options: LoadOptions = {}): Promise<LoadedImage[]> {
  return withLoadLease(store, async (lease) => {
    const files = directoryFiles(store.content, dir, { lease, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    return loadFiles(store, files, lease, options);
  });
}

async function withLoadLease<T>(store: Store, fn: (lease: string) => Promise<T>): Promise<T> {
  // Long enough for a slow multi-GB load; a killed load's lease expires and GC takes its blobs.
  const lease = store.leases.create({ expiresAt: Date.now() + 6 * 3600_000 });
  try {
    return await fn(lease.id);
  } finally {
    store.leases.delete(lease.id);
  }
}

async function loadFiles(store: Store, files: ArchiveFiles, lease: string, options: LoadOptions): Promise<LoadedImage[]> {
  let planned: PlannedImage[];
  if (files.resolve(DOCKER_ARCHIVE_MANIFEST_FILE) !== undefined) planned = await planDockerArchive(store, files, lease, options);
  else if (files.resolve(OCI_LAYOUT_FILE) !== undefined && files.resolve(OCI_INDEX_FILE) !== undefined) planned = await planOciLayout(store, files, lease, options);
  else {
    throw new ArchiveFormatError(
      'ARCHIVE_UNKNOWN_FORMAT',
      'Cannot load the archive: it has neither manifest.json (docker-archive) nor oci-layout and index.json (OCI layout)',
    );
  }
  if (planned.length === 0 && options.platforms !== undefined && options.platforms.length > 0) {
    throw new ArchiveFormatError('ARCHIVE_NO_SUCH_PLATFORM', `Cannot load the archive: it holds no image for platform ${options.platforms.map(formatPlatform).join(', ')}`);
  }
  planned = select(planned, options);
  const previous = new Map<string, Digest>();
  for (const p of planned) {
    for (const n of p.names) {
      try {
        const old = store.images.resolve(n).id;
        if (old !== p.config.digest) previous.set(n, old);
      } catch {
        // a new name
      }
    }
  }
  const sig = options.signal === undefined ? {} : { signal: options.signal };
  // Records without names first (each is complete: every blob is in), then every name at once, so
  // a load killed half-way leaves no name pointing anywhere new.
  const records: ImageRecord[] = [];
  for (const p of planned) {
    records.push(await store.images.put({ manifest: p.manifest, config: p.config, layers: p.layers, names: planned.length === 1 ? p.names : [] }, sig));
  }
  if (planned.length > 1) {
    store.db.write(() => {
      planned.forEach((p, i) => {
        for (const n of p.names) store.images.addName((records[i] as ImageRecord).id, n);
      });
    });
  }
  const familiar = (n: string): string => familiarString(parseNormalizedNamed(n));
  return planned.map((p, i) => ({
    record: store.images.get((records[i] as ImageRecord).id),
    names: p.names.map(familiar),
    renamed: p.names.filter((n) => previous.has(n)).map((n) => ({ name: familiar(n), previous: previous.get(n) as Digest })),
  }));
}

function select(planned: PlannedImage[], options: LoadOptions): PlannedImage[] {
  if (options.tag !== undefined) {
    const want = fullTag(options.tag);
    const hit = planned.find((p) => p.names.includes(want));
    if (hit === undefined) throw new ArchiveFormatError('ARCHIVE_NO_SUCH_TAG', `Cannot load "${options.tag}": no image in the archive has that tag`);
    return [{ ...hit, names: [want] }];
  }
  if (options.single === true && planned.length !== 1) {
    throw new ArchiveFormatError('ARCHIVE_AMBIGUOUS', `Cannot load the archive: it holds ${planned.length} images; name the one to load by its tag`);
  }
  return planned;
}

/** `busybox` → `docker.io/library/busybox:latest`. */
function fullTag(name: string): string {
  const r = parseNormalizedNamed(name);
  return `${r.name}:${r.tag ?? 'latest'}`;
}

/** The matcher `--platform` asks for, or undefined (every image; the host's from an index). */
function platformMatcher(options: LoadOptions): PlatformMatchComparer | undefined {
  const ps = options.platforms ?? [];
  return ps.length === 0 ? undefined : anyPlatform(...ps.map(normalizePlatform));
}

/** An image config's platform. */
function configPlatform(config: ImageConfig): Platform {
  return { os: config.os ?? '', architecture: config.architecture ?? '', ...(config.variant === undefined || config.variant === '' ? {} : { variant: config.variant }) };
}

function badDocument(what: string, err: unknown): ArchiveDataError {
  if (err instanceof ArchiveDataError) return err;
  return new ArchiveDataError('ARCHIVE_BAD_DOCUMENT', `Cannot load the archive: ${what}: ${(err as Error).message}`, { cause: err });
}

/** The layer's compression from its first bytes, and its diffID and uncompressed size from a full read. */
async function inspectLayer(store: Store, desc: Descriptor, signal?: AbortSignal): Promise<{ compression: 'none' | 'gzip' | 'zstd'; diffId: Digest; size: number }> {
  const reader = await store.content.reader(desc);
  try {
    const sig = signal === undefined ? {} : { signal };
    const { compression, stream } = await decompress(reader.stream(sig), sig);
    if (compression === 'none') {
      // The file is the tar: its digest is the diffID (checked when it was stored).
      return { compression, diffId: desc.digest, size: desc.size };
    }
    const d = new Digester('sha256');
    for await (const c of stream) d.update(c);
    return { compression, diffId: d.digest(), size: d.size };
  } finally {
    await reader.close();
  }
}

async function planDockerArchive(store: Store, files: ArchiveFiles, lease: string, options: LoadOptions): Promise<PlannedImage[]> {
  let entries: DockerArchiveManifestEntry[];
  try {
    entries = parseDockerArchiveManifest(await files.read(DOCKER_ARCHIVE_MANIFEST_FILE));
  } catch (err) {
    throw badDocument('manifest.json', err);
  }
  // Docker 25+ writes an OCI layout beside manifest.json: reuse its manifests so the image keeps
  // its manifest digest through save and load. An unusable index is no error (manifest.json rules).
  const ociManifests = await layoutManifests(files).catch(() => new Map<Digest, { desc: Descriptor; manifest: Manifest; names: string[] }[]>());
  const out: PlannedImage[] = [];
  for (const [i, e] of entries.entries()) {
    const configBytes = await files.read(e.Config);
    let config;
    try {
      config = parseImageConfig(configBytes);
    } catch (err) {
      throw badDocument(`the config of image ${i} (${e.Config})`, err);
    }
    if (!(platformMatcher(options)?.match(configPlatform(config)) ?? true)) continue;
    const diffIds = (config.rootfs?.diff_ids ?? []) as Digest[];
    if (diffIds.length !== e.Layers.length) {
      throw new ArchiveDataError('ARCHIVE_DIFFID_MISMATCH', `Cannot load the archive: image ${i} lists ${e.Layers.length} layers and its config ${diffIds.length} diffIDs`);
    }
    const configDesc = await files.ingest(e.Config);
    const layers: PutLayer[] = [];
    const layerDescs: Descriptor[] = [];
    for (const [j, path] of e.Layers.entries()) {
      const diffId = diffIds[j] as Digest;
      if (files.resolve(path) === undefined && e.LayerSources?.[diffId] !== undefined) {
        throw new ArchiveFormatError('ARCHIVE_FOREIGN_LAYER', `Cannot load the archive: layer ${diffId} is foreign (not in the archive) and gantry does not fetch it`);
      }
      const stored = await files.ingest(path);
      const info = await inspectLayer(store, stored, options.signal);
      if (info.diffId !== diffId) {
        throw new ArchiveDataError('ARCHIVE_DIFFID_MISMATCH', `Cannot load the archive: layer "${path}" has diffID ${info.diffId}, the config says ${diffId}`);
      }
      const mediaType = info.compression === 'gzip' ? MediaType.OciLayerGzip : info.compression === 'zstd' ? MediaType.OciLayerZstd : MediaType.OciLayer;
      const desc = { mediaType, digest: stored.digest, size: stored.size };
      layerDescs.push(desc);
      layers.push({ descriptor: desc, diffId, uncompressedSize: info.size });
    }
    const names = (e.RepoTags ?? []).map((t) => {
      try {
        return fullTag(t);
      } catch (err) {
        throw badDocument(`image ${i} has a bad tag "${t}"`, err);
      }
    });
    const reuse = (ociManifests.get(configDesc.digest) ?? []).find(
      (m) => m.manifest.layers.length === layerDescs.length && m.manifest.layers.every((l, k) => l.digest === layerDescs[k]?.digest),
    );
    let manifest: Descriptor;
    if (reuse !== undefined) {
      manifest = await files.ingest(`blobs/${reuse.desc.digest.replace(':', '/')}`, reuse.desc);
      manifest = { ...manifest, mediaType: reuse.manifest.mediaType ?? MediaType.OciManifest };
      out.push({ manifest, config: { ...configDesc, mediaType: reuse.manifest.config.mediaType }, layers: layers.map((l, k) => ({ ...l, descriptor: reuse.manifest.layers[k] as Descriptor })), names });
      continue;
    }
    // No manifest came with the image (docker < 25, podman, skopeo): an OCI manifest of the layers
    // as they came, as `image import` and builds write (OCI media types keep umoci and other
    // OCI-only readers working on a later save).
    const m: Manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: configDesc.digest, size: configDesc.size },
      layers: layerDescs,
    };
    const mb = encodeManifest(m);
    const md = digestOf(mb);
    manifest = await writeBlob(store.content, `load-manifest-${md}`, mb, { digest: md, size: mb.length, mediaType: MediaType.OciManifest }, { lease });
    out.push({ manifest: { ...manifest, mediaType: MediaType.OciManifest }, config: { ...configDesc, mediaType: MediaType.OciConfig }, layers, names });
  }
  return out;
}

/** Blob path of a digest in an OCI layout. */
function blobPath(d: Digest): string {
  return `blobs/${d.replace(':', '/')}`;
}

/** The layout's image manifests by config digest, with the names index.json gives them. */
async function layoutManifests(files: ArchiveFiles): Promise<Map<Digest, { desc: Descriptor; manifest: Manifest; names: string[] }[]>> {
  const out = new Map<Digest, { desc: Descriptor; manifest: Manifest; names: string[] }[]>();
  if (files.resolve(OCI_INDEX_FILE) === undefined) return out;
  const index = parseLayoutIndex(await files.read(OCI_INDEX_FILE));
  for (const d of index.manifests) {
    if (!isManifestMediaType(d.mediaType) || files.resolve(blobPath(d.digest)) === undefined) continue;
    const manifest = parseManifest(await files.read(blobPath(d.digest)));
    const list = out.get(manifest.config.digest) ?? [];
    list.push({ desc: d, manifest, names: [] });
    out.set(manifest.config.digest, list);
  }
  return out;
}

/** A name from index.json's annotations: containerd's full name, else a ref.name that is a full reference. */
function layoutName(d: Descriptor): string | undefined {
  const a = d.annotations ?? {};
  const full = a['io.containerd.image.name'];
  const ref = a['org.opencontainers.image.ref.name'];
  for (const candidate of [full, ref]) {
    // A bare ref.name (`latest`, as `skopeo copy … oci:dir:latest` writes) is a tag without a
    // repository: it names nothing in our store.
    if (candidate === undefined || !/[:/]/.test(candidate)) continue;
    try {
      return fullTag(candidate);
    } catch {
      // not a reference: ignore
    }
  }
  return undefined;
}

async function planOciLayout(store: Store, files: ArchiveFiles, lease: string, options: LoadOptions): Promise<PlannedImage[]> {
  let index: Index;
  try {
    index = parseLayoutIndex(await files.read(OCI_INDEX_FILE));
  } catch (err) {
    throw badDocument('index.json', err);
  }
  const byManifest = new Map<Digest, PlannedImage>();
  const order: Digest[] = [];
  for (const top of index.manifests ?? []) {
    const desc = await resolvePlatform(files, top, platformMatcher(options));
    if (desc === undefined) continue;
    let planned = byManifest.get(desc.digest);
    if (planned === undefined) {
      const p = await planOciManifest(store, files, desc, options);
      if (p === undefined) continue;
      planned = p;
      byManifest.set(desc.digest, planned);
      order.push(desc.digest);
    }
    const name = layoutName(top);
    if (name !== undefined && !planned.names.includes(name)) planned.names.push(name);
  }
  void lease;
  if (order.length === 0 && platformMatcher(options) !== undefined) return [];
  if (order.length === 0) throw new ArchiveFormatError('ARCHIVE_UNKNOWN_FORMAT', 'Cannot load the layout: index.json lists no container image (for this platform)');
  return order.map((d) => byManifest.get(d) as PlannedImage);
}

/**
 * An index entry → the image manifest for `want` (else this machine; nested indexes followed), or
 * undefined for non-images and, with `want`, for a manifest whose descriptor names another platform.
 */
async function resolvePlatform(files: ArchiveFiles, desc: Descriptor, want: PlatformMatchComparer | undefined, depth = 0): Promise<Descriptor | undefined> {
  if (isManifestMediaType(desc.mediaType)) return want === undefined || desc.platform === undefined || want.match(desc.platform) ? desc : undefined;
  if (!isIndexMediaType(desc.mediaType) || depth > 4) return undefined;
  await files.ingest(blobPath(desc.digest), desc);
  let nested: Index;
  try {
    nested = parseIndex(await files.read(blobPath(desc.digest)));
  } catch (err) {
    throw badDocument(`index ${desc.digest}`, err);
  }
  const images = nested.manifests.filter((m) => isManifestMediaType(m.mediaType));
  const best = want !== undefined ? bestMatch(images, want) : bestMatch(images, hostPlatform()) ?? (images.length === 1 ? images[0] : undefined);
  if (best !== undefined) return best;
  for (const m of nested.manifests.filter((x) => isIndexMediaType(x.mediaType))) {
    const r = await resolvePlatform(files, m, want, depth + 1);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** The image a layout's manifest describes, or undefined for an artifact (a Helm chart, a signature). */
async function planOciManifest(store: Store, files: ArchiveFiles, desc: Descriptor, options: LoadOptions): Promise<PlannedImage | undefined> {
  const manifestDesc = await files.ingest(blobPath(desc.digest), desc);
  let manifest: Manifest;
  try {
    manifest = parseManifest(await files.read(blobPath(desc.digest)));
  } catch (err) {
    throw badDocument(`manifest ${desc.digest}`, err);
  }
  if (!isConfigMediaType(manifest.config.mediaType)) return undefined;
  const configDesc = await files.ingest(blobPath(manifest.config.digest), manifest.config);
  const config = parseImageConfig(await files.read(blobPath(manifest.config.digest)));
  // A manifest listed without a platform: its config says which it is.
  if (!(platformMatcher(options)?.match(configPlatform(config)) ?? true)) return undefined;
  const diffIds = (config.rootfs?.diff_ids ?? []) as Digest[];
  if (diffIds.length !== manifest.layers.length) {
    throw new ArchiveDataError('ARCHIVE_DIFFID_MISMATCH', `Cannot load the layout: manifest ${desc.digest} has ${manifest.layers.length} layers and its config ${diffIds.length} diffIDs`);
  }
  const layers: PutLayer[] = [];
  for (const [j, l] of manifest.layers.entries()) {
    const stored = await files.ingest(blobPath(l.digest), l);
    const info = await inspectLayer(store, stored, options.signal);
    if (info.diffId !== diffIds[j]) {
      throw new ArchiveDataError('ARCHIVE_DIFFID_MISMATCH', `Cannot load the layout: layer ${l.digest} has diffID ${info.diffId}, the config says ${diffIds[j]}`);
    }
    layers.push({ descriptor: { mediaType: l.mediaType, digest: l.digest, size: l.size }, diffId: info.diffId, uncompressedSize: info.size });
  }
  return {
    manifest: { mediaType: manifest.mediaType ?? desc.mediaType, digest: manifestDesc.digest, size: manifestDesc.size },
    config: { mediaType: manifest.config.mediaType, digest: configDesc.digest, size: configDesc.size },
    layers,
    names: [],
  };
}
