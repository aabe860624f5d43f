/**
 * Which certificate authorities gantry's TLS connections trust: Node's bundled roots, the file
 * named by `NODE_EXTRA_CA_CERTS` (as Node itself honours it), and per-registry CAs from certs.d.
 *
 * Why not leave `NODE_EXTRA_CA_CERTS` to Node: Node 20 reads and parses the whole root store plus
 * that file at start-up, before any of our code runs, whenever the variable is set (~40 ms on this
 * project's machines, where it names the system bundle) — every command paid it, though most never
 * open a TLS connection. `bin/gantry`'s `#!/usr/bin/env -S` line therefore hands the value to the
 * launcher in `GANTRY_NODE_EXTRA_CA_CERTS` and starts node with the variable empty; the launcher
 * puts it back into `process.env` (so child processes see what the user set), and connections ask
 * here for the CA list. Started any other way (`node bin/gantry`, tests), Node has loaded the file
 * already and the list below simply names the same certificates again.
 *
 * Imports only node's tls and fs, so any part may use it.
 */
import { readFileSync } from 'node:fs';
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

let extraCache: { file: string; pems: string[] } | undefined;

/** The PEM certificates of `NODE_EXTRA_CA_CERTS` (none when unset, empty or unreadable). */
export function extraCaCertificates(env: NodeJS.ProcessEnv = process.env): string[] {
  const file = env['NODE_EXTRA_CA_CERTS'] ?? '';
  if (file === '') return [];
  if (extraCache?.file === file) return extraCache.pems;
  let pems: string[];
  try {
    pems = readFileSync(file, 'latin1').match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? [];
  } catch (err) {
    // Node's own words for the same failure, and like Node we go on without them.
    process.stderr.write(`Warning: Ignoring extra certs from \`${file}\`, load failed: ${(err as Error).message}\n`);
    pems = [];
  }
  extraCache = { file, pems };
  return pems;
}

/**
 * The CA list for a connection that also trusts `extra` (a registry's certs.d CAs), or undefined
 * when Node's default store is the whole answer (no extra CAs anywhere): passing no `ca` lets Node
 * share its one parsed root store instead of parsing ~150 certificates again.
 */
export function trustedCas(extra: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  const fromEnv = extraCaCertificates(env);
  if (fromEnv.length === 0 && extra.length === 0) return undefined;
  return [...rootCertificates, ...fromEnv, ...extra];
}

/**
 * One secure context for a peer: its CA list and client pair parsed once, shared by every
 * connection to it (an explicit `ca` option would otherwise be parsed again per connection).
 * Undefined when Node's defaults serve.
 */
export function secureContextFor(tls: { ca?: readonly string[]; cert?: string; key?: string }, env: NodeJS.ProcessEnv = process.env): SecureContext | undefined {
  const ca = trustedCas(tls.ca ?? [], env);
  if (ca === undefined && tls.cert === undefined) return undefined;
  return createSecureContext({ ...(ca === undefined ? {} : { ca }), ...(tls.cert === undefined ? {} : { cert: tls.cert, key: tls.key }) });
}
