/**
 * Image names as the store keeps them, over `oci/reference.ts`: full names
 * (`docker.io/library/debian:latest`, `…@sha256:…`) in the DB, familiar ones in docker's records.
 * Internal to store/.
 */
import type { Digest } from '../oci/digest.js';
import { familiarString, parseNormalizedNamed, type Reference } from '../oci/reference.js';

export interface NormalizedName {
  /** Full repository: `docker.io/library/debian`. */
  repository: string;
  tag?: string;
  digest?: Digest;
}

/**
 * docker's ParseNormalizedNamed: a name with an optional tag and digest; no tag is added.
 * @throws {InvalidReferenceError} (oci/reference's, with docker's text)
 */
export function parseNormalizedName(input: string): NormalizedName {
  return fromReference(parseNormalizedNamed(input));
}

function fromReference(r: Reference): NormalizedName {
  const out: NormalizedName = { repository: r.name };
  if (r.tag !== undefined) out.tag = r.tag;
  if (r.digest !== undefined) out.digest = r.digest;
  return out;
}

/** Adds `:latest` when a name has neither tag nor digest (docker's TagNameOnly). */
export function withDefaultTag(n: NormalizedName): NormalizedName {
  return n.tag === undefined && n.digest === undefined ? { ...n, tag: 'latest' } : n;
}

/** The full string: `docker.io/library/debian:latest`, `…@sha256:…`. */
export function nameString(n: NormalizedName): string {
  return `${n.repository}${n.tag === undefined ? '' : `:${n.tag}`}${n.digest === undefined ? '' : `@${n.digest}`}`;
}

/** docker's FamiliarString of a stored full name: `debian:latest`, `localhost/busybox:latest`. */
export function familiarName(full: string): string {
  return familiarString(parseNormalizedNamed(full));
}
