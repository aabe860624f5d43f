/**
 * The token endpoint (`/token`): docker's token protocol (GET with Basic credentials, or none for
 * anonymous, and `service` + `scope` parameters) and the OAuth2 password grant (POST form). It
 * grants what the access config allows of what was asked, signed as a JWT the bearer authorizer
 * verifies. Wrong credentials are 401; asking for more than allowed is not an error: the token just
 * carries less, and the registry refuses what it lacks.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { RegistryError } from '../errcodes.js';
import { sendJson } from '../respond.js';
import type { Dispatch } from '../routes.js';
import { grant, type AccessConfig } from './access-config.js';
import type { Htpasswd } from './htpasswd.js';
import { signJwt, type SigningKey } from './jwt.js';
import { parseScopes, type Access } from './scope.js';
import { basicCredentials, quoted } from './credentials.js';
import { realmFor } from './bearer.js';

export class TokenService {
  readonly #config: AccessConfig;
  readonly #key: SigningKey;
  readonly #users: Htpasswd | undefined;

  constructor(config: AccessConfig, key: SigningKey, users: Htpasswd | undefined) {
    this.#config = config;
    this.#key = key;
    this.#users = users;
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, info: Dispatch): Promise<void> {
    let params = url.searchParams;
    let creds = basicCredentials(req);
    const oauth = req.method === 'POST';
    if (oauth) {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of req as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > 64 * 1024) throw new RegistryError('UNSUPPORTED', { status: 400, message: 'token request too large' });
        chunks.push(c);
      }
      params = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const grantType = params.get('grant_type');
      if (grantType !== 'password') {
        throw new RegistryError('UNSUPPORTED', { status: 400, message: `grant_type "${grantType ?? ''}" is not supported` });
      }
      creds = { user: params.get('username') ?? '', password: params.get('password') ?? '' };
    } else if (req.method !== 'GET') {
      throw new RegistryError('UNSUPPORTED');
    }
    const service = params.get('service');
    if (service !== null && service !== this.#config.service) {
      throw new RegistryError('DENIED', { message: `unknown service "${service}"` });
    }
    let account: string | undefined;
    if (creds !== undefined) {
      if (this.#users === undefined || !(await this.#users.verify(creds.user, creds.password))) {
        throw new RegistryError('UNAUTHORIZED', {
          message: 'invalid username or password',
          headers: { 'WWW-Authenticate': `Basic realm=${quoted(realmFor(req, this.#config))}` },
        });
      }
      account = creds.user;
      info.identity = { account, granted: [] };
    }
    const requested: Access[] = parseScopes(params.getAll('scope'));
    const access = grant(this.#config.rules, account, requested);
    const now = Math.floor(Date.now() / 1000);
    const ttl = this.#config.tokenTtlSeconds;
    const token = signJwt(this.#key, {
      iss: this.#config.issuer,
      sub: account ?? '',
      aud: this.#config.service,
      exp: now + ttl,
      nbf: now - 1,
      iat: now,
      jti: randomBytes(12).toString('hex'),
      access,
    });
    const issuedAt = new Date(now * 1000).toISOString();
    if (oauth) sendJson(res, 200, { access_token: token, expires_in: ttl, issued_at: issuedAt, scope: params.getAll('scope').join(' ') });
    else sendJson(res, 200, { token, access_token: token, expires_in: ttl, issued_at: issuedAt });
  }
}
