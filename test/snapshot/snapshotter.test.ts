import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../src/store/index.js';
import { createLayer } from '../../src/layer/index.js';
import { mountAll, openSnapshotter, unmount, unpackLayers, volatileMounts, SnapshotInUseError } from '../../src/snapshot/index.js';
import { putTestImage } from '../helpers/store-images.js';
import { tempDir } from '../helpers/paths.js';

for (const driver of ['overlay', 'vfs'] as const) {
  test(`${driver}: unpacks layers once, runs an active snapshot on top, and diffs only the change`, async (t) => {
    const root = tempDir(t);
    const store = openStore({ root });
    t.after(() => store.close());
    const snaps = openSnapshotter(store, { driver });
    const image = await putTestImage(store, {
      names: ['two:latest'],
      layers: [{ 'etc/base': 'base\n', 'etc/gone': 'old\n' }, { 'etc/top': 'top\n' }],
    });
    const parent = await unpackLayers(store.content, snaps, image.layers);
    assert.equal(parent, image.layers[1]?.chainId);
    const before = snaps.list().length;
    assert.equal(await unpackLayers(store.content, snaps, image.layers), parent, 'a second unpack is a no-op');
    assert.equal(snaps.list().length, before);

    const mounts = await snaps.prepare('ctr', parent);
    const rootfs = join(root, 'mnt');
    mkdirSync(rootfs);
    await mountAll(mounts, rootfs);
    try {
      assert.equal(readFileSync(join(rootfs, 'etc/base'), 'utf8'), 'base\n');
      assert.equal(readFileSync(join(rootfs, 'etc/top'), 'utf8'), 'top\n');
      writeFileSync(join(rootfs, 'etc/new'), 'new\n');
      rmSync(join(rootfs, 'etc/gone'));
      await assert.rejects(snaps.remove(parent as string), SnapshotInUseError, 'a parent cannot go while a child exists');
    } finally {
      await unmount(rootfs);
    }
    const chunks: Buffer[] = [];
    const layer = await createLayer(snaps.diffSource('ctr'), (c) => void chunks.push(Buffer.from(c)), { compression: 'none' });
    const tar = Buffer.concat(chunks).toString('latin1');
    assert.match(tar, /etc\/new/);
    assert.match(tar, /etc\/\.wh\.gone/);
    assert.doesNotMatch(tar, /etc\/base/, 'unchanged files are not in the diff');
    assert.ok(layer.diffId.startsWith('sha256:'));

    await snaps.commit('committed-ctr', 'ctr');
    assert.equal(snaps.stat('committed-ctr')?.kind, 'committed');
    assert.equal(snaps.stat('ctr'), undefined);
    await snaps.remove('committed-ctr');
    assert.equal(snaps.stat('committed-ctr'), undefined);
  });
}

test('overlay: commit of a name that exists keeps the first and discards the second', async (t) => {
  const root = tempDir(t);
  const store = openStore({ root });
  t.after(() => store.close());
  const snaps = openSnapshotter(store);
  await snaps.prepare('a');
  await snaps.prepare('b');
  writeFileSync(join(snaps.upperDir('a'), 'x'), 'a');
  writeFileSync(join(snaps.upperDir('b'), 'x'), 'b');
  await snaps.commit('layer', 'a');
  const dirB = snaps.upperDir('b');
  await snaps.commit('layer', 'b');
  assert.equal(readFileSync(join(snaps.upperDir('layer'), 'x'), 'utf8'), 'a');
  assert.equal(existsSync(dirB), false);
});

test('overlay: a long layer stack mounts with relative lowerdirs', async (t) => {
  const root = tempDir(t);
  const store = openStore({ root });
  t.after(() => store.close());
  const snaps = openSnapshotter(store);
  let parent: string | undefined;
  for (let i = 0; i < 150; i++) {
    await snaps.prepare(`tmp-${i}`, parent);
    writeFileSync(join(snaps.upperDir(`tmp-${i}`), `f${i}`), String(i));
    await snaps.commit(`l-${i}`, `tmp-${i}`);
    parent = `l-${i}`;
  }
  const mounts = await snaps.prepare('top', parent);
  assert.ok(mounts[0]?.cwd !== undefined, 'options past a page use paths relative to snapshots/');
  const rootfs = join(root, 'mnt');
  mkdirSync(rootfs);
  await mountAll(mounts, rootfs);
  try {
    assert.equal(readdirSync(rootfs).length, 150);
  } finally {
    await unmount(rootfs);
  }
});

test('overlay: a volatile mount reads and writes like any other, and can be mounted again after unmount', async (t) => {
  const root = tempDir(t);
  const store = openStore({ root });
  t.after(() => store.close());
  const snaps = openSnapshotter(store);
  const image = await putTestImage(store, { names: ['vol:latest'], layers: [{ 'etc/base': 'base\n' }] });
  const parent = await unpackLayers(store.content, snaps, image.layers);
  const mounts = volatileMounts(await snaps.prepare('vol', parent));
  assert.ok(mounts.every((m) => m.type !== 'overlay' || m.options.includes('volatile')));
  const rootfs = join(root, 'mnt');
  mkdirSync(rootfs);
  for (const content of ['first\n', 'second\n']) {
    // The second mount finds the kernel's incompat marker of the first and must clear it.
    await mountAll(mounts, rootfs);
    try {
      const opts = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').find((l) => l.split(' ')[4] === rootfs) ?? '';
      // Kernels before 5.10 do not know the option; mountAll then mounts without it.
      const [major = 0, minor = 0] = release().split('.').map((n) => Number.parseInt(n, 10));
      if (major > 5 || (major === 5 && minor >= 10)) assert.match(opts, /\bvolatile\b/, 'the kernel took the option');
      assert.equal(readFileSync(join(rootfs, 'etc/base'), 'utf8'), 'base\n');
      writeFileSync(join(rootfs, 'etc/new'), content);
    } finally {
      await unmount(rootfs);
    }
    assert.equal(readFileSync(join(snaps.upperDir('vol'), 'etc/new'), 'utf8'), content, 'the change is in the upper dir');
  }
  await snaps.remove('vol');
});

test('volatileMounts marks only writable overlays', () => {
  const upper = { type: 'overlay' as const, source: 'overlay', options: ['lowerdir=/a:/b', 'upperdir=/u', 'workdir=/w'] };
  const view = { type: 'overlay' as const, source: 'overlay', options: ['lowerdir=/a:/b'] };
  const bind = { type: 'bind' as const, source: '/x', options: ['rbind', 'rw'] };
  assert.deepEqual(volatileMounts([upper, view, bind]), [{ ...upper, options: [...upper.options, 'volatile'] }, view, bind]);
  assert.deepEqual(volatileMounts(volatileMounts([upper]))[0]?.options.filter((o) => o === 'volatile'), ['volatile'], 'added once');
});

/** What the snapshot row says about the boot its tree was written in; `boot` rewrites it (a "reboot"). */
function writtenBoot(store: ReturnType<typeof openStore>, key: string, boot?: string): string | undefined {
  const row = store.db.sqlite.prepare('SELECT labels FROM snapshots WHERE key = ?').get(key) as { labels: string };
  const labels = JSON.parse(row.labels) as Record<string, string>;
  if (boot !== undefined) {
    labels['gantry.written-boot'] = boot;
    store.db.sqlite.prepare('UPDATE snapshots SET labels = ? WHERE key = ?').run(JSON.stringify(labels), key);
  }
  return labels['gantry.written-boot'];
}

for (const driver of ['overlay', 'vfs'] as const) {
  test(`${driver}: a tree committed before the last boot (a crash may have emptied it) is extracted again in place before use`, async (t) => {
    const root = tempDir(t);
    const store = openStore({ root });
    t.after(() => store.close());
    const snaps = openSnapshotter(store, { driver });
    const image = await putTestImage(store, { layers: [{ 'etc/base': 'base\n' }, { 'etc/top': 'top\n' }] });
    const [base, top] = image.layers.map((l) => l.chainId as string) as [string, string];
    await unpackLayers(store.content, snaps, image.layers);
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim();
    assert.equal(writtenBoot(store, base), boot, 'every commit records its boot');
    const ids = [snaps.stat(base)?.id, snaps.stat(top)?.id];
    const baseTree = join(root, 'snapshots', String(ids[0]), 'fs');

    // What a power cut can do to unsynced pages: the file is there, its data is not.
    writeFileSync(join(baseTree, 'etc/base'), '');
    assert.equal(snaps.needsRenewal(base), false, 'in this boot the page cache holds what was written');
    writtenBoot(store, base, 'an-earlier-boot');
    assert.equal(snaps.needsRenewal(base), true);
    assert.equal(snaps.needsRenewal(top), false);
    assert.equal(await unpackLayers(store.content, snaps, image.layers), top);
    assert.equal(readFileSync(join(baseTree, 'etc/base'), 'utf8'), 'base\n');
    assert.deepEqual([snaps.stat(base)?.id, snaps.stat(top)?.id], ids, 'same rows: the layer above keeps its parent');
    assert.equal(snaps.stat(top)?.parent, base);
    assert.equal(writtenBoot(store, base), boot);
    assert.deepEqual(readdirSync(join(root, 'snapshots', String(ids[0]))).filter((n) => n !== 'fs'), [], 'no old tree left behind');
    assert.equal(snaps.list().length, 2, 'the extraction snapshot is gone');

    // A tree that is missing (a process killed in the middle of a swap) is extracted again too.
    rmSync(join(root, 'snapshots', String(ids[1]), 'fs'), { recursive: true });
    assert.equal(snaps.needsRenewal(top), true);
    await unpackLayers(store.content, snaps, image.layers);
    assert.equal(readFileSync(join(root, 'snapshots', String(ids[1]), 'fs', 'etc/top'), 'utf8'), 'top\n');
  });
}

test('overlay: committing a name whose tree is from an earlier boot replaces that tree with the new one', async (t) => {
  const root = tempDir(t);
  const store = openStore({ root });
  t.after(() => store.close());
  const snaps = openSnapshotter(store, { driver: 'overlay' });
  for (const [key, text] of [['first', 'old\n'], ['second', 'new\n']] as const) {
    await snaps.prepare(key);
    writeFileSync(join(snaps.upperDir(key), 'f'), text);
    if (key === 'second') writtenBoot(store, 'layer', 'an-earlier-boot');
    await snaps.commit('layer', key);
  }
  const id = snaps.stat('layer')?.id;
  assert.equal(readFileSync(join(root, 'snapshots', String(id), 'fs', 'f'), 'utf8'), 'new\n');
  assert.equal(snaps.needsRenewal('layer'), false);
  assert.equal(snaps.list().length, 1);
});
