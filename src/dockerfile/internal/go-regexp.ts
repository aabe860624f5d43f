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

type AssertKind = 'begin' | 'end' | 'word' | 'nonword';

/** A parsed Go regexp. Atoms match one code point. */
type RegexpNode =
  | { t: 'atom'; src: string; test: (cp: number) => boolean }
  | { t: 'assert'; kind: AssertKind }
  | { t: 'cat'; items: RegexpNode[] }
  | { t: 'alt'; alts: RegexpNode[] }
  | { t: 'group'; capture: boolean; node: RegexpNode }
  | { t: 'rep'; node: RegexpNode; min: number; max: number; text: string };

function alternation(alts: RegexpNode[][]): RegexpNode {
  const nodes = alts.map((items): RegexpNode => (items.length === 1 ? items[0]! : { t: 'cat', items }));
  return nodes.length === 1 ? nodes[0]! : { t: 'alt', alts: nodes };
}

const ASSERT_SOURCE: Record<AssertKind, string> = { begin: '^', end: '$', word: '\\b', nonword: '\\B' };

/** JS source for a parsed tree (flag `u`, no `m`: `^`/`$` are text boundaries as in Go). */
function toJsSource(n: RegexpNode): string {
  switch (n.t) {
    case 'atom':
      return n.src;
    case 'assert':
      return ASSERT_SOURCE[n.kind];
    case 'cat':
      return n.items.map(toJsSource).join('');
    case 'alt':
      return n.alts.map(toJsSource).join('|');
    case 'group':
      return `(${n.capture ? '' : '?:'}${toJsSource(n.node)})`;
    case 'rep': {
      // JS (with u) refuses a quantified assertion that Go accepts; a group makes it legal.
      const inner = toJsSource(n.node);
      return `${n.node.t === 'assert' || n.node.t === 'cat' ? `(?:${inner})` : inner}${n.text}`;
    }
  }
}

class Translator {
  readonly #cs: number[];
  #i = 0;

  constructor(source: string) {
    this.#cs = Array.from(source, (ch) => ch.codePointAt(0) ?? 0);
  }

  #fail(what: string): never {
    throw new GoRegexpSyntaxError(`error parsing regexp: ${what}`);
  }

  /** Parses the whole expression (Go's syntax, Perl flags) into a tree. */
  parse(): RegexpNode {
    const cs = this.#cs;
    // One frame per open group: its alternatives, each a list of items.
    interface Frame {
      alts: RegexpNode[][];
      capture: boolean;
    }
    const stack: Frame[] = [{ alts: [[]], capture: false }];
    const top = (): RegexpNode[] => {
      const f = stack[stack.length - 1]!;
      return f.alts[f.alts.length - 1]!;
    };
    const atom = (src: string, test: (cp: number) => boolean): void => void top().push({ t: 'atom', src, test });
    const literalAtom = (c: number): void => atom(literal(c), (x) => x === c);
    const classAtom = (src: string): void => {
      const re = new RegExp(`^${src}$`, 'u');
      // Paths are mostly ASCII: remember those answers instead of running the RegExp each time.
      const ascii = new Int8Array(128);
      atom(src, (x) => {
        if (x >= 128) return re.test(String.fromCodePoint(x));
        if (ascii[x] === 0) ascii[x] = re.test(String.fromCharCode(x)) ? 1 : -1;
        return ascii[x] === 1;
      });
    };
    const assertion = (kind: AssertKind): void => void top().push({ t: 'assert', kind });
    const repeat = (min: number, max: number, text: string): void => {
      const items = top();
      const last = items[items.length - 1];
      // Go refuses stacked repetitions (a**) and a repetition of nothing ((*, |*, *).
      if (last !== undefined && last.t === 'rep') this.#fail('invalid nested repetition operator');
      if (last === undefined) this.#fail('missing argument to repetition operator');
      items[items.length - 1] = { t: 'rep', node: last, min, max, text };
    };
    while (this.#i < cs.length) {
      const c = cs[this.#i]!;
      switch (c) {
        case 0x28: {
          // '('
          let capture = true;
          if (cs[this.#i + 1] === 0x3f) {
            if (cs[this.#i + 2] !== 0x3a) this.#fail('unsupported Perl flags group');
            this.#i += 3;
            capture = false;
          } else {
            this.#i++;
          }
          stack.push({ alts: [[]], capture });
          continue;
        }
        case 0x29: {
          // ')'
          if (stack.length === 1) this.#fail('unexpected )');
          this.#i++;
          const f = stack.pop()!;
          top().push({ t: 'group', capture: f.capture, node: alternation(f.alts) });
          continue;
        }
        case 0x7c: // '|'
          this.#i++;
          stack[stack.length - 1]!.alts.push([]);
          continue;
        case 0x2a: // '*'
        case 0x2b: // '+'
        case 0x3f: {
          // '?'
          this.#i++;
          let text = String.fromCodePoint(c);
          if (cs[this.#i] === 0x3f) {
            this.#i++;
            text += '?';
          }
          repeat(c === 0x2b ? 1 : 0, c === 0x3f ? 1 : Infinity, text);
          continue;
        }
        case 0x7b: {
          // '{': a repetition if it parses as one, otherwise a literal brace (as in Go)
          const rest = String.fromCodePoint(...cs.slice(this.#i, this.#i + 24));
          const m = /^\{(\d+)(,(\d*))?\}/.exec(rest);
          if (m === null) {
            this.#i++;
            literalAtom(c);
            continue;
          }
          const min = Number(m[1]);
          const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
          if (min > 1000 || (max !== Infinity && (max > 1000 || max < min))) this.#fail('invalid repeat count');
          this.#i += m[0].length;
          let text = m[0];
          if (cs[this.#i] === 0x3f) {
            this.#i++;
            text += '?';
          }
          repeat(min, max, text);
          continue;
        }
        case 0x2e: // '.': any character but newline (JS's '.' would also exclude \r, U+2028, U+2029)
          this.#i++;
          atom('[^\\n]', (x) => x !== 0x0a);
          continue;
        case 0x5e: // '^': beginning of text (Go's OneLine flag)
          this.#i++;
          assertion('begin');
          continue;
        case 0x24: // '$': end of text
          this.#i++;
          assertion('end');
          continue;
        case 0x5b: // '['
          classAtom(this.#parseClass());
          continue;
        case 0x5c: {
          // '\\'
          const next = cs[this.#i + 1];
          if (next === undefined) this.#fail('trailing backslash at end of expression');
          switch (next) {
            case 0x41: // \A
              this.#i += 2;
              assertion('begin');
              continue;
            case 0x7a: // \z
              this.#i += 2;
              assertion('end');
              continue;
            case 0x62: // \b
              this.#i += 2;
              assertion('word');
              continue;
            case 0x42: // \B
              this.#i += 2;
              assertion('nonword');
              continue;
            case 0x43: // \C
              return this.#fail('invalid escape sequence: `\\C`');
            case 0x51: {
              // \Q…\E: everything up to \E (or the end) is literal, one atom per character
              this.#i += 2;
              while (this.#i < cs.length) {
                if (cs[this.#i] === 0x5c && cs[this.#i + 1] === 0x45) {
                  this.#i += 2;
                  break;
                }
                literalAtom(cs[this.#i]!);
                this.#i++;
              }
              continue;
            }
            default:
              break;
          }
          const cls = this.#tryNamedEscape();
          if (cls !== undefined) {
            classAtom(`[${cls}]`);
            continue;
          }
          literalAtom(this.#parseEscape());
          continue;
        }
        default:
          this.#i++;
          literalAtom(c);
      }
    }
    if (stack.length !== 1) this.#fail('missing closing )');
    return alternation(stack[0]!.alts);
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
 * Compiles Go regexp source text into an equivalent JavaScript RegExp. JS's engine backtracks, so
 * use this where match positions are needed and the expression is simple; for yes/no matching of
 * user patterns use {@link compileGoMatcher}, which runs in linear time like Go's.
 *
 * @param flags extra JS flags (`g`, `y`); `u` is always set.
 * @throws {GoRegexpSyntaxError} when Go's `regexp.Compile` would fail.
 */
export function compileGoRegexp(source: string, flags = ''): RegExp {
  const js = toJsSource(new Translator(source).parse());
  try {
    return new RegExp(js, `u${flags}`);
  } catch (err) {
    throw new GoRegexpSyntaxError(`error parsing regexp: ${(err as Error).message}`);
  }
}

/** A compiled Go regexp that answers whether a string contains a match (Go's `MatchString`). */
export interface GoMatcher {
  test(s: string): boolean;
}

/**
 * Compiles Go regexp source text into a matcher that simulates the automaton (Thompson's
 * construction): time linear in the text, whatever the pattern, as with Go's RE2 engine. A
 * backtracking engine needs exponential time for `.dockerignore` lines such as `**\/**\/**\/…\/x`,
 * and a context walker runs every pattern against every file.
 *
 * @throws {GoRegexpSyntaxError} when Go's `regexp.Compile` would fail.
 */
export function compileGoMatcher(source: string, options: { engine?: 'auto' | 'automaton' } = {}): GoMatcher {
  const tree = new Translator(source).parse();
  // Validate against JS too, so both back ends accept exactly the same expressions.
  let re: RegExp;
  try {
    re = new RegExp(toJsSource(tree), 'u');
  } catch (err) {
    throw new GoRegexpSyntaxError(`error parsing regexp: ${(err as Error).message}`);
  }
  // With at most two unbounded repetitions backtracking costs at most quadratic time, and V8's
  // engine is several times faster than the simulation on the short paths of a build context;
  // beyond that (`**\/**\/**\/x`) only the automaton is safe.
  return options.engine !== 'automaton' && unboundedRepetitions(tree) <= 2 ? re : new Automaton(tree);
}

/**
 * How many nested levels of backtracking choice an expression can force: every unbounded
 * repetition counts one (and an unbounded one inside another counts double, `(a*)*` being the
 * classic blow-up); `x?` only doubles the work, so it adds nothing.
 */
function unboundedRepetitions(n: RegexpNode): number {
  switch (n.t) {
    case 'atom':
    case 'assert':
      return 0;
    case 'cat':
      return n.items.reduce((sum, item) => sum + unboundedRepetitions(item), 0);
    case 'alt':
      return n.alts.reduce((sum, alt) => sum + unboundedRepetitions(alt), 0);
    case 'group':
      return unboundedRepetitions(n.node);
    case 'rep': {
      const inner = unboundedRepetitions(n.node);
      if (n.max === Infinity) return 1 + 2 * inner;
      return n.max <= 1 || inner === 0 ? inner : inner + 2;
    }
  }
}

type NfaState =
  | { k: 'char'; test: (cp: number) => boolean; out: number }
  | { k: 'split'; out: number; out1: number }
  | { k: 'assert'; kind: AssertKind; out: number }
  | { k: 'match' };

const MAX_STATES = 200_000;
const isWordChar = (cp: number | undefined): boolean =>
  cp !== undefined && ((cp >= 0x30 && cp <= 0x39) || (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a) || cp === 0x5f);

function toCodePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out.push(0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00));
        i++;
        continue;
      }
    }
    out.push(c);
  }
  return out;
}

class Automaton implements GoMatcher {
  readonly #states: NfaState[] = [];
  readonly #start: number;
  readonly #marks: Int32Array;
  #generation = 0;

  /** Every match must begin at position 0 (the expression starts with `^`): stop once no thread is left. */
  readonly #anchoredAtStart: boolean;
  readonly #stack: Int32Array;
  // The thread lists, reused by every call (a matcher is not reentrant, and JS is single-threaded).
  readonly #listA: Int32Array;
  readonly #listB: Int32Array;

  constructor(tree: RegexpNode) {
    const match = this.#add({ k: 'match' });
    this.#start = this.#compile(tree, match);
    this.#marks = new Int32Array(this.#states.length);
    // Each state is pushed at most twice per closure (once per incoming split edge of a visit).
    this.#stack = new Int32Array(this.#states.length * 2 + 2);
    this.#listA = new Int32Array(this.#states.length);
    this.#listB = new Int32Array(this.#states.length);
    const first = tree.t === 'cat' ? tree.items[0] : tree;
    this.#anchoredAtStart = first !== undefined && first.t === 'assert' && first.kind === 'begin';
  }

  #add(state: NfaState): number {
    if (this.#states.length >= MAX_STATES) throw new GoRegexpSyntaxError('error parsing regexp: expression too large');
    this.#states.push(state);
    return this.#states.length - 1;
  }

  /** Builds `n` so that it continues into state `next`; returns its entry state. */
  #compile(n: RegexpNode, next: number): number {
    switch (n.t) {
      case 'atom':
        return this.#add({ k: 'char', test: n.test, out: next });
      case 'assert':
        return this.#add({ k: 'assert', kind: n.kind, out: next });
      case 'cat': {
        let entry = next;
        for (let i = n.items.length - 1; i >= 0; i--) entry = this.#compile(n.items[i]!, entry);
        return entry;
      }
      case 'alt': {
        let entry = this.#compile(n.alts[n.alts.length - 1]!, next);
        for (let i = n.alts.length - 2; i >= 0; i--) entry = this.#add({ k: 'split', out: this.#compile(n.alts[i]!, next), out1: entry });
        return entry;
      }
      case 'group':
        return this.#compile(n.node, next);
      case 'rep': {
        let entry = next;
        if (n.max === Infinity) {
          const loop = this.#add({ k: 'split', out: -1, out1: next });
          (this.#states[loop] as { out: number }).out = this.#compile(n.node, loop);
          entry = loop;
        } else {
          for (let i = n.min; i < n.max; i++) entry = this.#add({ k: 'split', out: this.#compile(n.node, entry), out1: entry });
        }
        for (let i = 0; i < n.min; i++) entry = this.#compile(n.node, entry);
        return entry;
      }
    }
  }

  test(s: string): boolean {
    if (this.#generation > 0x3fff_0000) {
      // Generations only grow; start over long before the counter would wrap.
      this.#marks.fill(0);
      this.#generation = 0;
    }
    const cps = toCodePoints(s);
    let current = this.#listA;
    let next = this.#listB;
    let count = 0;
    for (let pos = 0; ; pos++) {
      // Unanchored search: a match may start at every position.
      this.#generation++;
      for (let j = 0; j < count; j++) this.#marks[current[j]!] = this.#generation;
      const added = this.#closure(this.#start, pos, cps, current, count);
      if (added < 0) return true;
      count = added;
      if (pos === cps.length) return false;
      const cp = cps[pos]!;
      this.#generation++;
      let nextCount = 0;
      for (let j = 0; j < count; j++) {
        const state = this.#states[current[j]!]!;
        if (state.k !== 'char' || !state.test(cp)) continue;
        nextCount = this.#closure(state.out, pos + 1, cps, next, nextCount);
        if (nextCount < 0) return true;
      }
      [current, next] = [next, current];
      count = nextCount;
      if (count === 0 && this.#anchoredAtStart) return false;
    }
  }

  /**
   * Adds `from` and every state reachable without input to `list` (from index `count`); returns
   * the new count, or -1 when the match state is reachable.
   */
  #closure(from: number, pos: number, cps: ArrayLike<number>, list: Int32Array, count: number): number {
    const stack = this.#stack;
    let top = 0;
    stack[top++] = from;
    let c = count;
    while (top > 0) {
      const i = stack[--top]!;
      if (this.#marks[i] === this.#generation) continue;
      this.#marks[i] = this.#generation;
      const st = this.#states[i]!;
      switch (st.k) {
        case 'match':
          return -1;
        case 'split':
          stack[top++] = st.out1;
          stack[top++] = st.out;
          break;
        case 'assert': {
          let holds: boolean;
          if (st.kind === 'begin') holds = pos === 0;
          else if (st.kind === 'end') holds = pos === cps.length;
          else holds = (isWordChar(cps[pos - 1]) !== isWordChar(cps[pos])) === (st.kind === 'word');
          if (holds) stack[top++] = st.out;
          break;
        }
        case 'char':
          list[c++] = i;
          break;
      }
    }
    return c;
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
