/**
 * The access controller a route consults. It answers "who is this, and may they do that?" for a
 * request, or throws the spec's UNAUTHORIZED (401, with a challenge) or DENIED (403).
 */
import type { IncomingMessage } from 'node:http';
import type { Access } from './scope.js';

export interface Identity {
  /** The account name; undefined for anonymous access. */
  account?: string;
  /** What this request may do (checked against what a route needs). */
  granted: Access[] | 'all';
}

export interface Authorizer {
  /**
   * Authenticates a request and checks it may do `needed`.
   * @throws {RegistryError} UNAUTHORIZED or DENIED
   */
  authorize(req: IncomingMessage, needed: Access[]): Promise<Identity>;
  /** Whether an already authorized identity may also do `access` (used for mount's source). */
  allows(identity: Identity, access: Access): boolean;
}

/** No authentication: everything is allowed. */
export const openAccess: Authorizer = {
  async authorize() {
    return { granted: 'all' };
  },
  allows() {
    return true;
  },
};
