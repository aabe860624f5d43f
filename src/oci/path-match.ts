/**
 * Shell-style name matching with the exact semantics of Go's `path.Match`, which docker uses for
 * `image ls --filter reference=<pattern>` (via distribution's `FamiliarMatch`). Written here because
 * the npm glob matchers differ in the details that decide a filter: `*` never crosses `/`, `[^…]`
 * negation, `\` escapes, and a malformed pattern is an error even when the name already failed.
 *
 * Pattern syntax: `*` any run of non-`/` characters; `?` one non-`/` character; `[class]` one
 * character of the class (`[^…]` negated, `a-z` ranges, `\` escapes inside); `\c` the literal `c`.
 */
import { InvalidArgumentError } from '../errors.js';

/** Go's `path.ErrBadPattern`, with its text. */
export class BadPatternError extends InvalidArgumentError {
  constructor(readonly pattern: string) {
    super('BAD_PATTERN', 'syntax error in pattern');
  }
}

/** Which Go release's rule for malformed patterns to follow. */
export interface PathMatchOptions {
  /**
   * After the name has failed, go on validating the rest of the pattern and throw if it is
   * malformed (Go 1.20+ `path.Match`, what distribution's `FamiliarMatch` runs on; default). With
   * `false`, Go ≤ 1.19 `filepath.Match`: only the chunk being matched is validated in full, later
   * chunks are not, which `.dockerignore`'s conformance table (verified with Go 1.19) depends on.
   */
  readonly validateRest?: boolean;
}

/**
 * Reports whether `name` matches the whole of `pattern`. Also Go's `filepath.Match` on Linux,
 * where the separator is `/` as well.
 * @throws {BadPatternError} when the pattern is malformed
 */
export function pathMatch(pattern: string, name: string, options: PathMatchOptions = {}): boolean {
  let pat = pattern;
  let rest = name;
  patterns: while (pat.length > 0) {
    const { star, chunk, after } = scanChunk(pat);
    pat = after;
    if (star && chunk === '') {
      // A trailing star matches the rest of the name unless that crosses a separator.
      return !rest.includes('/');
    }
    const direct = matchChunk(pattern, chunk, rest);
    // A direct match is taken when it used the whole name, or when more pattern remains to decide.
    if (direct !== undefined && (direct.length === 0 || pat.length > 0)) {
      rest = direct;
      continue;
    }
    if (star) {
      // Let the star swallow one more non-separator character at a time and retry the chunk.
      for (let i = 0; i < rest.length && rest[i] !== '/'; i++) {
        const t = matchChunk(pattern, chunk, rest.slice(i + 1));
        if (t !== undefined) {
          if (pat.length === 0 && t.length > 0) continue;
          rest = t;
          continue patterns;
        }
      }
    }
    // No match: still report a malformed remainder, as Go does since 1.20.
    while (options.validateRest !== false && pat.length > 0) {
      const next = scanChunk(pat);
      pat = next.after;
      matchChunk(pattern, next.chunk, '');
    }
    return false;
  }
  return rest.length === 0;
}

/** Splits off a leading run of stars and the literal/class chunk up to the next unbracketed star. */
function scanChunk(pattern: string): { star: boolean; chunk: string; after: string } {
  let star = false;
  let p = pattern;
  while (p.startsWith('*')) {
    p = p.slice(1);
    star = true;
  }
  let inRange = false;
  let i = 0;
  scan: for (; i < p.length; i++) {
    switch (p[i]) {
      case '\\':
        if (i + 1 < p.length) i++;
        break;
      case '[':
        inRange = true;
        break;
      case ']':
        inRange = false;
        break;
      case '*':
        if (!inRange) break scan;
        break;
    }
  }
  return { star, chunk: p.slice(0, i), after: p.slice(i) };
}

/** One code point at the start of `s` and its length in UTF-16 units. */
function firstCodePoint(s: string): { cp: number; width: number } {
  const cp = s.codePointAt(0) ?? 0;
  return { cp, width: cp > 0xffff ? 2 : 1 };
}

/**
 * Matches `chunk` (no stars) against the start of `s`; the unmatched rest of `s`, or undefined.
 * Keeps scanning the chunk after a mismatch so that a malformed class is always reported.
 */
function matchChunk(pattern: string, chunk: string, s: string): string | undefined {
  let c = chunk;
  let failed = false;
  while (c.length > 0) {
    if (!failed && s.length === 0) failed = true;
    const ch = c[0];
    if (ch === '[') {
      let r = -1;
      if (!failed) {
        const { cp, width } = firstCodePoint(s);
        r = cp;
        s = s.slice(width);
      }
      c = c.slice(1);
      let negated = false;
      if (c.startsWith('^')) {
        negated = true;
        c = c.slice(1);
      }
      let matched = false;
      let ranges = 0;
      for (;;) {
        if (c.startsWith(']') && ranges > 0) {
          c = c.slice(1);
          break;
        }
        const lo = classChar(pattern, c);
        c = lo.after;
        let hi = lo.cp;
        if (c.startsWith('-')) {
          const h = classChar(pattern, c.slice(1));
          hi = h.cp;
          c = h.after;
        }
        if (lo.cp <= r && r <= hi) matched = true;
        ranges++;
      }
      if (matched === negated) failed = true;
    } else if (ch === '?') {
      if (!failed) {
        if (s[0] === '/') failed = true;
        s = s.slice(firstCodePoint(s).width);
      }
      c = c.slice(1);
    } else {
      if (ch === '\\') {
        c = c.slice(1);
        if (c.length === 0) throw new BadPatternError(pattern);
      }
      if (!failed) {
        if (c[0] !== s[0]) failed = true;
        s = s.slice(1);
      }
      c = c.slice(1);
    }
  }
  return failed ? undefined : s;
}

/** One (possibly escaped) character of a `[class]`; the class must continue after it. */
function classChar(pattern: string, chunk: string): { cp: number; after: string } {
  let c = chunk;
  if (c.length === 0 || c[0] === '-' || c[0] === ']') throw new BadPatternError(pattern);
  if (c[0] === '\\') {
    c = c.slice(1);
    if (c.length === 0) throw new BadPatternError(pattern);
  }
  const { cp, width } = firstCodePoint(c);
  c = c.slice(width);
  if (c.length === 0) throw new BadPatternError(pattern);
  return { cp, after: c };
}
