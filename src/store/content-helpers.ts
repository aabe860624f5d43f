/**
 * Helpers over the content roles: write a whole blob from a stream, read a small blob whole, and
 * verify a stream against its descriptor as it flows.
 */
import { Readable } from 'node:stream';
import { type Descriptor, type Digest, digestAlgorithm, Digester } from '../oci/index.js';
import type { ContentIngester, ContentProvider, WriterOptions } from './content.js';
import { ContentNotFoundError, DigestMismatchError, SizeMismatchError } from './errors.js';
import { InvalidArgumentError, isKind } from '../errors.js';

type Source = AsyncIterable<Uint8Array> | Uint8Array | string;

/** Largest blob `readBlob` reads whole: configs and manifests are kilobytes; layers never go here. */
export const MAX_SMALL_BLOB = 16 * 1024 * 1024;

/**
 * Writes `source` as one blob, verified against `desc` (digest and size, when given). Skips the write
 * when the blob is already stored. Resumes an interrupted ingest of the same `ref` when the source
 * can skip ahead (a Uint8Array or string); a stream is written from where the ingest stands, so pass
 * a stream that starts at `writer.offset` (see `copy`) or use a new ref.
 * @returns the stored descriptor (with `desc.mediaType`)
 */
export async function writeBlob(
  store: ContentIngester & ContentProvider,
  ref: string,
  source: Source,
  desc: { digest?: Digest; size?: number; mediaType?: string },
  options: Pick<WriterOptions, 'lease' | 'signal'> = {},
): Promise<Descriptor> {
  if (desc.digest !== undefined) {
    try {
      const info = await store.info(desc.digest);
      if (desc.size === undefined || info.size === desc.size) {
        return { mediaType: desc.mediaType ?? '', digest: desc.digest, size: info.size };
      }
    } catch (err) {
      if (!(err instanceof ContentNotFoundError)) throw err;
    }
  }
  const expected: { digest?: Digest; size?: number } = {};
  if (desc.digest !== undefined) expected.digest = desc.digest;
  if (desc.size !== undefined) expected.size = desc.size;
  const w = await store.writer(ref, { ...options, expected });
  try {
    let data: AsyncIterable<Uint8Array> | Uint8Array = typeof source === 'string' ? Buffer.from(source) : source;
    if (data instanceof Uint8Array) {
      data = data.subarray(w.offset);
      await w.write(data);
    } else {
      if (w.offset !== 0) {
        // A stream cannot skip: restart the ingest from zero under the same ref.
        await w.abort();
        return writeBlob(store, ref, source, desc, options);
      }
      await copy(w, data, options.signal);
    }
    const out = await w.commit(desc.size, desc.digest);
    return { ...out, mediaType: desc.mediaType ?? '' };
  } finally {
    await w.abort();
  }
}

/** Pipes a source into a writer, honouring back-pressure (each write is awaited). */
export async function copy(writer: { write(chunk: Uint8Array): Promise<void> }, source: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
  for await (const chunk of source) {
    signal?.throwIfAborted();
    await writer.write(chunk);
  }
}

/**
 * Reads a small blob (a config, a manifest) whole and verifies it. Refuses blobs over
 * `MAX_SMALL_BLOB`: stream layers with `reader()` instead.
 * @throws {ContentNotFoundError} {DigestMismatchError} {SizeMismatchError}
 */
export async function readBlob(store: ContentProvider, desc: { digest: Digest; size?: number }, options: { signal?: AbortSignal } = {}): Promise<Uint8Array> {
  const r = await store.reader(desc, options);
  try {
    if (r.size > MAX_SMALL_BLOB) {
      throw new InvalidArgumentError('BLOB_TOO_LARGE', `Cannot read blob ${desc.digest} whole: ${r.size} bytes is over ${MAX_SMALL_BLOB}`);
    }
    const data = await r.readAt(0, r.size);
    const d = new Digester(digestAlgorithm(desc.digest));
    d.update(data);
    const actual = d.digest();
    if (actual !== desc.digest) throw new DigestMismatchError(desc.digest, actual);
    return data;
  } finally {
    await r.close();
  }
}

/**
 * Passes `source` through, hashing it; at EOF checks the digest and size against `desc`, and throws
 * instead of ending when they differ. Stops with SizeMismatchError as soon as more bytes than
 * `desc.size` arrive. A negative size is refused at once (umoci: a DoS vector).
 */
export async function* verifiedStream(
  source: AsyncIterable<Uint8Array>,
  desc: { digest: Digest; size?: number },
  options: { signal?: AbortSignal } = {},
): AsyncGenerator<Uint8Array> {
  if (desc.size !== undefined && (desc.size < 0 || !Number.isSafeInteger(desc.size))) {
    throw new InvalidArgumentError('INVALID_SIZE', `Cannot read ${desc.digest}: invalid size ${desc.size}`);
  }
  const d = new Digester(digestAlgorithm(desc.digest));
  for await (const chunk of source) {
    options.signal?.throwIfAborted();
    d.update(chunk);
    if (desc.size !== undefined && d.size > desc.size) throw new SizeMismatchError(desc.digest, desc.size, d.size);
    yield chunk;
  }
  if (desc.size !== undefined && d.size !== desc.size) throw new SizeMismatchError(desc.digest, desc.size, d.size);
  const actual = d.digest();
  if (actual !== desc.digest) throw new DigestMismatchError(desc.digest, actual);
}

/** Opens a committed blob as a verifying Node stream (for `pipeline()` at the edges). */
export async function openVerified(store: ContentProvider, desc: { digest: Digest; size?: number }, options: { signal?: AbortSignal } = {}): Promise<Readable> {
  const r = await store.reader(desc, options);
  const streamOptions: { signal?: AbortSignal } = {};
  if (options.signal !== undefined) streamOptions.signal = options.signal;
  const out = Readable.from(verifiedStream(r.stream(streamOptions), desc, options), { objectMode: false });
  out.once('close', () => void r.close());
  return out;
}

/** True when `err` says the content is missing (for callers that fall back to fetching it). */
export function isContentMissing(err: unknown): boolean {
  return err instanceof ContentNotFoundError || isKind(err, 'not-found');
}
