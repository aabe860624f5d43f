/**
 * Go regular expressions (RE2 syntax, `regexp.Compile` flags) run on JavaScript's engine.
 *
 * Docker's `.dockerignore` matcher and BuildKit's `${VAR#pattern}` substitutions both build a Go
 * regexp from user text and pass brackets and backslash escapes straight through. The two dialects
 * differ where users can reach: `.` (Go excludes only `\n`), `\s` (ASCII in Go), POSIX classes
 * (`[[:alpha:]]`, absent in JS), `]` first in a class (literal in Go, an empty class in JS),
 * `\Q…\E`, octal and `\x{…}` escapes, and which texts are errors at all. So we parse the Go
 * syntax ourselves and emit an equivalent JS `RegExp` (flag `u`, code-point semantics like Go's
 * rune matching). Only the constructs these generators can produce are supported; anything else
 * (Perl flag groups) is reported as a syntax error rather than guessed at.
 */

/** A Go regexp syntax error (what `regexp.Compile` would refuse). */
export class GoRegexpSyntaxError extends Error {
  override readonly name = 'GoRegexpSyntaxError';
}

type Range = [number, number];
const MAX_RUNE = 0x10ffff;

const PERL_CLASSES: Record<string, Range[]> = {
  d: [[0x30, 0x39]],
  s: [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]],
  w: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
};

const POSIX_CLASSES: Record<string, Range[]> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

function complement(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX_RUNE) out.push([next, MAX_RUNE]);
  return out;
}

function cp(c: number): string {
  return `\\u{${c.toString(16)}}`;
}

/** A JS-source literal for one code point, safe inside and outside a class. */
function literal(c: number): string {
  const isAlnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
  return isAlnum ? String.fromCodePoint(c) : cp(c);
}

function rangesSource(ranges: Range[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? cp(lo) : `${cp(lo)}-${cp(hi)}`)).join('');
}

const isOctal = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x37;
const isHex = (c: number | undefined): boolean =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

class Translator {
  readonly #cs: number[];
  #i = 0;

  constructor(source: string) {
    this.#cs = Array.from(source, (ch) => ch.codePointAt(0) ?? 0);
  }

  #fail(what: string): never {
    throw new GoRegexpSyntaxError(`error parsing regexp: ${what}`);
  }

  translate(): string {
    const cs = this.#cs;
    let out = '';
    let depth = 0;
    // Whether the previous item can take a repetition operator, and whether it already has one.
    let atom = false;
    let repeated = false;
    const emitAtom = (src: string): void => {
      out += src;
      atom = true;
      repeated = false;
    };
    while (this.#i < cs.length) {
      const c = cs[this.#i]!;
      switch (c) {
        case 0x28: {
          // '('
          if (cs[this.#i + 1] === 0x3f) {
            if (cs[this.#i + 2] !== 0x3a) this.#fail('unsupported Perl flags group');
            this.#i += 3;
            out += '(?:';
          } else {
            this.#i++;
            out += '(';
          }
          depth++;
          atom = false;
          continue;
        }
        case 0x29: // ')'
          if (depth === 0) this.#fail('unexpected )');
          depth--;
          this.#i++;
          emitAtom(')');
          continue;
        case 0x7c: // '|'
          this.#i++;
          out += '|';
          atom = false;
          continue;
        case 0x2a: // '*'
        case 0x2b: // '+'
        case 0x3f: {
          // '?'
          if (repeated) this.#fail('invalid nested repetition operator');
          if (!atom) this.#fail('missing argument to repetition operator');
          this.#i++;
          out += String.fromCodePoint(c);
          if (cs[this.#i] === 0x3f) {
            this.#i++;
            out += '?';
          }
          repeated = true;
          continue;
        }
        case 0x7b: {
          // '{': a repetition if it parses as one, otherwise a literal brace (as in Go)
          const rest = String.fromCodePoint(...cs.slice(this.#i, this.#i + 24));
          const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
          if (m === null) {
            this.#i++;
            emitAtom(literal(c));
            continue;
          }
          if (repeated) this.#fail('invalid nested repetition operator');
          if (!atom) this.#fail('missing argument to repetition operator');
          const min = Number(m[1]);
          const max = m[3] === undefined || m[3] === '' ? min : Number(m[3]);
          if (min > 1000 || max > 1000 || (m[3] !== undefined && m[3] !== '' && max < min)) {
            this.#fail('invalid repeat count');
          }
          this.#i += m[0].length;
          out += m[0];
          if (cs[this.#i] === 0x3f) {
            this.#i++;
            out += '?';
          }
          repeated = true;
          continue;
        }
        case 0x2e: // '.': any character but newline (JS would also exclude \r, U+2028, U+2029)
          this.#i++;
          emitAtom('[^\\n]');
          continue;
        case 0x5e: // '^': beginning of text (Go's OneLine flag; JS without `m`)
          this.#i++;
          out += '^';
          atom = false;
          continue;
        case 0x24: // '$': end of text
          this.#i++;
          out += '$';
          atom = false;
          continue;
        case 0x5b: // '['
          emitAtom(this.#parseClass());
          continue;
        case 0x5c: {
          // '\\'
          const next = cs[this.#i + 1];
          if (next === undefined) this.#fail('trailing backslash at end of expression');
          switch (next) {
            case 0x41: // \A
              this.#i += 2;
              out += '^';
              atom = false;
              continue;
            case 0x7a: // \z
              this.#i += 2;
              out += '$';
              atom = false;
              continue;
            case 0x62: // \b
            case 0x42: // \B
              this.#i += 2;
              out += next === 0x62 ? '\\b' : '\\B';
              atom = false;
              continue;
            case 0x43: // \C
              this.#fail('invalid escape sequence: `\\C`');
            // falls through (unreachable)
            case 0x51: {
              // \Q…\E: everything up to \E (or the end) is literal
              this.#i += 2;
              let lit = '';
              while (this.#i < cs.length) {
                if (cs[this.#i] === 0x5c && cs[this.#i + 1] === 0x45) {
                  this.#i += 2;
                  break;
                }
                lit += literal(cs[this.#i]!);
                this.#i++;
              }
              if (lit !== '') emitAtom(lit.length === 1 ? lit : `(?:${lit})`);
              continue;
            }
            default:
              break;
          }
          const cls = this.#tryNamedEscape();
          if (cls !== undefined) {
            emitAtom(`[${cls}]`);
            continue;
          }
          emitAtom(literal(this.#parseEscape()));
          continue;
        }
        default:
          this.#i++;
          emitAtom(literal(c));
      }
    }
    if (depth !== 0) this.#fail('missing closing )');
    return out;
  }

  /** `\d \s \w` (and negations) or `\pL \p{Name}` at the cursor, as class contents; undefined if neither. */
  #tryNamedEscape(): string | undefined {
    const cs = this.#cs;
    const c = cs[this.#i + 1];
    if (c === undefined) return undefined;
    const letter = String.fromCodePoint(c);
    const perl = PERL_CLASSES[letter.toLowerCase()];
    if (perl !== undefined && 'dswDSW'.includes(letter)) {
      this.#i += 2;
      return rangesSource(letter === letter.toUpperCase() ? complement(perl) : perl);
    }
    if (letter !== 'p' && letter !== 'P') return undefined;
    let negated = letter === 'P';
    this.#i += 2;
    let name: string;
    if (cs[this.#i] === 0x7b) {
      const end = cs.indexOf(0x7d, this.#i);
      if (end < 0) this.#fail('invalid character class range');
      name = String.fromCodePoint(...cs.slice(this.#i + 1, end));
      this.#i = end + 1;
    } else {
      if (this.#i >= cs.length) this.#fail('invalid character class range');
      name = String.fromCodePoint(cs[this.#i]!);
      this.#i++;
    }
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    if (name === 'Any') return rangesSource(negated ? [] : [[0, MAX_RUNE]]);
    for (const candidate of [name, `Script=${name}`]) {
      const src = `\\${negated ? 'P' : 'p'}{${candidate}}`;
      try {
        new RegExp(src, 'u');
        return src;
      } catch {
        // not a category; try a script
      }
    }
    return this.#fail(`invalid character class range: \`\\p{${name}}\``);
  }

  /** One escaped code point after a backslash (Go's parseEscape); the cursor is on the backslash. */
  #parseEscape(): number {
    const cs = this.#cs;
    this.#i++; // the backslash
    const c = cs[this.#i];
    if (c === undefined) this.#fail('trailing backslash at end of expression');
    this.#i++;
    if (c >= 0x31 && c <= 0x37 && !isOctal(cs[this.#i])) this.#fail('invalid escape sequence');
    if (c >= 0x30 && c <= 0x37) {
      let r = c - 0x30;
      for (let k = 1; k < 3 && isOctal(cs[this.#i]); k++) r = r * 8 + (cs[this.#i++]! - 0x30);
      return r;
    }
    switch (c) {
      case 0x78: {
        // \x
        if (cs[this.#i] === 0x7b) {
          let j = this.#i + 1;
          let hex = '';
          while (isHex(cs[j])) hex += String.fromCodePoint(cs[j++]!);
          if (cs[j] !== 0x7d || hex === '' || parseInt(hex, 16) > MAX_RUNE) this.#fail('invalid escape sequence');
          this.#i = j + 1;
          return parseInt(hex, 16);
        }
        if (!isHex(cs[this.#i]) || !isHex(cs[this.#i + 1])) this.#fail('invalid escape sequence');
        const v = parseInt(String.fromCodePoint(cs[this.#i]!, cs[this.#i + 1]!), 16);
        this.#i += 2;
        return v;
      }
      case 0x61:
        return 7;
      case 0x66:
        return 12;
      case 0x6e:
        return 10;
      case 0x72:
        return 13;
      case 0x74:
        return 9;
      case 0x76:
        return 11;
      default: {
        const alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
        if (c < 0x80 && !alnum) return c;
        return this.#fail('invalid escape sequence');
      }
    }
  }

  #parseClassChar(): number {
    const c = this.#cs[this.#i];
    if (c === undefined) this.#fail('missing closing ]');
    if (c === 0x5c) return this.#parseEscape();
    this.#i++;
    return c;
  }

  /** A bracket expression (Go's parseClass); returns the JS class source. */
  #parseClass(): string {
    const cs = this.#cs;
    this.#i++; // '['
    let negated = false;
    if (cs[this.#i] === 0x5e) {
      negated = true;
      this.#i++;
    }
    const parts: string[] = [];
    let first = true; // ']' (and '-') are literal as the first item
    while (this.#i >= cs.length || cs[this.#i] !== 0x5d || first) {
      if (this.#i >= cs.length) this.#fail('missing closing ]');
      first = false;
      if (cs[this.#i] === 0x5b && cs[this.#i + 1] === 0x3a) {
        const named = this.#tryPosixClass();
        if (named !== undefined) {
          parts.push(named);
          continue;
        }
      }
      if (cs[this.#i] === 0x5c) {
        const named = this.#tryNamedEscape();
        if (named !== undefined) {
          parts.push(named);
          continue;
        }
      }
      const lo = this.#parseClassChar();
      let hi = lo;
      if (cs[this.#i] === 0x2d && cs[this.#i + 1] !== undefined && cs[this.#i + 1] !== 0x5d) {
        this.#i++;
        hi = this.#parseClassChar();
        if (hi < lo) this.#fail('invalid character class range');
      }
      parts.push(rangesSource([[lo, hi]]));
    }
    this.#i++; // ']'
    return `[${negated ? '^' : ''}${parts.join('')}]`;
  }

  /** `[:name:]` at the cursor; undefined when there is no closing `:]` (then `[` is literal). */
  #tryPosixClass(): string | undefined {
    const cs = this.#cs;
    let end = -1;
    for (let j = this.#i + 2; j + 1 < cs.length; j++) {
      if (cs[j] === 0x3a && cs[j + 1] === 0x5d) {
        end = j;
        break;
      }
    }
    if (end < 0) return undefined;
    let name = String.fromCodePoint(...cs.slice(this.#i + 2, end));
    const negated = name.startsWith('^');
    if (negated) name = name.slice(1);
    const ranges = POSIX_CLASSES[name];
    if (ranges === undefined) this.#fail('invalid character class range');
    this.#i = end + 2;
    return rangesSource(negated ? complement(ranges) : ranges);
  }
}

/**
 * Compiles Go regexp source text into an equivalent JavaScript RegExp.
 *
 * @param flags extra JS flags (`g`, `y`); `u` is always set.
 * @throws {GoRegexpSyntaxError} when Go's `regexp.Compile` would fail.
 */
export function compileGoRegexp(source: string, flags = ''): RegExp {
  const js = new Translator(source).translate();
  try {
    return new RegExp(js, `u${flags}`);
  } catch (err) {
    throw new GoRegexpSyntaxError(`error parsing regexp: ${(err as Error).message}`);
  }
}

/**
 * Go's `Regexp.ReplaceAllString`: every non-overlapping match is replaced, an empty match right
 * after the previous match is skipped (JS's String.replace would replace it), and `$0`/`${0}` in
 * the template expand to the match (other `$name` references expand to nothing: the regexps we
 * build have no groups), `$$` to a dollar.
 */
export function goReplaceAll(re: RegExp, src: string, template: string): string {
  const global = new RegExp(re.source, re.flags.includes('g') ? re.flags : `${re.flags}g`);
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= src.length) {
    global.lastIndex = searchPos;
    const m = global.exec(src);
    if (m === null) break;
    const start = m.index;
    const end = start + m[0].length;
    out += src.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expandTemplate(template, m[0]);
    lastMatchEnd = end;
    const width = (src.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + src.slice(lastMatchEnd);
}

function expandTemplate(template: string, match: string): string {
  let out = '';
  let t = template;
  for (;;) {
    const at = t.indexOf('$');
    if (at < 0) break;
    out += t.slice(0, at);
    t = t.slice(at + 1);
    if (t.startsWith('$')) {
      out += '$';
      t = t.slice(1);
      continue;
    }
    const m = /^(\{)?([\p{L}\p{Nd}_]+)(\})?/u.exec(t);
    const braced = m?.[1] !== undefined;
    if (m === null || (braced && m[3] === undefined)) {
      out += '$'; // malformed reference: the dollar stays
      continue;
    }
    const name = m[2]!;
    t = t.slice(braced ? name.length + 2 : name.length);
    if (name === '0') out += match;
  }
  return out + t;
}
