import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, utimesSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { copyInto } from './copy.js';
import { tempDir } from '../../test/helpers/paths.js';

const base = { workdir: '/', command: 'COPY', resetOwner: true } as const;
const list = (paths: string[]) => async () => paths;

test('copyInto keeps modes (setuid too) and mtimes, resets owners to 0:0, and creates missing parents', async (t) => {
  const src = tempDir(t);
  const dest = tempDir(t);
  mkdirSync(join(src, 'd/e'), { recursive: true });
  writeFileSync(join(src, 'd/e/tool'), 'bin');
  chmodSync(join(src, 'd/e/tool'), 0o4755);
  writeFileSync(join(src, 'd/secret'), 's');
  chmodSync(join(src, 'd/secret'), 0o600);
  chownSync(join(src, 'd/secret'), 1234, 1234);
  symlinkSync('e/tool', join(src, 'd/link'));
  utimesSync(join(src, 'd/e/tool'), new Date(1_000_000), new Date(2_000_000));
  await copyInto({ ...base, srcRoot: src, sources: ['d'], dest: '/x/y/', destRoot: dest }, list([]));
  const tool = statSync(join(dest, 'x/y/e/tool'));
  assert.equal(tool.mode & 0o7777, 0o4755);
  assert.equal(tool.mtimeMs, 2_000_000);
  const secret = statSync(join(dest, 'x/y/secret'));
  assert.equal(secret.mode & 0o7777, 0o600);
  assert.deepEqual([secret.uid, secret.gid], [0, 0]);
  assert.equal(readlinkSync(join(dest, 'x/y/link')), 'e/tool');
  assert.equal(statSync(join(dest, 'x')).mode & 0o7777, 0o755);
});

test('copyInto with an owner keeps setuid bits after the chown, and --chmod sets every mode', async (t) => {
  const src = tempDir(t);
  const dest = tempDir(t);
  writeFileSync(join(src, 'tool'), 'bin');
  chmodSync(join(src, 'tool'), 0o4755);
  await copyInto({ ...base, srcRoot: src, sources: ['tool'], dest: '/a', destRoot: dest, owner: { uid: 7, gid: 8 } }, list([]));
  const a = statSync(join(dest, 'a'));
  assert.deepEqual([a.uid, a.gid, a.mode & 0o7777], [7, 8, 0o4755]);
  await copyInto({ ...base, srcRoot: src, sources: ['tool'], dest: '/b', destRoot: dest, chmod: 0o640 }, list([]));
  assert.equal(statSync(join(dest, 'b')).mode & 0o7777, 0o640);
});

test('copyInto replaces a symlink or a directory already at a destination instead of writing through or into it', async (t) => {
  const src = tempDir(t);
  const dest = tempDir(t);
  const outside = tempDir(t);
  mkdirSync(join(src, 'tree'));
  writeFileSync(join(src, 'tree/f'), 'new');
  writeFileSync(join(src, 'tree/g'), 'new-g');
  writeFileSync(join(outside, 'victim'), 'old');
  mkdirSync(join(dest, 'app'));
  symlinkSync(join(outside, 'victim'), join(dest, 'app/f'));
  mkdirSync(join(dest, 'app/g'));
  writeFileSync(join(dest, 'app/keep'), 'kept');
  await copyInto({ ...base, srcRoot: src, sources: ['tree'], dest: '/app/', destRoot: dest }, list([]));
  assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'old', 'nothing written through the link');
  assert.ok(lstatSync(join(dest, 'app/f')).isFile());
  assert.equal(readFileSync(join(dest, 'app/f'), 'utf8'), 'new');
  assert.equal(readFileSync(join(dest, 'app/g'), 'utf8'), 'new-g');
  assert.equal(readFileSync(join(dest, 'app/keep'), 'utf8'), 'kept', 'what was there and not copied stays');
});

test('copyInto takes entries it is told the lstat of (the context walk) from there, and lstats the rest', async (t) => {
  const src = tempDir(t);
  const dest = tempDir(t);
  mkdirSync(join(src, 'tree/sub'), { recursive: true });
  writeFileSync(join(src, 'tree/known'), 'k');
  chmodSync(join(src, 'tree/known'), 0o600);
  writeFileSync(join(src, 'tree/sub/unknown'), 'u');
  utimesSync(join(src, 'tree/sub/unknown'), new Date(3_000_000), new Date(4_000_000));
  symlinkSync('sub/unknown', join(src, 'tree/ln'));
  // What the walk saw: the modes the entries have, other times (to tell where they came from).
  const known = new Map([
    ['tree/known', { type: 'file' as const, mode: 0o100600, uid: 0, gid: 0, mtimeMs: 5_000_000 }],
    ['tree/sub', { type: 'dir' as const, mode: 0o40700, uid: 0, gid: 0, mtimeMs: 6_000_000 }],
    ['tree/ln', { type: 'symlink' as const, mode: 0o120777, uid: 0, gid: 0, mtimeMs: 7_000_000, linkTarget: 'sub/unknown' }],
  ]);
  await copyInto({ ...base, srcRoot: src, sources: ['tree'], dest: '/d/', destRoot: dest, knownStat: (p) => known.get(p) }, list([]));
  const k = statSync(join(dest, 'd/known'));
  assert.deepEqual([k.mode & 0o7777, k.mtimeMs, k.atimeMs], [0o600, 5_000_000, 5_000_000]);
  const sub = statSync(join(dest, 'd/sub'));
  assert.deepEqual([sub.mode & 0o7777, sub.mtimeMs], [0o700, 6_000_000]);
  assert.equal(statSync(join(dest, 'd/sub/unknown')).mtimeMs, 4_000_000, 'not known: lstat');
  assert.equal(readlinkSync(join(dest, 'd/ln')), 'sub/unknown');
  assert.equal(lstatSync(join(dest, 'd/ln')).mtimeMs, 7_000_000);
});

test('--parents keeps each source path, from the pattern\'s /./ pivot on when it has one', async (t) => {
  const src = tempDir(t);
  const dest = tempDir(t);
  for (const f of ['x/y/a.txt', 'x/y/b.txt', 'x/y/c.md', 'p/q/r.txt']) {
    mkdirSync(join(src, f, '..'), { recursive: true });
    writeFileSync(join(src, f), f);
  }
  const all = ['x', 'x/y', 'x/y/a.txt', 'x/y/b.txt', 'x/y/c.md', 'p', 'p/q', 'p/q/r.txt'];
  await copyInto({ ...base, srcRoot: src, sources: ['./x/./y/*.txt', 'p/q/r.txt'], dest: '/par/', destRoot: dest, parents: true }, list(all));
  assert.equal(readFileSync(join(dest, 'par/y/a.txt'), 'utf8'), 'x/y/a.txt');
  assert.equal(readFileSync(join(dest, 'par/y/b.txt'), 'utf8'), 'x/y/b.txt');
  assert.equal(readFileSync(join(dest, 'par/p/q/r.txt'), 'utf8'), 'p/q/r.txt', 'no pivot: the whole path');
  assert.throws(() => statSync(join(dest, 'par/x')), { code: 'ENOENT' });
});

test('pivotDepth counts the components before the first /./ of a pattern as written', async () => {
  const { pivotDepth } = await import('./copy.js');
  assert.deepEqual(['a/b', './a/b', 'a/./b', './x/./y/*.txt', 'a/b/./c', '*/./b', './a'].map(pivotDepth), [0, 0, 1, 1, 2, 1, 0]);
});
