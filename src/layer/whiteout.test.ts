import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/paths.js';
import {
  classifyWhiteout, isOverlayOpaque, isOverlayWhiteout, isOverlayXattr, makeOverlayWhiteout, markOverlayOpaque, opaquePath, whiteoutPath,
} from './whiteout.js';

test('classifies OCI whiteout names', () => {
  assert.deepEqual(classifyWhiteout('etc/.wh.passwd'), { kind: 'whiteout', target: 'etc/passwd' });
  assert.deepEqual(classifyWhiteout('.wh.top'), { kind: 'whiteout', target: 'top' });
  assert.deepEqual(classifyWhiteout('a/b/.wh..wh..opq'), { kind: 'opaque', dir: 'a/b' });
  assert.deepEqual(classifyWhiteout('.wh..wh..opq'), { kind: 'opaque', dir: '' });
  assert.deepEqual(classifyWhiteout('.wh..wh.plnk'), { kind: 'meta' });
  assert.equal(classifyWhiteout('etc/passwd'), undefined);
  assert.equal(classifyWhiteout('a.wh.b'), undefined);
});

test('names whiteout and opaque entries', () => {
  assert.equal(whiteoutPath('etc/passwd'), 'etc/.wh.passwd');
  assert.equal(whiteoutPath('top'), '.wh.top');
  assert.equal(opaquePath('var/lib'), 'var/lib/.wh..wh..opq');
  assert.equal(opaquePath(''), '.wh..wh..opq');
});

test('writes and recognises overlayfs whiteouts and opaque directories', (t) => {
  const dir = tempDir(t);
  makeOverlayWhiteout(join(dir, 'gone'));
  assert.ok(isOverlayWhiteout(lstatSync(join(dir, 'gone'))));
  writeFileSync(join(dir, 'file'), '');
  assert.ok(!isOverlayWhiteout(lstatSync(join(dir, 'file'))));
  mkdirSync(join(dir, 'd'));
  assert.ok(!isOverlayOpaque(join(dir, 'd')));
  markOverlayOpaque(join(dir, 'd'));
  assert.ok(isOverlayOpaque(join(dir, 'd')));
  mkdirSync(join(dir, 'u'));
  markOverlayOpaque(join(dir, 'u'), 'user.overlay.opaque');
  assert.ok(isOverlayOpaque(join(dir, 'u')));
});

test('knows which xattrs belong to overlayfs', () => {
  assert.ok(isOverlayXattr('trusted.overlay.redirect'));
  assert.ok(isOverlayXattr('user.overlay.opaque'));
  assert.ok(!isOverlayXattr('security.capability'));
  assert.ok(!isOverlayXattr('user.overlayish'));
});
