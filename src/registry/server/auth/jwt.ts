/**
 * JSON Web Tokens for the registry's bearer auth, signed and verified with node:crypto (jose would
 * cost ~50 ms of import for two algorithms). ES256 with a P-256 key, RS256 with an RSA key. The
 * algorithm comes from our key, never from the token header, so `alg: none` and HS256-with-the-
 * public-key confusion cannot pass.
 */
import { createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from '../../../errors.js';

export type JwtAlgorithm = 'ES256' | 'RS256';

export interface SigningKey {
  alg: JwtAlgorithm;
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export function signingKeyFrom(privateKey: KeyObject): SigningKey {
  const type = privateKey.asymmetricKeyType;
  let alg: JwtAlgorithm;
  if (type === 'ec' && privateKey.asymmetricKeyDetails?.namedCurve === 'prime256v1') alg = 'ES256';
  else if (type === 'rsa') alg = 'RS256';
  else throw new InvalidArgumentError('TOKEN_KEY_INVALID', `Cannot sign tokens with a ${type} key: use EC P-256 or RSA`);
  const publicKey = createPublicKey(privateKey);
  const der = publicKey.export({ type: 'spki', format: 'der' });
  const kid = b64url(Buffer.from(der).subarray(-24)).slice(0, 16);
  return { alg, privateKey, publicKey, kid };
}

export async function loadSigningKey(path: string): Promise<SigningKey> {
  const { createPrivateKey } = await import('node:crypto');
  return signingKeyFrom(createPrivateKey(await readFile(path)));
}

/** A fresh P-256 key: tokens signed with it are valid only while this process runs. */
export function ephemeralSigningKey(): SigningKey {
  return signingKeyFrom(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
}

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const head = b64url(JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid }));
  const body = b64url(JSON.stringify(claims));
  const data = Buffer.from(`${head}.${body}`);
  const sig = key.alg === 'ES256' ? sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' }) : sign('sha256', data, key.privateKey);
  return `${head}.${body}.${b64url(sig)}`;
}

/**
 * Verifies a token's signature and its time, issuer and audience claims.
 * @returns the claims, or a reason it is refused
 */
export function verifyJwt(
  key: SigningKey,
  token: string,
  expect: { issuer: string; audience: string; now?: number; leewaySeconds?: number },
): { claims: Record<string, unknown> } | { error: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { error: 'malformed token' };
  const [head, body, sig] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return { error: 'malformed token' };
  }
  if (header.alg !== key.alg) return { error: 'unexpected signing algorithm' };
  const data = Buffer.from(`${head}.${body}`);
  const signature = Buffer.from(sig, 'base64url');
  const ok =
    key.alg === 'ES256'
      ? verify('sha256', data, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature)
      : verify('sha256', data, key.publicKey, signature);
  if (!ok) return { error: 'invalid signature' };
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  const leeway = expect.leewaySeconds ?? 60;
  if (typeof claims.exp !== 'number' || claims.exp + leeway < now) return { error: 'token expired' };
  if (typeof claims.nbf === 'number' && claims.nbf - leeway > now) return { error: 'token not yet valid' };
  if (claims.iss !== expect.issuer) return { error: 'unexpected issuer' };
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(expect.audience)) return { error: 'unexpected audience' };
  return { claims };
}
