/** `/v2/<name>/blobs/<digest>`: GET (with Range) and HEAD to pull, DELETE to unlink. */
import { pipeline } from 'node:stream/promises';
import { isDigest, type Digest } from '../../../oci/index.js';
import { RegistryError } from '../errcodes.js';
import { sendEmpty } from '../respond.js';
import { parseRange } from '../http-params.js';
import type { Handler } from '../context.js';
import { isKind } from '../../../errors.js';

export function blobDigest(reference: string): Digest {
  if (!isDigest(reference)) throw new RegistryError('DIGEST_INVALID', { detail: { digest: reference } });
  return reference;
}

export const getBlob: Handler = async (req, res, { name, reference }, ctx) => {
  const digest = blobDigest(reference);
  // A HEAD is how clients decide to skip an upload and reference the blob: refresh it for gc.
  const size = await ctx.storage.blobs.stat(name, digest, { touch: req.method === 'HEAD' });
  if (size === undefined) throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/octet-stream',
    'Docker-Content-Digest': digest,
    ETag: `"${digest}"`,
    'Accept-Ranges': 'bytes',
    'Cache-Control': 'max-age=31536000',
  };
  const inm = req.headers['if-none-match'];
  if (inm === `"${digest}"` || inm === digest) {
    sendEmpty(res, 304, headers);
    return;
  }
  const range = req.method === 'GET' ? parseRange(req.headers.range, size) : undefined;
  if (range === 'unsatisfiable') {
    throw new RegistryError('BLOB_UNKNOWN', {
      status: 416,
      message: 'requested range not satisfiable',
      detail: { size },
      headers: { 'Content-Range': `bytes */${size}` },
    });
  }
  if (req.method === 'HEAD') {
    sendEmpty(res, 200, { ...headers, 'Content-Length': size });
    return;
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size;
  let stream;
  try {
    stream = await ctx.storage.blobs.reader(digest, start, end);
  } catch (err) {
    // Deleted between the stat and the open (a gc sweep, a concurrent DELETE).
    if (isKind(err, 'not-found')) throw new RegistryError('BLOB_UNKNOWN', { detail: { digest } });
    throw err;
  }
  if (range !== undefined) {
    res.writeHead(206, { ...headers, 'Content-Length': end - start, 'Content-Range': `bytes ${start}-${end - 1}/${size}` });
  } else {
    res.writeHead(200, { ...headers, 'Content-Length': size });
  }
  await pipeline(stream, res);
};

export const deleteBlob: Handler = async (_req, res, { name, reference }, ctx) => {
  const digest = blobDigest(reference);
  await ctx.storage.blobs.unlink(name, digest);
  sendEmpty(res, 202, { 'Docker-Content-Digest': digest });
};
