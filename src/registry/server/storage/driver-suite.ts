/**
 * One test suite every storage driver must pass (distribution's `testsuites.Driver`): the contracts
 * written in `driver.ts`. Each driver's test file calls it with a constructor.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../../errors.js';
import type { StorageDriver } from './driver.js';

async function readAll(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export function driverSuite(label: string, make: () => Promise<StorageDriver> | StorageDriver): void {
  test(`${label}: putContent then getContent returns the bytes, replacing older content`, async () => {
    const d = await make();
    await d.putContent('/a/b/c', Buffer.from('one'));
    assert.equal((await d.getContent('/a/b/c')).toString(), 'one');
    await d.putContent('/a/b/c', Buffer.from('two!'));
    assert.equal((await d.getContent('/a/b/c')).toString(), 'two!');
    const st = await d.stat('/a/b/c');
    assert.equal(st.size, 4);
    assert.equal(st.isDir, false);
    assert.equal((await d.stat('/a/b')).isDir, true);
  });

  test(`${label}: missing paths raise a not-found error; delete of a missing path does not`, async () => {
    const d = await make();
    for (const op of [() => d.getContent('/nope'), () => d.stat('/nope'), () => d.list('/nope'), () => d.reader('/nope'), () => d.touch('/nope')]) {
      await assert.rejects(op(), (err: unknown) => isKind(err, 'not-found'));
    }
    await d.delete('/nope');
  });

  test(`${label}: refuses relative and dot-dot paths`, async () => {
    const d = await make();
    for (const p of ['relative', '/a/../b', '/a//b', '/a/./b', '/']) {
      await assert.rejects(d.putContent(p, Buffer.from('x')), (err: unknown) => isKind(err, 'invalid-argument'), p);
    }
  });

  test(`${label}: writer appends across writers and reader streams ranges`, async () => {
    const d = await make();
    const w1 = await d.writer('/up/data');
    await w1.write(Buffer.from('hello '));
    assert.equal(w1.size, 6);
    await w1.cancel();
    await w1.cancel(); // idempotent
    const w2 = await d.writer('/up/data');
    assert.equal(w2.size, 6);
    await w2.write(Buffer.from('world'));
    await w2.commit();
    assert.equal((await readAll(await d.reader('/up/data'))).toString(), 'hello world');
    assert.equal((await readAll(await d.reader('/up/data', { offset: 6 }))).toString(), 'world');
    assert.equal((await readAll(await d.reader('/up/data', { offset: 2, end: 5 }))).toString(), 'llo');
    assert.equal((await readAll(await d.reader('/up/data', { offset: 3, end: 3 }))).length, 0);
  });

  test(`${label}: list names direct children; move replaces atomically; delete removes trees`, async () => {
    const d = await make();
    await d.putContent('/dir/x', Buffer.from('1'));
    await d.putContent('/dir/sub/y', Buffer.from('2'));
    assert.deepEqual((await d.list('/dir')).sort(), ['sub', 'x']);
    await d.putContent('/other/z', Buffer.from('old'));
    await d.move('/dir/x', '/other/z');
    assert.equal((await d.getContent('/other/z')).toString(), '1');
    await assert.rejects(d.getContent('/dir/x'), (err: unknown) => isKind(err, 'not-found'));
    await d.move('/dir/sub/y', '/new/parent/y');
    assert.equal((await d.getContent('/new/parent/y')).toString(), '2');
    await d.delete('/new');
    await assert.rejects(d.stat('/new/parent/y'), (err: unknown) => isKind(err, 'not-found'));
  });

  test(`${label}: touch moves the modification time forward`, async () => {
    const d = await make();
    await d.putContent('/t', Buffer.from('x'));
    const before = (await d.stat('/t')).modTime.getTime();
    await new Promise((r) => setTimeout(r, 15));
    await d.touch('/t');
    assert.ok((await d.stat('/t')).modTime.getTime() > before);
  });
}
