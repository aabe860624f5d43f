import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../errors.js';
import { digestOf } from './digest.js';
import {
  familiarMatch,
  familiarName,
  familiarString,
  idPrefix,
  InvalidReferenceError,
  isFullId,
  isNameOnly,
  isShortId,
  isValidTag,
  parseAnyReference,
  parseDockerRef,
  parseNormalizedNamed,
  parseReference,
  referenceString,
  tagNameOnly,
  trimNamed,
  withDigest,
  withTag,
} from './reference.js';

const DIGEST = digestOf('x');

test('parseDockerRef() expands a short name to docker.io/library with :latest', () => {
  const ref = parseDockerRef('debian');
  assert.deepEqual(
    { domain: ref.domain, path: ref.path, name: ref.name, tag: ref.tag },
    { domain: 'docker.io', path: 'library/debian', name: 'docker.io/library/debian', tag: 'latest' },
  );
  assert.equal(referenceString(ref), 'docker.io/library/debian:latest');
  assert.equal(familiarString(ref), 'debian:latest');
  assert.equal(familiarName(ref), 'debian');
});

test('parseDockerRef() keeps a registry with a port and a multi-component path', () => {
  const ref = parseDockerRef('localhost:5000/a/b:t');
  assert.equal(ref.domain, 'localhost:5000');
  assert.equal(ref.path, 'a/b');
  assert.equal(ref.tag, 't');
  assert.equal(familiarString(ref), 'localhost:5000/a/b:t');
});

test('parseDockerRef() drops the tag when a digest pins the content', () => {
  const ref = parseDockerRef(`name:tag@${DIGEST}`);
  assert.equal(ref.tag, undefined);
  assert.equal(ref.digest, DIGEST);
  assert.equal(referenceString(ref), `docker.io/library/name@${DIGEST}`);
  assert.equal(referenceString(parseNormalizedNamed(`name:tag@${DIGEST}`)), `docker.io/library/name:tag@${DIGEST}`);
});

test('parseNormalizedNamed() accepts sha512 digests as docker does', () => {
  const d = digestOf('x', 'sha512');
  assert.equal(parseNormalizedNamed(`me/app@${d}`).digest, d);
});

test('parseNormalizedNamed() maps index.docker.io to docker.io and keeps user repositories', () => {
  assert.equal(referenceString(parseNormalizedNamed('index.docker.io/debian')), 'docker.io/library/debian');
  assert.equal(referenceString(parseNormalizedNamed('me/app:1')), 'docker.io/me/app:1');
  assert.equal(familiarName(parseNormalizedNamed('docker.io/library/a/b')), 'library/a/b');
});

test('errors carry docker’s exact text and the invalid-argument kind', () => {
  const err = (() => {
    try {
      parseNormalizedNamed('Debian');
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(err instanceof InvalidReferenceError);
  assert.equal(err.message, 'invalid reference format: repository name (library/Debian) must be lowercase');
  assert.equal(err.code, 'ERR_INVALID_REFERENCE');
  assert.ok(isKind(err, 'invalid-argument'));
  assert.throws(() => parseNormalizedNamed(''), { message: 'invalid reference format' });
  assert.throws(() => parseReference(''), { message: 'repository name must have at least one component' });
  assert.throws(() => parseNormalizedNamed(`a/${'b'.repeat(256)}`), {
    message: 'repository name must not be more than 255 characters',
  });
  assert.throws(() => parseNormalizedNamed(`a@sha256:${'f'.repeat(40)}`), { message: 'invalid checksum digest length' });
  assert.throws(() => parseNormalizedNamed('a:-bad'), { message: 'invalid reference format' });
  assert.throws(() => withTag(parseNormalizedNamed('a'), '-x'), { message: 'invalid tag format' });
  assert.throws(() => withDigest(parseNormalizedNamed('a'), 'foo'), { message: 'invalid digest format' });
});

test('parseAnyReference() reads a 64-hex image ID as a sha256 digest reference', () => {
  const hex = DIGEST.slice('sha256:'.length);
  const ref = parseAnyReference(hex);
  assert.equal(ref.name, undefined);
  assert.equal(referenceString(ref), DIGEST);
  assert.equal(familiarString(ref), DIGEST);
  assert.throws(() => parseNormalizedNamed(hex), /cannot specify 64-byte hexadecimal strings/);
});

test('tagNameOnly(), trimNamed() and isNameOnly() move between name and tagged forms', () => {
  const named = parseNormalizedNamed('busybox');
  assert.ok(isNameOnly(named));
  assert.equal(tagNameOnly(named).tag, 'latest');
  const tagged = parseNormalizedNamed('busybox:1');
  assert.equal(tagNameOnly(tagged), tagged);
  assert.equal(referenceString(trimNamed(tagged)), 'docker.io/library/busybox');
  assert.equal(isNameOnly(parseAnyReference(DIGEST)), false);
});

test('references are frozen plain objects', () => {
  const ref = parseDockerRef('debian');
  assert.ok(Object.isFrozen(ref));
  assert.deepEqual(JSON.parse(JSON.stringify(ref)), {
    domain: 'docker.io',
    path: 'library/debian',
    name: 'docker.io/library/debian',
    tag: 'latest',
  });
});

test('familiarMatch() matches the familiar string or the familiar name', () => {
  const ref = parseNormalizedNamed('busybox:1.36-glibc');
  assert.ok(familiarMatch('busy*:*glibc', ref));
  assert.ok(familiarMatch('busybox', ref));
  assert.ok(!familiarMatch('docker.io/*', ref));
  assert.throws(() => familiarMatch('[-x]', ref), /syntax error in pattern/);
});

test('ID helpers: full IDs, short IDs and ID prefixes', () => {
  const hex = DIGEST.slice(7);
  assert.ok(isFullId(hex));
  assert.ok(!isFullId(DIGEST));
  assert.ok(isShortId(hex.slice(0, 12)));
  assert.ok(!isShortId(hex.slice(0, 11)));
  assert.equal(idPrefix(`sha256:${hex.slice(0, 5)}`), hex.slice(0, 5));
  assert.equal(idPrefix(hex.slice(0, 3)), hex.slice(0, 3));
  assert.equal(idPrefix('busybox'), undefined);
  assert.ok(isValidTag('v1.0_rc-2'));
  assert.ok(!isValidTag('.x'));
  assert.ok(!isValidTag('a'.repeat(129)));
});

test('parsing a long hostile name stays fast enough to finish (no catastrophic backtracking)', () => {
  const long = `${'a-'.repeat(5000)}!`;
  assert.throws(() => parseNormalizedNamed(long), InvalidReferenceError);
  assert.throws(() => parseReference(`${'a.'.repeat(5000)}a:1/x!`), InvalidReferenceError);
});
