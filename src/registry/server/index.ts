/**
 * registry/server — an OCI distribution-spec v1.1 registry of our own: routes, its own blob and
 * manifest storage on the filesystem, auth (htpasswd, bearer tokens), TLS, deletion and gc. It never
 * touches the local image store (`store/`): a registry is a separate service with its own storage.
 *
 * @example
 * ```ts
 * const reg = await startRegistry({ root: '/srv/registry', addr: '127.0.0.1:0' });
 * console.log(reg.url); // http://127.0.0.1:41234
 * await reg.close();
 * ```
 */
import { readFile } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { FsDriver, RegistryStorage, type StorageDriver } from './storage/index.js';
import { createAuth } from './auth/index.js';
import { createLogger, type LogLevel } from './log.js';
import { listen, type RunningRegistry } from './server.js';
import type { ServerContext } from './context.js';

export interface RegistryOptions {
  /** Storage root (filesystem driver); ignored when `driver` is given. */
  root?: string;
  driver?: StorageDriver;
  addr?: string;
  tlsCert?: string;
  tlsKey?: string;
  htpasswd?: string;
  authConfig?: string;
  readOnly?: boolean;
  logLevel?: LogLevel;
  logStream?: Writable;
  shutdownGraceMs?: number;
  maxManifestBytes?: number;
  /** Most descriptors per page of the referrers API (default 1000, ≈250 KB of JSON). */
  referrersPageSize?: number;
  /** Requests served at once before 429 TOOMANYREQUESTS (default 1024). */
  maxInFlight?: number;
}

export interface Registry extends RunningRegistry {
  storage: RegistryStorage;
  /** How auth is set up, for the startup line. */
  auth: string;
}

/** Starts a registry server; resolves once it listens. */
export async function startRegistry(options: RegistryOptions): Promise<Registry> {
  const driver = options.driver ?? new FsDriver(requireRoot(options.root));
  const storage = new RegistryStorage(driver);
  const auth = await createAuth({
    ...(options.htpasswd === undefined ? {} : { htpasswd: options.htpasswd }),
    ...(options.authConfig === undefined ? {} : { authConfig: options.authConfig }),
  });
  const log = createLogger(options.logStream ?? process.stderr, options.logLevel ?? 'info');
  const ctx: ServerContext = {
    storage,
    auth: auth.authorizer,
    readOnly: options.readOnly === true,
    log,
    maxManifestBytes: options.maxManifestBytes ?? 4 * 1024 * 1024,
    referrersPageSize: options.referrersPageSize ?? 1000,
  };
  const tls =
    options.tlsCert !== undefined && options.tlsKey !== undefined
      ? { cert: await readFile(options.tlsCert), key: await readFile(options.tlsKey) }
      : undefined;
  const running = await listen(ctx, {
    addr: options.addr ?? '127.0.0.1:5000',
    ...(tls === undefined ? {} : { tls }),
    ...(auth.tokenService === undefined ? {} : { tokenService: auth.tokenService }),
    ...(options.shutdownGraceMs === undefined ? {} : { shutdownGraceMs: options.shutdownGraceMs }),
    ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
  });
  return { ...running, storage, auth: auth.describe };
}

function requireRoot(root: string | undefined): string {
  if (root === undefined || root === '') throw new Error('Cannot start the registry: no storage root given');
  return root;
}

export { RegistryStorage, FsDriver, MemoryDriver } from './storage/index.js';
export type { StorageDriver } from './storage/index.js';
export { collectGarbage, type GcOptions, type GcReport } from './gc.js';
export { RegistryError, ERRCODES, type ErrorCode } from './errcodes.js';
export { isLogLevel, type LogLevel } from './log.js';
export { splitAddr } from './server.js';
