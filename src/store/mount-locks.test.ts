import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/paths.js';
import { MountLocks } from './mount-locks.js';
import { openDatabase } from './db.js';
import { DbIngestLocker } from './ingest-lock.js';

function openLocks(t: TestContext): { locks: MountLocks; other: MountLocks; path: string } {
  const path = join(tempDir(t), 'gantry.db');
  const db = openDatabase(path);
  // A second connection stands for a second gantry process's view of the same marks.
  const db2 = openDatabase(path);
  t.after(() => {
    db.close();
    db2.close();
  });
  return { locks: new MountLocks(db, new DbIngestLocker(db)), other: new MountLocks(db2, new DbIngestLocker(db2)), path };
}

test('a cache mount in use is not removable, and becomes removable when every use is released', async (t) => {
  const { locks, other } = openLocks(t);
  const a = await locks.use('c1');
  const b = await other.use('c1');
  assert.equal(other.inUse('c1'), true);
  assert.equal(other.inUse('c'), false, 'a name that is a prefix of another is a different mount');
  assert.equal(other.tryRemove('c1'), undefined);
  a();
  assert.equal(other.tryRemove('c1'), undefined, 'still used by the second holder');
  b();
  b(); // twice is harmless
  const removing = other.tryRemove('c1');
  assert.ok(removing !== undefined);
  assert.equal(locks.tryRemove('c1'), undefined, 'one remover at a time');
  removing();
});

test('use waits while a prune is removing the mount, then proceeds', async (t) => {
  const { locks, other } = openLocks(t);
  const removing = other.tryRemove('c2');
  assert.ok(removing !== undefined);
  let used = false;
  const pending = locks.use('c2').then((release) => {
    used = true;
    return release;
  });
  await new Promise((r) => setTimeout(r, 80));
  assert.equal(used, false);
  removing();
  const release = await pending;
  assert.equal(locks.inUse('c2'), true);
  release();
  assert.equal(locks.inUse('c2'), false);
});

test('sharing=locked holds are exclusive across connections and wait in turn', async (t) => {
  const { locks, other } = openLocks(t);
  const first = await locks.lock('c3');
  const order: string[] = [];
  const second = other.lock('c3').then((release) => {
    order.push('second');
    return release;
  });
  await new Promise((r) => setTimeout(r, 80));
  order.push('first released');
  first();
  (await second)();
  assert.deepEqual(order, ['first released', 'second']);
});

test('a wait ends with the abort signal', async (t) => {
  const { locks, other } = openLocks(t);
  const held = await locks.lock('c4');
  t.after(held);
  await assert.rejects(other.lock('c4', { signal: AbortSignal.timeout(60) }), { name: 'TimeoutError' });
});

test('the marks of a process that died are stale: they protect nothing', async (t) => {
  const { locks, path } = openLocks(t);
  // A real process takes a use mark and exits without releasing it (as a killed build would).
  const script = `
    const { openDatabase } = await import(${JSON.stringify(new URL('./db.js', import.meta.url).href)});
    const { MountLocks } = await import(${JSON.stringify(new URL('./mount-locks.js', import.meta.url).href)});
    const { DbIngestLocker } = await import(${JSON.stringify(new URL('./ingest-lock.js', import.meta.url).href)});
    const db = openDatabase(${JSON.stringify(path)});
    await new MountLocks(db, new DbIngestLocker(db)).use('c5');
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(locks.inUse('c5'), false);
  const removing = locks.tryRemove('c5');
  assert.ok(removing !== undefined);
  removing();
});
