import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isLetterOrDigit, isPrintRune, startsUpper } from './runes.js';

// The regexes the ASCII shortcuts stand in for: every answer must be theirs.
const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}_]$/u;
const UPPER = /^\p{Lu}/u;
const PRINT = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** Every ASCII character, and non-ASCII runes of each kind the regexes tell apart. */
const RUNES = [
  ...Array.from({ length: 0x80 }, (_, i) => String.fromCharCode(i)),
  'é', 'É', 'ß', 'ǅ', 'Ω', 'ω', 'ж', 'Ж', '中', '٣', '²', '½', '\u0301', '\u00a0', '\u00ad', '\u200b', '\u2028', '€', '—', '«',
  '\u{1F600}', '\u{1D400}', '\u{10400}', '\ud800', '\udc80', '\ufffd', '',
];

test('isLetterOrDigit answers as [\\p{L}\\p{Nd}_] for ASCII and other runes', () => {
  for (const r of RUNES) assert.equal(isLetterOrDigit(r), LETTER_OR_DIGIT.test(r), JSON.stringify(r));
});

test('isPrintRune answers as [\\p{L}\\p{M}\\p{N}\\p{P}\\p{S} ] for ASCII and other runes', () => {
  for (const r of RUNES) assert.equal(isPrintRune(r), PRINT.test(r), JSON.stringify(r));
});

test('startsUpper answers as ^\\p{Lu} for names starting with any of the runes', () => {
  for (const r of RUNES) {
    for (const name of [r, `${r}x`, `${r}Y`]) assert.equal(startsUpper(name), UPPER.test(name), JSON.stringify(name));
  }
});

test('multi-character strings are not one rune: no shortcut answers true for them', () => {
  assert.equal(isLetterOrDigit('ab'), false);
  assert.equal(isPrintRune('ab'), false);
  assert.equal(isLetterOrDigit('\u{1F600}'), LETTER_OR_DIGIT.test('\u{1F600}'));
});
