import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptedTypes, bareMediaType, lexicalCompare, nextLink, paginate, parseContentRange, parseRange } from './http-params.js';

test('parseRange() reads single byte ranges, suffixes and open ends', () => {
  assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 10 });
  assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 100 });
  assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 100 });
  assert.deepEqual(parseRange('bytes=95-200', 100), { start: 95, end: 100 });
  assert.deepEqual(parseRange('bytes=-200', 100), { start: 0, end: 100 });
});

test('parseRange() ignores what RFC 9110 lets a server ignore and flags unsatisfiable ranges', () => {
  assert.equal(parseRange(undefined, 10), undefined);
  assert.equal(parseRange('bytes=0-1,3-4', 10), undefined);
  assert.equal(parseRange('items=0-1', 10), undefined);
  assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
  assert.equal(parseRange('bytes=5-2', 10), 'unsatisfiable');
  assert.equal(parseRange('bytes=-0', 10), 'unsatisfiable');
});

test('parseContentRange() accepts the spec form and distribution\'s bytes prefix', () => {
  assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
  assert.deepEqual(parseContentRange('bytes 100-199/*'), { start: 100, end: 199 });
  assert.equal(parseContentRange('0-'), undefined);
  assert.equal(parseContentRange('abc'), undefined);
});

test('bareMediaType() and acceptedTypes() drop parameters and q-values', () => {
  assert.equal(bareMediaType('application/vnd.oci.image.manifest.v1+json; charset=utf-8'), 'application/vnd.oci.image.manifest.v1+json');
  assert.deepEqual(acceptedTypes(['a/b;q=0.5, c/d', 'e/f']), ['a/b', 'c/d', 'e/f']);
  assert.deepEqual(acceptedTypes(undefined), []);
});

test('lexicalCompare() orders case-insensitively with a byte-order tie-break', () => {
  assert.deepEqual(['b', 'B', 'a', 'C'].sort(lexicalCompare), ['a', 'B', 'b', 'C']);
});

test('paginate() returns n entries after last and the next marker only when more remain', () => {
  const all = ['a', 'b', 'c', 'd'];
  assert.deepEqual(paginate(all, '2', null), { items: ['a', 'b'], next: 'b' });
  assert.deepEqual(paginate(all, '2', 'b'), { items: ['c', 'd'] });
  assert.deepEqual(paginate(all, null, 'c'), { items: ['d'] });
  assert.deepEqual(paginate(all, '0', null), { items: [] });
  assert.deepEqual(paginate(all, null, null, 3), { items: ['a', 'b', 'c'], next: 'c' });
  assert.throws(() => paginate(all, '-1', null), RangeError);
  assert.throws(() => paginate(all, 'x', null), RangeError);
  assert.equal(nextLink('/v2/r/tags/list', 2, 'a b'), '</v2/r/tags/list?n=2&last=a%20b>; rel="next"');
});
