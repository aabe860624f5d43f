/**
 * Go's slash-separated path helpers as Docker uses them on Linux: `filepath.Clean`,
 * `filepath.Dir` and `filepath.Match`. `.dockerignore` semantics are defined in their terms
 * (patterns are cleaned; `New` validates a pattern by matching it against "."), so we keep Go's
 * exact rules, including which malformed patterns it only notices while matching.
 */

import { BadPatternError, pathMatch } from '../../oci/index.js';

export { BadPatternError };

/** Error text of Go's `filepath.ErrBadPattern`. */
export const BAD_PATTERN = 'syntax error in pattern';

/** `filepath.Clean` (Unix): the shortest equivalent path; "" becomes ".". */
export function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** `filepath.Dir`: everything before the last slash, cleaned. */
export function dirPath(p: string): string {
  const i = p.lastIndexOf('/');
  return cleanPath(p.slice(0, i + 1));
}

/**
 * `filepath.Match` as of Go 1.19 (the version docker's conformance table was verified with):
 * a chunk is validated in full even after it fails to match, later chunks are not. One
 * implementation serves both this and `oci`'s `path.Match` (`pathMatch`); the option picks the
 * Go release's rule.
 *
 * @throws {BadPatternError} for a malformed pattern that the match reaches.
 */
export function goFilepathMatch(pattern: string, name: string): boolean {
  return pathMatch(pattern, name, { validateRest: false });
}
