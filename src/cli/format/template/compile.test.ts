import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerTemplate } from '../docker-template.js';

// joinPieces joins up to four pieces without a loop and longer lists four at a time: every length,
// and a piece the compiled path hands back to the interpreter (BAIL) at every position, must print
// what the interpreter prints.
const data = { s: 'str', t: 'tee', n: 42, m: { k: 'v' } };
const PIECES = ['{{.s}}', '-', '{{.t}}', ':', '{{.m.k}}', '|', '{{.s}}', '.', '{{.t}}', '!', '{{.m.k}}'];

function both(tmpl: string): { compiled: string; interpreted: string; compiles: boolean } {
  const t = parseDockerTemplate(tmpl);
  return { compiled: t.execute(data), interpreted: t.interpreted().execute(data), compiles: t.compiles };
}

test('templates of 1 to 11 pieces print the same compiled and interpreted', () => {
  for (let n = 1; n <= PIECES.length; n++) {
    const tmpl = PIECES.slice(0, n).join('');
    const { compiled, interpreted, compiles } = both(tmpl);
    assert.equal(compiles, true, tmpl);
    assert.equal(compiled, interpreted, tmpl);
  }
  assert.equal(both(PIECES.join('')).compiled, 'str-tee:v|str.tee!v');
});

test('a piece that leaves the compiled path, at any position of any length, gives the interpreter its row', () => {
  for (let n = 1; n <= 9; n++) {
    for (let at = 0; at < n; at++) {
      const pieces = PIECES.slice(0, n);
      pieces[at] = '{{.n}}'; // a number: its printing is the interpreter's (fmt's rules)
      const tmpl = pieces.join('');
      const { compiled, interpreted } = both(tmpl);
      assert.equal(compiled, interpreted, tmpl);
      assert.ok(compiled.includes('42'), tmpl);
    }
  }
});

test('rows executed one after another each get their own output (no state kept between rows)', () => {
  const t = parseDockerTemplate('{{.s}} {{.t}}:{{.m.k}}');
  assert.equal(t.execute({ s: 'a', t: 'b', m: { k: 'c' } }), 'a b:c');
  assert.equal(t.execute({ s: 'x', t: 'y', m: { k: 'z' } }), 'x y:z');
});
