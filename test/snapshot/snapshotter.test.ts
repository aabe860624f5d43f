/**
 * The snapshotter with each driver, on real mounts: prepare, write, commit, stack, view, remove,
 * cleanup; and the overlay upper dir holding exactly a container's changes (whiteouts included).
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir } from '../helpers/paths.js';
import { makeBusyboxRootfs, haveBusybox } from '../helpers/fixtures.js';
import { openStore } from '../../src/store/index.js';
import {
  DbSnapshotMetadata, MemorySnapshotMetadata, Snapshotter, mountAll, overlayDriver, unmount, vfsDriver, overlayAvailable, isMountPoint, mountArgs,
  type SnapshotDriver,
} from '../../src/snapshot/index.js';

const skip = process.getuid?.() !== 0 ? 'needs root to mount' : undefined;

describe('mountArgs', () => {
  it('turns mounts into mount(8) arguments, relative lower dirs when asked', () => {
    assert.deepEqual(mountArgs({ type: 'bind', source: '/a', options: ['rbind', 'ro'] }, '/t').args, ['-o', 'ro', '--rbind', '/a', '/t']);
    const o = mountArgs({ type: 'overlay', source: 'overlay', options: ['lowerdir=/s/2/fs:/s/1/fs', 'upperdir=/s/3/fs', 'workdir=/s/3/work'] }, '/t', '/s');
    assert.deepEqual(o, { args: ['-o', 'lowerdir=2/fs:1/fs,upperdir=3/fs,workdir=3/work', '-t', 'overlay', 'overlay', '/t'], cwd: '/s' });
  });
});

for (const driver of [overlayDriver, vfsDriver] as SnapshotDriver[]) {
  describe(`snapshotter (${driver.name})`, { skip }, () => {
    const dir = tempDir(undefined, `gantry-snap-${driver.name}-`);
    const mnt = join(dir, 'mnt');
    mkdirSync(mnt);
    // overlay runs as in production, over the store's snapshots table; vfs over the in-memory records.
    const store = driver.name === 'overlay' ? openStore({ root: join(dir, 'store') }) : undefined;
    const metadata = store === undefined ? new MemorySnapshotMetadata() : new DbSnapshotMetadata(store.db);
    const sn = new Snapshotter({ root: join(dir, 'snapshots'), driver, metadata });
    after(async () => {
      store?.close();
      await unmount(mnt).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    });

    it('prepares an empty snapshot, keeps what is written, and commits it', async (t) => {
      if (driver.name === 'overlay' && !(await overlayAvailable())) return t.skip('no overlayfs');
      await mountAll(await sn.prepare('base-active'), mnt);
      try {
        mkdirSync(join(mnt, 'dir'));
        writeFileSync(join(mnt, 'a'), 'a\n');
        writeFileSync(join(mnt, 'dir', 'b'), 'b\n');
        writeFileSync(join(mnt, 'to-delete'), 'x\n');
        writeFileSync(join(mnt, 'to-modify'), 'old\n');
      } finally {
        await unmount(mnt);
      }
      await assert.rejects(sn.commit('base', 'nope'), /snapshot nope: not found/);
      const base = await sn.commit('base', 'base-active');
      assert.equal(base.kind, 'committed');
      assert.equal(readFileSync(join(sn.fsPath(base), 'dir', 'b'), 'utf8'), 'b\n');
    });

    it('an active child sees its parent and records only its changes', async (t) => {
      if (driver.name === 'overlay' && !(await overlayAvailable())) return t.skip('no overlayfs');
      await mountAll(await sn.prepare('c1', 'base'), mnt);
      assert.ok(await isMountPoint(mnt));
      try {
        assert.equal(readFileSync(join(mnt, 'a'), 'utf8'), 'a\n');
        writeFileSync(join(mnt, 'to-modify'), 'new\n');
        unlinkSync(join(mnt, 'to-delete'));
        writeFileSync(join(mnt, 'added'), 'added\n');
      } finally {
        await unmount(mnt);
      }
      const upper = sn.fsPath(await sn.stat('c1'));
      if (driver.name === 'overlay') {
        assert.deepEqual(readdirSync(upper).sort(), ['added', 'to-delete', 'to-modify']);
        const wh = statSync(join(upper, 'to-delete'));
        assert.ok(wh.isCharacterDevice() && wh.rdev === 0, 'a deletion is an overlay whiteout (char 0/0)');
      } else {
        assert.deepEqual(readdirSync(upper).sort(), ['a', 'added', 'dir', 'to-modify']);
      }
      assert.equal(readFileSync(join(upper, 'to-modify'), 'utf8'), 'new\n');
      // The parent is untouched.
      assert.equal(readFileSync(join(sn.fsPath(await sn.stat('base')), 'to-modify'), 'utf8'), 'old\n');
    });

    it('stacks three levels and gives read-only views', async (t) => {
      if (driver.name === 'overlay' && !(await overlayAvailable())) return t.skip('no overlayfs');
      await sn.commit('l2', 'c1');
      await mountAll(await sn.prepare('c2', 'l2'), mnt);
      try {
        assert.equal(readFileSync(join(mnt, 'to-modify'), 'utf8'), 'new\n');
        assert.equal(readFileSync(join(mnt, 'dir', 'b'), 'utf8'), 'b\n');
        assert.ok(!existsSync(join(mnt, 'to-delete')));
        // In use (overlay upper dir, or bind source): neither removed nor committed from under the mount.
        await assert.rejects(sn.remove('c2'), /it is still mounted/);
        await assert.rejects(sn.commit('l3', 'c2'), /it is still mounted/);
      } finally {
        await unmount(mnt);
      }
      await mountAll(await sn.view('v1', 'l2'), mnt);
      try {
        assert.equal(readFileSync(join(mnt, 'added'), 'utf8'), 'added\n');
        assert.throws(() => writeFileSync(join(mnt, 'nope'), 'x'), /EROFS/);
        // A bind-mounted snapshot (vfs views are binds of their own copy) is not removed from under its mount.
        if (driver.name === 'vfs') await assert.rejects(sn.remove('v1'), /it is still mounted/);
      } finally {
        await unmount(mnt);
      }
      await sn.remove('v1');
      await assert.rejects(sn.remove('base'), /it is the parent of other snapshots/);
    });

    it('removes records then directories, and cleanup takes orphans', async (t) => {
      if (driver.name === 'overlay' && !(await overlayAvailable())) return t.skip('no overlayfs');
      const c2 = await sn.stat('c2');
      await sn.remove('c2');
      assert.ok(!existsSync(sn.dir(c2)));
      mkdirSync(join(sn.root, 'new-deadbeef'));
      mkdirSync(join(sn.root, '999', 'fs'), { recursive: true });
      assert.deepEqual((await sn.cleanup()).sort(), ['999', 'new-deadbeef']);
      assert.deepEqual((await sn.list()).map((i) => i.key).sort(), ['base', 'l2']);
    });
  });
}

describe('a container on an overlay snapshot', { skip: skip ?? (haveBusybox() ? undefined : 'needs busybox-static') }, () => {
  it('runs on the mounted snapshot, and its writes land in the upper dir only', async (t) => {
    if (!(await overlayAvailable())) return t.skip('no overlayfs');
    const { openRuntime, prepareContainer, runContainer, deleteContainer } = await import('../../src/runtime/index.js');
    const dir = tempDir(t, 'gantry-snaprun-');
    const sn = new Snapshotter({ root: join(dir, 'snapshots'), driver: overlayDriver, metadata: new MemorySnapshotMetadata() });
    const rootfs = join(dir, 'rootfs');
    mkdirSync(rootfs);
    // The image layer: a busybox tree in a committed snapshot.
    await mountAll(await sn.prepare('img-active'), rootfs);
    try {
      makeBusyboxRootfs(rootfs);
    } finally {
      await unmount(rootfs);
    }
    await sn.commit('img', 'img-active');
    const id = `gtsnap${process.pid}`;
    await mountAll(await sn.prepare(id, 'img'), rootfs);
    const ctx = await openRuntime({ gantryRoot: join(dir, 'root') });
    try {
      await prepareContainer(ctx, { id, rootfs, overrides: { args: ['sh', '-c', 'echo hi > /etc/greeting; rm /bin/vi; mkdir -p /var/data'] } });
      const { exitCode } = await runContainer(ctx, { id, stdio: ['ignore', 'inherit', 'inherit'] });
      assert.equal(exitCode, 0);
    } finally {
      await deleteContainer(ctx, id, { force: true });
      await unmount(rootfs);
    }
    const upper = sn.fsPath(await sn.stat(id));
    assert.equal(readFileSync(join(upper, 'etc', 'greeting'), 'utf8'), 'hi\n');
    assert.ok(statSync(join(upper, 'bin', 'vi')).isCharacterDevice());
    assert.ok(statSync(join(upper, 'var', 'data')).isDirectory());
    assert.ok(!existsSync(join(upper, 'bin', 'sh')), 'unchanged files stay in the lower dir');
    await sn.remove(id);
  });
});
