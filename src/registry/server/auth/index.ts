/**
 * Building the registry's access control from the serve flags: nothing (open), `--htpasswd` alone
 * (Basic, every user may do everything), or `--auth-config` (bearer tokens from `/token`, or Basic,
 * with per-repository rights; see `access-config.ts` for the file format).
 */
import { openAccess, type Authorizer } from './authorizer.js';
import { Htpasswd } from './htpasswd.js';
import { loadAccessConfig } from './access-config.js';
import { BasicAuthorizer } from './basic.js';
import { BearerAuthorizer } from './bearer.js';
import { ephemeralSigningKey, loadSigningKey } from './jwt.js';
import { TokenService } from './token-service.js';

export interface AuthSetup {
  authorizer: Authorizer;
  tokenService?: TokenService;
  /** For the startup log line. */
  describe: string;
}

export async function createAuth(options: { htpasswd?: string; authConfig?: string }): Promise<AuthSetup> {
  if (options.authConfig === undefined) {
    if (options.htpasswd === undefined) return { authorizer: openAccess, describe: 'none' };
    const users = await Htpasswd.load(options.htpasswd);
    return { authorizer: new BasicAuthorizer(users), describe: `basic (${users.size} users)` };
  }
  const config = await loadAccessConfig(options.authConfig);
  const htpasswdPath = options.htpasswd ?? config.htpasswd;
  const users = htpasswdPath === undefined ? undefined : await Htpasswd.load(htpasswdPath);
  if (config.scheme === 'basic') {
    if (users === undefined) throw new Error('Cannot use basic auth: no htpasswd file given');
    return { authorizer: new BasicAuthorizer(users, { rules: config.rules }), describe: `basic with access rules (${users.size} users)` };
  }
  const key = config.signingKey === undefined ? ephemeralSigningKey() : await loadSigningKey(config.signingKey);
  return {
    authorizer: new BearerAuthorizer(config, key),
    tokenService: new TokenService(config, key, users),
    describe: `bearer tokens (${key.alg}, service ${config.service})`,
  };
}

export type { Authorizer, Identity } from './authorizer.js';
export { openAccess } from './authorizer.js';
export { Htpasswd } from './htpasswd.js';
export { parseAccessConfig, grant, compilePattern } from './access-config.js';
export { signJwt, verifyJwt, ephemeralSigningKey } from './jwt.js';
export { parseScopes, covers, formatScope, type Access } from './scope.js';
