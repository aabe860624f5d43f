/**
 * `/v2/<name>/blobs/uploads/[<uuid>]`: the push workflow's blob uploads. POST starts one (or does
 * a single-request monolithic upload with `?digest=`, or a cross-repository mount with
 * `?mount=&from=`, falling back to a new upload when the source lacks the blob); PATCH appends a
 * chunk (ranged or streamed); PUT `?digest=` closes it; GET reports its offset; DELETE cancels it.
 */
import type { IncomingMessage } from 'node:http';
import { isDigest, type Digest } from '../../../oci/index.js';
import { RegistryError } from '../errcodes.js';
import { sendEmpty } from '../respond.js';
import { parseContentRange } from '../http-params.js';
import { isRepositoryName } from '../names.js';
import { uploadLocation, uploadRange } from '../storage/index.js';
import type { Handler } from '../context.js';

function blobCreated(name: string, digest: string): Record<string, string> {
  return { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest };
}

function uploadHeaders(name: string, uuid: string, size: number): Record<string, string> {
  return { Location: uploadLocation(name, uuid), Range: uploadRange(size), 'Docker-Upload-UUID': uuid };
}

/** Whether the request carries a body (a declared length above zero, or chunked encoding). */
function hasBody(req: IncomingMessage): boolean {
  const cl = req.headers['content-length'];
  if (cl !== undefined) return Number(cl) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

function declaredLength(req: IncomingMessage): number | undefined {
  const cl = req.headers['content-length'];
  return cl === undefined || !/^\d+$/.test(cl) ? undefined : Number(cl);
}

/** Content-Range checks shared by PATCH and PUT: well formed, and consistent with Content-Length. */
function chunkRange(req: IncomingMessage): { start?: number; length?: number } {
  const header = req.headers['content-range'];
  const length = declaredLength(req);
  if (header === undefined) return length === undefined ? {} : { length };
  const range = parseContentRange(header);
  if (range === undefined || range.start > range.end) {
    throw new RegistryError('BLOB_UPLOAD_INVALID', { status: 416, message: 'invalid content range', detail: { contentRange: header } });
  }
  if (length !== undefined && length !== range.end - range.start + 1) {
    throw new RegistryError('SIZE_INVALID', { detail: { contentRange: header, contentLength: length } });
  }
  return { start: range.start, length: range.end - range.start + 1 };
}

function digestParam(url: URL): Digest {
  const d = url.searchParams.get('digest');
  if (d === null || !isDigest(d)) throw new RegistryError('DIGEST_INVALID', { detail: { digest: d ?? '' } });
  return d;
}

export const startUpload: Handler = async (req, res, { name, url }, ctx, identity) => {
  const mount = url.searchParams.get('mount');
  const from = url.searchParams.get('from');
  if (mount !== null && from !== null && isDigest(mount) && isRepositoryName(from) &&
      ctx.auth.allows(identity, { type: 'repository', name: from, actions: ['pull'] })) {
    if ((await ctx.storage.blobs.mount(name, from, mount)) !== undefined) {
      req.resume();
      sendEmpty(res, 201, blobCreated(name, mount));
      return;
    }
  }
  if (url.searchParams.has('digest')) {
    const digest = digestParam(url);
    const upload = await ctx.storage.blobs.startUpload(name);
    const length = declaredLength(req);
    await ctx.storage.blobs.commit(name, upload.uuid, digest, req, length === undefined ? {} : { length });
    sendEmpty(res, 201, blobCreated(name, digest));
    return;
  }
  req.resume();
  const upload = await ctx.storage.blobs.startUpload(name);
  sendEmpty(res, 202, uploadHeaders(name, upload.uuid, 0));
};

export const patchUpload: Handler = async (req, res, { name, reference: uuid }, ctx) => {
  const range = chunkRange(req);
  const size = await ctx.storage.blobs.append(name, uuid, req, range);
  sendEmpty(res, 202, uploadHeaders(name, uuid, size));
};

export const putUpload: Handler = async (req, res, { name, reference: uuid, url }, ctx) => {
  const digest = digestParam(url);
  const body = hasBody(req);
  const range = body ? chunkRange(req) : {};
  if (!body) req.resume();
  await ctx.storage.blobs.commit(name, uuid, digest, body ? req : undefined, range);
  sendEmpty(res, 201, blobCreated(name, digest));
};

export const getUpload: Handler = async (_req, res, { name, reference: uuid }, ctx) => {
  const status = await ctx.storage.blobs.status(name, uuid);
  sendEmpty(res, 204, uploadHeaders(name, uuid, status.size));
};

export const cancelUpload: Handler = async (_req, res, { name, reference: uuid }, ctx) => {
  await ctx.storage.blobs.cancel(name, uuid);
  sendEmpty(res, 204, { 'Docker-Upload-UUID': uuid });
};
