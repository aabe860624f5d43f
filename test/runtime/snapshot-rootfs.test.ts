/**
 * A container under runc on a mounted snapshot (the way `run` and RUN steps work): its writes land in
 * the snapshot's upper dir only, deletions as whiteouts, and the image's tree is untouched.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { makeBusyboxRootfs } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/paths.js';
import { deleteAllContainers, runtimeSkipReason } from './harness.js';
import { openStore } from '../../src/store/index.js';
import { mountAll, openSnapshotter, unmount } from '../../src/snapshot/index.js';
import { openRuntime, prepareContainer, runContainer, deleteContainer } from '../../src/runtime/index.js';

test('a container on an overlay snapshot writes only to its upper dir', { skip: runtimeSkipReason() }, async (t) => {
  const dir = tempDir(t, 'gantry-snaprun-');
  const store = openStore({ root: join(dir, 'store') });
  t.after(() => store.close());
  const snaps = openSnapshotter(store, { driver: 'overlay' });
  const rootfs = join(dir, 'rootfs');
  mkdirSync(rootfs);
  // The image: a busybox tree committed as a snapshot.
  await mountAll(await snaps.prepare('img-active'), rootfs);
  try {
    makeBusyboxRootfs(rootfs);
  } finally {
    await unmount(rootfs);
  }
  await snaps.commit('img', 'img-active');

  const id = `gtsnap${process.pid}`;
  await mountAll(await snaps.prepare(id, 'img'), rootfs);
  const gantryRoot = join(dir, 'root');
  t.after(() => deleteAllContainers(gantryRoot));
  const ctx = await openRuntime({ gantryRoot });
  try {
    await prepareContainer(ctx, { id, rootfs, overrides: { args: ['sh', '-c', 'echo hi > /etc/greeting; rm /bin/vi; mkdir -p /var/data'] } });
    const { exitCode } = await runContainer(ctx, { id, stdio: ['ignore', 'inherit', 'inherit'] });
    assert.equal(exitCode, 0);
  } finally {
    await deleteContainer(ctx, id, { force: true });
    await unmount(rootfs);
  }
  const upper = snaps.upperDir(id);
  assert.equal(readFileSync(join(upper, 'etc', 'greeting'), 'utf8'), 'hi\n');
  const wh = statSync(join(upper, 'bin', 'vi'));
  assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'the deletion is an overlay whiteout');
  assert.ok(statSync(join(upper, 'var', 'data')).isDirectory());
  assert.ok(!existsSync(join(upper, 'bin', 'sh')), 'unchanged files stay below');
  assert.ok(existsSync(join(snaps.lowerDirs(id)[0]!, 'bin', 'vi')), 'the image tree is untouched');
  await snaps.remove(id);
});
