/**
 * Go's `unicode` tests that the template engine asks of one rune or of a name's first rune.
 *
 * A JS regex with Unicode property classes (`\p{L}`, …) is expensive to make: V8 builds its
 * character ranges from ICU's tables when the literal is created, again when it first runs and again
 * when it tiers up (~0.3–0.6 ms each on this machine; more than a `--format` listing of 500 rows
 * spends on its template otherwise). Nearly every rune a template or a value holds is ASCII, and is
 * answered here without a regex; the regexes are made on the first rune that needs them. Each
 * function answers exactly as its regex does for every input (checked in `runes.test.ts`).
 */

let letterOrDigitRe: RegExp | undefined;
let upperRe: RegExp | undefined;
let printRe: RegExp | undefined;

/** `[\p{L}\p{Nd}_]` for one rune (a string of one code point): Go's IsLetter, IsDigit or `_`. */
export function isLetterOrDigit(rune: string): boolean {
  if (rune.length === 1) {
    const c = rune.charCodeAt(0);
    if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
  }
  return (letterOrDigitRe ??= /^[\p{L}\p{Nd}_]$/u).test(rune);
}

/** Whether `name` starts with an upper-case letter (`\p{Lu}`): Go's token.IsExported. */
export function startsUpper(name: string): boolean {
  const c = name.charCodeAt(0); // NaN for ''
  if (c < 0x80) return c >= 0x41 && c <= 0x5a;
  return (upperRe ??= /^\p{Lu}/u).test(name);
}

/** `[\p{L}\p{M}\p{N}\p{P}\p{S} ]` for one rune: Go's strconv.IsPrint (letters, marks, numbers, punctuation, symbols, ASCII space). */
export function isPrintRune(rune: string): boolean {
  if (rune.length === 1) {
    const c = rune.charCodeAt(0);
    // Every ASCII character from space to `~` is a letter, number, punctuation or symbol; the rest are controls.
    if (c < 0x80) return c >= 0x20 && c < 0x7f;
  }
  return (printRe ??= /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u).test(rune);
}
