import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDigest, digestOf, Digester, shortId, InvalidDigestError } from './digest.js';
import { chainIds } from './image-config.js';

test('parseDigest() accepts sha256 and sha512 digests', () => {
  const d = digestOf('hello');
  assert.equal(parseDigest(d), d);
  assert.equal(parseDigest(digestOf('hello', 'sha512')), digestOf('hello', 'sha512'));
});

test('parseDigest() refuses bad algorithms, lengths and characters', () => {
  assert.throws(() => parseDigest('md5:d41d8cd98f00b204e9800998ecf8427e'), InvalidDigestError);
  assert.throws(() => parseDigest('sha256:abc'), /invalid checksum digest length/);
  assert.throws(() => parseDigest('sha256'), /invalid checksum digest format/);
  assert.throws(() => parseDigest(`sha256:${'G'.repeat(64)}`), InvalidDigestError);
});

test('Digester matches digestOf() over chunks', () => {
  const d = new Digester();
  d.update(Buffer.from('hel'));
  d.update(Buffer.from('lo'));
  assert.equal(d.size, 5);
  assert.equal(d.digest(), digestOf('hello'));
});

test('shortId() gives the 12-hex image ID docker shows', () => {
  assert.equal(shortId(digestOf('hello')), '2cf24dba5fb0');
});

test('chainIds() stacks diffIDs as the image spec defines', () => {
  const a = digestOf('a');
  const b = digestOf('b');
  const [c0, c1] = chainIds([a, b]);
  assert.equal(c0, a);
  assert.equal(c1, digestOf(`${a} ${b}`));
});
