import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, readdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers/paths.js';
import { layerEntries } from '../diff.js';
import { writeTar, writeTarBlocks, type DirectBody, type TarWriterEntry } from './writer.js';

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(Buffer.from(c)); // copied: blocks may be recycled
  return Buffer.concat(parts);
}

/** A DirectBody over bytes in memory, reading at most `step` bytes per call. */
function direct(bytes: Buffer, step = 1000): DirectBody & { closed: boolean } {
  let at = 0;
  return {
    closed: false,
    readInto(target, offset, length) {
      const n = Math.min(length, step, bytes.length - at);
      bytes.copy(target, offset, at, at + n);
      at += n;
      return n;
    },
    close() {
      this.closed = true;
    },
    async *[Symbol.asyncIterator]() {
      yield bytes.subarray(at);
    },
  };
}

const base = { mode: 0o644, uid: 0, gid: 0, mtime: 1_700_000_000 };
function entries(): TarWriterEntry[] {
  const big = Buffer.alloc(10_000, 'x');
  return [
    { header: { ...base, path: 'd', type: 'directory', size: 0 } },
    { header: { ...base, path: 'd/small', type: 'file', size: 5 }, body: Buffer.from('hello') },
    { header: { ...base, path: 'd/direct', type: 'file', size: big.length }, body: direct(big) },
    { header: { ...base, path: `d/${'long/'.repeat(40)}name`, type: 'file', size: 3 }, body: (async function* () { yield Buffer.from('a'); yield Buffer.from('bc'); })() },
    { header: { ...base, path: 'd/empty', type: 'file', size: 0 }, body: direct(Buffer.alloc(0)) },
  ];
}

test('writeTarBlocks writes the same bytes as writeTar, cut into full blocks', async () => {
  const plain = await collect(writeTar(entries()));
  for (const blockSize of [512, 4096, 7000, 1 << 20]) {
    const sizes: number[] = [];
    const parts: Buffer[] = [];
    for await (const b of writeTarBlocks(entries(), { blockSize })) {
      sizes.push(b.length);
      parts.push(Buffer.from(b));
    }
    assert.deepEqual(Buffer.concat(parts), plain, `block size ${blockSize}`);
    assert.ok(sizes.slice(0, -1).every((s) => s === blockSize), `block size ${blockSize}: ${sizes.join(',')}`);
  }
});

test('writeTarBlocks fills the blocks it is given back, and closes direct bodies', async () => {
  const free: Buffer[] = [Buffer.alloc(4096), Buffer.alloc(4096)];
  const given = new Set<Buffer>(free);
  const list = entries();
  let reused = 0;
  for await (const b of writeTarBlocks(list, { blockSize: 4096, free })) {
    if (given.has(b)) reused++;
    if (b.length === 4096) free.push(b); // the consumer hands each block back at once
  }
  assert.ok(reused >= 2);
  assert.equal((list[2]!.body as ReturnType<typeof direct>).closed, true);
});

test('a file that grows or shrinks after its lstat is refused, with its descriptor closed', async (t) => {
  const dir = tempDir(t);
  // 3 MiB: the last read has room to ask for one byte more (growth seen in that read); 1 MiB − 512:
  // the body ends exactly at a block's end, so a separate probe read finds the growth.
  const cases = [
    ['grows', 3 << 20, (p: string) => appendFileSync(p, 'more')],
    ['grows at a block end', (1 << 20) - 512, (p: string) => appendFileSync(p, 'more')],
    ['shrinks', 3 << 20, (p: string) => truncateSync(p, 10)],
  ] as const;
  for (const [name, size, change] of cases) {
    const root = join(dir, name.replace(/ /g, '-'));
    const file = join(root, 'f');
    mkdirSync(root);
    writeFileSync(file, Buffer.alloc(size, 1));
    const it = layerEntries({ kind: 'tree', root });
    // The entry is made (lstat) before its body is read: change the file in between.
    const list = [...it];
    change(file);
    const fds = readdirSync('/proc/self/fd').length;
    await assert.rejects(collect(writeTarBlocks(list, { blockSize: 1 << 20 })), { code: 'ERR_LAYER_SIZE_MISMATCH', message: new RegExp(name.startsWith('grows') ? 'more' : 'fewer') });
    assert.equal(readdirSync('/proc/self/fd').length, fds);
  }
});
