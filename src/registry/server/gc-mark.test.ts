import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mark } from './gc-mark.js';

test('mark() reaches everything from the roots, once, through cycles', () => {
  const g: Record<string, string[]> = { a: ['b', 'c'], b: ['d'], c: ['a'], d: [], e: ['f'], f: [] };
  assert.deepEqual([...mark(['a'], (n) => g[n] ?? [])].sort(), ['a', 'b', 'c', 'd']);
  assert.deepEqual([...mark<string>([], (n) => g[n] ?? [])], []);
});
