/**
 * A conversation with one registry: which endpoint answers (HTTPS, or plain HTTP for an insecure
 * registry), and authorized requests (the Authorizer learns from each 401 and the request is sent
 * again once). Pull and push build on `request`.
 */
import { repositoryScope, type Scope } from './auth-challenge.js';
import type { Authorizer } from './authorizer.js';
import { endpointsFor, type EndpointOptions, type RegistryEndpoint } from './endpoint.js';
import { registryErrorFromResponse, RegistryUnreachableError } from './http-error.js';
import { isTransient } from './retry.js';
import type { RegistryFetch, RequestBody } from './transport.js';

export interface SessionOptions extends EndpointOptions {
  /** The registry domain as in a reference (`docker.io`, `localhost:5000`). */
  domain: string;
  fetch: RegistryFetch;
  authorizer: Authorizer;
  userAgent?: string;
  /** Endpoints to try before the registry's own (mirrors of docker.io, for pulls). */
  mirrors?: RegistryEndpoint[];
  /** The one endpoint this session talks to (a mirror's session), instead of the domain's. */
  pinned?: RegistryEndpoint;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** A stream body cannot be sent twice: make sure the host has challenged already (see `prime`). */
  body?: RequestBody;
  scopes: Scope[];
  signal?: AbortSignal;
  /** A GET whose 2xx body is read with `streamBodyOf` (blob downloads). */
  streamBody?: boolean;
}

export class RegistrySession {
  readonly domain: string;
  readonly #opts: SessionOptions;
  #endpoint: Promise<RegistryEndpoint> | undefined;
  #sources: RegistrySession[] | undefined;

  constructor(opts: SessionOptions) {
    this.domain = opts.domain;
    this.#opts = opts;
  }

  get authorizer(): Authorizer {
    return this.#opts.authorizer;
  }

  /** Whether this session is one mirror's (its refusals let a pull go on to the next source). */
  get isMirror(): boolean {
    return this.#opts.pinned !== undefined;
  }

  /**
   * The sources a pull tries in order, as docker does: each mirror (a session pinned to it), then
   * the registry itself. Without mirrors, just this session. A mirror is tried for the whole pull,
   * not only for `/v2/`: one that answers but lacks the image must not end the pull.
   */
  pullSources(): RegistrySession[] {
    const mirrors = this.#opts.mirrors ?? [];
    if (mirrors.length === 0 || this.isMirror) return [this];
    this.#sources ??= [
      ...mirrors.map((m) => new RegistrySession({ ...this.#opts, mirrors: [], pinned: m })),
      new RegistrySession({ ...this.#opts, mirrors: [] }),
    ];
    return this.#sources;
  }

  /**
   * The endpoint that answers `/v2/`: the first of mirrors, HTTPS, then plain HTTP for an insecure
   * registry. Any HTTP answer counts (a 401 is a registry asking for credentials).
   * @throws {RegistryUnreachableError} with the last connection error when none answers
   */
  endpoint(signal?: AbortSignal): Promise<RegistryEndpoint> {
    this.#endpoint ??= this.#probe(signal).catch((err: unknown) => {
      this.#endpoint = undefined;
      throw err;
    });
    return this.#endpoint;
  }

  async #probe(signal?: AbortSignal): Promise<RegistryEndpoint> {
    const pinned = this.#opts.pinned;
    const candidates = pinned !== undefined ? [pinned] : [...(this.#opts.mirrors ?? []), ...endpointsFor(this.domain, this.#opts)];
    let last: unknown;
    let lastUrl = '';
    for (const ep of candidates) {
      lastUrl = `${ep.baseUrl}/v2/`;
      try {
        const res = await this.#opts.fetch(`${ep.baseUrl}/v2/`, { headers: this.#baseHeaders(), ...(signal ? { signal } : {}) });
        await res.body?.cancel();
        if (res.status === 401) {
          // Learn the challenge now, so a first streamed upload carries authorization.
          await this.#opts.authorizer.challenge(ep.host, res.headers.get('www-authenticate'), [], signal ? { signal } : {}).catch(() => false);
        } else if (!res.ok && ep !== candidates[candidates.length - 1]) {
          continue;
        }
        return ep;
      } catch (err) {
        if (signal?.aborted) throw err;
        last = err;
      }
    }
    throw new RegistryUnreachableError(lastUrl, last, isTransient(last));
  }

  #baseHeaders(): Record<string, string> {
    return this.#opts.userAgent === undefined ? {} : { 'user-agent': this.#opts.userAgent };
  }

  /**
   * Sends an authorized request to `path` (`/v2/…`, or an absolute upload URL the registry gave).
   * Answers with any status; callers decide what is an error (`expectOk`).
   */
  async request(path: string, opts: RequestOptions): Promise<Response> {
    const ep = await this.endpoint(opts.signal);
    const url = /^https?:\/\//.test(path) ? path : `${ep.baseUrl}${path}`;
    const auth = this.#opts.authorizer;
    const scopes = opts.scopes;
    const send = async (authorization: string | undefined): Promise<Response> => {
      const headers: Record<string, string> = { ...this.#baseHeaders(), ...(opts.headers ?? {}) };
      if (authorization !== undefined) headers['authorization'] = authorization;
      return this.#opts.fetch(url, {
        method: opts.method ?? 'GET',
        headers,
        ...(opts.body !== undefined ? { body: opts.body } : {}),
        ...(opts.streamBody === true ? { streamBody: true } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    };
    const first = await auth.authorization(ep.host, scopes, opts.signal ? { signal: opts.signal } : {});
    const res = await send(first);
    const replayable = opts.body === undefined || typeof opts.body === 'string' || opts.body instanceof Uint8Array;
    if (res.status !== 401 || !replayable) return res;
    const www = res.headers.get('www-authenticate');
    // Keep the refusal's body: when no retry can help, it is the registry's explanation.
    const text = await res.text();
    const again = await auth.challenge(ep.host, www, scopes, {
      ...(first !== undefined ? { previous: first } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (!again) {
      const refused = new Response(text, { status: 401, statusText: res.statusText, headers: res.headers });
      Object.defineProperty(refused, 'url', { value: res.url });
      return refused;
    }
    return send(await auth.authorization(ep.host, scopes, opts.signal ? { signal: opts.signal } : {}));
  }

  /** `request`, then throws the registry's error for a status outside `ok`. */
  async expect(path: string, opts: RequestOptions & { ok: number[]; action: string }): Promise<Response> {
    const res = await this.request(path, opts);
    if (opts.ok.includes(res.status)) return res;
    throw await registryErrorFromResponse(res, {
      method: opts.method ?? 'GET',
      url: res.url || path,
      action: opts.action,
      secrets: this.#opts.authorizer.secrets,
    });
  }
}

export const pullScope = (path: string): Scope => repositoryScope(path, 'pull');
export const pushScope = (path: string): Scope => repositoryScope(path, 'pull', 'push');
