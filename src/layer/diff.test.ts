import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, linkSync, mkdirSync, rmSync, symlinkSync, utimesSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { tempDir } from '../../test/helpers/paths.js';
import { chunks, snapshotTree } from '../../test/layer/helpers.js';
import { sys } from '../native/index.js';
import { createLayer, layerEntries, type LayerSource } from './diff.js';
import { applyLayer } from './apply.js';
import { readTar } from './tar/reader.js';
import { digestOf } from '../oci/index.js';

function makeTree(root: string): void {
  mkdirSync(join(root, 'etc'), { recursive: true });
  mkdirSync(join(root, 'usr/bin'), { recursive: true });
  mkdirSync(join(root, 'var/lib/pkg'), { recursive: true });
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
  writeFileSync(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
  writeFileSync(join(root, 'usr/bin/tool'), Buffer.alloc(3 << 20, 'abc'));
  chmodSync(join(root, 'usr/bin/tool'), 0o4755);
  sys().lsetxattr(join(root, 'usr/bin/tool'), 'security.capability', Buffer.from('0100000200200000000000000000000000000000', 'hex'));
  linkSync(join(root, 'usr/bin/tool'), join(root, 'usr/bin/tool-hard'));
  symlinkSync('tool', join(root, 'usr/bin/alias'));
  writeFileSync(join(root, 'var/lib/pkg/db'), 'db');
  sys().mknod(join(root, 'etc/null'), 0o20666, 1, 3);
  sys().mkfifo(join(root, 'var/fifo'), 0o600);
  chmodSync(join(root, 'var'), 0o750);
}

async function layerOf(source: LayerSource, options: Parameters<typeof createLayer>[2] = {}) {
  const parts: Uint8Array[] = [];
  // null: these tests must not depend on a SOURCE_DATE_EPOCH in the environment
  const info = await createLayer(source, (c) => void parts.push(Buffer.from(c)), { sourceDateEpoch: null, ...options });
  return { info, bytes: Buffer.concat(parts) };
}

async function entriesOf(tar: Buffer): Promise<string[]> {
  const out: string[] = [];
  for await (const e of readTar(chunks(tar))) out.push(`${e.header.type === 'directory' ? 'd' : e.header.type === 'hardlink' ? 'h' : '-'} ${e.header.path}`);
  return out;
}

test('a whole tree round-trips through a gzip layer: files, modes, hardlinks, xattrs, devices', async (t) => {
  const dir = tempDir(t);
  makeTree(join(dir, 'src'));
  const { info, bytes } = await layerOf({ kind: 'tree', root: join(dir, 'src') });
  assert.equal(info.digest, digestOf(bytes));
  assert.equal(info.size, bytes.length);
  assert.equal(info.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
  const tar = gunzipSync(bytes);
  assert.equal(info.diffId, digestOf(tar));
  assert.equal(info.uncompressedSize, tar.length);
  execFileSync('gzip', ['-t'], { input: bytes }); // GNU gzip accepts our parallel single-member stream
  mkdirSync(join(dir, 'dst'));
  const applied = await applyLayer(chunks(bytes), join(dir, 'dst'));
  assert.equal(applied.diffId, info.diffId);
  assert.deepEqual(snapshotTree(join(dir, 'dst'), { mtimes: true }), snapshotTree(join(dir, 'src'), { mtimes: true }));
  const names = await entriesOf(tar);
  assert.ok(names.indexOf('d usr') < names.indexOf('d usr/bin'));
  assert.ok(names.includes('h usr/bin/tool-hard'));
});

test('zstd and uncompressed layers carry the same diffID', async (t) => {
  const dir = tempDir(t);
  makeTree(dir);
  const gz = await layerOf({ kind: 'tree', root: dir });
  const zs = await layerOf({ kind: 'tree', root: dir }, { compression: 'zstd' });
  const none = await layerOf({ kind: 'tree', root: dir }, { compression: 'none', format: 'docker' });
  assert.equal(zs.info.diffId, gz.info.diffId);
  assert.equal(none.info.diffId, gz.info.diffId);
  assert.equal(none.info.digest, none.info.diffId);
  assert.equal(none.info.mediaType, 'application/vnd.docker.image.rootfs.diff.tar');
  const zstd = createRequire(import.meta.url)('zstd-napi') as { decompress(b: Uint8Array): Buffer };
  assert.equal(digestOf(zstd.decompress(zs.bytes)), gz.info.diffId);
});

test('gzip output does not depend on concurrency or level of parallelism', async (t) => {
  const dir = tempDir(t);
  makeTree(dir);
  const a = await layerOf({ kind: 'tree', root: dir }, { concurrency: 1 });
  const b = await layerOf({ kind: 'tree', root: dir }, { concurrency: 4 });
  assert.equal(a.info.digest, b.info.digest);
});

test('the same tree gives the same digests twice, and a copy with other mtimes too under SOURCE_DATE_EPOCH', async (t) => {
  const dir = tempDir(t);
  makeTree(join(dir, 'a'));
  const one = await layerOf({ kind: 'tree', root: join(dir, 'a') });
  const two = await layerOf({ kind: 'tree', root: join(dir, 'a') });
  assert.equal(one.info.digest, two.info.digest);
  assert.equal(one.info.diffId, two.info.diffId);
  execFileSync('cp', ['-a', join(dir, 'a'), join(dir, 'b')]);
  const later = Date.now() / 1000 + 5000;
  for (const p of ['etc/passwd', 'usr/bin/tool', 'var/lib/pkg', 'etc']) utimesSync(join(dir, 'b', p), later, later);
  const epoch = 1_000_000_000;
  const x = await layerOf({ kind: 'tree', root: join(dir, 'a') }, { sourceDateEpoch: epoch });
  const y = await layerOf({ kind: 'tree', root: join(dir, 'b') }, { sourceDateEpoch: epoch });
  assert.notEqual((await layerOf({ kind: 'tree', root: join(dir, 'b') })).info.diffId, one.info.diffId);
  assert.equal(x.info.diffId, y.info.diffId);
  assert.equal(x.info.digest, y.info.digest);
});

test('comparing two trees writes changes, whiteouts and the parents of changes', async (t) => {
  const dir = tempDir(t);
  const lower = join(dir, 'lower');
  const upper = join(dir, 'upper');
  makeTree(lower);
  execFileSync('cp', ['-a', lower, upper]); // keeps mtimes, links, xattrs: an unchanged copy
  assert.deepEqual(await entriesOf((await layerOf({ kind: 'compare', lower, upper }, { compression: 'none' })).bytes), []);
  appendFileSync(join(upper, 'etc/hosts'), '10.0.0.1 db\n');
  rmSync(join(upper, 'etc/passwd'));
  rmSync(join(upper, 'var/lib/pkg'), { recursive: true });
  writeFileSync(join(upper, 'var/lib/new'), 'n');
  chmodSync(join(upper, 'usr'), 0o700);
  const { bytes } = await layerOf({ kind: 'compare', lower, upper }, { compression: 'none' });
  assert.deepEqual(await entriesOf(bytes), ['d etc', '- etc/.wh.passwd', '- etc/hosts', 'd usr', 'd var', 'd var/lib', '- var/lib/.wh.pkg', '- var/lib/new']);
  // applying the diff onto the lower tree gives the upper tree
  const applied = join(dir, 'applied');
  execFileSync('cp', ['-a', lower, applied]);
  await applyLayer(chunks(bytes), applied);
  assert.deepEqual(snapshotTree(applied), snapshotTree(upper));
});

test('an overlay upper dir becomes whiteouts and opaque markers (real overlayfs mount)', async (t) => {
  const dir = tempDir(t);
  const base = join(dir, 'base');
  const lower = join(dir, 'lower');
  const upper = join(dir, 'upper');
  const work = join(dir, 'work');
  const merged = join(dir, 'merged');
  for (const d of [base, lower, upper, work, merged]) mkdirSync(d);
  makeTree(base);
  // the lower dir is unpacked in overlay mode, as the snapshotter does
  const baseLayer = await layerOf({ kind: 'tree', root: base });
  await applyLayer(chunks(baseLayer.bytes), lower, { mode: 'overlay' });
  try {
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, merged]);
  } catch (err) {
    t.skip(`overlayfs is not available here: ${(err as Error).message}`);
    return;
  }
  try {
    rmSync(join(merged, 'etc/passwd'));
    rmSync(join(merged, 'var/lib'), { recursive: true });
    mkdirSync(join(merged, 'var/lib')); // overlayfs makes it opaque
    writeFileSync(join(merged, 'var/lib/fresh'), 'f');
    appendFileSync(join(merged, 'etc/hosts'), 'more\n');
    chmodSync(join(merged, 'usr'), 0o700);
    writeFileSync(join(merged, 'usr/bin/new'), 'new');
  } finally {
    execFileSync('umount', [merged]);
  }
  const { bytes } = await layerOf({ kind: 'overlay', upper, lowers: [lower] }, { compression: 'none' });
  const names = await entriesOf(bytes);
  assert.deepEqual(names, ['d etc', '- etc/.wh.passwd', '- etc/hosts', 'd usr', 'd usr/bin', '- usr/bin/new', 'd var', 'd var/lib', '- var/lib/.wh..wh..opq', '- var/lib/fresh']);
  // flattening base + this layer gives what the merged view showed
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${upper}:${lower}`, merged]);
  let expected;
  try {
    expected = snapshotTree(merged);
  } finally {
    execFileSync('umount', [merged]);
  }
  const flat = join(dir, 'flat');
  mkdirSync(flat);
  await applyLayer(chunks(baseLayer.bytes), flat);
  await applyLayer(chunks(bytes), flat);
  assert.deepEqual(snapshotTree(flat), expected);
});

test('GNU tar lists and extracts a layer we write from a tree, with xattrs', async (t) => {
  const dir = tempDir(t);
  makeTree(join(dir, 'src'));
  const { bytes } = await layerOf({ kind: 'tree', root: join(dir, 'src') });
  writeFileSync(join(dir, 'l.tgz'), bytes);
  mkdirSync(join(dir, 'out'));
  execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-xzpf', join(dir, 'l.tgz'), '-C', join(dir, 'out')]);
  assert.deepEqual(snapshotTree(join(dir, 'out')), snapshotTree(join(dir, 'src')));
});

test('layerEntries skips sockets and sorts by name, parents first', (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'b'));
  writeFileSync(join(dir, 'a-b'), '');
  writeFileSync(join(dir, 'b/c'), '');
  writeFileSync(join(dir, 'B'), '');
  const names = [...layerEntries({ kind: 'tree', root: dir })].map((e) => e.header.path);
  assert.deepEqual(names, ['B', 'a-b', 'b', 'b/c']);
  assert.deepEqual(readdirSync(dir).length, 3);
  assert.ok(statSync(dir).isDirectory());
});

test('refuses an overlay upper dir that holds metacopy files (their data lives below)', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'f'), '');
  sys().lsetxattr(join(dir, 'f'), 'trusted.overlay.metacopy', Buffer.alloc(0));
  await assert.rejects(layerOf({ kind: 'overlay', upper: dir, lowers: [] }), { code: 'ERR_LAYER_UNSUPPORTED_UPPER' });
});
