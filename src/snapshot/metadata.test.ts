/** One suite for every `SnapshotMetadata` (containerd's habit): in memory and over the store's table. */
import { strict as assert } from 'node:assert';
import { after, describe, it } from 'node:test';
import { tempDir } from '../../test/helpers/paths.js';
import { openStore, type Store } from '../store/index.js';
import { DbSnapshotMetadata } from './db-metadata.js';
import { MemorySnapshotMetadata, type SnapshotMetadata } from './metadata.js';

const stores: Store[] = [];
after(() => {
  for (const s of stores) s.close();
});

const impls: [string, () => SnapshotMetadata][] = [
  ['memory', () => new MemorySnapshotMetadata()],
  [
    'store table',
    () => {
      const store = openStore({ root: tempDir(undefined, 'gantry-snapmeta-') });
      stores.push(store);
      return new DbSnapshotMetadata(store.db);
    },
  ],
];

for (const [name, make] of impls) {
  describe(`SnapshotMetadata (${name})`, () => {
    it('creates with fresh ids, commits under a new name keeping the id, and lists', async () => {
      const m = make();
      const a = await m.create({ key: 'a', kind: 'active', labels: { x: '1' } });
      const b = await m.create({ key: 'b', kind: 'view' });
      assert.notEqual(a.id, b.id);
      assert.deepEqual((await m.get('a'))?.labels, { x: '1' });
      const c = await m.commit('a', 'base');
      assert.deepEqual({ id: c.id, key: c.key, kind: c.kind }, { id: a.id, key: 'base', kind: 'committed' });
      assert.equal(await m.get('a'), undefined);
      const child = await m.create({ key: 'child', kind: 'active', parent: 'base' });
      assert.equal(child.parent, 'base');
      assert.deepEqual((await m.list()).map((i) => i.key).sort(), ['b', 'base', 'child']);
    });

    it('refuses duplicates, missing or uncommitted parents, and committing a view', async () => {
      const m = make();
      await m.create({ key: 'a', kind: 'active' });
      await assert.rejects(m.create({ key: 'a', kind: 'view' }), /snapshot a: already exists/);
      await assert.rejects(m.create({ key: 'x', kind: 'active', parent: 'nope' }), /snapshot nope: not found/);
      await assert.rejects(m.create({ key: 'x', kind: 'active', parent: 'a' }), /parent is not committed/);
      await m.create({ key: 'v', kind: 'view' });
      await assert.rejects(m.commit('v', 'vv'), /not active/);
      await assert.rejects(m.commit('a', 'v'), /snapshot v: already exists/);
    });

    it('removes only snapshots without children', async () => {
      const m = make();
      await m.create({ key: 'a', kind: 'active' });
      await m.commit('a', 'base');
      await m.create({ key: 'c', kind: 'active', parent: 'base' });
      await assert.rejects(m.remove('base'), /parent of other snapshots/);
      await m.remove('c');
      await m.remove('base');
      await assert.rejects(m.remove('base'), /not found/);
      assert.deepEqual(await m.list(), []);
    });
  });
}
