/**
 * The access config (`--auth-config FILE`): who may pull, push and delete which repositories, and
 * how tokens are issued. JSON, e.g.
 *
 * ```json
 * {
 *   "scheme": "bearer",
 *   "service": "gantry-registry",
 *   "issuer": "gantry-registry",
 *   "realm": "https://registry.example.com/token",
 *   "tokenTtlSeconds": 300,
 *   "signingKey": "/etc/gantry/token-key.pem",
 *   "htpasswd": "/etc/gantry/htpasswd",
 *   "access": [
 *     { "account": "alice", "repository": "alice/**", "actions": ["pull", "push", "delete"] },
 *     { "account": "*",     "repository": "**",       "actions": ["pull"] },
 *     { "account": "",      "repository": "public/*", "actions": ["pull"] },
 *     { "account": "admin", "registry": "catalog",    "actions": ["*"] }
 *   ]
 * }
 * ```
 *
 * - `scheme`: `bearer` (default: tokens from this server's `/token`, docker's token flow) or `basic`
 *   (htpasswd on every request, rights from `access`).
 * - `account`: a user name from the htpasswd file, `*` for any authenticated user, `""` for anonymous
 *   clients. `repository`: a pattern where `*` matches within one path component and `**` across
 *   components. `actions`: `pull`, `push`, `delete` or `*`. Rights from every matching entry add up.
 * - `realm` defaults to `<scheme>://<Host header>/token`; `signingKey` to a P-256 key made at start
 *   (tokens then die with the process). An EC P-256 key signs ES256, an RSA key RS256.
 * - Every field but `access` is optional; paths are relative to the config file.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InvalidArgumentError } from '../../../errors.js';
import type { Access } from './scope.js';

export interface AccessRule {
  account: string;
  repository?: RegExp;
  registry?: string;
  actions: string[];
}

export interface AccessConfig {
  scheme: 'bearer' | 'basic';
  service: string;
  issuer: string;
  realm?: string;
  tokenTtlSeconds: number;
  signingKey?: string;
  htpasswd?: string;
  rules: AccessRule[];
}

const ACTIONS = new Set(['pull', 'push', 'delete', '*']);

function bad(source: string, why: string): InvalidArgumentError {
  return new InvalidArgumentError('AUTH_CONFIG_INVALID', `Cannot read auth config ${source}: ${why}`);
}

/** `*` within a component, `**` across components, everything else literal. */
export function compilePattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function parseAccessConfig(text: string, source: string, baseDir = '.'): AccessConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw bad(source, `not JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw bad(source, 'expected an object');
  const d = doc as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    if (d[k] === undefined) return undefined;
    if (typeof d[k] !== 'string') throw bad(source, `"${k}" must be a string`);
    return d[k] as string;
  };
  const scheme = str('scheme') ?? 'bearer';
  if (scheme !== 'bearer' && scheme !== 'basic') throw bad(source, `"scheme" must be "bearer" or "basic"`);
  const ttl = d.tokenTtlSeconds ?? 300;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl <= 0) throw bad(source, '"tokenTtlSeconds" must be a positive integer');
  if (!Array.isArray(d.access)) throw bad(source, '"access" must be a list');
  const rules: AccessRule[] = d.access.map((r: unknown, i: number) => {
    if (typeof r !== 'object' || r === null) throw bad(source, `access[${i}] must be an object`);
    const e = r as Record<string, unknown>;
    if (typeof e.account !== 'string') throw bad(source, `access[${i}].account must be a string`);
    if (!Array.isArray(e.actions) || !e.actions.every((a) => typeof a === 'string' && ACTIONS.has(a))) {
      throw bad(source, `access[${i}].actions must list pull, push, delete or *`);
    }
    const rule: AccessRule = { account: e.account, actions: e.actions as string[] };
    if (typeof e.repository === 'string') rule.repository = compilePattern(e.repository);
    else if (e.registry === 'catalog') rule.registry = 'catalog';
    else throw bad(source, `access[${i}] needs "repository" (a pattern) or "registry": "catalog"`);
    return rule;
  });
  const cfg: AccessConfig = {
    scheme,
    service: str('service') ?? 'gantry-registry',
    issuer: str('issuer') ?? 'gantry-registry',
    tokenTtlSeconds: ttl,
    rules,
  };
  const realm = str('realm');
  if (realm !== undefined) cfg.realm = realm;
  const key = str('signingKey');
  if (key !== undefined) cfg.signingKey = resolve(baseDir, key);
  const htpasswd = str('htpasswd');
  if (htpasswd !== undefined) cfg.htpasswd = resolve(baseDir, htpasswd);
  return cfg;
}

export async function loadAccessConfig(path: string): Promise<AccessConfig> {
  return parseAccessConfig(await readFile(path, 'utf8'), `"${path}"`, dirname(resolve(path)));
}

/**
 * What `account` (undefined: anonymous) may have of what it asks for: each requested access cut
 * down to the actions some matching rule allows; accesses left with no action are dropped.
 */
export function grant(rules: readonly AccessRule[], account: string | undefined, requested: readonly Access[]): Access[] {
  const out: Access[] = [];
  for (const want of requested) {
    const allowed = new Set<string>();
    for (const rule of rules) {
      const who = account === undefined ? rule.account === '' : rule.account === '*' || rule.account === account;
      if (!who) continue;
      const what =
        want.type === 'repository' ? rule.repository?.test(want.name) === true : rule.registry !== undefined && rule.registry === want.name;
      if (!what) continue;
      for (const a of rule.actions) allowed.add(a);
    }
    const actions = want.actions.filter((a) => allowed.has(a) || allowed.has('*'));
    if (actions.length > 0) out.push({ type: want.type, name: want.name, actions });
  }
  return out;
}
