/**
 * COPY written straight into an overlay upper directory (layer's OverlayUpperTree) must leave what
 * a copy through a mounted overlay leaves: the same layer bytes, the same merged view, the same
 * upper directory (opaque marks and copied-up directories included). Each case copies the same
 * sources onto the same hand-made lower layers both ways and compares the three.
 */
import { execFileSync } from 'node:child_process';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lchownSync, lstatSync, lutimesSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyInto, type CopyRequest } from '../../src/build/copy.js';
import { createLayer, OverlayUpperTree } from '../../src/layer/index.js';
import { sys } from '../../src/native/index.js';
import { mountAll, unmount } from '../../src/snapshot/index.js';
import { tempDir } from '../helpers/paths.js';
import { buildEnv, buildSkipReason } from './harness.js';

const OLD = 1_000_000_000; // 2001: every time set by the fixtures; anything newer was set by the copy
const SAFETY = ['redirect_dir=off', 'metacopy=off', 'index=off'];

function file(path: string, content: string, mode = 0o644): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, content);
  chmodSync(path, mode);
}

/** Sets every entry's times under `root` to OLD (deepest first, so directories keep theirs). */
function age(root: string): void {
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    const st = lstatSync(p);
    if (st.isDirectory()) age(p);
    lutimesSync(p, OLD, OLD);
  }
  lutimesSync(root, OLD, OLD);
}

/**
 * Two lower layers (l2 above l1) with what a COPY can meet: a present directory (with owner, mode
 * and an xattr to copy up), symlinks (one aiming out of the root), an opaque directory, a whiteout,
 * a directory and a file to be replaced by the other kind, a deep chain to copy up.
 */
function lowers(dir: string): string[] {
  const l1 = join(dir, 'l1');
  const l2 = join(dir, 'l2');
  file(join(l1, 'present/sub/old'), 'old');
  file(join(l1, 'present/p.txt'), 'p');
  chmodSync(join(l1, 'present/sub'), 0o750);
  lchownSync(join(l1, 'present/sub'), 5, 6);
  sys().lsetxattr(join(l1, 'present/sub'), 'user.k', Buffer.from('v'));
  file(join(l1, 'opq/keep/k'), 'k');
  file(join(l1, 'wh/gone/g'), 'g');
  file(join(l1, 'fod/x/y'), 'y');
  file(join(l1, 'dof/f'), 'f');
  file(join(l1, 'deep/a/b/c/z'), 'z');
  file(join(l1, 'etc/passwd'), 'app:x:1234:4321::/:/bin/sh\n');
  file(join(l1, 'etc/group'), 'app:x:4321:\n');
  symlinkSync('/present', join(l1, 'link'));
  symlinkSync('../present/sub', join(l1, 'rel'));
  file(join(l2, 'opq/new2'), 'n');
  sys().lsetxattr(join(l2, 'opq'), 'trusted.overlay.opaque', Buffer.from('y'));
  sys().mknod(join(l2, 'wh'), 0o020000, 0, 0);
  file(join(l2, 'present/sub2/s'), 's');
  symlinkSync('../../../../..', join(l2, 'escape'));
  mkdirSync(join(l2, 'escape-target'));
  age(l1);
  age(l2);
  return [l2, l1];
}

/** The source tree every case copies from. */
function sources(dir: string): string {
  const src = join(dir, 'src');
  file(join(src, 'tree/sub/new'), 'new');
  file(join(src, 'tree/p.txt'), 'replaced', 0o600);
  file(join(src, 'tree/run.sh'), '#!/bin/sh\n', 0o4755);
  symlinkSync('sub/new', join(src, 'tree/ln'));
  file(join(src, 'tree/skip.log'), 'excluded');
  file(join(src, 'over/x'), 'a file over a lower directory');
  file(join(src, 'over2/f/inner'), 'a directory over a lower file');
  file(join(src, 'f.txt'), 'single');
  file(join(src, 'a/./b/deep.txt'), 'parents');
  age(src);
  return src;
}

interface Case {
  name: string;
  req: Partial<CopyRequest> & { sources: string[]; dest: string };
}

const CASES: Case[] = [
  { name: 'dest absent', req: { sources: ['tree'], dest: '/absent/deep/' } },
  { name: 'dest present in a lower (merged with two lowers, sub copied up with owner, mode, xattr)', req: { sources: ['tree'], dest: '/present/' } },
  { name: 'dest through an absolute symlink in a lower', req: { sources: ['tree'], dest: '/link/x/' } },
  { name: 'dest through a relative symlink in a lower', req: { sources: ['f.txt'], dest: '/rel/' } },
  { name: 'a symlink aiming out of the root stays inside it', req: { sources: ['f.txt'], dest: '/escape/etc/' } },
  { name: 'dest under a lower opaque directory', req: { sources: ['tree'], dest: '/opq/keep/' } },
  { name: 'dest whited out in a lower', req: { sources: ['tree'], dest: '/wh/gone/' } },
  { name: 'a file over a lower directory', req: { sources: ['over'], dest: '/fod/' } },
  { name: 'a directory over a lower file (opaque)', req: { sources: ['over2'], dest: '/dof/' } },
  { name: 'a file onto a lower file', req: { sources: ['f.txt'], dest: '/present/p.txt' } },
  { name: 'a deep chain copied up', req: { sources: ['f.txt'], dest: '/deep/a/b/c/' } },
  { name: '--chown and --chmod', req: { sources: ['tree'], dest: '/present/', owner: { uid: 7, gid: 8 }, chmod: 0o700 } },
  { name: '--parents', req: { sources: ['a/./b/deep.txt', 'f.txt'], dest: '/present/', parents: true } },
  { name: '--exclude', req: { sources: ['tree'], dest: '/present/sub/', excludes: ['*.log', 'sub'] } },
  { name: 'a relative dest under WORKDIR, twice over the same names', req: { sources: ['tree', 'over2'], dest: 'sub/', workdir: '/present' } },
];

/** Every entry under `root`: type, mode, owner, times (OLD or "new"), content, xattrs (overlay's bookkeeping left out). */
function listing(root: string, withOverlayMarks: boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string, rel: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const host = join(dir, name);
      const r = `${rel}/${name}`;
      const st = lstatSync(host);
      const time = st.mtimeMs / 1000 === OLD ? 'old' : 'new';
      const xattrs = sys()
        .llistxattr(host)
        .filter((n) => !n.startsWith('trusted.overlay.') || (withOverlayMarks && n === 'trusted.overlay.opaque'))
        .sort()
        .map((n) => `${n}=${sys().lgetxattr(host, n)?.toString('hex')}`);
      let what = '';
      if (st.isFile()) what = readFileSync(host, 'utf8');
      else if (st.isSymbolicLink()) what = `-> ${readlinkSync(host)}`;
      else if (st.isCharacterDevice()) what = `chr ${st.rdev}`;
      // A directory's mtime is "now" wherever a child was written: compared only when it was kept.
      out.push(`${r} ${(st.mode >>> 0).toString(8)} ${st.uid}:${st.gid} ${st.isDirectory() && time === 'new' ? '' : time} ${what} ${xattrs.join(',')}`);
      if (st.isDirectory()) walk(host, r);
    }
  };
  walk(root, '');
  return out;
}

async function layerDigest(upper: string, lowerDirs: string[]): Promise<string> {
  const sink = async (): Promise<void> => {}; // the diffID is all that is compared
  // Times the copy set to "now" are clamped to one value, so that the two runs' layers compare.
  const w = await createLayer({ kind: 'overlay', upper, lowers: lowerDirs }, sink, { compression: 'none', sourceDateEpoch: OLD + 1 });
  return w.diffId;
}

async function mounted(t: TestContext, dir: string, options: string[]): Promise<string> {
  const target = join(dir, `m-${readdirSync(dir).length}`);
  mkdirSync(target);
  await mountAll([{ type: 'overlay', source: 'overlay', options: [...options, ...SAFETY] }], target);
  t.after(() => unmount(target));
  return target;
}

test('COPY into an overlay upper directory without a mount leaves what a copy through the mount leaves', async (t) => {
  const dir = tempDir(t, 'gantry-direct-copy-');
  const lowerDirs = lowers(dir);
  const src = sources(dir);
  for (const c of CASES) {
    await t.test(c.name, async (t) => {
      const caseDir = join(dir, c.name.replace(/[^a-z]+/g, '-'));
      const [upA, workA, upB] = ['upA', 'workA', 'upB'].map((n) => join(caseDir, n)) as [string, string, string];
      for (const d of [upA, workA, upB]) mkdirSync(d, { recursive: true });
      const base = { srcRoot: src, workdir: '/', command: 'COPY', resetOwner: true, ...c.req };
      const list = async () => [] as string[];

      const mnt = await mounted(t, caseDir, [`lowerdir=${lowerDirs.join(':')}`, `upperdir=${upA}`, `workdir=${workA}`]);
      await copyInto({ ...base, destRoot: mnt }, list);
      await unmount(mnt);
      await copyInto({ ...base, destRoot: new OverlayUpperTree(upB, lowerDirs) }, list);

      assert.deepEqual(listing(upB, true), listing(upA, true), 'upper directories');
      assert.equal(await layerDigest(upB, lowerDirs), await layerDigest(upA, lowerDirs), 'layer digests');
      const [viewA, viewB] = [await mounted(t, caseDir, [`lowerdir=${[upA, ...lowerDirs].join(':')}`]), await mounted(t, caseDir, [`lowerdir=${[upB, ...lowerDirs].join(':')}`])];
      assert.deepEqual(listing(viewB, false), listing(viewA, false), 'merged views');
    });
  }
});

test('a destination that is a file in a lower layer fails the same way with and without the mount', async (t) => {
  const dir = tempDir(t, 'gantry-direct-copy-');
  const lowerDirs = lowers(dir);
  const src = sources(dir);
  const [upA, workA, upB] = ['upA', 'workA', 'upB'].map((n) => join(dir, n)) as [string, string, string];
  for (const d of [upA, workA, upB]) mkdirSync(d);
  const req = { srcRoot: src, workdir: '/', command: 'COPY', resetOwner: true, sources: ['f.txt'], dest: '/dof/f/' };
  const mnt = await mounted(t, dir, [`lowerdir=${lowerDirs.join(':')}`, `upperdir=${upA}`, `workdir=${workA}`]);
  const expected = { code: 'ERR_COPY_DESTINATION_NOT_DIRECTORY', message: 'Cannot copy to /dof/f: it exists and is not a directory' };
  try {
    await assert.rejects(copyInto({ ...req, destRoot: mnt }, async () => []), expected);
  } finally {
    await unmount(mnt); // before the temp dir goes (hooks run in the order they were added)
  }
  await assert.rejects(copyInto({ ...req, destRoot: new OverlayUpperTree(upB, lowerDirs) }, async () => []), expected);
});

test('the merged view reads passwd through the layers for --chown by name', (t) => {
  const dir = tempDir(t, 'gantry-direct-copy-');
  const lowerDirs = lowers(dir);
  mkdirSync(join(dir, 'up'));
  const tree = new OverlayUpperTree(join(dir, 'up'), lowerDirs);
  assert.equal(tree.readText('/etc/passwd'), 'app:x:1234:4321::/:/bin/sh\n');
  assert.equal(tree.readText('/wh/gone/g'), undefined); // whited out
  assert.equal(tree.readText('/opq/keep/k'), undefined); // under an opaque directory
  assert.equal(tree.readText('/link/p.txt'), 'p'); // through a symlink of a lower layer
});

test('a build gives the same layers with COPY written directly and through a mount', { skip: buildSkipReason() }, async (t) => {
  const env = await buildEnv(t);
  env.files({
    'tree/sub/new': 'new',
    'tree/p.txt': 'replaced',
    'tree/skip.log': 'excluded',
    'over/x': 'a file over a lower directory',
    'over2/f/inner': 'a directory over a lower file',
    'a/b/deep.txt': 'parents',
    'f.txt': 'single',
    'pkg/in-tar.txt': 'from the archive',
  });
  execFileSync('tar', ['-C', env.context, '-cf', join(env.context, 't.tar'), 'pkg']);
  const dockerfile = [
    'FROM busybox AS src',
    'RUN mkdir -p /out/d && echo from-stage > /out/d/s.txt',
    'FROM busybox',
    // Lower layers with a present directory, a symlink, a file and a directory to replace, then an
    // opaque directory and a whiteout (the second RUN's rm and mkdir).
    "RUN mkdir -p /present/sub /opq/keep /wh/gone /fod/x /dof /etc && echo old > /present/sub/old && echo k > /opq/keep/k && echo g > /wh/gone/g && echo y > /fod/x/y && echo f > /dof/f && ln -s /present /link && echo 'app:x:1234:4321::/:/bin/sh' >> /etc/passwd && echo 'app:x:4321:' >> /etc/group",
    'RUN rm -rf /opq && mkdir -p /opq/new && rm -rf /wh',
    'WORKDIR /present', // exists already: no layer
    'COPY tree/ /absent/deep/',
    'COPY tree/ /present/',
    'COPY tree/ /link/x/',
    'COPY tree/ /opq/keep/',
    'COPY tree/ /wh/gone/',
    'COPY over/ /fod/',
    'COPY over2/ /dof/',
    'COPY --chown=app --chmod=0700 tree/ sub/',
    'COPY --parents a/./b/deep.txt /p/',
    'COPY --exclude=*.log tree/ /ex/',
    'COPY --link tree/ /linked/',
    'ADD t.tar f.txt /added/',
    'ADD f.txt /added-plain/',
    'COPY --from=src /out/ /fromstage/',
    '',
  ].join('\n');
  const options = { noCache: true, sourceDateEpoch: OLD };
  const viaMount = await env.run(dockerfile, { ...options, copyThroughMount: true });
  const direct = await env.run(dockerfile, options);
  assert.equal(direct.imageConfig.rootfs.diff_ids.length, 17);
  assert.deepEqual(direct.imageConfig.rootfs.diff_ids, viaMount.imageConfig.rootfs.diff_ids);
  // The layers hold what the Dockerfile asked (not two equally wrong results).
  const files = (i: number) => [...(direct.layers[i] ?? new Map()).keys()].sort();
  assert.deepEqual(files(9), ['dof', 'dof/f', 'dof/f/.wh..wh..opq', 'dof/f/inner']);
  assert.deepEqual(files(8), ['fod', 'fod/x']);
  assert.equal(direct.layers[10]?.get('present/sub/p.txt')?.header.uid, 1234);
  assert.equal(direct.layers[10]?.get('present/sub/p.txt')?.header.mode, 0o700);
  assert.ok(direct.layers[5]?.has('present/x/p.txt'), 'through /link');
  assert.ok(direct.layers[14]?.has('added/pkg/in-tar.txt') && direct.layers[14]?.has('added/f.txt'));
});

test('the merged view finds what an overlay mount of the same layers shows, and nothing it hides', async (t) => {
  const dir = tempDir(t, 'gantry-direct-copy-');
  const lowerDirs = lowers(dir);
  // An upper directory with its own say: a whiteout, an opaque directory, a file over a lower directory.
  const upper = join(dir, 'up');
  mkdirSync(join(upper, 'present'), { recursive: true });
  sys().mknod(join(upper, 'present/p.txt'), 0o020000, 0, 0);
  mkdirSync(join(upper, 'deep'));
  sys().lsetxattr(join(upper, 'deep'), 'trusted.overlay.opaque', Buffer.from('y'));
  file(join(upper, 'deep/mine'), 'mine');
  file(join(upper, 'fod'), 'a file over a lower directory');
  const tree = new OverlayUpperTree(upper, lowerDirs);
  const view = await mounted(t, dir, [`lowerdir=${[upper, ...lowerDirs].join(':')}`]);
  const shown = new Set<string>();
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(view, rel))) {
      const r = rel === '' ? name : `${rel}/${name}`;
      shown.add(r);
      const want = lstatSync(join(view, r));
      const got = tree.find(r);
      assert.ok(got !== undefined, `${r} is in the mount`);
      assert.deepEqual([got.st.mode, got.st.uid, got.st.size], [want.mode, want.uid, want.size], r);
      if (want.isFile()) assert.equal(readFileSync(got.host, 'utf8'), readFileSync(join(view, r), 'utf8'), r);
      if (want.isDirectory()) walk(r);
    }
  };
  walk('');
  // Every path of every layer that the mount does not show, the merged view does not find either.
  const all = new Set<string>();
  const collect = (root: string, rel: string): void => {
    for (const name of readdirSync(join(root, rel))) {
      const r = rel === '' ? name : `${rel}/${name}`;
      all.add(r);
      if (lstatSync(join(root, r)).isDirectory()) collect(root, r);
    }
  };
  for (const d of [upper, ...lowerDirs]) collect(d, '');
  const hidden = [...all].filter((r) => !shown.has(r)).sort();
  assert.deepEqual(hidden, ['deep/a', 'deep/a/b', 'deep/a/b/c', 'deep/a/b/c/z', 'fod/x', 'fod/x/y', 'opq/keep', 'opq/keep/k', 'present/p.txt', 'wh', 'wh/gone', 'wh/gone/g']);
  for (const r of hidden) assert.equal(tree.find(r), undefined, `${r} is hidden`);
  await unmount(view); // before the temp dir goes (hooks run in the order they were added)
});
