/**
 * docker's tabwriter settings (minwidth 10, tabwidth 1, padding 3, padchar ' '). ASCII
 * expectations were computed with Go's text/tabwriter; the wide-character case follows docker's
 * fork, which measures cells in terminal columns (Go's counts runes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { alignTable, alignUniform, displayWidth, TabWriter } from './tabwriter.js';

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

test('the direct layout of uniform tables writes the same bytes as the tab writer', () => {
  // A fixed-seed generator: tables of 1–4 columns, some uniform and some not, with empty,
  // wide and combining-mark cells.
  let seed = 42;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const words = ['', 'a', 'busybox', 'gantry-bench/img-10', '<none>', '日本語', 'e\u0301', 'x y', 'sha256:0123456789ab', '2 weeks ago'];
  const options = { minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' };
  let direct = 0;
  for (let t = 0; t < 400; t++) {
    const k = 1 + rnd(4);
    const lines: string[] = [];
    for (let i = 0, n = 1 + rnd(6); i < n; i++) {
      const cells = rnd(5) === 0 ? 1 + rnd(4) : k;
      lines.push(Array.from({ length: cells }, () => words[rnd(words.length)] as string).join('\t'));
    }
    const text = `${lines.join('\n')}\n`;
    const tw = new TabWriter(options);
    tw.write(text);
    const expected = tw.flush();
    const got = alignUniform(text, options);
    if (got !== undefined) {
      direct++;
      assert.equal(got, expected, JSON.stringify(text));
    }
    assert.equal(alignTable(text), expected, JSON.stringify(text));
  }
  assert.ok(direct > 150, `${direct} tables took the direct layout`);
});

test('text that is not a uniform table is left to the tab writer', () => {
  const o = { minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' };
  assert.equal(alignUniform('a\tb\nc\n', o), undefined); // cell counts differ
  assert.equal(alignUniform('a\tb\nc\td', o), undefined); // no final newline
  assert.equal(alignUniform('a\tb\fc\td\n', o), undefined); // form feed flushes
  assert.equal(alignUniform('a\tb\n', { ...o, alignRight: true }), undefined);
  assert.equal(alignUniform('a\tb\n', { ...o, padchar: '\t' }), undefined);
});
