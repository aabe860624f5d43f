/**
 * Checks credentials against a registry, as `docker login` does before it stores them: ping
 * `/v2/`, answer the challenge (Basic: repeat with the password; Bearer: get a token from the realm,
 * asking for a refresh token), and report success or the registry's refusal. When the realm issues
 * a refresh token, it is returned as the identity token to store instead of the password.
 */
import { UnauthorizedError } from '../../errors.js';
import { parseAuthChallenges, pickChallenge } from './auth-challenge.js';
import { basicAuthorization, type Credentials } from './credentials.js';
import { endpointsFor, type EndpointOptions, type RegistryEndpoint } from './endpoint.js';
import { registryErrorFromResponse } from './http-error.js';
import { SecretSet } from './redact.js';
import { fetchToken } from './token.js';

export interface LoginOptions extends EndpointOptions {
  /** The registry domain as in a reference (`docker.io`, `localhost:5000`). */
  domain: string;
  credentials: Credentials;
  fetch?: typeof fetch;
  userAgent?: string;
  secrets?: SecretSet;
  signal?: AbortSignal;
}

export interface LoginResult {
  endpoint: RegistryEndpoint;
  /** A refresh token the realm issued; store it in place of the password (docker does). */
  identityToken?: string;
}

/**
 * Verifies credentials against a registry.
 * @throws {RegistryResponseError} kind unauthorized with the registry's words when they are refused
 * @throws the connection error when no endpoint can be reached
 */
export async function verifyLogin(opts: LoginOptions): Promise<LoginResult> {
  const doFetch = opts.fetch ?? fetch;
  const secrets = opts.secrets ?? new SecretSet();
  secrets.addCredentials(opts.credentials.username, opts.credentials.password).add(opts.credentials.identityToken);
  const action = `log in to ${opts.domain}`;
  const headers = (authorization?: string): Record<string, string> => ({
    ...(opts.userAgent === undefined ? {} : { 'user-agent': opts.userAgent }),
    ...(authorization === undefined ? {} : { authorization }),
  });
  const endpoints = endpointsFor(opts.domain, opts);
  let lastError: unknown;
  for (const [i, endpoint] of endpoints.entries()) {
    const url = `${endpoint.baseUrl}/v2/`;
    let res: Response;
    try {
      res = await doFetch(url, { headers: headers(), ...(opts.signal ? { signal: opts.signal } : {}) });
    } catch (err) {
      // TLS refused or no answer: an insecure registry may still answer over plain HTTP.
      if (opts.signal?.aborted) throw err;
      lastError = err;
      if (i < endpoints.length - 1) continue;
      throw err;
    }
    if (res.ok) {
      await res.body?.cancel();
      return { endpoint }; // a registry without authentication accepts anyone
    }
    if (res.status !== 401) throw await registryErrorFromResponse(res, { method: 'GET', url, action, secrets });
    const challenge = pickChallenge(parseAuthChallenges(res.headers.get('www-authenticate')));
    if (challenge === undefined) throw await registryErrorFromResponse(res, { method: 'GET', url, action, secrets });
    await res.body?.cancel();
    if (challenge.scheme === 'basic') {
      const authorization = basicAuthorization(opts.credentials);
      if (authorization === undefined) {
        throw new UnauthorizedError('LOGIN', `Cannot ${action}: the registry needs a username and password`);
      }
      const again = await doFetch(url, { headers: headers(authorization), ...(opts.signal ? { signal: opts.signal } : {}) });
      if (!again.ok) throw await registryErrorFromResponse(again, { method: 'GET', url, action, secrets });
      await again.body?.cancel();
      return { endpoint };
    }
    const request: Parameters<typeof fetchToken>[0] = {
      realm: challenge.params['realm'] as string,
      scopes: [],
      credentials: opts.credentials,
      offlineToken: true,
      fetch: doFetch,
      secrets,
    };
    if (challenge.params['service'] !== undefined) request.service = challenge.params['service'];
    if (opts.userAgent !== undefined) request.userAgent = opts.userAgent;
    if (opts.signal !== undefined) request.signal = opts.signal;
    const token = await fetchToken(request);
    return token.refreshToken === undefined ? { endpoint } : { endpoint, identityToken: token.refreshToken };
  }
  throw lastError;
}
