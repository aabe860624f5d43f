/**
 * Go's formatting where docker compatibility needs the same text: `strconv.Quote` (what `%q`
 * prints), `time.Duration.String()`, and `%v` of a string slice. Docker and BuildKit write these
 * into history entries, error messages and outputs that users and scripts compare. Imports nothing.
 */

// Made on first use: a regex with Unicode property classes costs ~0.5 ms to create (V8 builds its
// ranges from ICU's tables), and most programs importing this module never quote a non-ASCII rune.
let printable: RegExp | undefined;

const ESCAPES: Record<number, string> = { 0x07: '\\a', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x0b: '\\v' };

/** One character of a quoted literal as Go's strconv writes it (`quote` is the delimiter: `"` or `'`). */
function escapeRune(ch: string, quote: string, asciiOnly: boolean): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (ch === quote || ch === '\\') return '\\' + ch;
  if (cp >= 0x20 && cp < 0x7f) return ch;
  if (!asciiOnly && cp >= 0xa1 && (printable ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u).test(ch)) return ch;
  if (ESCAPES[cp] !== undefined) return ESCAPES[cp];
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  if (cp >= 0xdc80 && cp <= 0xdcff) return '\\x' + (cp - 0xdc00).toString(16);
  if (cp >= 0xd800 && cp <= 0xdfff) return '\\ufffd';
  if (cp < 0x10000) return '\\u' + cp.toString(16).padStart(4, '0');
  return '\\U' + cp.toString(16).padStart(8, '0');
}

/**
 * Go's `strconv.Quote`: a double-quoted Go string literal, printable Unicode kept as is.
 * A Go string may hold bytes that are not UTF-8; where we must carry such bytes in a JS string we
 * write each one as U+DC00 + byte (Python's "surrogateescape", see `dockerfile/_go.ts` `decodeBytes`),
 * and Go prints a stray byte as `\xNN`, so U+DC80..U+DCFF print that way here. Any other lone
 * surrogate is not UTF-8 at all; Go would see U+FFFD.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch, '"', false);
  return out + '"';
}

/** Go's `strconv.QuoteToASCII` (what `%+q` prints): as goQuote, non-ASCII escaped too. */
export function goQuoteASCII(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch, '"', true);
  return out + '"';
}

/** Go's `strconv.QuoteRune` (what `%q` prints for an integer); invalid code points are U+FFFD as in Go. */
export function goQuoteRune(cp: number): string {
  const ch = cp >= 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : '\ufffd';
  return "'" + escapeRune(ch, "'", false) + "'";
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
