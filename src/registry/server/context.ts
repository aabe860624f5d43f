/** What every handler receives besides the request: storage, auth, settings and the logger. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryStorage } from './storage/index.js';
import type { Authorizer, Identity } from './auth/authorizer.js';
import type { Logger } from './log.js';

export interface ServerContext {
  storage: RegistryStorage;
  auth: Authorizer;
  readOnly: boolean;
  log: Logger;
  /** Largest manifest accepted (the spec asks for at least 4 MB). */
  maxManifestBytes: number;
  /** Most descriptors per page of the referrers API (more come through `Link: rel="next"`). */
  referrersPageSize: number;
}

/** Route parameters taken from the path; `name` is validated before a handler runs. */
export interface Params {
  name: string;
  reference: string;
  url: URL;
}

export type Handler = (
  req: IncomingMessage,
  res: ServerResponse,
  params: Params,
  ctx: ServerContext,
  identity: Identity,
) => Promise<void>;
