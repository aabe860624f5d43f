import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../errors.js';
import type { Descriptor } from './descriptor.js';
import { digestOf } from './digest.js';
import { MediaType } from './media-types.js';
import {
  allPlatforms,
  bestMatch,
  comparePlatforms,
  formatPlatform,
  hostPlatform,
  matchingManifests,
  normalizePlatform,
  only,
  onlyStrict,
  parsePlatform,
  parsePlatforms,
  type Platform,
} from './platform.js';

function entry(name: string, platform?: Platform): Descriptor {
  const d: Descriptor = { mediaType: MediaType.OciManifest, digest: digestOf(name), size: name.length };
  if (platform) d.platform = platform;
  return d;
}

test('hostPlatform() names this machine the way Go does', () => {
  assert.deepEqual(hostPlatform({ platform: 'linux', arch: 'x64' }), { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(hostPlatform({ platform: 'linux', arch: 'arm64' }), { os: 'linux', architecture: 'arm64' });
  assert.deepEqual(hostPlatform({ platform: 'linux', arch: 'arm', armVersion: '6' }), {
    os: 'linux',
    architecture: 'arm',
    variant: 'v6',
  });
  assert.deepEqual(hostPlatform({ platform: 'linux', arch: 'ppc64', littleEndian: true }), {
    os: 'linux',
    architecture: 'ppc64le',
  });
  assert.equal(formatPlatform(hostPlatform({ platform: 'win32', arch: 'ia32' })), 'windows/386');
  if (process.arch === 'x64' && process.platform === 'linux') assert.equal(formatPlatform(hostPlatform()), 'linux/amd64');
});

test('normalizePlatform() resolves aliases and sorts OS features', () => {
  assert.deepEqual(normalizePlatform({ os: 'Linux', architecture: 'aarch64', variant: 'v8' }), {
    os: 'linux',
    architecture: 'arm64',
  });
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'armhf' }), { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(normalizePlatform({ os: 'linux', architecture: 'amd64', 'os.features': ['b', 'a', 'b'] }), {
    os: 'linux',
    architecture: 'amd64',
    'os.features': ['a', 'b'],
  });
});

test('parsePlatform() refuses bad input with containerd’s messages', () => {
  assert.throws(() => parsePlatform('foo'), {
    message: '"foo": unknown operating system or architecture: invalid argument',
  });
  assert.throws(() => parsePlatform('linux/arm/v7/x'), { message: /cannot parse platform specifier/ });
  assert.throws(() => parsePlatform('linux/&arm'), { message: /"&arm" is an invalid component of "linux\/&arm"/ });
  assert.throws(() => parsePlatform('windows(%zz)/amd64'), { message: /invalid URL escape "%zz"/ });
  try {
    parsePlatforms(['linux/amd64', 'bogus']);
    assert.fail('expected an error');
  } catch (err) {
    assert.ok(isKind(err, 'invalid-argument'));
    assert.match((err as Error).message, /^invalid platform bogus: "bogus": unknown/);
  }
});

test('bestMatch() picks the host entry of an index and skips attestation manifests', () => {
  const manifests = [
    entry('arm', { os: 'linux', architecture: 'arm', variant: 'v7' }),
    entry('386', { os: 'linux', architecture: '386' }),
    entry('attestation', { os: 'unknown', architecture: 'unknown' }),
    entry('amd64', { os: 'linux', architecture: 'amd64' }),
    entry('arm64', { os: 'linux', architecture: 'arm64', variant: 'v8' }),
  ];
  assert.equal(bestMatch(manifests, { os: 'linux', architecture: 'amd64' })?.digest, digestOf('amd64'));
  // With amd64 gone, an amd64 host falls back to 386; an arm64 host to 32-bit arm.
  const noAmd64 = manifests.filter((d) => d.digest !== digestOf('amd64'));
  assert.equal(bestMatch(noAmd64, { os: 'linux', architecture: 'amd64' })?.digest, digestOf('386'));
  assert.equal(bestMatch(noAmd64, onlyStrict({ os: 'linux', architecture: 'amd64' })), undefined);
  assert.equal(bestMatch(manifests, parsePlatform('linux/arm64'))?.digest, digestOf('arm64'));
  assert.equal(bestMatch(manifests.filter((d) => d.digest !== digestOf('arm64')), parsePlatform('linux/arm64'))?.digest, digestOf('arm'));
  assert.equal(bestMatch(manifests, parsePlatform('windows/amd64')), undefined);
});

test('comparePlatforms() sorts with a comparer’s preference', () => {
  const list = ['linux/386', 'linux/arm64', 'linux/amd64'].map(parsePlatform);
  list.sort(comparePlatforms(only({ os: 'linux', architecture: 'amd64' })));
  assert.deepEqual(list.map(formatPlatform), ['linux/amd64', 'linux/386', 'linux/arm64']);
});

test('matchingManifests() keeps entries without a platform, last, for the caller to check', () => {
  const manifests = [entry('none'), entry('386', { os: 'linux', architecture: '386' }), entry('amd64', { os: 'linux', architecture: 'amd64' })];
  const order = matchingManifests(manifests, only({ os: 'linux', architecture: 'amd64' })).map((d) => d.size);
  assert.deepEqual(order, ['amd64'.length, '386'.length, 'none'.length]);
  assert.equal(matchingManifests(manifests, allPlatforms).length, 3);
});

test('variants named like prototype members are ordinary unknown variants', () => {
  const p = parsePlatform('linux/arm64/constructor');
  assert.equal(p.variant, 'constructor');
  // containerd's vector for an arm64 variant it does not know is empty; strict matching still works.
  assert.ok(!only(p).match(p));
  assert.ok(onlyStrict(p).match(p));
  assert.ok(!onlyStrict(p).match(parsePlatform('linux/arm64')));
});
