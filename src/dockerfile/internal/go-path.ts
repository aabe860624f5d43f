/**
 * Go's slash-separated path helpers as Docker uses them on Linux: `filepath.Clean`,
 * `filepath.Dir` and `filepath.Match`. `.dockerignore` semantics are defined in their terms
 * (patterns are cleaned; `New` validates a pattern by matching it against "."), so we keep Go's
 * exact rules, including which malformed patterns it only notices while matching.
 */

/** Error text of Go's `filepath.ErrBadPattern`. */
export const BAD_PATTERN = 'syntax error in pattern';

export class BadPatternError extends Error {
  override readonly name = 'BadPatternError';
  constructor() {
    super(BAD_PATTERN);
  }
}

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

const SEP = 0x2f;

/**
 * `filepath.Match` as of Go 1.19 (the version docker's conformance table was verified with):
 * a chunk is validated in full even after it fails to match, later chunks are not.
 *
 * @throws {BadPatternError} for a malformed pattern that the match reaches.
 */
export function goFilepathMatch(pattern: string, name: string): boolean {
  let pat = Array.from(pattern, (c) => c.codePointAt(0) ?? 0);
  let nm = Array.from(name, (c) => c.codePointAt(0) ?? 0);
  outer: while (pat.length > 0) {
    const { star, chunk, rest } = scanChunk(pat);
    pat = rest;
    if (star && chunk.length === 0) return !nm.includes(SEP);
    const first = matchChunk(chunk, nm);
    if (first !== undefined && (first.length === 0 || pat.length > 0)) {
      nm = first;
      continue;
    }
    if (star) {
      for (let i = 0; i < nm.length && nm[i] !== SEP; i++) {
        const t = matchChunk(chunk, nm.slice(i + 1));
        if (t !== undefined) {
          if (pat.length === 0 && t.length > 0) continue;
          nm = t;
          continue outer;
        }
      }
    }
    return false;
  }
  return nm.length === 0;
}

function scanChunk(pattern: number[]): { star: boolean; chunk: number[]; rest: number[] } {
  let p = pattern;
  let star = false;
  while (p.length > 0 && p[0] === 0x2a) {
    p = p.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < p.length; i++) {
    switch (p[i]) {
      case 0x5c:
        if (i + 1 < p.length) i++;
        break;
      case 0x5b:
        inRange = true;
        break;
      case 0x5d:
        inRange = false;
        break;
      case 0x2a:
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: p.slice(0, i), rest: p.slice(i) };
}

/** The rest of `s` after `chunk` matched its start, or undefined; throws on a malformed chunk. */
function matchChunk(chunk: number[], s: number[]): number[] | undefined {
  let failed = false;
  let c = 0;
  let si = 0;
  while (c < chunk.length) {
    if (!failed && si >= s.length) failed = true;
    switch (chunk[c]) {
      case 0x5b: {
        let r = -1;
        if (!failed) r = s[si++]!;
        c++;
        let negated = false;
        if (c < chunk.length && chunk[c] === 0x5e) {
          negated = true;
          c++;
        }
        let match = false;
        let nrange = 0;
        for (;;) {
          if (c < chunk.length && chunk[c] === 0x5d && nrange > 0) {
            c++;
            break;
          }
          const lo = getEsc(chunk, c);
          c = lo.next;
          let hi = lo.r;
          if (chunk[c] === 0x2d) {
            const h = getEsc(chunk, c + 1);
            hi = h.r;
            c = h.next;
          }
          if (lo.r <= r && r <= hi) match = true;
          nrange++;
        }
        if (match === negated) failed = true;
        break;
      }
      case 0x3f:
        if (!failed) {
          if (s[si] === SEP) failed = true;
          si++;
        }
        c++;
        break;
      default:
        // A backslash escapes the next character, which is then compared literally.
        if (chunk[c] === 0x5c) {
          c++;
          if (c >= chunk.length) throw new BadPatternError();
        }
        if (!failed) {
          if (chunk[c] !== s[si]) failed = true;
          si++;
        }
        c++;
    }
  }
  return failed ? undefined : s.slice(si);
}

function getEsc(chunk: number[], at: number): { r: number; next: number } {
  let i = at;
  if (i >= chunk.length || chunk[i] === 0x2d || chunk[i] === 0x5d) throw new BadPatternError();
  if (chunk[i] === 0x5c) {
    i++;
    if (i >= chunk.length) throw new BadPatternError();
  }
  const r = chunk[i]!;
  i++;
  if (i >= chunk.length) throw new BadPatternError();
  return { r, next: i };
}
