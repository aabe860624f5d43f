/**
 * docker's token protocol (distribution's "token authentication"): after a `Bearer` challenge, the
 * client asks the challenge's realm for a token valid for the scopes it needs —
 * `GET <realm>?service=<service>&scope=<scope>…`, with Basic credentials or anonymously — or, holding
 * an identity (refresh) token, POSTs an OAuth2 `refresh_token` grant. The answer
 * `{token | access_token, expires_in, issued_at, refresh_token}` is then sent as `Bearer <token>`
 * until it expires.
 */
import { InvalidArgumentError, UnauthorizedError } from '../../errors.js';
import { formatScope, mergeScopes, type Scope } from './auth-challenge.js';
import type { Credentials } from './credentials.js';
import { registryErrorFromResponse } from './http-error.js';
import { redactUrl, type SecretSet } from './redact.js';

/** A bearer token and when it stops being valid. */
export interface Token {
  token: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** A refresh token, when the realm issued one (`offline_token=true`). */
  refreshToken?: string;
}

/** docker's floor: a token is assumed valid for at least a minute, whatever `expires_in` says. */
export const MIN_TOKEN_LIFETIME_SECONDS = 60;

export interface FetchTokenOptions {
  realm: string;
  service?: string;
  scopes: readonly Scope[];
  credentials?: Credentials;
  /** Ask for a refresh token too (what `login` does). */
  offlineToken?: boolean;
  /** OAuth client id sent with POST grants (default `gantry`). */
  clientId?: string;
  fetch?: typeof fetch;
  userAgent?: string;
  secrets?: SecretSet;
  signal?: AbortSignal;
  now?: () => number;
}

/** A token realm that is not an http(s) URL. */
export class InvalidRealmError extends InvalidArgumentError {
  constructor(realm: string) {
    super('INVALID_TOKEN_REALM', `Cannot get a token: the realm "${redactUrl(realm)}" is not an http(s) URL`);
  }
}

function realmUrl(realm: string): URL {
  let u: URL;
  try {
    u = new URL(realm);
  } catch {
    throw new InvalidRealmError(realm);
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new InvalidRealmError(realm);
  return u;
}

/**
 * Fetches a token from a realm.
 * @throws {RegistryResponseError} when the realm refuses (401 for bad credentials)
 * @throws {UnauthorizedError} when the answer holds no token
 */
export async function fetchToken(opts: FetchTokenOptions): Promise<Token> {
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? Date.now;
  const scopes = mergeScopes(opts.scopes).map(formatScope);
  const creds = opts.credentials;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (opts.userAgent !== undefined) headers['user-agent'] = opts.userAgent;
  opts.secrets?.add(creds?.password, creds?.identityToken);

  let res: Response;
  let method: string;
  const url = realmUrl(opts.realm);
  if (creds?.identityToken !== undefined) {
    // OAuth2 refresh-token grant (RFC 6749 §6), as docker does with a stored identity token.
    method = 'POST';
    const form = new URLSearchParams();
    form.set('grant_type', 'refresh_token');
    form.set('refresh_token', creds.identityToken);
    form.set('client_id', opts.clientId ?? 'gantry');
    if (opts.service !== undefined) form.set('service', opts.service);
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    if (opts.offlineToken) form.set('access_type', 'offline');
    headers['content-type'] = 'application/x-www-form-urlencoded';
    res = await doFetch(url, { method, headers, body: form.toString(), redirect: 'follow', ...(opts.signal ? { signal: opts.signal } : {}) });
  } else {
    method = 'GET';
    if (opts.service !== undefined) url.searchParams.set('service', opts.service);
    for (const s of scopes) url.searchParams.append('scope', s);
    if (creds?.username !== undefined && creds.password !== undefined) {
      url.searchParams.set('account', creds.username);
      headers['authorization'] = `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
      opts.secrets?.addCredentials(creds.username, creds.password);
    }
    if (opts.offlineToken) {
      url.searchParams.set('offline_token', 'true');
      url.searchParams.set('client_id', opts.clientId ?? 'gantry');
    }
    res = await doFetch(url, { method, headers, redirect: 'follow', ...(opts.signal ? { signal: opts.signal } : {}) });
  }
  const action = `get a token from ${redactUrl(opts.realm)}`;
  if (!res.ok) {
    throw await registryErrorFromResponse(res, { method, url, action, ...(opts.secrets ? { secrets: opts.secrets } : {}) });
  }
  let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown; issued_at?: unknown; refresh_token?: unknown };
  try {
    doc = (await res.json()) as typeof doc;
  } catch {
    throw new UnauthorizedError('TOKEN_RESPONSE', `Cannot ${action}: the response is not JSON`);
  }
  const token = typeof doc.token === 'string' && doc.token !== '' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
  if (token === '') throw new UnauthorizedError('TOKEN_RESPONSE', `Cannot ${action}: the response holds no token`);
  opts.secrets?.add(token);
  const expiresIn =
    typeof doc.expires_in === 'number' && Number.isFinite(doc.expires_in) ? Math.max(doc.expires_in, MIN_TOKEN_LIFETIME_SECONDS) : MIN_TOKEN_LIFETIME_SECONDS;
  const issued = typeof doc.issued_at === 'string' ? Date.parse(doc.issued_at) : NaN;
  // A realm's clock may differ from ours; trust its issued_at only when it is not in our future.
  const start = Number.isNaN(issued) || issued > now() ? now() : issued;
  const out: Token = { token, expiresAt: start + expiresIn * 1000 };
  if (typeof doc.refresh_token === 'string' && doc.refresh_token !== '') {
    out.refreshToken = doc.refresh_token;
    opts.secrets?.add(doc.refresh_token);
  }
  return out;
}

/**
 * Tokens by realm, service, scopes and identity. A token is reused until shortly before it
 * expires (a tenth of its lifetime, at most 30 s), so a request never starts with a token that
 * dies in flight.
 */
export class TokenCache {
  readonly #tokens = new Map<string, { token: Token; refreshAt: number }>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** The cache key: equal access needs (whatever their order) give equal keys. */
  static key(realm: string, service: string | undefined, scopes: readonly Scope[], identity: string): string {
    return JSON.stringify([realm, service ?? '', mergeScopes(scopes).map(formatScope), identity]);
  }

  get(key: string): Token | undefined {
    const entry = this.#tokens.get(key);
    if (entry === undefined) return undefined;
    if (this.#now() >= entry.refreshAt) {
      this.#tokens.delete(key);
      return undefined;
    }
    return entry.token;
  }

  set(key: string, token: Token): void {
    const lifetime = Math.max(0, token.expiresAt - this.#now());
    this.#tokens.set(key, { token, refreshAt: token.expiresAt - Math.min(30_000, lifetime / 10) });
  }

  delete(key: string): void {
    this.#tokens.delete(key);
  }

  get size(): number {
    return this.#tokens.size;
  }
}
