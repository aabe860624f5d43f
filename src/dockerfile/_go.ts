/**
 * Go standard-library behaviours the Dockerfile grammar depends on. BuildKit is written in Go, and
 * what it accepts is defined partly by Go's `unicode.IsSpace`, `strings.TrimSpace`, `strings.ToLower`,
 * `strconv.Quote`, `time.ParseDuration` and `strconv.ParseInt`; JavaScript's nearest equivalents
 * differ at the edges (`\s` includes U+FEFF and omits U+0085, `toLowerCase` applies full case mapping,
 * `JSON.stringify` escapes differently). Internal to `dockerfile/`; Go helpers that other parts need
 * too (`strconv.Quote`) live in the root `go-compat.ts`.
 */

import { goQuote } from '../go-compat.js';

/** Go's `unicode.IsSpace`. */
export function isSpace(cp: number): boolean {
  if (cp <= 0xff) return cp === 0x20 || (cp >= 0x09 && cp <= 0x0d) || cp === 0x85 || cp === 0xa0;
  return (
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/**
 * UTF-8 bytes to a string, each byte that is not part of a valid sequence kept as U+DC00 + byte
 * (Python's "surrogateescape"). BuildKit sometimes cuts a line inside a character (it scans some
 * parts byte by byte); this keeps the stray bytes distinct, and `goQuote` prints them as Go does.
 */
export function decodeBytes(b: Uint8Array): string {
  let out = '';
  let i = 0;
  let start = 0;
  const flush = (end: number): void => {
    if (end > start) out += Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('utf8');
  };
  while (i < b.length) {
    const c = b[i]!;
    let n = 0;
    if (c < 0x80) n = 1;
    else if (c >= 0xc2 && c <= 0xdf) n = 2;
    else if (c >= 0xe0 && c <= 0xef) n = 3;
    else if (c >= 0xf0 && c <= 0xf4) n = 4;
    let ok = n > 0 && i + n <= b.length;
    for (let k = 1; ok && k < n; k++) {
      const x = b[i + k]!;
      if ((x & 0xc0) !== 0x80) ok = false;
      // Overlong, surrogate and out-of-range forms are invalid in UTF-8.
      else if (k === 1 && ((c === 0xe0 && x < 0xa0) || (c === 0xed && x > 0x9f) || (c === 0xf0 && x < 0x90) || (c === 0xf4 && x > 0x8f))) ok = false;
    }
    if (ok) {
      i += n;
      continue;
    }
    flush(i);
    out += String.fromCharCode(0xdc00 + c);
    i++;
    start = i;
  }
  flush(i);
  return out;
}

/** Go's `unicode.IsSpace` applied to a single byte read as a rune (Latin-1), as byte loops in BuildKit do. */
export function isSpaceByte(b: number): boolean {
  return b === 0x20 || (b >= 0x09 && b <= 0x0d) || b === 0x85 || b === 0xa0;
}

/** Go's `strings.TrimLeftFunc(s, unicode.IsSpace)`. */
export function trimLeftSpace(s: string): string {
  let i = 0;
  while (i < s.length) {
    const cp = s.codePointAt(i)!;
    if (!isSpace(cp)) break;
    i += cp > 0xffff ? 2 : 1;
  }
  return i === 0 ? s : s.slice(i);
}

/** Go's `strings.TrimRightFunc(s, unicode.IsSpace)`. */
export function trimRightSpace(s: string): string {
  let j = s.length;
  while (j > 0) {
    const c = s.charCodeAt(j - 1);
    // Every Go space is in the BMP, so a low surrogate never ends a space.
    if (!isSpace(c)) break;
    j--;
  }
  return j === s.length ? s : s.slice(0, j);
}

/** Go's `strings.TrimSpace`. */
export function trimSpace(s: string): string {
  return trimRightSpace(trimLeftSpace(s));
}

/** Go's `regexp.Split(s, n)` with BuildKit's `reWhitespace`, `[\t\v\f\r ]+` (note: no `\n`). */
export function splitWhitespace(s: string, n: number): string[] {
  if (n === 0) return [];
  if (s === '') return [''];
  const out: string[] = [];
  const re = /[\t\v\f\r ]+/g;
  let beg = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (n > 0 && out.length === n - 1) break;
    out.push(s.slice(beg, m.index));
    beg = m.index + m[0].length;
  }
  out.push(s.slice(beg));
  return out;
}

function mapRunes(s: string, f: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    const m = f(ch);
    // Go maps rune by rune with simple case mapping: a rune never becomes two.
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

// eslint-disable-next-line no-control-regex
const ASCII = /^[\x00-\x7f]*$/;

/** Go's `strings.ToLower` (simple, per-rune case mapping). */
export function goLower(s: string): string {
  if (ASCII.test(s)) return s.toLowerCase();
  return mapRunes(s, (ch) => (ch === '\u0130' ? 'i' : ch.toLowerCase()));
}

/** Go's `strings.ToUpper` (simple, per-rune case mapping). */
export function goUpper(s: string): string {
  if (ASCII.test(s)) return s.toUpperCase();
  return mapRunes(s, (ch) => (ch === '\u0131' ? 'I' : ch.toUpperCase()));
}

/** Go's `strings.EqualFold` (Unicode simple folding), close enough for keyword comparison. */
export function equalFold(a: string, b: string): boolean {
  if (a === b) return true;
  const ra = [...a];
  const rb = [...b];
  if (ra.length !== rb.length) return false;
  for (let i = 0; i < ra.length; i++) {
    const x = ra[i]!;
    const y = rb[i]!;
    if (x === y) continue;
    if (goLower(x) === goLower(y) || goUpper(x) === goUpper(y)) continue;
    if (goLower(goUpper(x)) === goLower(goUpper(y))) continue;
    return false;
  }
  return true;
}

/** Levenshtein distance over runes (agext/levenshtein with default costs). */
export function levenshtein(a: string, b: string): number {
  const s = [...a];
  const t = [...b];
  if (s.length === 0) return t.length;
  if (t.length === 0) return s.length;
  let prev = Array.from({ length: t.length + 1 }, (_, i) => i);
  for (let i = 1; i <= s.length; i++) {
    const cur = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[t.length]!;
}

/**
 * BuildKit's `suggest.Search`: the first option (in the order given) within edit distance 2, cased
 * like `value` when the comparison ignores case; `''` when none is, or when one matches exactly.
 */
export function suggestName(value: string, options: Iterable<string>, caseSensitive = true): string {
  const v = caseSensitive ? value : goLower(value);
  let match = '';
  let min = 3;
  for (const raw of options) {
    const opt = caseSensitive ? raw : goLower(raw);
    if (opt === v) return '';
    const d = levenshtein(v, opt);
    if (d < min) {
      min = d;
      if (caseSensitive) match = opt;
      else if (value === goLower(value)) match = goLower(opt);
      else if (value === goUpper(value)) match = goUpper(opt);
      else match = opt;
    }
  }
  return match;
}

/**
 * BuildKit's `suggest.WrapError`: appends ` (did you mean X?)` when an option is within edit distance 2.
 * BuildKit iterates a Go map, so ties are resolved at random there; we take options in sorted order.
 */
export function withSuggestion(message: string, value: string, options: readonly string[], caseSensitive: boolean): string {
  const match = suggestName(value, [...options].sort(), caseSensitive);
  return match === '' ? message : `${message} (did you mean ${match}?)`;
}

const TWO_63 = 1n << 63n;
const UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  '\u00b5s': 1_000n,
  '\u03bcs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

/** The `quote` of Go's time package: non-ASCII and control characters as `\x` bytes. */
function timeQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || cp >= 0x80) {
      for (const b of Buffer.from(ch, 'utf8')) out += '\\x' + b.toString(16).padStart(2, '0');
    } else out += ch === '"' || ch === '\\' ? '\\' + ch : ch;
  }
  return out + '"';
}

/**
 * Go's `time.ParseDuration`, in nanoseconds, with Go's messages. Returned as a bigint: int64
 * nanoseconds do not fit a double exactly. Follows Go step for step, including its uint64
 * arithmetic (a magnitude of up to 2^63 before the sign) and the float64 product it uses to
 * add fractions.
 */
export function parseGoDuration(input: string): bigint {
  const orig = input;
  let s = input;
  let neg = false;
  const invalid = (): Error => new Error(`time: invalid duration ${timeQuote(orig)}`);
  const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) throw invalid();
    // Integer part: uint64, refused beyond 2^63.
    const before = s.length;
    let v = 0n;
    let i = 0;
    while (i < s.length && isDigit(s[i])) {
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) throw invalid();
      i++;
    }
    s = s.slice(i);
    const pre = s.length !== before;
    // Fraction: digits kept while they fit, the rest ignored.
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      const pl = s.length;
      let j = 0;
      let overflow = false;
      while (j < s.length && isDigit(s[j])) {
        if (!overflow) {
          if (f > (TWO_63 - 1n) / 10n) overflow = true;
          else {
            const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
            if (y > TWO_63) overflow = true;
            else {
              f = y;
              scale *= 10;
            }
          }
        }
        j++;
      }
      s = s.slice(j);
      post = pl !== s.length;
    }
    if (!pre && !post) throw invalid();
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k])) k++;
    if (k === 0) throw new Error(`time: missing unit in duration ${timeQuote(orig)}`);
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[u];
    if (unit === undefined) throw new Error(`time: unknown unit ${timeQuote(u)} in duration ${timeQuote(orig)}`);
    if (v > TWO_63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) throw invalid();
    }
    d += v;
    if (d > TWO_63) throw invalid();
  }
  if (neg) return -d;
  if (d > TWO_63 - 1n) throw invalid();
  return d;
}

/** Go's `strconv.ParseInt(s, base, bits)`; throws with Go's message. */
export function parseGoInt(s: string, base: number, bits: number, fn = 'ParseInt'): bigint {
  const digits = base === 10 ? /^[+-]?[0-9]+$/ : base === 8 ? /^[+-]?[0-7]+$/ : /^$/;
  const syntax = new Error(`strconv.${fn}: parsing ${goQuote(s)}: invalid syntax`);
  if (!digits.test(s)) throw syntax;
  if (fn === 'ParseUint' && (s[0] === '+' || s[0] === '-')) throw syntax;
  const neg = s[0] === '-';
  const body = s[0] === '+' || s[0] === '-' ? s.slice(1) : s;
  let v = 0n;
  for (const d of body) v = v * BigInt(base) + BigInt(d);
  if (neg) v = -v;
  const max = fn === 'ParseUint' ? (1n << BigInt(bits)) - 1n : (1n << BigInt(bits - 1)) - 1n;
  const min = fn === 'ParseUint' ? 0n : -(1n << BigInt(bits - 1));
  if (v > max || v < min) throw new Error(`strconv.${fn}: parsing ${goQuote(s)}: value out of range`);
  return v;
}

/** Go's `strconv.ParseBool`. */
export function parseGoBool(s: string): boolean | undefined {
  switch (s) {
    case '1':
    case 't':
    case 'T':
    case 'true':
    case 'TRUE':
    case 'True':
      return true;
    case '0':
    case 'f':
    case 'F':
    case 'false':
    case 'FALSE':
    case 'False':
      return false;
  }
  return undefined;
}

