/**
 * Image references, parsed and printed exactly as docker does (distribution/reference): the grammar,
 * the docker.io/library normalization, the familiar (short) forms and the error texts, which users
 * see verbatim and scripts match on.
 *
 * Grammar (distribution's):
 * ```
 * reference  := name [ ":" tag ] [ "@" digest ]
 * name       := [ domain "/" ] path
 * domain     := host [ ":" port ]        host: DNS-ish components, or an [IPv6] literal
 * path       := component [ "/" component ]*      component: [a-z0-9]+ joined by . _ __ or -+
 * tag        := [\w][\w.-]{0,127}
 * digest     := algorithm ":" hex{32,}    checked further by parseDigest()
 * ```
 * Normalization (`parseNormalizedNamed`): a first component that has no `.` or `:`, is not
 * `localhost` and is all lower case is not a domain; the domain is then `docker.io`, and a
 * single-component path gets `library/` in front. `index.docker.io` is read as `docker.io`.
 *
 * One deliberate difference: sha512 digests are accepted (real docker links sha512; distribution's
 * own test tables report `unsupported digest algorithm` only because its tests link sha256 alone).
 *
 * @example
 * ```ts
 * const ref = parseDockerRef('debian');        // docker.io/library/debian:latest
 * familiarString(ref);                         // 'debian:latest'
 * ```
 */
import { InvalidArgumentError } from '../errors.js';
import { InvalidDigestError, parseDigest, type Digest } from './digest.js';
import { pathMatch } from './path-match.js';

/** A named reference: a repository, optionally with a tag and/or a digest. */
export interface Reference {
  /** The registry host (and port), e.g. `docker.io`, `localhost:5000`; `''` when none was given (parseReference only). */
  readonly domain: string;
  /** The repository path inside the registry, e.g. `library/debian`. */
  readonly path: string;
  /** `domain/path`, or `path` when there is no domain. */
  readonly name: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

/** A reference that is only a digest (`sha256:…`), as `parseAnyReference` gives for image IDs. */
export interface DigestReference {
  readonly digest: Digest;
  readonly name?: undefined;
}

export type AnyReference = Reference | DigestReference;

/** Docker's messages for bad references, verbatim (distribution and go-digest). */
export const ReferenceErrorReason = {
  InvalidFormat: 'invalid reference format',
  InvalidTag: 'invalid tag format',
  InvalidDigest: 'invalid digest format',
  NameContainsUppercase: 'repository name must be lowercase',
  NameEmpty: 'repository name must have at least one component',
  NameTooLong: 'repository name must not be more than 255 characters',
  NameNotCanonical: 'repository name must be canonical',
} as const;

/** A reference string that docker would refuse. The message is docker's own text. */
export class InvalidReferenceError extends InvalidArgumentError {
  constructor(
    /** What was parsed. */
    readonly input: string,
    /** Docker's reason, which is also the message. */
    readonly reason: string,
  ) {
    super('INVALID_REFERENCE', reason);
  }
}

/** The longest repository path docker accepts. */
export const REPOSITORY_NAME_MAX_LENGTH = 255;
export const DEFAULT_DOMAIN = 'docker.io';
/** The name docker.io also answers to; normalized to DEFAULT_DOMAIN. */
export const LEGACY_DEFAULT_DOMAIN = 'index.docker.io';
export const OFFICIAL_REPO_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';

// The grammar as regular expressions. Every alternative is anchored and its character classes are
// disjoint from the separators around them, so backtracking stays linear in the input.
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const REMOTE_NAME = `${PATH_COMPONENT}(?:/${PATH_COMPONENT})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_NAME = `${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*`;
const IPV6_ADDRESS = '\\[(?:[a-fA-F0-9:]+)\\]';
const DOMAIN_AND_PORT = `(?:${DOMAIN_NAME}|${IPV6_ADDRESS})(?::[0-9]+)?`;
const TAG = '[\\w][\\w.-]{0,127}';
const DIGEST = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const NAME = `(?:${DOMAIN_AND_PORT}/)?${REMOTE_NAME}`;

const REFERENCE_RE = new RegExp(`^(${NAME})(?::(${TAG}))?(?:@(${DIGEST}))?$`);
const ANCHORED_NAME_RE = new RegExp(`^(?:(${DOMAIN_AND_PORT})/)?(${REMOTE_NAME})$`);
const ANCHORED_TAG_RE = new RegExp(`^${TAG}$`);
const ANCHORED_DIGEST_RE = new RegExp(`^${DIGEST}$`);
const DOMAIN_RE = new RegExp(`^${DOMAIN_AND_PORT}$`);
const IDENTIFIER_RE = /^[a-f0-9]{64}$/;
const ID_PREFIX_RE = /^(?:sha256:)?([a-f0-9]{1,64})$/;

/**
 * The grammar's anchored expressions, for callers that validate one part alone (a tag flag, a
 * registry host). Stateless (no `g` flag), so they are safe to share.
 */
export const referenceGrammar = Object.freeze({
  /** `name[:tag][@digest]`; groups: name, tag, digest. */
  reference: REFERENCE_RE,
  /** `[domain/]path`; groups: domain, path. */
  name: ANCHORED_NAME_RE,
  tag: ANCHORED_TAG_RE,
  digest: ANCHORED_DIGEST_RE,
  domain: DOMAIN_RE,
  /** A full image ID: 64 lower-case hex characters. */
  identifier: IDENTIFIER_RE,
});

function makeReference(domain: string, path: string, tag?: string, digest?: Digest): Reference {
  const ref: { domain: string; path: string; name: string; tag?: string; digest?: Digest } = {
    domain,
    path,
    name: domain === '' ? path : `${domain}/${path}`,
  };
  if (tag !== undefined && tag !== '') ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return Object.freeze(ref);
}

function fail(input: string, reason: string): never {
  throw new InvalidReferenceError(input, reason);
}

/**
 * Parses a reference without normalizing it (distribution's `Parse`): `debian` stays `debian`, with
 * domain `''`. Use `parseNormalizedNamed` or `parseDockerRef` for what a user typed.
 * @throws {InvalidReferenceError}
 */
export function parseReference(s: string): Reference {
  if (s === '') fail(s, ReferenceErrorReason.NameEmpty);
  const m = REFERENCE_RE.exec(s);
  if (m === null) {
    const lower = s.toLowerCase();
    if (lower !== s && REFERENCE_RE.test(lower)) fail(s, ReferenceErrorReason.NameContainsUppercase);
    fail(s, ReferenceErrorReason.InvalidFormat);
  }
  const [, name = '', tag, digestText] = m;
  const nm = ANCHORED_NAME_RE.exec(name);
  const domain = nm?.[1] ?? '';
  const path = nm === null ? name : (nm[2] ?? '');
  if (path.length > REPOSITORY_NAME_MAX_LENGTH) fail(s, ReferenceErrorReason.NameTooLong);
  let digest: Digest | undefined;
  if (digestText !== undefined) {
    try {
      digest = parseDigest(digestText);
    } catch (err) {
      if (err instanceof InvalidDigestError) fail(s, err.reason);
      throw err;
    }
  }
  return makeReference(domain, path, tag, digest);
}

/** Docker's split of a name into registry domain and remote path, with the docker.io defaults. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_REPO_PREFIX + name };
  const first = name.slice(0, slash);
  let domain = DEFAULT_DOMAIN;
  let remainder = name;
  if (first === LEGACY_DEFAULT_DOMAIN) {
    remainder = name.slice(slash + 1);
  } else if (first === 'localhost' || /[.:]/.test(first) || first.toLowerCase() !== first) {
    // Only these mark a registry host; `me/app` is a Docker Hub user's repository.
    domain = first;
    remainder = name.slice(slash + 1);
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_REPO_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses what a user typed (distribution's `ParseNormalizedNamed`): `debian` →
 * `docker.io/library/debian`, `me/app:1` → `docker.io/me/app:1`. No tag is added.
 * @throws {InvalidReferenceError} with docker's text, e.g.
 *   `invalid reference format: repository name (library/Debian) must be lowercase`
 */
export function parseNormalizedNamed(s: string): Reference {
  if (IDENTIFIER_RE.test(s)) {
    fail(s, `invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(s);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    fail(s, `invalid reference format: repository name (${remote}) must be lowercase`);
  }
  try {
    return parseReference(`${domain}/${remainder}`);
  } catch (err) {
    // Report the user's input, not the string we built from it.
    if (err instanceof InvalidReferenceError) fail(s, err.reason);
    throw err;
  }
}

/**
 * Like `parseNormalizedNamed` but requires the input to be in canonical form already
 * (distribution's `ParseNamed`): `docker.io/library/foo` passes, `foo` does not.
 * @throws {InvalidReferenceError} `repository name must be canonical`
 */
export function parseNamed(s: string): Reference {
  const ref = parseNormalizedNamed(s);
  if (referenceString(ref) !== s) fail(s, ReferenceErrorReason.NameNotCanonical);
  return ref;
}

/**
 * The reference docker pulls for what a user typed (`ParseDockerRef`): normalized, `:latest` added
 * when there is neither tag nor digest, and the tag dropped when a digest pins the content.
 * @throws {InvalidReferenceError}
 */
export function parseDockerRef(s: string): Reference {
  const ref = parseNormalizedNamed(s);
  if (ref.digest !== undefined) return makeReference(ref.domain, ref.path, undefined, ref.digest);
  return tagNameOnly(ref);
}

/**
 * Parses a reference or an image ID (`ParseAnyReference`): 64 hex characters, or a digest, give a
 * digest reference; anything else is parsed as by `parseNormalizedNamed`.
 * @throws {InvalidReferenceError}
 */
export function parseAnyReference(s: string): AnyReference {
  if (IDENTIFIER_RE.test(s)) return Object.freeze({ digest: `sha256:${s}` as Digest });
  try {
    return Object.freeze({ digest: parseDigest(s) });
  } catch (err) {
    if (!(err instanceof InvalidDigestError)) throw err;
  }
  return parseNormalizedNamed(s);
}

/**
 * A name-only reference from a repository name (`WithName`), e.g. `example.com/repo`.
 * @throws {InvalidReferenceError} `invalid reference format` or the length error
 */
export function withName(name: string): Reference {
  const m = ANCHORED_NAME_RE.exec(name);
  if (m === null) fail(name, ReferenceErrorReason.InvalidFormat);
  const path = m[2] ?? '';
  if (path.length > REPOSITORY_NAME_MAX_LENGTH) fail(name, ReferenceErrorReason.NameTooLong);
  return makeReference(m[1] ?? '', path);
}

/**
 * `ref` with its tag set to `tag`, keeping any digest (`WithTag`).
 * @throws {InvalidReferenceError} `invalid tag format`
 */
export function withTag(ref: Reference, tag: string): Reference {
  if (!ANCHORED_TAG_RE.test(tag)) fail(tag, ReferenceErrorReason.InvalidTag);
  return makeReference(ref.domain, ref.path, tag, ref.digest);
}

/**
 * `ref` with its digest set, keeping any tag (`WithDigest`). Like distribution, this checks the
 * digest's form only (`algorithm:hex{32,}`); references from the parse functions carry digests
 * that parseDigest() accepted.
 * @throws {InvalidReferenceError} `invalid digest format`
 */
export function withDigest(ref: Reference, digest: Digest | string): Reference {
  if (!ANCHORED_DIGEST_RE.test(digest)) fail(digest, ReferenceErrorReason.InvalidDigest);
  return makeReference(ref.domain, ref.path, ref.tag, digest as Digest);
}

/** The repository alone, without tag or digest (`TrimNamed`). */
export function trimNamed(ref: Reference): Reference {
  return makeReference(ref.domain, ref.path);
}

/** True when the reference has neither tag nor digest. */
export function isNameOnly(ref: AnyReference): boolean {
  return ref.name !== undefined && ref.tag === undefined && ref.digest === undefined;
}

/** `ref` with `:latest` when it has neither tag nor digest (`TagNameOnly`). */
export function tagNameOnly(ref: Reference): Reference {
  return isNameOnly(ref) ? makeReference(ref.domain, ref.path, DEFAULT_TAG) : ref;
}

/** True for a named reference (not a bare digest). */
export function isNamed(ref: AnyReference): ref is Reference {
  return ref.name !== undefined;
}

/** The full text: `name[:tag][@digest]`, or the digest alone. */
export function referenceString(ref: AnyReference): string {
  if (!isNamed(ref)) return ref.digest;
  let s = ref.name;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** The domain and path as docker shows them: `docker.io/library/debian` → `debian`. */
function familiarize(ref: Pick<Reference, 'domain' | 'path'>): { domain: string; path: string } {
  if (ref.domain !== DEFAULT_DOMAIN) return { domain: ref.domain, path: ref.path };
  let path = ref.path;
  if (path.startsWith(OFFICIAL_REPO_PREFIX)) {
    const rest = path.slice(OFFICIAL_REPO_PREFIX.length);
    if (!rest.includes('/')) path = rest;
  }
  return { domain: '', path };
}

/** The short name docker shows (`FamiliarName`): `debian`, `me/app`, `localhost:5000/app`. */
export function familiarName(ref: Pick<Reference, 'domain' | 'path'>): string {
  const { domain, path } = familiarize(ref);
  return domain === '' ? path : `${domain}/${path}`;
}

/** A name split into its familiar repository and its tag or digest. */
export interface FamiliarParts {
  repository: string;
  tag?: string;
  digest?: string;
}

// A name already in normalized form (distribution/reference regexp.go): a domain with a dot or a
// port (or `localhost`), a lower-case path, then a tag or a digest of the two algorithms whose
// encoding the parser checks.
const NORMALIZED_DOMAIN = `(?:localhost|${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})+)(?::[0-9]+)?|${DOMAIN_COMPONENT}:[0-9]+`;
const NORMALIZED_NAME_RE = new RegExp(
  `^((?:${NORMALIZED_DOMAIN})/${REMOTE_NAME})(?::(${TAG})|@(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128}))$`,
);

/**
 * Splits a name as the store keeps it (normalized: `docker.io/library/busybox:latest`) by one regex
 * test, without building a reference: the familiar repository and the tag or digest. Undefined for
 * any other text (not normalized, `index.docker.io/…`, other digest algorithms, too long), which
 * the caller gives to the parser.
 */
export function splitNormalizedName(s: string): FamiliarParts | undefined {
  const m = NORMALIZED_NAME_RE.exec(s);
  if (m === null || s.startsWith(`${LEGACY_DEFAULT_DOMAIN}/`)) return undefined;
  const name = m[1] as string;
  if (name.length > REPOSITORY_NAME_MAX_LENGTH) return undefined;
  const slash = name.indexOf('/');
  const repository = familiarName({ domain: name.slice(0, slash), path: name.slice(slash + 1) });
  return m[2] !== undefined ? { repository, tag: m[2] } : { repository, digest: m[3] as string };
}

/** The short text docker shows (`FamiliarString`): `debian:latest`, `me/app@sha256:…`. */
export function familiarString(ref: AnyReference): string {
  if (!isNamed(ref)) return ref.digest;
  let s = familiarName(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/**
 * Docker's `reference=` filter (`FamiliarMatch`): Go `path.Match` of the pattern against the familiar
 * string, and for named references against the familiar name too.
 * @throws {BadPatternError} when the pattern is malformed (from path-match)
 */
export function familiarMatch(pattern: string, ref: AnyReference): boolean {
  let matched = pathMatch(pattern, familiarString(ref));
  if (!matched && isNamed(ref)) matched = pathMatch(pattern, familiarName(ref));
  return matched;
}

/** True when `s` is a valid registry domain (`host[:port]`), as the grammar defines it. */
export function isValidDomain(s: string): boolean {
  return DOMAIN_RE.test(s);
}

/** True when `s` is a valid tag. */
export function isValidTag(s: string): boolean {
  return ANCHORED_TAG_RE.test(s);
}

/** True when `s` is a full image ID in hex (64 lower-case hex characters, no algorithm). */
export function isFullId(s: string): boolean {
  return IDENTIFIER_RE.test(s);
}

/** True when `s` is a short ID as docker prints it: exactly 12 lower-case hex characters. */
export function isShortId(s: string): boolean {
  return /^[a-f0-9]{12}$/.test(s);
}

/**
 * The hex prefix an image ID lookup would use for `s` (`3f2a`, `sha256:3f2a…`), or undefined when
 * `s` cannot be an ID prefix. Callers try a reference first, as docker does: `dbcc1` is also a
 * valid repository name.
 */
export function idPrefix(s: string): string | undefined {
  return ID_PREFIX_RE.exec(s)?.[1];
}
