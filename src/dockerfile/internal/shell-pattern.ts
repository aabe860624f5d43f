/**
 * The shell patterns of `${VAR#pattern}`, `${VAR%pattern}` and `${VAR/pattern/replacement}`, as
 * BuildKit implements them: converted to a Go regexp (`*` any string, shortest unless greedy; `?`
 * one character; `\\` escapes `*`, `?` and itself; no bracket expressions), suffixes found by
 * reversing both the pattern and the value.
 */
import { compileGoRegexp, goReplaceAll, GoRegexpSyntaxError } from './go-regexp.js';

/** A pattern BuildKit refuses; the lexer turns it into a ShellExpansionError. */
export class ShellPatternError extends Error {}

/**
 * BuildKit's conversion of a `${VAR#pattern}` shell pattern to Go regexp text: `*` is any string
 * (shortest unless greedy), `?` one character, `\` escapes `*`, `?` and `\` (and is dropped before
 * `}` and `/`, which only needed it inside `${…}`); no bracket expressions.
 * @throws {ShellPatternError} on an invalid escape
 */
export function shellPatternToGoRegexp(pattern: string, greedy: boolean, anchored: boolean): string {
  const cs = Array.from(pattern);
  let i = cs[0] === '\ufeff' ? 1 : 0;
  let out = anchored ? '^' : '';
  const star = greedy ? '.*' : '.*?';
  while (i < cs.length) {
    let tok = cs[i++]!;
    switch (tok) {
      case '*':
        out += star;
        continue;
      case '?':
        out += '.';
        continue;
      case '\\': {
        const next = cs[i];
        if (next === '}' || next === '/') continue;
        out += '\\';
        tok = i < cs.length ? cs[i++]! : '\ufffd';
        if (tok !== '*' && tok !== '?' && tok !== '\\') throw new ShellPatternError(`invalid escape '\\${tok}'`);
        break;
      }
      case '[':
      case ']':
      case '{':
      case '}':
      case '.':
      case '+':
      case '(':
      case ')':
      case '|':
      case '^':
      case '$':
        out += '\\';
        break;
    }
    out += tok;
  }
  return out;
}

/** The pattern compiled; @throws {ShellPatternError} with BuildKit's message. */
export function compileShellPattern(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  try {
    return compileGoRegexp(shellPatternToGoRegexp(pattern, greedy, anchored));
  } catch (err) {
    if (err instanceof ShellPatternError || err instanceof GoRegexpSyntaxError) {
      throw new ShellPatternError(`invalid pattern (${pattern}) in substitution: ${err.message}`);
    }
    throw err;
  }
}

/** `${VAR#pattern}` (`##` when greedy). */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const m = compileShellPattern(pattern, greedy, true).exec(value);
  return m === null ? value : value.slice(m.index + m[0].length);
}

/** Reverses a pattern by characters, keeping each escape before the character it escapes. */
export function reverseShellPattern(pattern: string): string {
  const cs = Array.from(pattern);
  const out: string[] = new Array<string>(cs.length);
  const last = cs.length - 1;
  for (let i = 0; i <= last; ) {
    const tok = cs[i]!;
    const at = last - i;
    if (tok === '\\' && i !== last) {
      out[at - 1] = tok;
      out[at] = cs[i + 1]!;
      i += 2;
    } else {
      out[at] = tok;
      i++;
    }
  }
  return out.join('');
}

const reverseString = (s: string): string => Array.from(s).reverse().join('');

/** `${VAR%pattern}` (`%%` when greedy). */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  // A regexp finds the leftmost match only; reversing both sides turns "shortest/longest
  // rightmost" into a leftmost search (BuildKit does the same).
  return reverseString(trimPrefix(reverseShellPattern(pattern), reverseString(value), greedy));
}

/** `${VAR/pattern/replacement}` (`//` replaces every match, with Go's replacement-template rules). */
export function replacePattern(value: string, pattern: string, replacement: string, all: boolean): string {
  const re = compileShellPattern(pattern, true, false);
  if (all) return goReplaceAll(re, value, replacement);
  const m = re.exec(value);
  return m === null ? value : value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length);
}
