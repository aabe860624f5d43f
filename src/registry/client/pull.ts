/**
 * Pulling an image into the store: resolve the reference to a manifest (an index or manifest list
 * picks the platform), then fetch the config and the layers concurrently (bounded), each written
 * through a resumable ingest and verified against its digest; blobs already stored are skipped.
 * Everything is written under one lease and the image is recorded (tag and repo digest) at the end,
 * so an interrupted pull leaves nothing a collection would keep and nothing half-recorded.
 *
 * A dropped connection mid-layer resumes where the ingest stands with `Range: bytes=N-` (a registry
 * that answers 200 instead of 206 makes it start over).
 */
import { isKind, NotFoundError } from '../../errors.js';
import { digestOf, type Digest } from '../../oci/index.js';
import type { Descriptor } from '../../oci/index.js';
import { isIndexMediaType, MediaType } from '../../oci/index.js';
import { bestMatch, defaultMatcher, formatPlatform, type PlatformMatchComparer } from '../../oci/index.js';
import { referenceString, withDigest, type Reference } from '../../oci/index.js';
import type { ProgressSink } from '../../progress.js';
import { discardProgress } from '../../progress.js';
import type { Store } from '../../store/index.js';
import { ContentNotFoundError, IngestLockedError, NoSpaceError, WriterClosedError, withLease, writeBlob } from '../../store/index.js';
import { RegistryResponseError } from './http-error.js';
import { retry, isTransient } from './retry.js';
import { pullScope, type RegistrySession } from './session.js';
import { mapLimit } from './limit.js';
import { streamBodyOf } from './transport.js';

export const MANIFEST_ACCEPT = [
  MediaType.OciIndex,
  MediaType.DockerManifestList,
  MediaType.OciManifest,
  MediaType.DockerManifest,
].join(', ');

/** Manifests and configs are small; refuse anything larger (a hostile registry). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;


export class ManifestUnknownError extends NotFoundError {
  constructor(ref: string, detail: string) {
    super('MANIFEST_UNKNOWN', detail === '' ? `manifest for ${ref} not found: manifest unknown` : detail);
  }
}

export interface PullOptions {
  store: Store;
  session: RegistrySession;
  /** Which platform an index resolves to (default: this machine's). */
  platform?: PlatformMatchComparer;
  /** Parallel layer downloads (default 3, as docker). */
  concurrency?: number;
  /** Attempts per blob on transient failures (default 5). */
  attempts?: number;
  /** Per-layer events: vertex = layer digest, status name = docker's phase text. */
  progress?: ProgressSink;
  signal?: AbortSignal;
}

export interface PullResult {
  imageId: Digest;
  /** The digest of what the reference resolved to (the index when there was one). */
  digest: Digest;
  manifest: Descriptor;
  /** True when every blob was already stored and the image already had this name. */
  upToDate: boolean;
}

interface Fetched {
  bytes: Buffer;
  mediaType: string;
  digest: Digest;
}

/** GET a manifest by tag or digest, verified against the digest asked for (or the one announced). */
export async function fetchManifest(session: RegistrySession, path: string, tagOrDigest: string, opts: { signal?: AbortSignal; refText: string }): Promise<Fetched> {
  const res = await retry(
    () =>
      session.request(`/v2/${path}/manifests/${tagOrDigest}`, {
        headers: { accept: MANIFEST_ACCEPT },
        scopes: [pullScope(path)],
        ...(opts.signal ? { signal: opts.signal } : {}),
      }).then(async (r) => {
        if (r.status >= 500 || r.status === 429) {
          const { registryErrorFromResponse } = await import('./http-error.js');
          throw await registryErrorFromResponse(r, { method: 'GET', url: r.url, action: `pull ${opts.refText}`, secrets: session.authorizer.secrets });
        }
        return r;
      }),
    opts.signal ? { signal: opts.signal } : {},
  );
  if (res.status === 404) {
    const { registryErrorFromResponse } = await import('./http-error.js');
    const err = await registryErrorFromResponse(res, { method: 'GET', url: res.url, action: `pull ${opts.refText}` });
    throw new ManifestUnknownError(opts.refText, `manifest for ${opts.refText} not found: ${err.registryMessage}`);
  }
  if (!res.ok) {
    const { registryErrorFromResponse } = await import('./http-error.js');
    throw await registryErrorFromResponse(res, { method: 'GET', url: res.url, action: `pull ${opts.refText}`, secrets: session.authorizer.secrets });
  }
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_MANIFEST_BYTES) throw new RegistryResponseError({ status: 502, method: 'GET', url: res.url, action: `pull ${opts.refText}`, body: 'manifest larger than 4 MiB' });
  const digest = digestOf(bytes);
  const expected = tagOrDigest.includes(':') ? tagOrDigest : res.headers.get('docker-content-digest');
  if (expected !== null && expected.startsWith('sha256:') && expected !== digest) {
    const { DigestMismatchError } = await import('../../store/index.js');
    throw new DigestMismatchError(expected as Digest, digest);
  }
  let mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
  try {
    const doc = JSON.parse(bytes.toString('utf8')) as { mediaType?: string; manifests?: unknown };
    if (typeof doc.mediaType === 'string') mediaType = doc.mediaType;
    else if (!mediaType || mediaType === 'application/json') mediaType = Array.isArray(doc.manifests) ? MediaType.OciIndex : MediaType.OciManifest;
  } catch {
    // The store's putManifest reports a manifest that is not JSON.
  }
  return { bytes, mediaType, digest };
}

/** Short id of a blob as docker prints it (12 hex digits). */
export function shortBlobId(d: string): string {
  return d.slice(d.indexOf(':') + 1, d.indexOf(':') + 13);
}

/**
 * Downloads one blob into the store under `lease`, resuming a dropped transfer with Range.
 * @returns true when it was fetched, false when the store had it
 */
export async function fetchBlob(
  store: Store,
  session: RegistrySession,
  path: string,
  desc: Descriptor,
  opts: { lease: string; signal?: AbortSignal; attempts?: number; onBytes?: (current: number) => void },
): Promise<boolean> {
  try {
    const info = await store.content.info(desc.digest);
    if (info.size === desc.size) {
      store.leases.addResource(opts.lease, { type: 'content', id: desc.digest });
      return false;
    }
  } catch (err) {
    if (!(err instanceof ContentNotFoundError)) throw err;
  }
  const writer = await store.content.writer(`pull-${desc.digest}`, { expected: { digest: desc.digest, size: desc.size }, lease: opts.lease, ...(opts.signal ? { signal: opts.signal } : {}) });
  try {
    await retry(
      async () => {
        const start = writer.offset;
        if (start < desc.size || desc.size === 0) {
          const res = await session.request(`/v2/${path}/blobs/${desc.digest}`, {
            headers: start > 0 ? { range: `bytes=${start}-` } : {},
            streamBody: true,
            scopes: [pullScope(path)],
            ...(opts.signal ? { signal: opts.signal } : {}),
          });
          if (!(res.status === 200 || res.status === 206)) {
            const { registryErrorFromResponse } = await import('./http-error.js');
            throw await registryErrorFromResponse(res, { method: 'GET', url: res.url, action: `pull blob ${desc.digest}`, secrets: session.authorizer.secrets });
          }
          if (start > 0 && res.status === 200) {
            // The registry ignored Range: start over with a fresh ingest on the next attempt.
            streamBodyOf(res)?.destroy();
            await res.body?.cancel();
            await writer.abort();
            throw Object.assign(new Error('range not honoured'), { code: 'ECONNRESET', restart: true });
          }
          opts.onBytes?.(writer.offset);
          // Straight from the socket's buffers into the ingest (hash and write); the transport
          // keeps reading into its other buffers meanwhile. Bytes that arrived before a dropped
          // connection are written before the error comes, so a resume starts after them.
          const write = async (chunk: Uint8Array): Promise<void> => {
            await writer.write(chunk);
            opts.onBytes?.(writer.offset);
          };
          const streamed = streamBodyOf(res);
          if (streamed !== undefined) await streamed.pipeTo(write);
          else for await (const chunk of (res.body ?? []) as AsyncIterable<Uint8Array>) await write(chunk);
        }
      },
      { maxAttempts: opts.attempts ?? 5, ...(opts.signal ? { signal: opts.signal } : {}), isRetriable: (e) => (e as { restart?: boolean }).restart !== true && isTransient(e) },
    );
    await writer.commit(desc.size, desc.digest);
  } finally {
    await writer.abort();
  }
  return true;
}

/**
 * Pulls `ref` (a tag or digest reference with a domain) into the store and records it. With
 * registry mirrors (docker.io pulls), each mirror is tried in order and then the registry itself;
 * as in docker, any failure of a mirror (no answer, a refusal, no such image, bad content) moves on
 * to the next source, and the error reported is the last source's.
 * @throws {ManifestUnknownError} when the registry has no such manifest
 * @throws {RegistryResponseError} for other refusals (unauthorized, denied)
 */
export async function pullImage(ref: Reference, opts: PullOptions): Promise<PullResult> {
  const sources = opts.session.pullSources();
  for (let i = 0; ; i++) {
    const session = sources[i]!;
    try {
      return await pullFrom(ref, { ...opts, session });
    } catch (err) {
      if (i === sources.length - 1 || !session.isMirror || !mirrorMayFallBack(err, opts.signal)) throw err;
    }
  }
}

/** Whether a mirror's failure lets the pull go on: not when canceled or when the store failed. */
function mirrorMayFallBack(err: unknown, signal: AbortSignal | undefined): boolean {
  if (signal?.aborted === true || isKind(err, 'canceled')) return false;
  // The local store's own failures (disk full, a locked ingest) would fail the next source too.
  return !(err instanceof NoSpaceError || err instanceof IngestLockedError || err instanceof WriterClosedError);
}

async function pullFrom(ref: Reference, opts: PullOptions): Promise<PullResult> {
  const { store, session } = opts;
  const progress = opts.progress ?? discardProgress;
  const signal = opts.signal;
  const refText = referenceString(ref);
  const path = ref.path;
  const tagOrDigest = ref.digest ?? ref.tag ?? 'latest';
  const top = await fetchManifest(session, path, tagOrDigest, { refText, ...(signal ? { signal } : {}) });
  let manifest = top;
  let index: Fetched | undefined;
  if (isIndexMediaType(top.mediaType)) {
    index = top;
    const doc = JSON.parse(top.bytes.toString('utf8')) as { manifests?: Descriptor[] };
    const want = opts.platform ?? defaultMatcher();
    const chosen = bestMatch(doc.manifests ?? [], want);
    if (chosen === undefined) {
      const { NotFoundError: NF } = await import('../../errors.js');
      const platforms = (doc.manifests ?? []).flatMap((d) => (d.platform ? [formatPlatform(d.platform)] : []));
      throw new NF('NO_MATCHING_MANIFEST', `no matching manifest for the requested platform in the manifest list entries (available: ${platforms.join(', ') || 'none'})`);
    }
    manifest = await fetchManifest(session, path, chosen.digest, { refText, ...(signal ? { signal } : {}) });
  }
  const m = JSON.parse(manifest.bytes.toString('utf8')) as { config?: Descriptor; layers?: Descriptor[]; schemaVersion?: number };
  if (m.config === undefined || !Array.isArray(m.layers)) {
    const { InvalidArgumentError } = await import('../../errors.js');
    throw new InvalidArgumentError('UNSUPPORTED_MANIFEST', `Cannot pull ${refText}: unsupported manifest media type ${manifest.mediaType || 'unknown'}`);
  }
  const layers = m.layers;
  const config = m.config;
  const names = [
    `${ref.name}@${top.digest}`,
    ...(ref.digest === undefined ? [`${ref.name}:${ref.tag ?? 'latest'}`] : []),
  ];
  let wasPresent = true;
  for (const l of layers) {
    progress.emit({ type: 'vertex', vertex: { id: l.digest, name: shortBlobId(l.digest) } });
  }
  const record = await withLease(store.leases, async (lease) => {
    const fetched = await mapLimit([config, ...layers], opts.concurrency ?? 3, async (desc, i) => {
      const isLayer = i > 0;
      const started = Date.now();
      const status = (name: string, current = 0, completed?: number): void => {
        if (!isLayer) return;
        progress.emit({
          type: 'status',
          status: { id: 'transfer', vertex: desc.digest, name, current, total: desc.size, unit: 'bytes', started, ...(completed ? { completed } : {}) },
        });
      };
      let last = 0;
      status('Pulling fs layer');
      const got = await fetchBlob(store, session, path, desc, {
        lease: lease.id,
        attempts: opts.attempts ?? 5,
        ...(signal ? { signal } : {}),
        onBytes: (n) => {
          // Coalesce: one event per 256 KiB keeps a fast transfer from flooding the renderer.
          if (n - last >= 262144 || n === desc.size || last === 0) {
            last = n;
            status('Downloading', n);
          }
        },
      });
      if (got) {
        status('Verifying Checksum', desc.size);
        status('Download complete', desc.size, Date.now());
      }
      else status('Already exists', desc.size, Date.now());
      return got;
    });
    if (fetched.some((x) => x)) wasPresent = false;
    await writeBlob(store.content, `pull-${manifest.digest}`, manifest.bytes, { digest: manifest.digest, size: manifest.bytes.length, mediaType: manifest.mediaType }, { lease: lease.id });
    if (index !== undefined) {
      await writeBlob(store.content, `pull-${index.digest}`, index.bytes, { digest: index.digest, size: index.bytes.length, mediaType: index.mediaType }, { lease: lease.id });
    }
    let before: Set<string> = new Set();
    try {
      const prev = store.images.get(config.digest);
      before = new Set([...prev.repoTags, ...prev.repoDigests]);
    } catch {
      wasPresent = false;
    }
    const full = names.map((n) => referenceString(parseFull(n)));
    if (!full.every((n) => before.has(n))) wasPresent = false;
    const rec = await store.images.putManifest({ mediaType: manifest.mediaType, digest: manifest.digest, size: manifest.bytes.length }, { names, ...(signal ? { signal } : {}) });
    for (const l of layers) progress.emit({ type: 'status', status: { id: 'transfer', vertex: l.digest, name: fetched[layers.indexOf(l) + 1] ? 'Pull complete' : 'Already exists', current: l.size, total: l.size, unit: 'bytes', completed: Date.now() } });
    return rec;
  }, { labels: { 'gantry.pull': refText } });
  return { imageId: record.id, digest: top.digest, manifest: record.manifest, upToDate: wasPresent };
}

function parseFull(name: string): Reference {
  const at = name.indexOf('@');
  if (at >= 0) {
    const base = name.slice(0, at);
    return withDigest(splitName(base), name.slice(at + 1));
  }
  const colon = name.lastIndexOf(':');
  const base = name.slice(0, colon);
  return { ...splitName(base), tag: name.slice(colon + 1) };
}

function splitName(name: string): Reference {
  const slash = name.indexOf('/');
  return { domain: name.slice(0, slash), path: name.slice(slash + 1), name };
}

/** Every tag of a repository (`GET /v2/<name>/tags/list`, following `Link` pages). */
export async function listTags(session: RegistrySession, path: string, opts: { signal?: AbortSignal } = {}): Promise<string[]> {
  const tags: string[] = [];
  let next: string | undefined = `/v2/${path}/tags/list`;
  while (next !== undefined) {
    const res: Response = await session.expect(next, { scopes: [pullScope(path)], ok: [200], action: `list tags of ${path}`, ...(opts.signal ? { signal: opts.signal } : {}) });
    const doc = (await res.json()) as { tags?: string[] | null };
    tags.push(...(doc.tags ?? []));
    const link = res.headers.get('link');
    const m = link === null ? null : /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
    next = m === null ? undefined : m[1];
  }
  return tags.sort();
}
