/**
 * Pushing an image from the store: each blob (config, layers) is checked with HEAD and skipped when
 * the registry has it, mounted from another repository of the same registry when the store knows
 * one that holds it (`POST …/uploads/?mount=&from=`), else uploaded — in one PUT when small, in
 * PATCH chunks when large. The manifest goes last under the tag. Transient failures (5xx, dropped
 * connections) restart the blob's upload with back-off; a registry never makes a blob visible
 * before the final PUT with its digest, so an interrupted push leaves at most an upload session the
 * registry expires.
 *
 * Layers gantry made are stored uncompressed (ARCHITECTURE.md "Layers"). Such a layer is pushed
 * gzip-compressed, as docker pushes its own: compressed while it streams to the registry (one
 * PATCH, chunked, then `PUT ?digest=` with the digest computed on the way: no temporary file, the
 * compressed bytes are not kept), deterministically (layer/'s parallel gzip: the same layer gives
 * the same digest every time). The pushed manifest names the compressed descriptors, so its bytes
 * and digest differ from the stored manifest's; that digest is what push reports and what becomes
 * the image's repo digest. The store remembers diffID → compressed descriptor and which
 * repositories hold it (store/distribution.ts): a second push HEADs that digest first and
 * compresses nothing when the registry has it, or mounts it from a sibling repository.
 * Layers stored compressed (pulled, loaded) go as they are; an image may mix both.
 */
import { Readable } from 'node:stream';
import { gzipForm, gzipLayerMediaType, replaceLayerDescriptors } from '../../layer/index.js';
import { digestOf, type Descriptor, type Digest, type Reference } from '../../oci/index.js';
import type { ProgressSink } from '../../progress.js';
import { discardProgress } from '../../progress.js';
import type { ImageRecord, LayerRecord, Store } from '../../store/index.js';
import { openVerified, readBlob } from '../../store/index.js';
import { repositoryScope, type Scope } from './auth-challenge.js';
import { registryErrorFromResponse } from './http-error.js';
import { mapLimit } from './limit.js';
import { retry } from './retry.js';
import { pushScope, type RegistrySession } from './session.js';

/** Blobs up to this size go in one PUT; larger ones in PATCH chunks of CHUNK_SIZE. */
export const MONOLITHIC_MAX = 16 * 1024 * 1024;
export const CHUNK_SIZE = 64 * 1024 * 1024;

export type BlobPushState = 'pushed' | 'exists' | 'mounted';

export interface PushOptions {
  store: Store;
  session: RegistrySession;
  /** The image to push (resolved by the caller) and the reference to push it as. */
  image: ImageRecord;
  concurrency?: number;
  attempts?: number;
  /** Blobs up to this size go in one PUT (default MONOLITHIC_MAX). */
  monolithicMax?: number;
  /** PATCH size for larger blobs (default CHUNK_SIZE). */
  chunkSize?: number;
  /** Per-blob events: vertex = blob digest, status name = docker's phase text. */
  progress?: ProgressSink;
  signal?: AbortSignal;
}

export interface PushResult {
  /** The digest of the manifest pushed (the stored one's, unless layers were compressed for the push). */
  digest: Digest;
  size: number;
  /** Each blob as pushed: a compressed layer's `digest` is its compressed digest, `stored` the stored blob's. */
  blobs: { digest: Digest; state: BlobPushState; from?: string; stored?: Digest }[];
}

/**
 * Another repository of the same registry that the store says holds `digest`, if any: an image
 * named there that has the blob, or a repository a push recorded (store/distribution.ts).
 */
export function mountSource(store: Store, ref: Reference, digest: Digest): string | undefined {
  for (const img of store.images.list()) {
    if (img.config.digest !== digest && !img.layers.some((l) => l.digest === digest)) continue;
    for (const name of [...img.repoDigests, ...img.repoTags]) {
      const cut = name.search(/[@]|:[^/]*$/);
      const repo = cut < 0 ? name : name.slice(0, cut);
      const slash = repo.indexOf('/');
      if (repo.slice(0, slash) === ref.domain && repo.slice(slash + 1) !== ref.path) return repo.slice(slash + 1);
    }
  }
  // Blobs earlier pushes put (or found) elsewhere in this registry, compressed layers among them.
  return store.distribution.sources(digest, ref.domain).find((repo) => repo !== ref.path);
}

function absolute(location: string, base: string): string {
  return new URL(location, base).toString();
}

function withDigestParam(location: string, digest: Digest): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
}

type Sig = { signal?: AbortSignal };

/**
 * Where a blob upload stands after HEAD (and a mount attempt): already there, mounted, or an
 * upload session opened at `location`.
 */
type UploadStart = { state: 'exists' } | { state: 'mounted'; from: string } | { state: 'upload'; location: string };

/**
 * HEADs `digest` (when known) and tries a cross-repository mount from `from`; otherwise opens an
 * upload session (a refused mount answers 202 with one, as the spec says).
 */
async function startUpload(session: RegistrySession, ref: Reference, digest: Digest | undefined, from: string | undefined, action: string, sig: Sig): Promise<UploadStart> {
  const path = ref.path;
  const scopes: Scope[] = [pushScope(path)];
  if (digest !== undefined) {
    const head = await session.request(`/v2/${path}/blobs/${digest}`, { method: 'HEAD', scopes, ...sig });
    if (head.status === 200) return { state: 'exists' };
    if (head.status !== 404) throw await registryErrorFromResponse(head, { method: 'HEAD', url: head.url, action, secrets: session.authorizer.secrets });
  }
  const ep = await session.endpoint(sig.signal);
  let start: Response;
  if (digest !== undefined && from !== undefined) {
    const mountScopes = [...scopes, repositoryScope(from, 'pull')];
    start = await session.request(`/v2/${path}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, {
      method: 'POST',
      headers: { 'content-length': '0' },
      scopes: mountScopes,
      ...sig,
    });
    if (start.status === 201) {
      await start.body?.cancel();
      return { state: 'mounted', from };
    }
  } else {
    start = await session.request(`/v2/${path}/blobs/uploads/`, { method: 'POST', headers: { 'content-length': '0' }, scopes, ...sig });
  }
  if (start.status !== 202) throw await registryErrorFromResponse(start, { method: 'POST', url: start.url, action, secrets: session.authorizer.secrets });
  await start.body?.cancel();
  return { state: 'upload', location: absolute(start.headers.get('location') ?? '', `${ep.baseUrl}/`) };
}

/** Uploads one blob unless the registry has it already. */
export async function pushBlob(
  store: Store,
  session: RegistrySession,
  ref: Reference,
  desc: Descriptor,
  opts: { signal?: AbortSignal; attempts?: number; onBytes?: (n: number) => void; from?: string; monolithicMax?: number; chunkSize?: number },
): Promise<{ state: BlobPushState; from?: string }> {
  const monolithicMax = opts.monolithicMax ?? MONOLITHIC_MAX;
  const chunkSize = opts.chunkSize ?? CHUNK_SIZE;
  const signal = opts.signal;
  const sig = signal ? { signal } : {};
  const scopes: Scope[] = [pushScope(ref.path)];
  const action = `push ${desc.digest}`;
  return retry(
    async () => {
      const started = await startUpload(session, ref, desc.digest, opts.from, action, sig);
      if (started.state !== 'upload') return started;
      let location = started.location;
      const reader = await store.content.reader(desc, sig);
      try {
        if (desc.size <= monolithicMax) {
          const bytes = await reader.readAt(0, desc.size);
          const res = await session.request(withDigestParam(location, desc.digest), {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
            body: bytes,
            scopes,
            ...sig,
          });
          if (res.status !== 201) throw await registryErrorFromResponse(res, { method: 'PUT', url: res.url, action, secrets: session.authorizer.secrets });
          await res.body?.cancel();
          opts.onBytes?.(desc.size);
        } else {
          for (let off = 0; off < desc.size; off += chunkSize) {
            const end = Math.min(desc.size, off + chunkSize);
            let sent = off;
            const stream = reader.stream({ start: off, end, ...sig });
            stream.on('data', (c: Buffer) => {
              sent += c.length;
              opts.onBytes?.(sent);
            });
            const res = await session.request(location, {
              method: 'PATCH',
              headers: { 'content-type': 'application/octet-stream', 'content-length': String(end - off), 'content-range': `${off}-${end - 1}` },
              body: stream,
              scopes,
              ...sig,
            });
            if (res.status !== 202) throw await registryErrorFromResponse(res, { method: 'PATCH', url: res.url, action, secrets: session.authorizer.secrets });
            await res.body?.cancel();
            location = absolute(res.headers.get('location') ?? location, location);
          }
          const res = await session.request(withDigestParam(location, desc.digest), { method: 'PUT', headers: { 'content-length': '0' }, scopes, ...sig });
          if (res.status !== 201) throw await registryErrorFromResponse(res, { method: 'PUT', url: res.url, action, secrets: session.authorizer.secrets });
          await res.body?.cancel();
        }
      } finally {
        await reader.close();
      }
      return { state: 'pushed' as const };
    },
    { maxAttempts: opts.attempts ?? 5, ...sig },
  );
}

/** Where a compressed layer went, and its descriptor as pushed. */
interface CompressedPush {
  descriptor: Descriptor;
  state: BlobPushState;
  from?: string;
}

/**
 * Pushes an uncompressed stored layer gzip-compressed as `mediaType`. A compressed form a push
 * made before is tried first: HEAD, then a mount from a repository known to hold it. Otherwise the
 * layer is compressed on the fly into one streamed PATCH and committed with the digest computed
 * on the way; the stored bytes are verified as they are read (a damaged blob fails before the PUT).
 * `onBytes` counts uncompressed bytes read.
 */
async function pushCompressedLayer(
  store: Store,
  session: RegistrySession,
  ref: Reference,
  layer: Pick<LayerRecord, 'digest' | 'size' | 'diffId'>,
  mediaType: string,
  opts: { signal?: AbortSignal; attempts?: number; onBytes?: (n: number) => void },
): Promise<CompressedPush> {
  const signal = opts.signal;
  const sig = signal ? { signal } : {};
  const scopes: Scope[] = [pushScope(ref.path)];
  const known = store.distribution.compressed(layer.diffId, mediaType);
  const from = known === undefined ? undefined : mountSource(store, ref, known.digest);
  const action = `push ${known?.digest ?? layer.digest}`;
  return retry(
    async () => {
      const started = await startUpload(session, ref, known?.digest, from, action, sig);
      if (started.state === 'exists') return { descriptor: known!, state: 'exists' as const };
      if (started.state === 'mounted') return { descriptor: known!, state: 'mounted' as const, from: started.from };
      let read = 0;
      const source = await openVerified(store.content, { digest: layer.digest, size: layer.size }, sig);
      async function* counted(): AsyncGenerator<Uint8Array> {
        for await (const c of source as AsyncIterable<Buffer>) {
          read += c.byteLength;
          opts.onBytes?.(read);
          yield c;
        }
      }
      const gz = gzipForm(counted(), mediaType);
      const body = Readable.from(gz.chunks, { objectMode: false });
      let res: Response;
      try {
        // One streamed PATCH (chunked transfer encoding, no Content-Range): docker's way, accepted by
        // distribution and our server. Its size is not known until the stream ends.
        res = await session.request(started.location, { method: 'PATCH', headers: { 'content-type': 'application/octet-stream' }, body, scopes, ...sig });
      } finally {
        source.destroy();
      }
      if (res.status !== 202) throw await registryErrorFromResponse(res, { method: 'PATCH', url: res.url, action, secrets: session.authorizer.secrets });
      await res.body?.cancel();
      const location = absolute(res.headers.get('location') ?? started.location, started.location);
      const descriptor = gz.descriptor();
      const put = await session.request(withDigestParam(location, descriptor.digest), { method: 'PUT', headers: { 'content-length': '0' }, scopes, ...sig });
      if (put.status !== 201) throw await registryErrorFromResponse(put, { method: 'PUT', url: put.url, action: `push ${descriptor.digest}`, secrets: session.authorizer.secrets });
      await put.body?.cancel();
      store.distribution.recordCompressed(layer.diffId, descriptor);
      return { descriptor, state: 'pushed' as const };
    },
    { maxAttempts: opts.attempts ?? 5, ...sig },
  );
}

/**
 * Pushes an image's blobs and then its manifest under `ref`'s tag (or its digest when it has none).
 * Records the pushed manifest's digest as the image's repo digest (`repo@sha256:…`), as docker does.
 * @throws {RegistryResponseError} when the registry refuses (unauthorized, denied, invalid manifest)
 */
export async function pushImage(ref: Reference, opts: PushOptions): Promise<PushResult> {
  const { store, session, image } = opts;
  const progress = opts.progress ?? discardProgress;
  const signal = opts.signal;
  const sig = signal ? { signal } : {};
  const blobs: Array<{ desc: Descriptor; layer?: LayerRecord }> = [
    ...image.layers.map((l) => ({ desc: { mediaType: l.mediaType, digest: l.digest, size: l.size }, layer: l })),
    { desc: image.config },
  ];
  for (const b of image.layers) progress.emit({ type: 'vertex', vertex: { id: b.digest, name: b.digest.slice(7, 19) } });
  const replaced = new Map<number, Descriptor>();
  const results = await mapLimit(blobs, opts.concurrency ?? 5, async ({ desc, layer }, i) => {
    const started = Date.now();
    const status = (name: string, current: number, done = false): void => {
      if (layer === undefined) return;
      progress.emit({ type: 'status', status: { id: 'transfer', vertex: desc.digest, name, current, total: desc.size, unit: 'bytes', started, ...(done ? { completed: Date.now() } : {}) } });
    };
    if (layer !== undefined) status('Preparing', 0);
    let last = -1;
    const onBytes = (n: number): void => {
      if (n - last >= 262144 || n === desc.size) {
        last = n;
        status('Pushing', n);
      }
    };
    const common = { attempts: opts.attempts ?? 5, ...sig, onBytes };
    const gzipType = layer === undefined ? undefined : gzipLayerMediaType(layer.mediaType);
    let pushed: Descriptor = desc;
    let r: { state: BlobPushState; from?: string };
    if (layer !== undefined && gzipType !== undefined) {
      const c = await pushCompressedLayer(store, session, ref, layer, gzipType, common);
      replaced.set(i, c.descriptor);
      pushed = c.descriptor;
      r = c;
    } else {
      const from = mountSource(store, ref, desc.digest);
      r = await pushBlob(store, session, ref, desc, {
        ...common,
        ...(from !== undefined ? { from } : {}),
        ...(opts.monolithicMax !== undefined ? { monolithicMax: opts.monolithicMax } : {}),
        ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}),
      });
    }
    status(r.state === 'pushed' ? 'Pushed' : r.state === 'exists' ? 'Layer already exists' : `Mounted from ${r.from ?? ''}`, desc.size, true);
    return { digest: pushed.digest, state: r.state, ...(r.from !== undefined ? { from: r.from } : {}), ...(pushed.digest !== desc.digest ? { stored: desc.digest } : {}) };
  });
  store.distribution.recordSources(results.map((b) => b.digest), { domain: ref.domain, repository: ref.path });
  const bytes = replaceLayerDescriptors(await readBlob(store.content, image.manifest, sig), replaced);
  const digest = replaced.size === 0 ? image.manifest.digest : digestOf(bytes);
  const target = ref.tag ?? ref.digest ?? 'latest';
  await retry(
    async () => {
      const res = await session.request(`/v2/${ref.path}/manifests/${target}`, {
        method: 'PUT',
        headers: { 'content-type': image.manifest.mediaType, 'content-length': String(bytes.length) },
        body: bytes,
        scopes: [pushScope(ref.path)],
        ...sig,
      });
      if (res.status !== 201) throw await registryErrorFromResponse(res, { method: 'PUT', url: res.url, action: `push manifest ${target}`, secrets: session.authorizer.secrets });
      await res.body?.cancel();
    },
    { maxAttempts: opts.attempts ?? 5, ...sig },
  );
  // docker's RepoDigests after a push: the repository at the digest the registry now serves.
  store.images.addName(image.id, `${ref.domain}/${ref.path}@${digest}`);
  return { digest, size: bytes.length, blobs: results };
}
