/**
 * Word splitting for heredoc detection only.
 *
 * BuildKit finds heredocs by running its shell lexer over the instruction line with an *empty*
 * environment, unset variables left in place, and quotes (and optionally escapes) kept raw. Under
 * those settings the lexer expands nothing; what matters is where it draws word boundaries: `<<`
 * swallows the blanks after it (`<< EOF` is one word), quotes group, `\` escapes, `${…}` nests. The
 * parser must not depend on the build-time expander (`shell-lex.ts`, another module with its own
 * options), so this file reproduces just that boundary logic, including one lexer quirk that decides
 * whether a word is a heredoc: a nested `${…:-…}` clears the word collected so far.
 *
 * Escape is always `\` here: BuildKit lexes heredoc words with the default escape token whatever the
 * `# escape=` directive says.
 */
import { goQuote } from '../go-compat.js';
import { isSpace } from './_go.js';

export interface HeredocLexOptions {
  /** Keep quote characters in the output (BuildKit's RawQuotes). */
  rawQuotes: boolean;
  /** Keep escape characters in the output (BuildKit's RawEscapes). */
  rawEscapes: boolean;
}

const EOF = -1;
const ESCAPE = 0x5c; // '\'

class LexError extends Error {}

class WordScanner {
  readonly #cps: number[];
  #pos = 0;
  // BuildKit's lexer shares one word buffer between nested scans; see the file comment.
  readonly #shared = { s: '' };
  #rawEscapes: boolean;
  readonly #rawQuotes: boolean;

  constructor(input: string, options: HeredocLexOptions) {
    this.#cps = Array.from(input, (c) => c.codePointAt(0)!);
    // Go's text/scanner, under BuildKit's lexer, drops a byte-order mark at the start of its input.
    if (this.#cps[0] === 0xfeff) this.#cps.shift();
    this.#rawEscapes = options.rawEscapes;
    this.#rawQuotes = options.rawQuotes;
  }

  peek(): number {
    return this.#pos < this.#cps.length ? this.#cps[this.#pos]! : EOF;
  }

  next(): number {
    return this.#pos < this.#cps.length ? this.#cps[this.#pos++]! : EOF;
  }

  run(): string[] {
    return this.#scan(EOF, this.#rawEscapes).words;
  }

  #scan(stop: number, rawEscapes: boolean): { result: string; words: string[] } {
    const buf = this.#shared;
    buf.s = '';
    const words: string[] = [];
    let inWord = false;
    const addRawChar = (cp: number): void => {
      buf.s += String.fromCodePoint(cp);
      inWord = true;
    };
    const addChar = (cp: number): void => {
      if (isSpace(cp)) {
        if (inWord && buf.s.length !== 0) {
          words.push(buf.s);
          buf.s = '';
          inWord = false;
        }
      } else addRawChar(cp);
    };
    const saved = this.#rawEscapes;
    this.#rawEscapes = rawEscapes;
    try {
      let result = '';
      while (this.peek() !== EOF) {
        const ch = this.peek();
        if (stop !== EOF && ch === stop) {
          this.next();
          if (buf.s.length > 0) {
            words.push(buf.s);
            buf.s = '';
          }
          return { result, words };
        }
        if (ch === 0x24 /* $ */ || ch === 0x3c /* < */ || ch === 0x27 /* ' */ || ch === 0x22 /* " */) {
          const tmp =
            ch === 0x24 ? this.#dollar() : ch === 0x3c ? this.#possibleHeredoc() : ch === 0x27 ? this.#singleQuote() : this.#doubleQuote();
          result += tmp;
          if (ch === 0x24) for (const c of tmp) addChar(c.codePointAt(0)!);
          else {
            buf.s += tmp;
            inWord = true;
          }
          continue;
        }
        let c = this.next();
        if (c === ESCAPE) {
          if (this.#rawEscapes) {
            addRawChar(c);
            result += '\\';
          }
          c = this.next();
          if (c === EOF) break;
          addRawChar(c);
        } else addChar(c);
        result += String.fromCodePoint(c);
      }
      if (stop !== EOF) throw new LexError(`unexpected end of statement while looking for matching ${String.fromCodePoint(stop)}`);
      if (buf.s.length > 0) {
        words.push(buf.s);
        buf.s = '';
      }
      return { result, words };
    } finally {
      this.#rawEscapes = saved;
    }
  }

  #singleQuote(): string {
    let out = '';
    const open = this.next();
    if (this.#rawQuotes) out += String.fromCodePoint(open);
    for (;;) {
      const c = this.next();
      if (c === EOF) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (c === 0x27) {
        if (this.#rawQuotes) out += "'";
        return out;
      }
      out += String.fromCodePoint(c);
    }
  }

  #doubleQuote(): string {
    let out = '';
    const open = this.next();
    if (this.#rawQuotes) out += String.fromCodePoint(open);
    for (;;) {
      const p = this.peek();
      if (p === EOF) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (p === 0x22) {
        this.next();
        if (this.#rawQuotes) out += '"';
        return out;
      }
      if (p === 0x24) {
        out += this.#dollar();
        continue;
      }
      let c = this.next();
      if (c === ESCAPE) {
        if (this.#rawEscapes) out += '\\';
        const q = this.peek();
        if (q === EOF) continue;
        if (q === 0x22 || q === 0x24 || q === ESCAPE) c = this.next();
      }
      out += String.fromCodePoint(c);
    }
  }

  #dollar(): string {
    this.next();
    if (this.peek() !== 0x7b /* { */) {
      const name = this.#name();
      return name === '' ? '$' : '$' + name;
    }
    this.next();
    const p = this.peek();
    if (p === EOF) throw new LexError("syntax error: missing '}'");
    if (p === 0x7b || p === 0x7d || p === 0x3a) throw new LexError('syntax error: bad substitution');
    const name = this.#name();
    let ch = this.next();
    let chs = ch === EOF ? '' : String.fromCodePoint(ch);
    if (ch === 0x7d) return `\${${name}}`;
    let nullIsUnset = false;
    if (ch === 0x3a /* : */) {
      nullIsUnset = true;
      ch = this.next();
      chs += ch === EOF ? '' : String.fromCodePoint(ch);
    }
    if (nullIsUnset || ch === 0x2b || ch === 0x2d || ch === 0x3f || ch === 0x23 || ch === 0x25) {
      const raw = ch === 0x23 || ch === 0x25;
      if (nullIsUnset && raw) throw new LexError(`unsupported modifier (${chs}) in substitution`);
      let word: string;
      try {
        word = this.#scan(0x7d, raw).result;
      } catch (err) {
        if (this.peek() === EOF) throw new LexError("syntax error: missing '}'");
        throw err;
      }
      return `\${${name}${chs}${word}}`;
    }
    if (ch === 0x2f /* / */) {
      if (this.peek() === 0x2f) this.next();
      let pattern: string;
      try {
        pattern = this.#scan(0x2f, true).result;
      } catch (err) {
        if (this.peek() === EOF) throw new LexError("syntax error: missing '/' in ${}");
        throw err;
      }
      let replacement: string;
      try {
        replacement = this.#scan(0x7d, true).result;
      } catch (err) {
        if (this.peek() === EOF) throw new LexError("syntax error: missing '}'");
        throw err;
      }
      return `\${${name}/${pattern}/${replacement}}`;
    }
    throw new LexError(`unsupported modifier (${chs}) in substitution`);
  }

  #name(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const c = this.peek();
      const ch = String.fromCodePoint(c);
      if (name === '' && /\p{Nd}/u.test(ch)) {
        while (this.peek() !== EOF && /\p{Nd}/u.test(String.fromCodePoint(this.peek()))) name += String.fromCodePoint(this.next());
        return name;
      }
      if (name === '' && '@*#?-$!0'.includes(ch)) {
        this.next();
        return ch;
      }
      if (!/[\p{L}\p{Nd}_]/u.test(ch)) break;
      name += String.fromCodePoint(this.next());
    }
    return name;
  }

  #possibleHeredoc(): string {
    this.next();
    if (this.peek() !== 0x3c) return '<';
    this.next();
    let space = '';
    for (let p = this.peek(); p === 0x09 || p === 0x0d || p === 0x20; p = this.peek()) {
      space += String.fromCodePoint(p);
      this.next();
    }
    return '<<' + space;
  }
}

/**
 * The words of `input` under heredoc-detection lexing. Throws an Error with BuildKit's message
 * (`failed to process "…": …`) when quotes or `${` are unbalanced.
 */
export function heredocWords(input: string, options: HeredocLexOptions): string[] {
  try {
    return new WordScanner(input, options).run();
  } catch (err) {
    if (err instanceof LexError) throw new Error(`failed to process ${goQuote(input)}: ${err.message}`);
    throw err;
  }
}
