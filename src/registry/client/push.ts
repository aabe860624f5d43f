/**
 * Pushing an image from the store: each blob (config, layers) is checked with HEAD and skipped when
 * the registry has it, mounted from another repository of the same registry when the store knows
 * one that holds it (`POST …/uploads/?mount=&from=`), else uploaded — in one PUT when small, in
 * PATCH chunks when large. The manifest goes last, as the stored bytes (so its digest stays), under
 * the tag. Transient failures (5xx, dropped connections) restart the blob's upload with back-off; a
 * registry never makes a blob visible before the final PUT with its digest, so an interrupted push
 * leaves at most an upload session the registry expires.
 */
import type { Digest } from '../../oci/index.js';
import type { Descriptor } from '../../oci/index.js';
import type { Reference } from '../../oci/index.js';
import type { ProgressSink } from '../../progress.js';
import { discardProgress } from '../../progress.js';
import type { ImageRecord, Store } from '../../store/index.js';
import { readBlob } from '../../store/index.js';
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
  digest: Digest;
  size: number;
  blobs: { digest: Digest; state: BlobPushState; from?: string }[];
}

/** Another repository of the same registry that the store says holds `digest`, if any. */
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
  return undefined;
}

function absolute(location: string, base: string): string {
  return new URL(location, base).toString();
}

function withDigestParam(location: string, digest: Digest): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
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
  const path = ref.path;
  const signal = opts.signal;
  const sig = signal ? { signal } : {};
  const scopes: Scope[] = [pushScope(path)];
  const action = `push ${desc.digest}`;
  return retry(
    async () => {
      const head = await session.request(`/v2/${path}/blobs/${desc.digest}`, { method: 'HEAD', scopes, ...sig });
      if (head.status === 200) return { state: 'exists' as const };
      if (head.status !== 404) throw await registryErrorFromResponse(head, { method: 'HEAD', url: head.url, action, secrets: session.authorizer.secrets });
      const ep = await session.endpoint(signal);
      let start: Response;
      if (opts.from !== undefined) {
        const mountScopes = [...scopes, repositoryScope(opts.from, 'pull')];
        start = await session.request(`/v2/${path}/blobs/uploads/?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(opts.from)}`, {
          method: 'POST',
          headers: { 'content-length': '0' },
          scopes: mountScopes,
          ...sig,
        });
        if (start.status === 201) {
          await start.body?.cancel();
          return { state: 'mounted' as const, from: opts.from };
        }
      } else {
        start = await session.request(`/v2/${path}/blobs/uploads/`, { method: 'POST', headers: { 'content-length': '0' }, scopes, ...sig });
      }
      if (start.status !== 202) throw await registryErrorFromResponse(start, { method: 'POST', url: start.url, action, secrets: session.authorizer.secrets });
      await start.body?.cancel();
      let location = absolute(start.headers.get('location') ?? '', `${ep.baseUrl}/`);
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

/**
 * Pushes an image's blobs and then its manifest under `ref`'s tag (or its digest when it has none).
 * @throws {RegistryResponseError} when the registry refuses (unauthorized, denied, invalid manifest)
 */
export async function pushImage(ref: Reference, opts: PushOptions): Promise<PushResult> {
  const { store, session, image } = opts;
  const progress = opts.progress ?? discardProgress;
  const signal = opts.signal;
  const sig = signal ? { signal } : {};
  const blobs: Descriptor[] = [
    ...image.layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    image.config,
  ];
  for (const b of image.layers) progress.emit({ type: 'vertex', vertex: { id: b.digest, name: b.digest.slice(7, 19) } });
  const results = await mapLimit(blobs, opts.concurrency ?? 5, async (desc, i) => {
    const isLayer = i < image.layers.length;
    const started = Date.now();
    const status = (name: string, current: number, done = false): void => {
      if (!isLayer) return;
      progress.emit({ type: 'status', status: { id: 'transfer', vertex: desc.digest, name, current, total: desc.size, unit: 'bytes', started, ...(done ? { completed: Date.now() } : {}) } });
    };
    if (isLayer) status('Preparing', 0);
    const from = mountSource(store, ref, desc.digest);
    let last = -1;
    const r = await pushBlob(store, session, ref, desc, {
      attempts: opts.attempts ?? 5,
      ...sig,
      ...(from !== undefined ? { from } : {}),
      ...(opts.monolithicMax !== undefined ? { monolithicMax: opts.monolithicMax } : {}),
      ...(opts.chunkSize !== undefined ? { chunkSize: opts.chunkSize } : {}),
      onBytes: (n) => {
        if (n - last >= 262144 || n === desc.size) {
          last = n;
          status('Pushing', n);
        }
      },
    });
    status(r.state === 'pushed' ? 'Pushed' : r.state === 'exists' ? 'Layer already exists' : `Mounted from ${r.from ?? ''}`, desc.size, true);
    return { digest: desc.digest, state: r.state, ...(r.from !== undefined ? { from: r.from } : {}) };
  });
  const bytes = await readBlob(store.content, image.manifest, sig);
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
  return { digest: image.manifest.digest, size: bytes.length, blobs: results };
}
