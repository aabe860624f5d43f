/**
 * Whether a string is a valid image reference for `FROM` (distribution/reference's
 * `ParseNormalizedNamed` accepts it). Only the InvalidDefaultArgInFrom check needs this; callers
 * with the full reference parser (oci/) may pass their own to `lint`.
 */

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `(?:${domainComponent}(?:\\.${domainComponent})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const REFERENCE = new RegExp(`^((?:${domain}/)?${pathComponent}(?:/${pathComponent})*)(?::(${tag}))?(?:@(${digest}))?$`);
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/** True when docker would accept `ref` as an image name in FROM. */
export function isValidImageReference(ref: string): boolean {
  if (/^[a-f0-9]{64}$/.test(ref)) return false; // a bare image ID is not a name
  const m = REFERENCE.exec(ref);
  if (m === null) return false;
  if (m[1]!.length > 255) return false;
  const d = m[3];
  if (d !== undefined) {
    const [algorithm, hex] = d.split(':') as [string, string];
    if (DIGEST_LENGTHS[algorithm] !== hex.length || !/^[a-f0-9]+$/.test(hex)) return false;
  }
  return true;
}
