/**
 * Go standard-library behaviours the Dockerfile grammar depends on. BuildKit is written in Go, and
 * what it accepts is defined partly by Go's `unicode.IsSpace`, `strings.TrimSpace`, `strings.ToLower`,
 * `strconv.Quote`, `time.ParseDuration` and `strconv.ParseInt`; JavaScript's nearest equivalents
 * differ at the edges (`\s` includes U+FEFF and omits U+0085, `toLowerCase` applies full case mapping,
 * `JSON.stringify` escapes differently). Internal to `dockerfile/`.
 */

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

/** Go regexp `[\t\v\f\r ]+` (BuildKit's `reWhitespace`): note no `\n`. */
export const WHITESPACE_RUN = /[\t\v\f\r ]+/;

/** Go's `regexp.Split(s, n)` for BuildKit's `reWhitespace` with n = 2 or n = -1. */
export function splitWhitespace(s: string, n: number): string[] {
  if (n === 0) return [];
  if (s === '') return [''];
  const out: string[] = [];
  const re = /[\t\v\f\r ]+/g;
  let beg = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (n > 0 && out.length === n - 1) break;
    // Go skips an empty match at position 0; a `+` run is never empty.
    if (m.index === 0 && m[0].length === 0) continue;
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

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

/** Go's `strconv.Quote`: a double-quoted Go string literal, printable Unicode kept as is. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') {
      out += '\\' + ch;
      continue;
    }
    if (cp === 0x20 || (cp > 0x20 && cp < 0x7f)) {
      out += ch;
      continue;
    }
    if (cp >= 0xa1 && PRINTABLE.test(ch)) {
      out += ch;
      continue;
    }
    switch (cp) {
      case 0x07:
        out += '\\a';
        continue;
      case 0x08:
        out += '\\b';
        continue;
      case 0x0c:
        out += '\\f';
        continue;
      case 0x0a:
        out += '\\n';
        continue;
      case 0x0d:
        out += '\\r';
        continue;
      case 0x09:
        out += '\\t';
        continue;
      case 0x0b:
        out += '\\v';
        continue;
    }
    if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd'; // a lone surrogate is not UTF-8; Go would see U+FFFD
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** Go's `%#v` of a string, which is `strconv.Quote`. */
export const goQuoteV = goQuote;

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
 * BuildKit's `suggest.WrapError`: appends ` (did you mean X?)` when an option is within edit distance 2.
 * BuildKit iterates a Go map, so ties are resolved at random there; we take options in sorted order.
 */
export function withSuggestion(message: string, value: string, options: readonly string[], caseSensitive: boolean): string {
  const v = caseSensitive ? value : goLower(value);
  let match = '';
  let min = 3;
  for (const raw of [...options].sort()) {
    const opt = caseSensitive ? raw : goLower(raw);
    if (opt === v) return message;
    const d = levenshtein(v, opt);
    if (d < min) {
      min = d;
      if (caseSensitive) match = opt;
      else if (value === goLower(value)) match = goLower(opt);
      else if (value === goUpper(value)) match = goUpper(opt);
      else match = opt;
    }
  }
  return match === '' ? message : `${message} (did you mean ${match}?)`;
}

const MAX_INT64 = (1n << 63n) - 1n;
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

/**
 * Go's `time.ParseDuration`, in nanoseconds. Throws an Error with Go's message on bad input.
 * Returned as a bigint: int64 nanoseconds do not fit a double exactly.
 */
export function parseGoDuration(input: string): bigint {
  const orig = input;
  let s = input;
  let neg = false;
  const invalid = (): Error => new Error(`time: invalid duration ${goQuote(orig)}`);
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || (s[0]! >= '0' && s[0]! <= '9'))) throw invalid();
    const intMatch = /^[0-9]*/.exec(s)![0];
    s = s.slice(intMatch.length);
    const pre = intMatch !== '';
    let v = pre ? BigInt(intMatch) : 0n;
    if (v > MAX_INT64) throw invalid();
    let frac = 0n;
    let scale = 1n;
    let post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      const fracMatch = /^[0-9]*/.exec(s)![0];
      s = s.slice(fracMatch.length);
      post = fracMatch !== '';
      // Go keeps at most the digits that fit; extra digits only lose precision.
      for (const d of fracMatch) {
        if (scale > MAX_INT64 / 10n) break;
        frac = frac * 10n + BigInt(d);
        scale *= 10n;
      }
    }
    if (!pre && !post) throw invalid();
    let i = 0;
    while (i < s.length && s[i] !== '.' && !(s[i]! >= '0' && s[i]! <= '9')) i++;
    if (i === 0) throw new Error(`time: missing unit in duration ${goQuote(orig)}`);
    const u = s.slice(0, i);
    s = s.slice(i);
    const unit = UNITS[u];
    if (unit === undefined) throw new Error(`time: unknown unit ${goQuote(u)} in duration ${goQuote(orig)}`);
    if (v > MAX_INT64 / unit) throw invalid();
    v *= unit;
    if (frac > 0n) {
      v += (frac * unit) / scale;
      if (v > MAX_INT64) throw invalid();
    }
    total += v;
    if (total > MAX_INT64) throw invalid();
  }
  return neg ? -total : total;
}

/** Go's `time.Duration.String` for the few values BuildKit prints (e.g. `1ms`). */
export function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  if (ns % 1_000_000n === 0n && ns < 1_000_000_000n) return `${ns / 1_000_000n}ms`;
  return `${ns}ns`;
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

/** UTF-8 length of a string, without allocating for the common ASCII case. */
export function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
