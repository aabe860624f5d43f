import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadPatternError, pathMatch } from './path-match.js';

// Go's path.Match table (the semantics docker's `reference=` filter inherits). `err` = ErrBadPattern.
const cases: Array<[pattern: string, name: string, expected: boolean | 'err']> = [
  ['abc', 'abc', true],
  ['*', 'abc', true],
  ['*c', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ab/c', false],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true],
  ['a[^a]b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['a[^a][^a][^a]b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[\\]a]', ']', true],
  ['[\\-]', '-', true],
  ['[x\\-]', 'x', true],
  ['[x\\-]', '-', true],
  ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true],
  ['[\\-x]', '-', true],
  ['[\\-x]', 'a', false],
  ['[]a]', ']', 'err'],
  ['[-]', '-', 'err'],
  ['[x-]', 'x', 'err'],
  ['[x-]', '-', 'err'],
  ['[x-]', 'z', 'err'],
  ['[-x]', 'x', 'err'],
  ['[-x]', '-', 'err'],
  ['[-x]', 'a', 'err'],
  ['\\', 'a', 'err'],
  ['[a-b-c]', 'a', 'err'],
  ['[', 'a', 'err'],
  ['[^', 'a', 'err'],
  ['[^bc', 'a', 'err'],
  ['a[', 'a', 'err'],
  ['a[', 'ab', 'err'],
  ['a[', 'x', 'err'],
  ['a/b[', 'x', 'err'],
  ['*x', 'xxx', true],
];

test('pathMatch() follows Go path.Match on its own test table', () => {
  for (const [pattern, name, expected] of cases) {
    const label = `${pattern} ~ ${name}`;
    if (expected === 'err') assert.throws(() => pathMatch(pattern, name), BadPatternError, label);
    else assert.equal(pathMatch(pattern, name), expected, label);
  }
});

test('pathMatch() reports a malformed pattern even after the name already failed', () => {
  assert.throws(() => pathMatch('x*[', 'abc'), /syntax error in pattern/);
});
