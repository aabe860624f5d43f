import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, chmodSync, symlinkSync, utimesSync, statSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { BuildContext, type ContextFilter } from './context.js';
import { StatCache } from './stat-cache.js';
import { tempDir } from '../../test/helpers/paths.js';

function fixture(dir: string): void {
  mkdirSync(join(dir, 'src/sub'), { recursive: true });
  writeFileSync(join(dir, 'src/a.c'), 'int a;\n');
  writeFileSync(join(dir, 'src/sub/b.c'), 'int b;\n');
  writeFileSync(join(dir, 'README'), 'hello\n');
  symlinkSync('src/a.c', join(dir, 'link'));
}

test('BuildContext.checksum() ignores mtimes but sees content, mode, owner and link targets', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  const sum = () => new BuildContext(dir).checksum(['src', 'link']);
  const base = await sum();
  utimesSync(join(dir, 'src/a.c'), new Date(1000), new Date(1000));
  assert.equal(await sum(), base, 'mtime is not part of the digest');
  writeFileSync(join(dir, 'src/a.c'), 'int z;\n');
  const changed = await sum();
  assert.notEqual(changed, base, 'content is');
  chmodSync(join(dir, 'src/a.c'), 0o600);
  const moded = await sum();
  assert.notEqual(moded, changed, 'mode is');
  chownSync(join(dir, 'src/a.c'), 1234, 1234);
  assert.notEqual(await sum(), moded, 'owner is');
  assert.equal(await new BuildContext(dir).checksum(['src', 'link'], { ignoreOwner: true }), await (async () => {
    chownSync(join(dir, 'src/a.c'), 0, 0);
    return new BuildContext(dir).checksum(['src', 'link'], { ignoreOwner: true });
  })(), 'unless the owner is ignored (COPY from the context resets it)');
});

test('BuildContext.checksum() covers only the selected paths', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  const before = await new BuildContext(dir).checksum(['src']);
  writeFileSync(join(dir, 'README'), 'changed\n');
  assert.equal(await new BuildContext(dir).checksum(['src']), before);
});

test('StatCache sees a content change that keeps size and mtime', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  const cacheFile = join(tempDir(t), 'stat.json');
  const run = async () => {
    const cache = new StatCache(cacheFile);
    const d = await new BuildContext(dir, { statCache: cache }).checksum(['src']);
    cache.save();
    return d;
  };
  const first = await run();
  assert.equal(await run(), first);
  const p = join(dir, 'src/a.c');
  const st = statSync(p);
  writeFileSync(p, 'int q;\n'); // same size
  utimesSync(p, st.atime, st.mtime); // same mtime
  assert.notEqual(await run(), first);
});

test('BuildContext honours a filter and descends into excluded dirs only when asked', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  const filter: ContextFilter = {
    excluded: (p) => p === 'src' || (p.startsWith('src/') && p !== 'src/sub' && p !== 'src/sub/b.c'),
    mayIncludeBelow: (p) => p === 'src',
  };
  const paths = [...(await new BuildContext(dir, { filter }).entries()).keys()];
  assert.deepEqual(paths, ['README', 'link', 'src/sub', 'src/sub/b.c']);
});

test('a rebuild whose selection is unchanged takes its checksum whole from the stat cache; one changed file is the only one read', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  writeFileSync(join(dir, 'src/c.c'), 'int c;\n');
  const cacheFile = join(tempDir(t), 'stat');
  const run = async () => {
    const reads: string[] = [];
    const cache = new StatCache(cacheFile);
    const d = await new BuildContext(dir, { statCache: cache, onFileRead: (p) => reads.push(p) }).checksum(['src', 'link']);
    cache.save();
    return { d, reads: reads.sort() };
  };
  const first = await run();
  assert.deepEqual(first.reads, ['src/a.c', 'src/c.c', 'src/sub/b.c']);
  const again = await run();
  assert.deepEqual(again, { d: first.d, reads: [] });
  writeFileSync(join(dir, 'src/c.c'), 'int cc;\n');
  const changed = await run();
  assert.notEqual(changed.d, first.d);
  assert.deepEqual(changed.reads, ['src/c.c']);
  assert.equal(changed.d, await new BuildContext(dir).checksum(['src', 'link']), 'the same digest as without a cache');
  // A rename keeps every stat field of the file but not its path: the selection is not the same.
  const { renameSync } = await import('node:fs');
  renameSync(join(dir, 'src/c.c'), join(dir, 'src/d.c'));
  const renamed = await run();
  assert.notEqual(renamed.d, changed.d);
  assert.equal(renamed.d, await new BuildContext(dir).checksum(['src', 'link']));
});

test('StatCache keeps per-file digests for paths with spaces and non-ASCII names across saves', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'd ir'));
  writeFileSync(join(dir, 'd ir/fi le ü.txt'), 'x\n');
  writeFileSync(join(dir, 'other'), 'y\n');
  const cacheFile = join(tempDir(t), 'stat');
  const run = async (paths: string[]) => {
    const reads: string[] = [];
    const cache = new StatCache(cacheFile);
    await new BuildContext(dir, { statCache: cache, onFileRead: (p) => reads.push(p) }).checksum(paths);
    cache.save();
    return reads;
  };
  assert.deepEqual(await run(['d ir', 'other']), ['d ir/fi le ü.txt', 'other']);
  // A new selection (no whole-selection hit) still finds every file's digest.
  assert.deepEqual(await run(['d ir']), []);
  assert.deepEqual(await run(['other']), []);
});

test('BuildContext.tree() of a directory is it and what is below it, not siblings sharing its prefix', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'a/b'), { recursive: true });
  writeFileSync(join(dir, 'a/b/f'), '');
  writeFileSync(join(dir, 'a.c'), '');
  mkdirSync(join(dir, 'ab'));
  writeFileSync(join(dir, 'ab/g'), '');
  const ctx = new BuildContext(dir);
  assert.deepEqual((await ctx.tree('a')).map((e) => e.path), ['a', 'a/b', 'a/b/f']);
  assert.deepEqual((await ctx.tree('a.c')).map((e) => e.path), ['a.c']);
  assert.deepEqual((await ctx.tree('ab')).map((e) => e.path), ['ab', 'ab/g']);
  assert.deepEqual((await ctx.tree('nope')).map((e) => e.path), []);
  assert.deepEqual((await ctx.tree('.')).map((e) => e.path), ['a', 'a/b', 'a/b/f', 'a.c', 'ab', 'ab/g']);
});

test('BuildContext with `only` walks the named paths alone, never through a symlinked parent, and checksums as the full walk', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  const outside = tempDir(t);
  writeFileSync(join(outside, 'x'), 'outside');
  symlinkSync(outside, join(dir, 'out'));
  const only = new BuildContext(dir, { only: ['src/sub', 'README', 'out/x', 'missing'] });
  assert.deepEqual([...(await only.entries()).keys()], ['README', 'src/sub', 'src/sub/b.c']);
  assert.equal(await only.checksum(['src/sub', 'README']), await new BuildContext(dir).checksum(['src/sub', 'README']));
});

test('file digests are the sha256 of the whole file at every size, and of what a file holds when read', async (t) => {
  const { createHash, randomBytes } = await import('node:crypto');
  const { appendFileSync } = await import('node:fs');
  const dir = tempDir(t);
  const sizes = [0, 1, (1 << 20) - 1, 1 << 20, (1 << 20) + 1, 3 << 20];
  const data = new Map<string, Buffer>();
  for (const n of sizes) {
    const b = randomBytes(n);
    data.set(`f${n}`, b);
    writeFileSync(join(dir, `f${n}`), b);
  }
  const ctx = new BuildContext(dir);
  const entries = await ctx.entries();
  // A small file that grew past the one-read size after the walk is still read whole.
  const grown = Buffer.concat([data.get('f1') as Buffer, randomBytes(2 << 20)]);
  appendFileSync(join(dir, 'f1'), grown.subarray(1));
  data.set('f1', grown);
  for (const [name, b] of data) {
    assert.equal(await ctx.fileDigest(entries.get(name)!), createHash('sha256').update(b).digest('hex'), name);
  }
});

test('BuildContext reports a large walk once, when it passes a few thousand entries, and a small one never', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  let small = 0;
  await new BuildContext(dir, { onLargeWalk: () => small++ }).entries();
  assert.equal(small, 0);
  mkdirSync(join(dir, 'many'));
  for (let i = 0; i < 5000; i++) writeFileSync(join(dir, 'many', String(i)), '');
  let large = 0;
  const ctx = new BuildContext(dir, { onLargeWalk: () => large++ });
  await ctx.entries();
  await ctx.entries();
  assert.equal(large, 1);
});
