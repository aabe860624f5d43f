/**
 * Go's formatting where docker compatibility needs the same text: `strconv.Quote` (what `%q`
 * prints), `time.Duration.String()`, and `%v` of a string slice. Docker and BuildKit write these
 * into history entries, error messages and outputs that users and scripts compare. Imports nothing.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

const ESCAPES: Record<number, string> = { 0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v' };

/**
 * Go's `strconv.Quote`: a double-quoted Go string literal, printable Unicode kept as is.
 * A Go string may hold bytes that are not UTF-8; where we must carry such bytes in a JS string we
 * write each one as U+DC00 + byte (Python's "surrogateescape", see `dockerfile/_go.ts` `decodeBytes`),
 * and Go prints a stray byte as `\xNN`, so U+DC80..U+DCFF print that way here. Any other lone
 * surrogate is not UTF-8 at all; Go would see U+FFFD.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (cp >= 0x20 && cp < 0x7f) out += ch;
    else if (cp >= 0xa1 && PRINTABLE.test(ch)) out += ch;
    else if (ESCAPES[cp] !== undefined) out += ESCAPES[cp];
    else if (cp < 0x20 || cp === 0x7f) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp >= 0xdc80 && cp <= 0xdcff) out += '\\x' + (cp - 0xdc00).toString(16);
    else if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out + '"';
}

/** Go's `%q` of a `[]string`: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

/** Go's `%v` of a `[]string`: `[a b]`. */
export function goList(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}

/** Go's `time.Duration.String()` for a duration in nanoseconds: `1h2m3.5s`, `1.5ms`, `0s`. */
export function goDuration(ns: number | bigint): string {
  let d = BigInt(ns);
  if (d === 0n) return '0s';
  const neg = d < 0n;
  if (neg) d = -d;
  let out: string;
  if (d < 1_000_000_000n) {
    // Below a second Go picks the largest unit that keeps the integer part non-zero.
    const [unit, div] = d < 1000n ? ['ns', 1n] : d < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n];
    out = fraction(d, div) + unit;
  } else {
    const h = d / 3_600_000_000_000n;
    const m = (d / 60_000_000_000n) % 60n;
    const s = d % 60_000_000_000n;
    out = `${h > 0n ? `${h}h` : ''}${h > 0n || m > 0n ? `${m}m` : ''}${fraction(s, 1_000_000_000n)}s`;
  }
  return neg ? `-${out}` : out;
}

function fraction(v: bigint, div: bigint): string {
  const whole = v / div;
  const rest = v % div;
  if (rest === 0n) return String(whole);
  const digits = String(div).length - 1;
  return `${whole}.${rest.toString().padStart(digits, '0').replace(/0+$/, '')}`;
}
