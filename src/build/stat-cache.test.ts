import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { StatCache, type StatKey } from './stat-cache.js';
import { tempDir } from '../../test/helpers/paths.js';

const D = (c: string): string => c.repeat(64);
const key = (size: number, mtimeMs: number, extra: Partial<StatKey> = {}): StatKey => ({ size, mtimeMs, ctimeMs: mtimeMs + 0.5, ino: 1 << 40, mode: 0o100644, ...extra });
const rec = (digest: string, k: StatKey, path: string): string => `${digest} ${k.size} ${k.mtimeMs} ${k.ctimeMs} ${k.ino} ${k.mode} ${path}`;
const file = (records: string[], selections: [string, string][] = []): string => `${JSON.stringify({ version: 2, selections })}\n${records.join('\0')}`;

test('StatCache trusts a stored digest only while every stat field is as recorded', (t) => {
  const f = join(tempDir(t), 'stat');
  const a = key(10, 1700000000123.4567);
  writeFileSync(f, file([rec(D('a'), a, 'dir/a b ü.txt')]));
  const cases: [string, StatKey, string | undefined][] = [
    ['same', a, D('a')],
    ['size', { ...a, size: 11 }, undefined],
    ['mtime', { ...a, mtimeMs: a.mtimeMs + 0.001 }, undefined],
    ['ctime', { ...a, ctimeMs: a.ctimeMs + 1 }, undefined],
    ['inode', { ...a, ino: a.ino + 1 }, undefined],
    ['mode', { ...a, mode: 0o100755 }, undefined],
  ];
  for (const [what, now, want] of cases) {
    const cache = new StatCache(f);
    cache.observe(new Map([['dir/a b ü.txt', now]]));
    assert.equal(cache.lookup('dir/a b ü.txt'), want, what);
    assert.equal(cache.lookup('dir/other'), undefined, `${what}: an unknown path`);
  }
});

test('StatCache.save keeps unchanged records byte for byte, writes fresh ones, and drops paths no longer seen', (t) => {
  const f = join(tempDir(t), 'stat');
  const a = key(1, 1000);
  const b = key(2, 2000);
  const c = key(3, 3000);
  writeFileSync(f, file([rec(D('a'), a, 'a'), rec(D('b'), b, 'b'), 'garbage without fields', rec(D('c'), c, 'gone/c')]));
  const cache = new StatCache(f);
  const b2 = key(2, 2500);
  const d = key(4, 4000);
  cache.observe(new Map([['a', a], ['b', b2], ['new d', d]]));
  assert.equal(cache.lookup('a'), D('a'));
  assert.equal(cache.lookup('b'), undefined, 'b changed');
  cache.record('b', D('2'));
  cache.record('new d', D('d'));
  cache.record('not walked', D('x')); // never observed: not kept
  assert.equal(cache.lookup('b'), D('2'), 'a fresh digest is found at once');
  cache.save();
  assert.equal(readFileSync(f, 'utf8'), file([rec(D('a'), a, 'a'), rec(D('2'), b2, 'b'), rec(D('d'), d, 'new d')]));
});

test('StatCache.save with only a new selection rewrites the records as they were, unindexed', (t) => {
  const f = join(tempDir(t), 'stat');
  const records = [rec(D('a'), key(1, 1000), 'a'), rec(D('b'), key(2, 2000), 'b')];
  writeFileSync(f, file(records, [['fp1', 'sha256:1']]));
  const cache = new StatCache(f);
  cache.observe(new Map([['a', key(1, 1000)]])); // b is not seen, but the records are not rewritten
  assert.equal(cache.selection('fp1'), 'sha256:1');
  cache.recordSelection('fp2', 'sha256:2');
  cache.save();
  assert.equal(readFileSync(f, 'utf8'), file(records, [['fp1', 'sha256:1'], ['fp2', 'sha256:2']]));
});

test('StatCache ignores a file of another version and forgets fresh digests when another walk is observed', (t) => {
  const f = join(tempDir(t), 'stat');
  writeFileSync(f, `${JSON.stringify({ version: 1, selections: [['fp', 'sha256:1']] })}\n${rec(D('a'), key(1, 1000), 'a')}`);
  const cache = new StatCache(f);
  cache.observe(new Map([['a', key(1, 1000)]]));
  assert.equal(cache.lookup('a'), undefined);
  assert.equal(cache.selection('fp'), undefined);
  cache.record('a', D('1'));
  assert.equal(cache.lookup('a'), D('1'));
  cache.observe(new Map([['a', key(1, 1001)]]));
  assert.equal(cache.lookup('a'), undefined, 'the digest was of the earlier stat');
  cache.save();
  assert.equal(readFileSync(f, 'utf8'), file([]), 'nothing known is written');
});
