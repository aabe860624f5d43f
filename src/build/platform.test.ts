import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildablePlatforms, resolveBuildPlatform, UnsupportedPlatformError } from './platform.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
const V2 = ['cx16', 'lahf_lm', 'popcnt', 'sse4_1', 'sse4_2', 'ssse3'];
const V3 = ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave'];

test('buildablePlatforms(): the host, then each amd64 level whose CPU flags are all there, stopping at the first missing', () => {
  assert.deepEqual(buildablePlatforms(amd64, () => new Set()), [amd64]);
  assert.deepEqual(buildablePlatforms(amd64, () => new Set(V2)), [amd64, { ...amd64, variant: 'v2' }]);
  assert.deepEqual(
    buildablePlatforms(amd64, () => new Set([...V2, ...V3])),
    [amd64, { ...amd64, variant: 'v2' }, { ...amd64, variant: 'v3' }],
  );
  // v3 without lzcnt (abm) is not v3, and v4's flags alone do not skip a level.
  assert.deepEqual(buildablePlatforms(amd64, () => new Set([...V2, ...V3.filter((f) => f !== 'abm'), 'avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl'])).length, 2);
  // Other architectures have no levels here.
  assert.deepEqual(buildablePlatforms({ os: 'linux', architecture: 'arm64' }, () => new Set(V2)), [{ os: 'linux', architecture: 'arm64' }]);
});

test('resolveBuildPlatform() normalizes as containerd does and refuses what this machine does not run', () => {
  const supported = [amd64, { ...amd64, variant: 'v2' }];
  for (const s of ['linux/amd64', 'linux/amd64/v1', 'amd64', 'x86_64', 'LINUX/AMD64', ' linux/amd64 ']) {
    assert.deepEqual(resolveBuildPlatform(s, supported), amd64, s);
  }
  assert.deepEqual(resolveBuildPlatform('linux/amd64/v2', supported), { ...amd64, variant: 'v2' });
  for (const s of ['linux/amd64/v3', 'linux/arm64', 'linux/386', 'windows/amd64']) {
    assert.throws(() => resolveBuildPlatform(s, supported), (e: unknown) => e instanceof UnsupportedPlatformError && e.message === `Cannot build for platform "${s}": this machine builds only linux/amd64, linux/amd64/v2 (no emulation is set up)`, s);
  }
  assert.throws(() => resolveBuildPlatform('linux/amd64/v2/x/y', supported), /invalid argument/);
});
