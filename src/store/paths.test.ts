import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRoot, storeLayout } from './paths.js';

test('resolveRoot() prefers --root, then GANTRY_ROOT, then the default for the user', () => {
  assert.equal(resolveRoot({ root: '/a', env: { GANTRY_ROOT: '/b' }, uid: 0 }), '/a');
  assert.equal(resolveRoot({ env: { GANTRY_ROOT: '/b' }, uid: 0 }), '/b');
  assert.equal(resolveRoot({ env: {}, uid: 0 }), '/var/lib/gantry');
  assert.equal(resolveRoot({ env: { XDG_DATA_HOME: '/x', HOME: '/h' }, uid: 1000 }), '/x/gantry');
  assert.equal(resolveRoot({ env: { HOME: '/h' }, uid: 1000 }), '/h/.local/share/gantry');
  assert.equal(resolveRoot({ root: '', env: { GANTRY_ROOT: '' , HOME: '/h' }, uid: 1000 }), '/h/.local/share/gantry');
});

test('storeLayout() places blobs, snapshots, tmp and the DB under the root', () => {
  assert.deepEqual(storeLayout('/r'), {
    root: '/r',
    blobs: '/r/blobs',
    snapshots: '/r/snapshots',
    tmp: '/r/tmp',
    ingest: '/r/tmp/ingest',
    db: '/r/gantry.db',
  });
});
