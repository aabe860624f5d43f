/**
 * Decides the `Authorization` header of each registry request, learning from 401 challenges:
 * the request layer asks `authorization(host, scopes)` before sending, and on a 401 calls
 * `challenge(…)`, then retries once if it answers true.
 *
 * Per host it remembers the last challenge (Basic or Bearer, realm, service). Bearer tokens are
 * fetched per scope set and cached until shortly before they expire; credentials come from a
 * `CredentialSource` (docker's config, usually) and are looked up once per host.
 *
 * @example
 * ```ts
 * const auth = new Authorizer({ credentials: await DockerConfig.load({ secrets }), secrets });
 * let res = await send(await auth.authorization(host, scopes));
 * if (res.status === 401 && (await auth.challenge(host, res.headers.get('www-authenticate'), scopes))) {
 *   res = await send(await auth.authorization(host, scopes));
 * }
 * ```
 */
import { createHash } from 'node:crypto';
import { mergeScopes, parseAuthChallenges, parseScopes, pickChallenge, type AuthChallenge, type Scope } from './auth-challenge.js';
import { basicAuthorization, type Credentials } from './credentials.js';
import { SecretSet } from './redact.js';
import { fetchToken, TokenCache, type Token } from './token.js';

/** Where credentials for a registry come from (DockerConfig implements it). */
export interface CredentialSource {
  get(domain: string, opts?: { signal?: AbortSignal }): Promise<Credentials | undefined>;
}

export interface AuthorizerOptions {
  credentials?: CredentialSource;
  fetch?: typeof fetch;
  userAgent?: string;
  secrets?: SecretSet;
  now?: () => number;
}

interface HostState {
  challenge?: AuthChallenge;
  credentials?: Promise<Credentials | undefined>;
}

export class Authorizer {
  readonly #opts: AuthorizerOptions;
  readonly #hosts = new Map<string, HostState>();
  readonly #tokens: TokenCache;
  readonly #inflight = new Map<string, Promise<Token>>();
  readonly secrets: SecretSet;

  constructor(opts: AuthorizerOptions = {}) {
    this.#opts = opts;
    this.secrets = opts.secrets ?? new SecretSet();
    this.#tokens = new TokenCache(opts.now);
  }

  #state(host: string): HostState {
    let s = this.#hosts.get(host);
    if (s === undefined) {
      s = {};
      this.#hosts.set(host, s);
    }
    return s;
  }

  /** The credentials for a host, looked up once (a failing helper is asked again next time). */
  credentialsFor(host: string, signal?: AbortSignal): Promise<Credentials | undefined> {
    const s = this.#state(host);
    if (s.credentials === undefined) {
      const source = this.#opts.credentials;
      const lookup = source === undefined ? Promise.resolve(undefined) : source.get(host, signal ? { signal } : {});
      s.credentials = lookup.catch((err: unknown) => {
        s.credentials = undefined;
        throw err;
      });
    }
    return s.credentials;
  }

  /**
   * The `Authorization` value for a request to `host` that needs `scopes`, or undefined when the
   * host has not asked for any (yet).
   * @throws {RegistryResponseError} when a token realm refuses
   * @throws {CredentialHelperError} when a credential helper fails
   */
  async authorization(host: string, scopes: readonly Scope[], opts: { signal?: AbortSignal } = {}): Promise<string | undefined> {
    const challenge = this.#hosts.get(host)?.challenge;
    if (challenge === undefined) return undefined;
    const creds = await this.credentialsFor(host, opts.signal);
    if (challenge.scheme === 'basic') return basicAuthorization(creds);
    if (creds?.registryToken !== undefined) return `Bearer ${creds.registryToken}`;
    const realm = challenge.params['realm'] as string;
    const service = challenge.params['service'];
    const key = TokenCache.key(realm, service, scopes, identity(creds));
    const cached = this.#tokens.get(key);
    if (cached !== undefined) return `Bearer ${cached.token}`;
    // Parallel transfers ask at once after a challenge: one realm request serves them all (the
    // first caller's signal governs it).
    let pending = this.#inflight.get(key);
    if (pending === undefined) {
      const request: Parameters<typeof fetchToken>[0] = { realm, scopes, secrets: this.secrets };
      if (service !== undefined) request.service = service;
      if (creds !== undefined) request.credentials = creds;
      if (this.#opts.fetch !== undefined) request.fetch = this.#opts.fetch;
      if (this.#opts.userAgent !== undefined) request.userAgent = this.#opts.userAgent;
      if (this.#opts.now !== undefined) request.now = this.#opts.now;
      if (opts.signal !== undefined) request.signal = opts.signal;
      pending = fetchToken(request).then(
        (token) => {
          this.#inflight.delete(key);
          this.#tokens.set(key, token);
          return token;
        },
        (err: unknown) => {
          this.#inflight.delete(key);
          throw err;
        },
      );
      this.#inflight.set(key, pending);
    }
    return `Bearer ${(await pending).token}`;
  }

  /**
   * Learns from a 401's `WWW-Authenticate`. Returns true when a retry can carry authorization other
   * than `previous` (the header the refused request sent): a first challenge, a token for more
   * scopes (`error="insufficient_scope"`), or a fresh token after one was refused. The scopes a
   * Bearer challenge names are merged into `scopes` (the array is extended in place).
   * @throws as `authorization()` does, since it fetches the token the retry will use
   */
  async challenge(
    host: string,
    wwwAuthenticate: string | null | undefined,
    scopes: Scope[],
    opts: { previous?: string; signal?: AbortSignal } = {},
  ): Promise<boolean> {
    const picked = pickChallenge(parseAuthChallenges(wwwAuthenticate));
    if (picked === undefined) return false;
    const state = this.#state(host);
    state.challenge = picked;
    if (picked.scheme === 'bearer') {
      const merged = mergeScopes([...scopes, ...parseScopes(picked.params['scope'])]);
      scopes.splice(0, scopes.length, ...merged);
      if (opts.previous !== undefined) {
        // The token that was refused must not be offered again.
        const creds = await this.credentialsFor(host, opts.signal);
        this.#tokens.delete(TokenCache.key(picked.params['realm'] as string, picked.params['service'], scopes, identity(creds)));
      }
    }
    const next = await this.authorization(host, scopes, opts.signal ? { signal: opts.signal } : {});
    return next !== undefined && next !== opts.previous;
  }

  /** Forgets what a host asked for and its credentials (after `login` or `logout`). */
  reset(host: string): void {
    this.#hosts.delete(host);
  }
}

/** Who a token is for, without the secret itself: tokens of different accounts never mix. */
function identity(creds: Credentials | undefined): string {
  if (creds === undefined) return 'anonymous';
  if (creds.identityToken !== undefined) return `identity:${hashOf(creds.identityToken)}`;
  return `user:${creds.username ?? ''}:${hashOf(creds.password ?? '')}`;
}

/** Tells two secrets apart in a cache key without keeping either in it. */
function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}
