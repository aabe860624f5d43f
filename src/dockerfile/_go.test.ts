import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { equalFold, goLower, goUpper, isSpace, parseGoDuration, parseGoInt, splitWhitespace, trimSpace, withSuggestion } from './_go.js';

describe('Go string helpers', () => {
  it('isSpace and trimSpace follow unicode.IsSpace (U+0085 and U+00A0 yes, U+FEFF and U+200B no)', () => {
    assert.ok(isSpace(0x85) && isSpace(0xa0) && isSpace(0x3000) && isSpace(0x0b));
    assert.ok(!isSpace(0xfeff) && !isSpace(0x200b));
    assert.equal(trimSpace('\u0085 a b\u00a0\t'), 'a b');
    assert.equal(trimSpace('\ufeffa'), '\ufeffa');
  });

  it('splitWhitespace splits on [\\t\\v\\f\\r ]+ but not on newlines, with a limit', () => {
    assert.deepEqual(splitWhitespace('a  b\tc', -1), ['a', 'b', 'c']);
    assert.deepEqual(splitWhitespace('a  b c', 2), ['a', 'b c']);
    assert.deepEqual(splitWhitespace('a\nb', -1), ['a\nb']);
    assert.deepEqual(splitWhitespace('a ', -1), ['a', '']);
    assert.deepEqual(splitWhitespace('', 2), ['']);
  });

  it('case mapping is per rune, like strings.ToLower/ToUpper', () => {
    assert.equal(goLower('MAİNTAINER'), 'maintainer');
    assert.equal(goUpper('straße'), 'STRAßE');
    assert.ok(equalFold('AS', 'as'));
    assert.ok(equalFold('aſ', 'AS'));
    assert.ok(!equalFold('as', 'at'));
  });

  it('parseGoDuration reads Go durations and refuses what Go refuses', () => {
    assert.equal(parseGoDuration('1h2m3.5s'), 3_723_500_000_000n);
    assert.equal(parseGoDuration('1.5ms'), 1_500_000n);
    assert.equal(parseGoDuration('250µs'), 250_000n);
    assert.equal(parseGoDuration('-2s'), -2_000_000_000n);
    assert.equal(parseGoDuration('0'), 0n);
    assert.equal(parseGoDuration('.5s'), 500_000_000n);
    assert.throws(() => parseGoDuration('10'), { message: 'time: missing unit in duration "10"' });
    assert.throws(() => parseGoDuration('10x'), { message: 'time: unknown unit "x" in duration "10x"' });
    assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
    assert.throws(() => parseGoDuration('.s'), { message: 'time: invalid duration ".s"' });
    assert.throws(() => parseGoDuration('9999999999999h'), { message: 'time: invalid duration "9999999999999h"' });
  });

  it('parseGoInt reads 32-bit integers with strconv messages', () => {
    assert.equal(parseGoInt('-5', 10, 32), -5n);
    assert.throws(() => parseGoInt('x', 10, 32), { message: 'strconv.ParseInt: parsing "x": invalid syntax' });
    assert.throws(() => parseGoInt('2147483648', 10, 32), { message: 'strconv.ParseInt: parsing "2147483648": value out of range' });
    assert.equal(parseGoInt('0755', 8, 32, 'ParseUint'), 0o755n);
    assert.throws(() => parseGoInt('-1', 10, 32, 'ParseUint'), /invalid syntax/);
  });

  it('withSuggestion proposes the nearest option within distance 2, matching case', () => {
    assert.equal(withSuggestion('unknown instruction: RUNN', 'RUNN', ['RUN', 'CMD'], false), 'unknown instruction: RUNN (did you mean RUN?)');
    assert.equal(withSuggestion('unknown instruction: runn', 'runn', ['RUN', 'CMD'], false), 'unknown instruction: runn (did you mean run?)');
    assert.equal(withSuggestion('x', 'zzzzz', ['RUN'], false), 'x');
    assert.equal(withSuggestion('x', 'run', ['RUN'], false), 'x');
  });
});
