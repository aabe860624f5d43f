/**
 * The route table (distribution's `routes.go` in spirit): each route is a path pattern, the handler
 * of each method it serves, and the access each method needs. `dispatch` matches, validates the
 * repository name, refuses writes in read-only mode, asks the authorizer, then runs the handler.
 * A known path with an unlisted method gets 405 UNSUPPORTED.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { RegistryError } from './errcodes.js';
import { isRepositoryName } from './names.js';
import type { Access } from './auth/scope.js';
import type { Identity } from './auth/authorizer.js';
import type { Handler, ServerContext } from './context.js';
import { deleteBlob, getBlob } from './handlers/blobs.js';
import { cancelUpload, getUpload, patchUpload, putUpload, startUpload } from './handlers/uploads.js';
import { deleteManifest, getManifest, putManifest } from './handlers/manifests.js';
import { base, catalog, listTags, referrers } from './handlers/discovery.js';

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Route {
  name: string;
  pattern: RegExp;
  methods: Partial<Record<Method, Handler>>;
  /** What a method on this route needs, for a repository `name`. */
  access(method: Method, name: string): Access[];
}

const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function repo(name: string, ...actions: string[]): Access[] {
  return [{ type: 'repository', name, actions }];
}

/** pull to read; push to write; delete to delete (distribution's mapping). */
function byMethod(method: Method, name: string): Access[] {
  if (method === 'GET' || method === 'HEAD') return repo(name, 'pull');
  if (method === 'DELETE') return repo(name, 'delete');
  return repo(name, 'pull', 'push');
}

// Order matters: the greedy `(.+)` name takes the longest prefix, so upload routes come before blobs.
export const ROUTES: readonly Route[] = [
  { name: 'base', pattern: /^\/v2\/$/, methods: { GET: base, HEAD: base }, access: () => [] },
  {
    name: 'catalog',
    pattern: /^\/v2\/_catalog$/,
    methods: { GET: catalog },
    access: () => [{ type: 'registry', name: 'catalog', actions: ['*'] }],
  },
  { name: 'tags', pattern: /^\/v2\/(.+)\/tags\/list$/, methods: { GET: listTags }, access: byMethod },
  {
    name: 'manifest',
    pattern: /^\/v2\/(.+)\/manifests\/([^/]+)$/,
    methods: { GET: getManifest, HEAD: getManifest, PUT: putManifest, DELETE: deleteManifest },
    access: byMethod,
  },
  {
    name: 'upload-start',
    pattern: /^\/v2\/(.+)\/blobs\/uploads\/?()$/,
    methods: { POST: startUpload },
    access: byMethod,
  },
  {
    name: 'upload',
    pattern: /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/,
    methods: { GET: getUpload, HEAD: getUpload, PATCH: patchUpload, PUT: putUpload, DELETE: cancelUpload },
    // Status and cancel of an upload are part of pushing.
    access: (method, name) => (method === 'PATCH' || method === 'PUT' ? byMethod(method, name) : repo(name, 'pull', 'push')),
  },
  {
    name: 'blob',
    pattern: /^\/v2\/(.+)\/blobs\/([^/]+)$/,
    methods: { GET: getBlob, HEAD: getBlob, DELETE: deleteBlob },
    access: byMethod,
  },
  { name: 'referrers', pattern: /^\/v2\/(.+)\/referrers\/([^/]+)$/, methods: { GET: referrers }, access: byMethod },
];

export interface Dispatch {
  route?: string;
  identity?: Identity;
}

/**
 * Serves one `/v2/…` request. Returns what the request log wants to know; errors are thrown as
 * {@link RegistryError} (or anything else, which the caller turns into a 500).
 */
export async function dispatch(req: IncomingMessage, res: ServerResponse, url: URL, ctx: ServerContext, out: Dispatch): Promise<void> {
  const path = url.pathname;
  for (const route of ROUTES) {
    const m = route.pattern.exec(path);
    if (m === null) continue;
    out.route = route.name;
    let name: string;
    let reference: string;
    try {
      name = decodeURIComponent(m[1] ?? '');
      reference = decodeURIComponent(m[2] ?? '');
    } catch {
      throw new RegistryError('NAME_INVALID', { detail: { path } });
    }
    const method = (req.method ?? 'GET') as Method;
    const handler = route.methods[method];
    if (handler === undefined || (ctx.readOnly && WRITE_METHODS.has(method))) {
      throw new RegistryError('UNSUPPORTED', {
        detail: ctx.readOnly && handler !== undefined ? 'the registry is read-only' : `method ${method} not allowed`,
        headers: { Allow: Object.keys(route.methods).filter((k) => !ctx.readOnly || !WRITE_METHODS.has(k)).join(', ') },
      });
    }
    const needsName = route.name !== 'base' && route.name !== 'catalog';
    if (needsName && !isRepositoryName(name)) throw new RegistryError('NAME_INVALID', { detail: { name } });
    const identity = await ctx.auth.authorize(req, route.access(method, name));
    out.identity = identity;
    await handler(req, res, { name, reference, url }, ctx, identity);
    return;
  }
  throw new RegistryError('NAME_UNKNOWN', { status: 404, message: 'not found', detail: { path } });
}
