/**
 * BuildKit's shell lexer: variable expansion and word splitting for Dockerfile instructions.
 *
 * This follows `frontend/dockerfile/shell/lex.go` rule for rule, quirks included, because the
 * result ends up in image configs and cache keys and must be the same as docker's:
 * - `$VAR`, `${VAR}`, `${VAR:-w}`, `${VAR-w}`, `${VAR:+w}`, `${VAR+w}`, `${VAR:?m}`, `${VAR?m}`,
 *   `${VAR#p}`, `${VAR##p}`, `${VAR%p}`, `${VAR%%p}`, `${VAR/p/r}`, `${VAR//p/r}`; positional
 *   (`$1`, `$001`) and special (`$@ $* $# $? $- $$ $!`) parameters are looked up like names
 *   (and are never set in a build);
 * - single quotes keep everything; double quotes expand `$` and let the escape character quote
 *   only `"`, `$` and itself; outside quotes the escape character quotes any character and a
 *   trailing one is dropped;
 * - word splitting (`processWords`) splits unquoted text and unquoted expansions on white space;
 * - BuildKit shares one word buffer between a word and the `${…}` words nested in it, so in
 *   `processWords` the unfinished word before a `${VAR:-x}`-style modifier is lost
 *   (`a${X:-b}c` splits to `["bc"]`). We keep that: EXPOSE uses this path and its result must
 *   equal docker's.
 *
 * Pure: no I/O, no process environment.
 */
import { GantryError, type GantryErrorOptions } from '../errors.js';
import { replacePattern, ShellPatternError, trimPrefix, trimSuffix } from './internal/shell-pattern.js';
import { goQuote } from '../go-compat.js';
import { isSpace } from './_go.js';

/** A variable expansion failed (bad syntax, `${VAR?}` on an unset name, a bad pattern). */
export class ShellExpansionError extends GantryError {
  /** The word that was being processed. */
  readonly word: string;
  /** BuildKit's message without the `failed to process "…":` prefix. */
  readonly reason: string;
  constructor(word: string, reason: string, options?: GantryErrorOptions) {
    super('invalid-argument', 'SHELL_EXPANSION', `failed to process ${goQuote(word)}: ${reason}`, options);
    this.word = word;
    this.reason = reason;
  }
}

/** Where names are looked up. `get` returns undefined for an unset name. */
export interface EnvGetter {
  get(name: string): string | undefined;
  /** The names in definition order (used for "did you mean" suggestions). */
  keys(): string[];
}

/** An environment: a getter, a Map, or a plain object (an absent property is unset). */
export type Env = EnvGetter | ReadonlyMap<string, string> | Readonly<Record<string, string | undefined>>;

/** A getter over `KEY=VALUE` strings; a bare `KEY` is empty; the last occurrence of a key wins. */
export function envFromList(list: readonly string[]): EnvGetter {
  const values = new Map<string, string>();
  const keys: string[] = [];
  for (const entry of list) {
    const eq = entry.indexOf('=');
    const k = eq < 0 ? entry : entry.slice(0, eq);
    keys.push(k);
    values.set(k, eq < 0 ? '' : entry.slice(eq + 1));
  }
  return { get: (name) => values.get(name), keys: () => keys };
}

/** Normalizes any {@link Env} to a getter. */
export function toEnvGetter(env: Env): EnvGetter {
  if (isEnvGetter(env)) return env;
  if (env instanceof Map) {
    const m = env as ReadonlyMap<string, string>;
    return { get: (name) => m.get(name), keys: () => [...m.keys()] };
  }
  const obj = env as Readonly<Record<string, string | undefined>>;
  return {
    get: (name) => (Object.prototype.hasOwnProperty.call(obj, name) ? obj[name] : undefined),
    keys: () => Object.keys(obj).filter((k) => obj[k] !== undefined),
  };
}

function isEnvGetter(env: Env): env is EnvGetter {
  return typeof (env as EnvGetter).get === 'function' && typeof (env as EnvGetter).keys === 'function';
}

export interface ShellLexOptions {
  /** The escape character from the `# escape=` directive: `\` (default) or `` ` ``. */
  escape?: string;
  /** Keep quote characters in the result (the parser's raw mode). */
  rawQuotes?: boolean;
  /** Keep escape characters in the result. */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (heredoc bodies). */
  skipProcessQuotes?: boolean;
  /** Leave references to unset names as written (`$X`, `${X:-y}`) instead of expanding them. */
  skipUnsetEnv?: boolean;
}

/** The outcome of expanding one word. */
export interface ProcessWordResult {
  result: string;
  /** Names that were looked up and set. */
  matched: Set<string>;
  /** Names that were looked up and not set. */
  unmatched: Set<string>;
}

export interface ProcessWordsResult {
  words: string[];
  matched: Set<string>;
  unmatched: Set<string>;
}

const EOF = -1;
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

// Go's unicode.IsDigit / IsLetter, with an ASCII fast path (names are nearly always ASCII).
const isDigit = (c: number): boolean => (c < 0x80 ? c >= 0x30 && c <= 0x39 : DIGIT.test(String.fromCodePoint(c)));
const isLetter = (c: number): boolean =>
  c < 0x80 ? (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) : LETTER.test(String.fromCodePoint(c));

/** POSIX special parameters (`$@`, `$?`, …): never set in a build, but parsed as names. */
function isSpecialParam(c: number): boolean {
  return c === 0x40 || c === 0x2a || c === 0x23 || c === 0x3f || c === 0x2d || c === 0x24 || c === 0x21 || c === 0x30;
}

/** Word-splitting state of one (possibly nested) scan; the text buffer is shared, see the module doc. */
interface Words {
  words: string[];
  inWord: boolean;
}

/** An internal failure that becomes a ShellExpansionError at the top. */
class LexFailure extends Error {}

/**
 * A lexer configured like BuildKit's `shell.Lex`. Not reentrant: use one per call chain
 * (the module functions create one each time).
 */
export class ShellLex {
  readonly escape: number;
  readonly rawQuotes: boolean;
  readonly skipProcessQuotes: boolean;
  readonly skipUnsetEnv: boolean;
  readonly #rawEscapesDefault: boolean;

  #cs: number[] = [];
  #pos = 0;
  #env: EnvGetter = envFromList([]);
  #rawEscapes = false;
  #wordsBuffer = '';
  #matched = new Set<string>();
  #unmatched = new Set<string>();

  constructor(options: ShellLexOptions = {}) {
    const escape = options.escape ?? '\\';
    if (escape !== '\\' && escape !== '`') {
      throw new GantryError('invalid-argument', 'SHELL_ESCAPE', `Cannot use escape character ${goQuote(escape)}: must be \` or \\`);
    }
    this.escape = escape.codePointAt(0)!;
    this.rawQuotes = options.rawQuotes ?? false;
    this.#rawEscapesDefault = options.rawEscapes ?? false;
    this.skipProcessQuotes = options.skipProcessQuotes ?? false;
    this.skipUnsetEnv = options.skipUnsetEnv ?? false;
  }

  /**
   * Expands `word` as one word (spaces kept), recording which names were used.
   * @throws {ShellExpansionError}
   */
  processWord(word: string, env: Env): ProcessWordResult {
    const { result } = this.#run(word, env);
    return { result, matched: this.#matched, unmatched: this.#unmatched };
  }

  /**
   * Expands `word` and splits it into words like a shell (quoted text and quoted expansions stay whole).
   * @throws {ShellExpansionError}
   */
  processWords(word: string, env: Env): ProcessWordsResult {
    const { words } = this.#run(word, env);
    return { words, matched: this.#matched, unmatched: this.#unmatched };
  }

  #run(word: string, env: Env): { result: string; words: string[] } {
    this.#cs = Array.from(word, (ch) => ch.codePointAt(0) ?? 0);
    // Go's text/scanner skips a byte order mark at the very start.
    this.#pos = this.#cs[0] === 0xfeff ? 1 : 0;
    this.#env = toEnvGetter(env);
    this.#rawEscapes = this.#rawEscapesDefault;
    this.#wordsBuffer = '';
    this.#matched = new Set();
    this.#unmatched = new Set();
    try {
      return this.#processStopOn(EOF, this.#rawEscapesDefault);
    } catch (err) {
      if (err instanceof LexFailure || err instanceof ShellPatternError) throw new ShellExpansionError(word, err.message);
      throw err;
    }
  }

  #peek(): number {
    return this.#pos < this.#cs.length ? this.#cs[this.#pos]! : EOF;
  }

  #next(): number {
    return this.#pos < this.#cs.length ? this.#cs[this.#pos++]! : EOF;
  }

  // Word-splitting helpers over the shared buffer.
  #addChar(w: Words, c: number): void {
    if (isSpace(c) && w.inWord) {
      if (this.#wordsBuffer.length !== 0) {
        w.words.push(this.#wordsBuffer);
        this.#wordsBuffer = '';
        w.inWord = false;
      }
    } else if (!isSpace(c)) {
      this.#addRawChar(w, c);
    }
  }

  #addRawChar(w: Words, c: number): void {
    this.#wordsBuffer += String.fromCodePoint(c);
    w.inWord = true;
  }

  #addString(w: Words, s: string): void {
    for (const ch of s) this.#addChar(w, ch.codePointAt(0)!);
  }

  #addRawString(w: Words, s: string): void {
    this.#wordsBuffer += s;
    w.inWord = true;
  }

  #getWords(w: Words): string[] {
    if (this.#wordsBuffer.length > 0) {
      w.words.push(this.#wordsBuffer);
      this.#wordsBuffer = '';
      w.inWord = false;
    }
    return w.words;
  }

  /** Scans until `stopChar` (consumed) or the end; returns the text and its words. */
  #processStopOn(stopChar: number, rawEscapes: boolean): { result: string; words: string[] } {
    let result = '';
    this.#wordsBuffer = '';
    const w: Words = { words: [], inWord: false };
    const saved = this.#rawEscapes;
    this.#rawEscapes = rawEscapes;
    try {
      while (this.#peek() !== EOF) {
        let c = this.#peek();
        if (stopChar !== EOF && c === stopChar) {
          this.#next();
          return { result, words: this.#getWords(w) };
        }
        const special =
          c === 0x24 || c === 0x3c || (!this.skipProcessQuotes && (c === 0x27 || c === 0x22));
        if (special) {
          let tmp: string;
          if (c === 0x24) tmp = this.#processDollar();
          else if (c === 0x3c) tmp = this.#processPossibleHeredoc();
          else if (c === 0x27) tmp = this.#processSingleQuote();
          else tmp = this.#processDoubleQuote();
          result += tmp;
          if (c === 0x24) this.#addString(w, tmp);
          else this.#addRawString(w, tmp);
          continue;
        }
        c = this.#next();
        if (c === this.escape) {
          if (this.#rawEscapes) {
            this.#addRawChar(w, c);
            result += String.fromCodePoint(c);
          }
          // The escape character quotes the next one; at the very end it is dropped.
          c = this.#next();
          if (c === EOF) break;
          this.#addRawChar(w, c);
        } else {
          this.#addChar(w, c);
        }
        result += String.fromCodePoint(c);
      }
      if (stopChar !== EOF) {
        throw new LexFailure(`unexpected end of statement while looking for matching ${String.fromCodePoint(stopChar)}`);
      }
      return { result, words: this.#getWords(w) };
    } finally {
      this.#rawEscapes = saved;
    }
  }

  #processSingleQuote(): string {
    let result = '';
    let c = this.#next();
    if (this.rawQuotes) result += String.fromCodePoint(c);
    for (;;) {
      c = this.#next();
      if (c === EOF) throw new LexFailure('unexpected end of statement while looking for matching single-quote');
      if (c === 0x27) {
        if (this.rawQuotes) result += "'";
        return result;
      }
      result += String.fromCodePoint(c);
    }
  }

  #processDoubleQuote(): string {
    let result = '';
    const open = this.#next();
    if (this.rawQuotes) result += String.fromCodePoint(open);
    for (;;) {
      const p = this.#peek();
      if (p === EOF) throw new LexFailure('unexpected end of statement while looking for matching double-quote');
      if (p === 0x22) {
        this.#next();
        if (this.rawQuotes) result += '"';
        return result;
      }
      if (p === 0x24) {
        result += this.#processDollar();
        continue;
      }
      let c = this.#next();
      if (c === this.escape) {
        if (this.#rawEscapes) result += String.fromCodePoint(c);
        const q = this.#peek();
        if (q === EOF) continue; // a trailing escape inside quotes is dropped (then the quote is unterminated)
        if (q === 0x22 || q === 0x24 || q === this.escape) c = this.#next();
      }
      result += String.fromCodePoint(c);
    }
  }

  #processDollar(): string {
    this.#next(); // '$'
    if (this.#peek() !== 0x7b) {
      const name = this.#processName();
      if (name === '') return '$';
      const value = this.#getEnv(name);
      if (value === undefined && this.skipUnsetEnv) return `$${name}`;
      return value ?? '';
    }
    this.#next(); // '{'
    const p = this.#peek();
    if (p === EOF) throw new LexFailure("syntax error: missing '}'");
    if (p === 0x7b || p === 0x7d || p === 0x3a) throw new LexFailure('syntax error: bad substitution');
    const name = this.#processName();
    let ch = this.#next();
    let chs = ch === EOF ? '\ufffd' : String.fromCodePoint(ch);
    let nullIsUnset = false;

    if (ch === 0x7d) {
      const value = this.#getEnv(name);
      if (value === undefined && this.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    if (ch === 0x3a) {
      nullIsUnset = true;
      ch = this.#next();
      chs += ch === EOF ? '\ufffd' : String.fromCodePoint(ch);
    }
    // After ':' any character enters this branch (Go's fallthrough); unknown ones fail below,
    // but only after the word up to '}' was scanned (so its errors take precedence).
    if (nullIsUnset || ch === 0x2b || ch === 0x2d || ch === 0x3f || ch === 0x23 || ch === 0x25) {
      const rawEscapes = ch === 0x23 || ch === 0x25;
      if (nullIsUnset && rawEscapes) throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
      let word: string;
      try {
        word = this.#processStopOn(0x7d, rawEscapes).result;
      } catch (err) {
        if (err instanceof LexFailure && this.#peek() === EOF) throw new LexFailure("syntax error: missing '}'");
        throw err;
      }
      const value = this.#getEnv(name);
      if (this.skipUnsetEnv && value === undefined) return `\${${name}${chs}${word}}`;
      const unsetOrNull = value === undefined || (nullIsUnset && value === '');
      switch (ch) {
        case 0x2d: // '-'
          return unsetOrNull ? word : value!;
        case 0x2b: // '+'
          return unsetOrNull ? '' : word;
        case 0x3f: // '?'
          if (value === undefined) throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be unset'}`);
          if (nullIsUnset && value === '') throw new LexFailure(`${name}: ${word !== '' ? word : 'is not allowed to be empty'}`);
          return value;
        case 0x23:
        case 0x25: {
          // '#' trims a prefix, '%' a suffix; doubled means longest match
          let pattern = word;
          let greedy = false;
          if (pattern.length > 0 && pattern.codePointAt(0) === ch) {
            greedy = true;
            pattern = pattern.slice(1);
          }
          return ch === 0x25 ? trimSuffix(pattern, value ?? '', greedy) : trimPrefix(pattern, value ?? '', greedy);
        }
        default:
          throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
      }
    }
    if (ch === 0x2f) {
      const replaceAll = this.#peek() === 0x2f;
      if (replaceAll) this.#next();
      let pattern: string;
      try {
        pattern = this.#processStopOn(0x2f, true).result;
      } catch (err) {
        if (err instanceof LexFailure && this.#peek() === EOF) throw new LexFailure("syntax error: missing '/' in ${}");
        throw err;
      }
      let replacement: string;
      try {
        replacement = this.#processStopOn(0x7d, true).result;
      } catch (err) {
        if (err instanceof LexFailure && this.#peek() === EOF) throw new LexFailure("syntax error: missing '}'");
        throw err;
      }
      const value = this.#getEnv(name);
      if (this.skipUnsetEnv && value === undefined) return `\${${name}/${pattern}/${replacement}}`;
      return replacePattern(value ?? '', pattern, replacement, replaceAll);
    }
    throw new LexFailure(`unsupported modifier (${chs}) in substitution`);
  }

  #processName(): string {
    let name = '';
    while (this.#peek() !== EOF) {
      const c = this.#peek();
      if (name.length === 0 && isDigit(c)) {
        while (this.#peek() !== EOF && isDigit(this.#peek())) name += String.fromCodePoint(this.#next());
        return name;
      }
      if (name.length === 0 && isSpecialParam(c)) return String.fromCodePoint(this.#next());
      if (!isLetter(c) && !isDigit(c) && c !== 0x5f) break;
      name += String.fromCodePoint(this.#next());
    }
    return name;
  }

  #processPossibleHeredoc(): string {
    this.#next();
    if (this.#peek() !== 0x3c) return '<';
    this.#next();
    let space = '';
    for (let c = this.#peek(); c === 0x09 || c === 0x0d || c === 0x20; c = this.#peek()) {
      space += String.fromCodePoint(c);
      this.#next();
    }
    return `<<${space}`;
  }

  #getEnv(name: string): string | undefined {
    const v = this.#env.get(name);
    if (v !== undefined) this.#matched.add(name);
    else this.#unmatched.add(name);
    return v;
  }
}

export interface ExpandOptions {
  /** The Dockerfile's escape character (`\` or `` ` ``). */
  escape?: string;
}

/**
 * Expands variables in one word, as BuildKit does for ENV values, COPY paths, WORKDIR, USER…
 * @throws {ShellExpansionError}
 */
export function processWord(word: string, env: Env, options: ExpandOptions = {}): ProcessWordResult {
  return new ShellLex({ escape: options.escape ?? '\\' }).processWord(word, env);
}

/**
 * Expands variables and splits into words (EXPOSE's rule).
 * @throws {ShellExpansionError}
 */
export function processWords(word: string, env: Env, options: ExpandOptions = {}): string[] {
  return new ShellLex({ escape: options.escape ?? '\\' }).processWords(word, env).words;
}

/** {@link processWords} with the names it used. */
export function processWordsWithMatches(word: string, env: Env, options: ExpandOptions = {}): ProcessWordsResult {
  return new ShellLex({ escape: options.escape ?? '\\' }).processWords(word, env);
}

/**
 * Library API: expands `word` with `env` (a plain object; an absent name is unset).
 *
 * @example
 * ```ts
 * expandWord('${HOME:-/root}/bin', { HOME: '/home/me' }, { escape: '\\' }); // '/home/me/bin'
 * ```
 * @throws {ShellExpansionError} with BuildKit's message
 */
export function expandWord(word: string, env: Env, options: ExpandOptions = {}): string {
  return processWord(word, env, options).result;
}

/**
 * Library API: expands `word` and splits it into words like BuildKit.
 * @throws {ShellExpansionError} with BuildKit's message
 */
export function expandWords(word: string, env: Env, options: ExpandOptions = {}): string[] {
  return processWords(word, env, options);
}

export { reverseShellPattern, shellPatternToGoRegexp } from './internal/shell-pattern.js';
