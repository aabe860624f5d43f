/**
 * Whether a string is a valid image reference for `FROM`: BuildKit asks distribution/reference's
 * `ParseNormalizedNamed`, which `oci/` implements (the one reference parser in the project).
 * Only the InvalidDefaultArgInFrom check needs this.
 */
import { InvalidReferenceError, parseNormalizedNamed } from '../../oci/index.js';

/** True when docker would accept `ref` as an image name in FROM. */
export function isValidImageReference(ref: string): boolean {
  try {
    parseNormalizedNamed(ref);
    return true;
  } catch (err) {
    if (err instanceof InvalidReferenceError) return false;
    throw err;
  }
}
