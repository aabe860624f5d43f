/**
 * registry/client — a distribution-spec client: authentication (Basic, Bearer tokens, docker's
 * credential store and helpers), typed registry errors, retries; pull and push build on these.
 * It knows nothing of the metadata DB's tables (it works through `store/`'s API).
 *
 * @example
 * ```ts
 * import { Authorizer, DockerConfig, SecretSet, retry } from '../registry/client/index.js';
 * const secrets = new SecretSet();
 * const auth = new Authorizer({ credentials: await DockerConfig.load({ secrets }), secrets });
 * ```
 */
export * from './auth-challenge.js';
export * from './authorizer.js';
export * from './credentials.js';
export * from './http-error.js';
export * from './redact.js';
export * from './retry.js';
export * from './token.js';
export * from './endpoint.js';
export * from './login.js';
export * from './transport.js';
export * from './session.js';
export * from './config.js';
export * from './pull.js';
export * from './push.js';
export * from './client.js';
export { mapLimit } from './limit.js';
