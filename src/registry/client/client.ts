/**
 * Wiring for callers: one `RegistryClient` holds the transport (TLS from certs.d), the credentials
 * (docker's config.json and helpers), the authorizer and the registry settings, and opens a
 * `RegistrySession` per registry domain. `createImageFetcher` is what the build engine takes as
 * `fetchImage`: it pulls a reference into the store unless it is there already.
 *
 * @example
 * ```ts
 * const client = await RegistryClient.create({ env: io.env });
 * const session = client.session('localhost:5000');
 * ```
 */
import type { Digest } from '../../oci/index.js';
import { parseNormalizedNamed, referenceString, tagNameOnly } from '../../oci/index.js';
import type { PlatformMatchComparer } from '../../oci/index.js';
import type { ProgressSink } from '../../progress.js';
import type { Store } from '../../store/index.js';
import { Authorizer } from './authorizer.js';
import { loadRegistryConfig, type RegistryConfig } from './config.js';
import { DockerConfig } from './credentials.js';
import { isInsecureRegistry, isLoopbackHost, registryHost, type RegistryEndpoint } from './endpoint.js';
import { SecretSet } from './redact.js';
import { pullImage } from './pull.js';
import { RegistrySession } from './session.js';
import { certsDirOf, createTransport, type RegistryFetch } from './transport.js';

export interface RegistryClientOptions {
  env?: Record<string, string | undefined>;
  /** `--tls-verify=false`: the registries of this command may use plain HTTP and unverified TLS. */
  tlsVerify?: boolean;
  userAgent?: string;
  /** Overrides the config file (tests). */
  config?: RegistryConfig;
  /** Attempts per request on transient failures (`--retry`), overriding the config file. */
  attempts?: number;
  /** Idle timeout of a connection in ms (`--timeout`). */
  timeoutMs?: number;
}

export class RegistryClient {
  readonly config: RegistryConfig;
  readonly fetch: RegistryFetch;
  readonly authorizer: Authorizer;
  readonly secrets: SecretSet;
  readonly docker: DockerConfig;
  readonly attempts: number;
  readonly #tlsVerify: boolean;
  readonly #userAgent: string | undefined;
  readonly #sessions = new Map<string, RegistrySession>();

  private constructor(opts: RegistryClientOptions, config: RegistryConfig, docker: DockerConfig, secrets: SecretSet) {
    const env = opts.env ?? process.env;
    this.config = config;
    this.docker = docker;
    this.secrets = secrets;
    this.#tlsVerify = opts.tlsVerify !== false;
    this.#userAgent = opts.userAgent;
    this.attempts = opts.attempts ?? config.maxDownloadAttempts;
    this.fetch = createTransport({
      certsDir: certsDirOf(env),
      // Loopback registries may fall back to plain HTTP, but their certificates are still checked
      // unless the user said otherwise: a test of TLS against localhost must mean something.
      skipVerify: (host) => !this.#tlsVerify || this.config.insecureRegistries.some((r) => r === host || isInsecureRegistry(host, { insecureRegistries: [r] }) && !isLoopbackHost(host)),
      ...(opts.timeoutMs !== undefined ? { idleTimeoutMs: opts.timeoutMs } : {}),
    });
    this.authorizer = new Authorizer({
      credentials: docker,
      secrets,
      fetch: this.fetch as typeof fetch,
      ...(opts.userAgent !== undefined ? { userAgent: opts.userAgent } : {}),
    });
  }

  static async create(opts: RegistryClientOptions = {}): Promise<RegistryClient> {
    const env = opts.env ?? process.env;
    const secrets = new SecretSet();
    const config = opts.config ?? loadRegistryConfig(env);
    const docker = await DockerConfig.load({ env: env as NodeJS.ProcessEnv, secrets });
    return new RegistryClient(opts, config, docker, secrets);
  }

  /** Insecure registries of this client: the config's, or every registry with `--tls-verify=false`. */
  insecureRegistries(domain: string): string[] {
    return this.#tlsVerify ? this.config.insecureRegistries : [...this.config.insecureRegistries, registryHost(domain)];
  }

  /** The session for a registry domain (shared by the transfers of one command). */
  session(domain: string, opts: { forPull?: boolean } = {}): RegistrySession {
    const key = `${domain}|${opts.forPull === true}`;
    let s = this.#sessions.get(key);
    if (s === undefined) {
      const mirrors: RegistryEndpoint[] =
        opts.forPull === true && (domain === 'docker.io' || domain === 'index.docker.io')
          ? this.config.registryMirrors.map((m) => {
              const u = new URL(m);
              return { host: u.host, baseUrl: `${u.protocol}//${u.host}`, plainHttp: u.protocol === 'http:' };
            })
          : [];
      s = new RegistrySession({
        domain,
        fetch: this.fetch,
        authorizer: this.authorizer,
        insecureRegistries: this.insecureRegistries(domain),
        mirrors,
        ...(this.#userAgent !== undefined ? { userAgent: this.#userAgent } : {}),
      });
      this.#sessions.set(key, s);
    }
    return s;
  }
}

export interface ImageFetcherOptions {
  store: Store;
  env?: Record<string, string | undefined>;
  platform?: PlatformMatchComparer;
  progress?: ProgressSink;
  signal?: AbortSignal;
}

/**
 * The build engine's `fetchImage(reference) → imageId`: the image ID of `reference` in the store,
 * pulling it first when the store has no such name (a digest reference is pulled unless present).
 */
export function createImageFetcher(opts: ImageFetcherOptions): (reference: string) => Promise<Digest> {
  let client: Promise<RegistryClient> | undefined;
  return async (reference) => {
    const ref = tagNameOnly(parseNormalizedNamed(reference));
    try {
      return opts.store.images.resolve(referenceString(ref)).id;
    } catch {
      // Not stored: pull it.
    }
    client ??= RegistryClient.create(opts.env !== undefined ? { env: opts.env } : {});
    const c = await client;
    const result = await pullImage(ref, {
      store: opts.store,
      session: c.session(ref.domain, { forPull: true }),
      attempts: c.attempts,
      concurrency: c.config.maxConcurrentDownloads,
      ...(opts.platform ? { platform: opts.platform } : {}),
      ...(opts.progress ? { progress: opts.progress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return result.imageId;
  };
}
