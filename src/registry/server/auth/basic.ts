/**
 * HTTP Basic auth against an htpasswd file (distribution's `htpasswd` access controller). Without
 * an access config any valid user may do anything; with one, rights come from its rules.
 */
import type { IncomingMessage } from 'node:http';
import { RegistryError } from '../errcodes.js';
import type { Authorizer, Identity } from './authorizer.js';
import type { Htpasswd } from './htpasswd.js';
import { grant, type AccessRule } from './access-config.js';
import { covers, type Access } from './scope.js';
import { basicCredentials, quoted } from './credentials.js';

export class BasicAuthorizer implements Authorizer {
  readonly #users: Htpasswd;
  readonly #rules: readonly AccessRule[] | undefined;
  readonly #realm: string;

  constructor(users: Htpasswd, options: { rules?: readonly AccessRule[]; realm?: string } = {}) {
    this.#users = users;
    this.#rules = options.rules;
    this.#realm = options.realm ?? 'gantry-registry';
  }

  async authorize(req: IncomingMessage, needed: Access[]): Promise<Identity> {
    const creds = basicCredentials(req);
    let account: string | undefined;
    if (creds !== undefined && (await this.#users.verify(creds.user, creds.password))) account = creds.user;
    else if (creds !== undefined || this.#rules === undefined) throw this.#challenge();
    if (this.#rules === undefined) return { account: account!, granted: 'all' };
    const granted = grant(this.#rules, account, needed);
    if (!covers(granted, needed)) {
      if (account === undefined) throw this.#challenge();
      throw new RegistryError('DENIED', { detail: needed });
    }
    return account === undefined ? { granted } : { account, granted };
  }

  allows(identity: Identity, access: Access): boolean {
    if (identity.granted === 'all') return true;
    return this.#rules !== undefined && covers(grant(this.#rules, identity.account, [access]), [access]);
  }

  #challenge(): RegistryError {
    return new RegistryError('UNAUTHORIZED', { headers: { 'WWW-Authenticate': `Basic realm=${quoted(this.#realm)}` } });
  }
}
