/**
 * Bearer token auth (docker's token flow, distribution's `token` access controller): a request
 * without a valid token is answered 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=…`;
 * the client fetches a token for that scope from the realm (our `/token`) and retries with it.
 */
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../errcodes.js';
import type { Authorizer, Identity } from './authorizer.js';
import type { AccessConfig } from './access-config.js';
import { verifyJwt, type SigningKey } from './jwt.js';
import { covers, formatScope, type Access } from './scope.js';
import { bearerToken, quoted } from './credentials.js';

/** The realm for a request: configured, or this server's own `/token` as the client reached it. */
export function realmFor(req: IncomingMessage, config: AccessConfig): string {
  if (config.realm !== undefined) return config.realm;
  const tls = (req.socket as { encrypted?: boolean }).encrypted === true;
  return `${tls ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}/token`;
}

export class BearerAuthorizer implements Authorizer {
  readonly #config: AccessConfig;
  readonly #key: SigningKey;

  constructor(config: AccessConfig, key: SigningKey) {
    this.#config = config;
    this.#key = key;
  }

  async authorize(req: IncomingMessage, needed: Access[]): Promise<Identity> {
    const token = bearerToken(req);
    if (token === undefined) throw this.#challenge(req, needed);
    const result = verifyJwt(this.#key, token, { issuer: this.#config.issuer, audience: this.#config.service });
    if ('error' in result) throw this.#challenge(req, needed, 'invalid_token');
    const granted = parseAccessClaim(result.claims.access);
    if (!covers(granted, needed)) throw this.#challenge(req, needed, 'insufficient_scope');
    const sub = result.claims.sub;
    return typeof sub === 'string' && sub !== '' ? { account: sub, granted } : { granted };
  }

  allows(identity: Identity, access: Access): boolean {
    return identity.granted === 'all' || covers(identity.granted, [access]);
  }

  #challenge(req: IncomingMessage, needed: Access[], error?: string): RegistryError {
    let h = `Bearer realm=${quoted(realmFor(req, this.#config))},service=${quoted(this.#config.service)}`;
    if (needed.length > 0) h += `,scope=${quoted(needed.map(formatScope).join(' '))}`;
    if (error !== undefined) h += `,error=${quoted(error)}`;
    return new RegistryError('UNAUTHORIZED', { headers: { 'WWW-Authenticate': h }, detail: needed.length > 0 ? needed : undefined });
  }
}

function parseAccessClaim(v: unknown): Access[] {
  if (!Array.isArray(v)) return [];
  const out: Access[] = [];
  for (const a of v) {
    if (typeof a !== 'object' || a === null) continue;
    const e = a as Record<string, unknown>;
    if ((e.type === 'repository' || e.type === 'registry') && typeof e.name === 'string' && Array.isArray(e.actions)) {
      out.push({ type: e.type, name: e.name, actions: e.actions.filter((x): x is string => typeof x === 'string') });
    }
  }
  return out;
}
