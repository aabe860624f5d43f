/** `/v2/<name>/manifests/<reference>`: pull (GET/HEAD), push (PUT) and delete, by tag or digest. */
import type { IncomingMessage } from 'node:http';
import { isDigest, MediaType, type Digest } from '../../../oci/index.js';
import { RegistryError } from '../errcodes.js';
import { sendEmpty } from '../respond.js';
import { acceptedTypes, bareMediaType } from '../http-params.js';
import { isTag } from '../names.js';
import type { Handler } from '../context.js';

/** A reference is a digest or a tag; anything with ':' meant to be a digest. */
function checkReference(reference: string, notFound: boolean): void {
  if (isDigest(reference) || isTag(reference)) return;
  if (reference.includes(':')) throw new RegistryError('DIGEST_INVALID', { detail: { reference } });
  // A GET of a name no tag can have is simply not there (the conformance suite expects 404).
  if (notFound) throw new RegistryError('MANIFEST_UNKNOWN', { detail: { reference } });
  throw new RegistryError('MANIFEST_INVALID', { message: 'invalid tag', detail: { reference } });
}

/**
 * Like distribution, refuse an OCI manifest or index to a client whose Accept list names other
 * manifest types only (an old client would misread it). No Accept, or a wildcard, takes anything.
 */
function acceptable(req: IncomingMessage, mediaType: string): boolean {
  const accepted = acceptedTypes(req.headers.accept);
  if (accepted.length === 0 || accepted.includes(mediaType)) return true;
  if (accepted.some((t) => t === '*/*' || t === 'application/*')) return true;
  return mediaType !== MediaType.OciManifest && mediaType !== MediaType.OciIndex;
}

export const getManifest: Handler = async (req, res, { name, reference }, ctx) => {
  checkReference(reference, true);
  const m = await ctx.storage.manifests.get(name, reference);
  if (!acceptable(req, m.mediaType)) {
    throw new RegistryError('MANIFEST_UNKNOWN', { message: `manifest of type ${m.mediaType} found, but the Accept header does not allow it` });
  }
  const headers = {
    'Content-Type': m.mediaType,
    'Content-Length': m.body.length,
    'Docker-Content-Digest': m.digest,
    ETag: `"${m.digest}"`,
  };
  const inm = req.headers['if-none-match'];
  if (inm === `"${m.digest}"` || inm === m.digest) {
    sendEmpty(res, 304, headers);
    return;
  }
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : m.body);
};

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) throw new RegistryError('SIZE_INVALID', { status: 413, message: 'manifest too large', detail: { limit } });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new RegistryError('SIZE_INVALID', { status: 413, message: 'manifest too large', detail: { limit } });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export const putManifest: Handler = async (req, res, { name, reference }, ctx) => {
  checkReference(reference, false);
  const body = await readBody(req, ctx.maxManifestBytes);
  const result = await ctx.storage.manifests.put(name, reference, body, bareMediaType(req.headers['content-type']));
  const headers: Record<string, string> = {
    Location: `/v2/${name}/manifests/${result.digest}`,
    'Docker-Content-Digest': result.digest,
  };
  if (result.subject !== undefined) headers['OCI-Subject'] = result.subject;
  sendEmpty(res, 201, headers);
};

export const deleteManifest: Handler = async (_req, res, { name, reference }, ctx) => {
  checkReference(reference, true);
  if (isDigest(reference)) await ctx.storage.manifests.delete(name, reference as Digest);
  else await ctx.storage.manifests.deleteTag(name, reference);
  sendEmpty(res, 202);
};
