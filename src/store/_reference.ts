/**
 * Image names as the store keeps them: docker's normalization (`debian` → `docker.io/library/debian`)
 * with the distribution/reference grammar. Internal to store/: when `oci/reference.ts` lands, this
 * file becomes a thin adapter over it.
 */
import { isDigest, type Digest } from '../oci/digest.js';
import { InvalidReferenceError } from './errors.js';

export interface NormalizedName {
  /** Full repository: `docker.io/library/debian`. */
  repository: string;
  tag?: string;
  digest?: Digest;
}

const DEFAULT_DOMAIN = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const ID_HEX = /^[a-f0-9]{64}$/;
const MAX_NAME = 255;

/**
 * docker's ParseNormalizedNamed: a name with an optional tag and digest; no tag is added.
 * @throws {InvalidReferenceError}
 */
export function parseNormalizedName(input: string): NormalizedName {
  if (input === '') throw new InvalidReferenceError(input, '');
  if (ID_HEX.test(input)) {
    throw new InvalidReferenceError(input, `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`);
  }
  let rest = input;
  let digest: Digest | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    const d = rest.slice(at + 1);
    if (!isDigest(d)) throw new InvalidReferenceError(input, '');
    digest = d;
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw new InvalidReferenceError(input, '');
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (domain === 'index.docker.io') domain = DEFAULT_DOMAIN;
  if (domain !== DEFAULT_DOMAIN || slash >= 0) validateDomain(input, domain);
  if (path !== path.toLowerCase()) throw new InvalidReferenceError(input, 'repository name must be lowercase');
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = `library/${path}`;
  for (const c of path.split('/')) {
    if (!COMPONENT.test(c)) throw new InvalidReferenceError(input, '');
  }
  const repository = `${domain}/${path}`;
  if (repository.length > MAX_NAME) throw new InvalidReferenceError(input, 'repository name must not be more than 255 characters');
  const out: NormalizedName = { repository };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

function validateDomain(input: string, domain: string): void {
  let host = domain;
  const portAt = domain.lastIndexOf(':');
  if (portAt >= 0 && !domain.endsWith(']')) {
    const port = domain.slice(portAt + 1);
    if (!/^[0-9]+$/.test(port)) throw new InvalidReferenceError(input, '');
    host = domain.slice(0, portAt);
  }
  if (host.startsWith('[') && host.endsWith(']')) return; // IPv6 literal
  for (const part of host.split('.')) {
    if (!DOMAIN_COMPONENT.test(part)) throw new InvalidReferenceError(input, '');
  }
}

/** Adds `:latest` when a name has neither tag nor digest (docker's TagNameOnly). */
export function withDefaultTag(n: NormalizedName): NormalizedName {
  return n.tag === undefined && n.digest === undefined ? { ...n, tag: 'latest' } : n;
}

/** The full string: `docker.io/library/debian:latest`, `…@sha256:…` (a tag and a digest: both). */
export function nameString(n: NormalizedName): string {
  return `${n.repository}${n.tag === undefined ? '' : `:${n.tag}`}${n.digest === undefined ? '' : `@${n.digest}`}`;
}

/** docker's FamiliarString: `debian:latest`, `localhost/busybox:latest`, `user/app@sha256:…`. */
export function familiarName(full: string): string {
  const prefix = `${DEFAULT_DOMAIN}/`;
  if (!full.startsWith(prefix)) return full;
  let rest = full.slice(prefix.length);
  if (rest.startsWith('library/') && !rest.slice('library/'.length).split(/[:@]/)[0]!.includes('/')) {
    rest = rest.slice('library/'.length);
  }
  return rest;
}

/** Parses a stored full name back into parts (names in the DB are always valid). */
export function parseStoredName(full: string): NormalizedName {
  return parseNormalizedName(full);
}
