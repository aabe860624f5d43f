import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mountAll, unmount } from '../../src/snapshot/index.js';
import { isMountedUnder } from '../../src/store/index.js';
import { tempDir } from '../helpers/paths.js';

/** A directory holding `f` (with `content`) bind-mounted on a fresh target, unmounted after the test. */
async function boundDir(t: TestContext, content: string, options: string[]): Promise<{ dir: string; target: string }> {
  const dir = tempDir(t);
  const src = join(dir, 'src');
  const target = join(dir, 'target');
  mkdirSync(src);
  mkdirSync(target);
  writeFileSync(join(src, 'f'), content);
  await mountAll([{ type: 'bind', source: src, options }], target);
  t.after(() => unmount(target));
  return { dir, target };
}

test('mountAll binds read-only and unmount is idempotent', async (t) => {
  const { dir, target } = await boundDir(t, 'bound', ['ro']);
  assert.equal(readFileSync(join(target, 'f'), 'utf8'), 'bound');
  assert.throws(() => writeFileSync(join(target, 'g'), 'x'), { code: 'EROFS' });
  await unmount(target);
  assert.equal(isMountedUnder(target), false);
  await unmount(target); // not mounted any more: no error
  await unmount(join(dir, 'missing')); // no such path: no error
});

test('an overlay with lowerdirs relative to cwd mounts, also when absolute paths would not fit a page', async (t) => {
  const dir = tempDir(t);
  // 60 layers under long names: relative they fit mount(2)'s page, absolute they do not
  // (mount(8) from cwd then).
  const layersDir = join(dir, 'l'.repeat(60));
  const lowers: string[] = [];
  for (let i = 0; i < 60; i++) {
    const name = `layer-${String(i).padStart(2, '0')}-${'x'.repeat(40)}`;
    mkdirSync(join(layersDir, name), { recursive: true });
    writeFileSync(join(layersDir, name, `f${i}`), String(i));
    lowers.push(name);
  }
  for (const [label, count] of [['short', 3], ['long', 60]] as const) {
    const upper = join(dir, `${label}-upper`);
    const work = join(dir, `${label}-work`);
    const target = join(dir, `${label}-merged`);
    for (const d of [upper, work, target]) mkdirSync(d);
    const options = [`lowerdir=${lowers.slice(0, count).join(':')}`, `upperdir=${upper}`, `workdir=${work}`];
    if (label === 'long') {
      assert.ok(options.join(',').length < 4095);
      assert.ok(options.join(',').length + count * (layersDir.length + 1) > 4095);
    }
    await mountAll([{ type: 'overlay', source: 'overlay', options, cwd: layersDir }], target);
    t.after(() => unmount(target));
    assert.equal(readFileSync(join(target, 'f0'), 'utf8'), '0');
    assert.equal(readFileSync(join(target, `f${count - 1}`), 'utf8'), String(count - 1));
    writeFileSync(join(target, 'new'), 'up');
    assert.equal(readFileSync(join(upper, 'new'), 'utf8'), 'up');
    await unmount(target);
    assert.equal(isMountedUnder(target), false);
  }
});

test('a failing mount is a MountError naming the target', async (t) => {
  const dir = tempDir(t);
  const target = join(dir, 'target');
  mkdirSync(target);
  await assert.rejects(
    mountAll([{ type: 'overlay', source: 'overlay', options: [`lowerdir=${join(dir, 'missing')}`, `upperdir=${dir}/u`, `workdir=${dir}/w`] }], target),
    (err: Error) => err.constructor.name === 'MountError' && err.message.includes(target),
  );
  assert.equal(isMountedUnder(target), false);
});

test('unmount of a busy mount detaches it lazily (EBUSY from umount2)', async (t) => {
  const { target } = await boundDir(t, 'held', []);
  const fd = openSync(join(target, 'f'), 'r'); // keeps the mount busy
  try {
    await unmount(target);
    assert.equal(isMountedUnder(target), false);
  } finally {
    closeSync(fd);
  }
});
