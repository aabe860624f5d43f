import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/paths.js';
import { resolveInRoot, MAX_SYMLINK_HOPS } from './safe-path.js';

function root(t: Parameters<typeof tempDir>[0]): string {
  const r = realpathSync(tempDir(t));
  mkdirSync(join(r, 'usr/lib'), { recursive: true });
  writeFileSync(join(r, 'usr/lib/libc.so'), '');
  symlinkSync('usr/lib', join(r, 'lib'));
  symlinkSync('/usr/lib', join(r, 'lib64'));
  symlinkSync('../../../../../..', join(r, 'up'));
  symlinkSync('/etc', join(r, 'etc-abs'));
  symlinkSync('loop2', join(r, 'loop1'));
  symlinkSync('loop1', join(r, 'loop2'));
  return r;
}

test('resolveInRoot follows relative and absolute symlinks inside the root', (t) => {
  const r = root(t);
  assert.equal(resolveInRoot(r, 'lib/libc.so'), join(r, 'usr/lib/libc.so'));
  assert.equal(resolveInRoot(r, 'lib64/libc.so'), join(r, 'usr/lib/libc.so'));
  assert.equal(resolveInRoot(r, '/lib64/x/y'), join(r, 'usr/lib/x/y'));
});

test('resolveInRoot clamps .. and escaping symlinks at the root', (t) => {
  const r = root(t);
  assert.equal(resolveInRoot(r, '../../etc/passwd'), join(r, 'etc/passwd'));
  assert.equal(resolveInRoot(r, 'up/etc/passwd'), join(r, 'etc/passwd'));
  assert.equal(resolveInRoot(r, 'etc-abs/passwd'), join(r, 'etc/passwd'));
  assert.equal(resolveInRoot(r, 'usr/../../..'), r);
});

test('resolveInRoot does not follow the last component unless asked', (t) => {
  const r = root(t);
  assert.equal(resolveInRoot(r, 'lib'), join(r, 'lib'));
  assert.equal(resolveInRoot(r, 'lib', { followLast: true }), join(r, 'usr/lib'));
  assert.equal(resolveInRoot(r, 'up', { followLast: true }), r);
});

test(`resolveInRoot refuses a symlink loop after ${MAX_SYMLINK_HOPS} hops`, (t) => {
  const r = root(t);
  assert.throws(() => resolveInRoot(r, 'loop1/x'), { code: 'ERR_LAYER_UNSAFE_ENTRY' });
});

test('resolveInRoot resolves the rest lexically below a missing component', (t) => {
  const r = root(t);
  assert.equal(resolveInRoot(r, 'new/dir/../file'), join(r, 'new/file'));
});
