/**
 * Content digests (`algorithm:encoded`), as the OCI image spec defines them. sha256 is the canonical
 * algorithm; sha512 is accepted wherever a digest is read.
 */
import { createHash, type Hash } from 'node:crypto';
import { InvalidArgumentError } from '../errors.js';

/** A validated digest string such as `sha256:9f86d0…`. */
export type Digest = string & { readonly __digest: unique symbol };

export type DigestAlgorithm = 'sha256' | 'sha512';

const ENCODED_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha512: 128 };

// The image spec's grammar: algorithm ":" encoded, with registered algorithms checked strictly.
const DIGEST_GRAMMAR = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** go-digest's reasons, kept verbatim because docker prints them (`invalid checksum digest length`). */
export type InvalidDigestReason =
  | 'invalid checksum digest format'
  | 'invalid checksum digest length'
  | 'unsupported digest algorithm';

export class InvalidDigestError extends InvalidArgumentError {
  constructor(
    readonly input: string,
    readonly reason: InvalidDigestReason,
  ) {
    super('INVALID_DIGEST', `invalid digest "${input}": ${reason}`);
  }
}

/**
 * Parses and validates a digest.
 * @throws {InvalidDigestError} when the text is not a digest of a supported algorithm
 */
export function parseDigest(text: string): Digest {
  // The checks run in go-digest's order, so that each bad input gets the reason docker would print.
  const colon = text.indexOf(':');
  if (colon <= 0 || colon === text.length - 1) throw new InvalidDigestError(text, 'invalid checksum digest format');
  const algorithm = text.slice(0, colon);
  const encoded = text.slice(colon + 1);
  if (algorithm !== 'sha256' && algorithm !== 'sha512') {
    if (!DIGEST_GRAMMAR.test(text)) throw new InvalidDigestError(text, 'invalid checksum digest format');
    throw new InvalidDigestError(text, 'unsupported digest algorithm');
  }
  if (encoded.length !== ENCODED_LENGTH[algorithm]) {
    throw new InvalidDigestError(text, 'invalid checksum digest length');
  }
  if (!/^[a-f0-9]+$/.test(encoded)) throw new InvalidDigestError(text, 'invalid checksum digest format');
  return text as Digest;
}

/** True when `text` is a valid digest of a supported algorithm. */
export function isDigest(text: string): text is Digest {
  try {
    parseDigest(text);
    return true;
  } catch {
    return false;
  }
}

export function digestAlgorithm(d: Digest): DigestAlgorithm {
  return d.slice(0, d.indexOf(':')) as DigestAlgorithm;
}

/** The hex part of a digest (what follows the colon). */
export function digestHex(d: Digest): string {
  return d.slice(d.indexOf(':') + 1);
}

/** The sha256 digest of a byte string. */
export function digestOf(data: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): Digest {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}` as Digest;
}

/** An incremental digester: feed chunks, then read the digest once. */
export class Digester {
  readonly #hash: Hash;
  readonly algorithm: DigestAlgorithm;
  #size = 0;
  constructor(algorithm: DigestAlgorithm = 'sha256') {
    this.algorithm = algorithm;
    this.#hash = createHash(algorithm);
  }
  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
    this.#size += chunk.byteLength;
  }
  get size(): number {
    return this.#size;
  }
  /** Finishes the hash; call once. */
  digest(): Digest {
    return `${this.algorithm}:${this.#hash.digest('hex')}` as Digest;
  }
}

/** The short image ID docker shows: the first 12 hex characters. */
export function shortId(d: Digest | string): string {
  const hex = d.includes(':') ? d.slice(d.indexOf(':') + 1) : d;
  return hex.slice(0, 12);
}
