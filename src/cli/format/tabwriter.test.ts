/**
 * docker's tabwriter settings (minwidth 10, tabwidth 1, padding 3, padchar ' '). ASCII
 * expectations were computed with Go's text/tabwriter; the wide-character case follows docker's
 * fork, which measures cells in terminal columns (Go's counts runes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignTable, displayWidth, TabWriter } from './tabwriter.js';

const cases: Array<[string, string]> = [
  ["a\tb\tc\naaa\tbbbb\tc\n", "a         b         c\naaa       bbbb      c\n"],
  ["REPOSITORY\nimage\n", "REPOSITORY\nimage\n"],
  ["x\ty\nlonger line without tabs\nxx\tyy\n", "x         y\nlonger line without tabs\nxx        yy\n"],
  ["a\t\tc\n\tb\t\n", "a                   c\n          b         \n"],
  ["h1\th2\n", "h1        h2\n"],
  ["one\ttwo\tthree\n1\t2\n1\t2\t3\t4\n", "one       two       three\n1         2\n1         2         3         4\n"],
  ["trailing\t\n", "trailing   \n"],
  ['日本語\tx\nab\ty\n', '日本語    x\nab        y\n'],
];

for (const [input, expected] of cases) {
  test(`tabwriter aligns ${JSON.stringify(input)}`, () => {
    assert.equal(alignTable(input), expected);
  });
}

test('text written in pieces aligns like one write', () => {
  const tw = new TabWriter({ minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' });
  for (const piece of ['RE', 'PO\tT', 'AG\nbusy', 'box\tlatest\n']) tw.write(piece);
  assert.equal(tw.flush(), 'REPO      TAG\nbusybox   latest\n');
});

test('right alignment and debug bars follow Go\'s flags', () => {
  const tw = new TabWriter({ minwidth: 0, tabwidth: 8, padding: 1, padchar: '.', alignRight: true, debug: true });
  tw.write('a\tbbb\tc\naa\tb\tc\n');
  assert.equal(tw.flush(), '..a|.bbb|c\n.aa|...b|c\n');
});

test('display width counts wide characters twice and combining marks not at all', () => {
  assert.equal(displayWidth('abc'), 3);
  assert.equal(displayWidth('日本'), 4);
  assert.equal(displayWidth('e\u0301'), 1);
});

test('negative sizes are refused', () => {
  assert.throws(() => new TabWriter({ minwidth: -1, tabwidth: 1, padding: 3, padchar: ' ' }), RangeError);
});
