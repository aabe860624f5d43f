import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createRequire } from 'node:module';
import { tempDir } from '../../test/helpers/paths.js';
import { sys } from '../native/index.js';
import { applyLayer, type ApplyOptions } from './apply.js';
import { writeTar, type TarWriterEntry } from './tar/writer.js';
import type { TarHeader } from './tar/header.js';

const base = { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_600_000_000 };
type E = Partial<TarHeader> & { path: string; body?: string | Buffer };

async function tarOf(entries: E[]): Promise<Buffer> {
  const list: TarWriterEntry[] = entries.map(({ body, ...h }) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const header: TarHeader = { ...base, type: 'file', ...h, size: data?.length ?? 0 };
    return data === undefined ? { header } : { header, body: data };
  });
  const parts: Uint8Array[] = [];
  for await (const c of writeTar(list)) parts.push(c);
  return Buffer.concat(parts);
}

async function* chunks(buf: Buffer, size = 4096): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function apply(root: string, entries: E[] | Buffer, opts: ApplyOptions = {}) {
  const tar = Buffer.isBuffer(entries) ? entries : await tarOf(entries);
  return applyLayer(chunks(tar), root, opts);
}

function setup(t: { after: (fn: () => void) => void }): { dir: string; root: string; outside: string } {
  const dir = tempDir(t);
  const root = join(dir, 'root');
  const outside = join(dir, 'outside');
  mkdirSync(root);
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret'), 'keep');
  return { dir, root, outside };
}

test('applies files, dirs, symlinks, hardlinks, devices, fifos, owners, modes, mtimes and xattrs', async (t) => {
  const { root } = setup(t);
  const cap = Buffer.from('0100000200200000000000000000000000000000', 'hex');
  const tar = await tarOf([
    { path: 'usr/', type: 'directory', mode: 0o555, mtime: 1000 },
    { path: 'usr/bin/', type: 'directory', mode: 0o755 },
    { path: 'usr/bin/tool', mode: 0o4755, uid: 1000, gid: 2000, body: 'binary', xattrs: new Map([['security.capability', cap]]) },
    { path: 'usr/bin/alias', type: 'symlink', linkpath: 'tool', uid: 7, gid: 8 },
    { path: 'usr/bin/hard', type: 'hardlink', linkpath: 'usr/bin/tool' },
    { path: 'dev/null', type: 'char-device', devmajor: 1, devminor: 3, mode: 0o666 },
    { path: 'run/fifo', type: 'fifo', mode: 0o620 },
    { path: 'tmp/', type: 'directory', mode: 0o1777 },
  ]);
  const r = await apply(root, tar);
  assert.equal(r.diffId, `sha256:${createHash('sha256').update(tar).digest('hex')}`);
  assert.equal(r.size, tar.length);
  assert.equal(r.compression, 'none');
  const tool = lstatSync(join(root, 'usr/bin/tool'));
  assert.equal(readFileSync(join(root, 'usr/bin/tool'), 'utf8'), 'binary');
  assert.equal(tool.mode & 0o7777, 0o4755);
  assert.equal(tool.uid, 1000);
  assert.equal(tool.gid, 2000);
  assert.equal(tool.mtimeMs, 1_600_000_000_000);
  assert.deepEqual(sys().lgetxattr(join(root, 'usr/bin/tool'), 'security.capability'), cap);
  assert.equal(readlinkSync(join(root, 'usr/bin/alias')), 'tool');
  assert.equal(lstatSync(join(root, 'usr/bin/alias')).uid, 7);
  assert.equal(lstatSync(join(root, 'usr/bin/hard')).ino, tool.ino);
  assert.deepEqual(sys().devNumbers(lstatSync(join(root, 'dev/null')).rdev), [1, 3]);
  assert.ok(lstatSync(join(root, 'run/fifo')).isFIFO());
  // a directory's mode and mtime are applied after its children were written
  assert.equal(lstatSync(join(root, 'usr')).mode & 0o7777, 0o555);
  assert.equal(lstatSync(join(root, 'usr')).mtimeMs, 1_000_000);
  assert.equal(lstatSync(join(root, 'tmp')).mode & 0o7777, 0o1777);
});

test('detects gzip and zstd and gives the diffID of the uncompressed tar', async (t) => {
  const { root } = setup(t);
  const tar = await tarOf([{ path: 'a', body: 'x'.repeat(10000) }]);
  const diffId = `sha256:${createHash('sha256').update(tar).digest('hex')}`;
  const gz = await applyLayer(chunks(gzipSync(tar)), root);
  assert.equal(gz.compression, 'gzip');
  assert.equal(gz.diffId, diffId);
  const zstd = createRequire(import.meta.url)('zstd-napi') as { compress(b: Uint8Array): Buffer };
  const zs = await applyLayer(chunks(zstd.compress(tar)), root);
  assert.equal(zs.compression, 'zstd');
  assert.equal(zs.diffId, diffId);
  assert.equal(readFileSync(join(root, 'a'), 'utf8'), 'x'.repeat(10000));
});

test('a whiteout removes a lower file and a whole lower directory', async (t) => {
  const { root } = setup(t);
  await apply(root, [{ path: 'etc/keep', body: '1' }, { path: 'etc/gone', body: '2' }, { path: 'var/lib/x/y', body: '3' }]);
  await apply(root, [{ path: 'etc/.wh.gone' }, { path: 'var/lib/.wh.x' }, { path: '.wh.nonexistent' }]);
  assert.ok(existsSync(join(root, 'etc/keep')));
  assert.ok(!existsSync(join(root, 'etc/gone')));
  assert.ok(!existsSync(join(root, 'var/lib/x')));
  assert.ok(existsSync(join(root, 'var/lib')));
  assert.ok(!existsSync(join(root, 'etc/.wh.gone')));
});

test('a whiteout does not delete a file the same layer added, in either order', async (t) => {
  const { root } = setup(t);
  await apply(root, [{ path: 'a', body: 'lower' }, { path: 'b', body: 'lower' }]);
  await apply(root, [{ path: 'a', body: 'upper' }, { path: '.wh.a' }, { path: '.wh.b' }, { path: 'b', body: 'upper' }]);
  assert.equal(readFileSync(join(root, 'a'), 'utf8'), 'upper');
  assert.equal(readFileSync(join(root, 'b'), 'utf8'), 'upper');
});

test('an opaque directory keeps itself and this layer\'s entries, and drops lower entries', async (t) => {
  const { root } = setup(t);
  await apply(root, [{ path: 'd/', type: 'directory', mode: 0o750 }, { path: 'd/old', body: '1' }, { path: 'd/sub/old', body: '2' }]);
  await apply(root, [
    { path: 'd/', type: 'directory', mode: 0o711 },
    { path: 'd/sub/', type: 'directory' },
    { path: 'd/sub/new', body: 'n' },
    { path: 'd/.wh..wh..opq' },
    { path: 'd/later', body: 'l' },
  ]);
  assert.deepEqual(readdirSync(join(root, 'd')).sort(), ['later', 'sub']);
  assert.deepEqual(readdirSync(join(root, 'd/sub')), ['new']);
  assert.equal(lstatSync(join(root, 'd')).mode & 0o7777, 0o711);
});

test('overlay mode writes 0/0 char devices and the opaque xattr instead of deleting', async (t) => {
  const { root } = setup(t);
  await apply(root, [{ path: 'd/.wh..wh..opq' }, { path: 'd/f', body: 'x' }, { path: 'e/.wh.gone' }], { mode: 'overlay' });
  const wh = lstatSync(join(root, 'e/gone'));
  assert.ok(wh.isCharacterDevice());
  assert.equal(wh.rdev, 0);
  assert.deepEqual(sys().lgetxattr(join(root, 'd'), 'trusted.overlay.opaque'), Buffer.from('y'));
  assert.equal(readFileSync(join(root, 'd/f'), 'utf8'), 'x');
});

test('drops overlay xattrs carried by a layer (they would redirect lower files)', async (t) => {
  const { root } = setup(t);
  const warnings: string[] = [];
  await apply(root, [{ path: 'd/', type: 'directory', xattrs: new Map([['trusted.overlay.redirect', Buffer.from('/etc')], ['trusted.overlay.opaque', Buffer.from('y')]]) }], { onWarning: (w) => warnings.push(w.message) });
  assert.equal(sys().lgetxattr(join(root, 'd'), 'trusted.overlay.redirect'), null);
  assert.equal(sys().lgetxattr(join(root, 'd'), 'trusted.overlay.opaque'), null);
  assert.equal(warnings.length, 2);
});

test('refuses ..', async (t) => {
  const { root, outside } = setup(t);
  await assert.rejects(apply(root, [{ path: '../outside/secret', body: 'pwned' }]), { code: 'ERR_LAYER_UNSAFE_ENTRY' });
  await assert.rejects(apply(root, [{ path: 'a/../../outside/secret', body: 'pwned' }]), { code: 'ERR_LAYER_UNSAFE_ENTRY' });
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'keep');
});

test('confines absolute paths to the root', async (t) => {
  const { root, outside } = setup(t);
  await apply(root, [{ path: `${outside}/secret`, body: 'inside' }, { path: '/etc/passwd', body: 'root:x:0:0' }]);
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'keep');
  assert.equal(readFileSync(join(root, outside, 'secret'), 'utf8'), 'inside');
  assert.equal(readFileSync(join(root, 'etc/passwd'), 'utf8'), 'root:x:0:0');
});

test('refuses a symlink pointing outside root: writes through it stay inside', async (t) => {
  const { root, outside } = setup(t);
  await apply(root, [
    { path: 'abs', type: 'symlink', linkpath: outside },
    { path: 'rel', type: 'symlink', linkpath: '../../../../../../../..' + outside },
    { path: 'abs/secret', body: 'pwned-abs' },
    { path: 'rel/secret', body: 'pwned-rel' },
  ]);
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'keep');
  // the links themselves are data and stay as written; what went through them landed under the root
  assert.equal(readlinkSync(join(root, 'abs')), outside);
  assert.equal(readFileSync(join(root, outside, 'secret'), 'utf8'), 'pwned-rel');
});

test('symlink-then-file-through-symlink: a later layer cannot write through an earlier layer\'s link', async (t) => {
  const { root, outside } = setup(t);
  await apply(root, [{ path: 'lib', type: 'symlink', linkpath: outside }]);
  await apply(root, [{ path: 'lib/secret', body: 'pwned' }, { path: 'lib/new', body: 'new' }]);
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'keep');
  assert.ok(!existsSync(join(outside, 'new')));
  assert.equal(readFileSync(join(root, outside, 'new'), 'utf8'), 'new');
});

test('follows legitimate in-root symlinks such as lib -> usr/lib', async (t) => {
  const { root } = setup(t);
  await apply(root, [{ path: 'usr/lib/', type: 'directory' }, { path: 'lib', type: 'symlink', linkpath: 'usr/lib' }, { path: 'lib64', type: 'symlink', linkpath: '/usr/lib' }]);
  await apply(root, [{ path: 'lib/libc.so', body: 'c' }, { path: 'lib64/ld.so', body: 'ld' }]);
  assert.equal(readFileSync(join(root, 'usr/lib/libc.so'), 'utf8'), 'c');
  assert.equal(readFileSync(join(root, 'usr/lib/ld.so'), 'utf8'), 'ld');
  assert.ok(lstatSync(join(root, 'lib')).isSymbolicLink());
});

test('a file entry replaces a symlink instead of writing through it', async (t) => {
  const { root, outside } = setup(t);
  symlinkSync(join(outside, 'secret'), join(root, 'target'));
  await apply(root, [{ path: 'target', body: 'replaced' }]);
  assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'keep');
  assert.ok(lstatSync(join(root, 'target')).isFile());
});

test('confines a hardlink to outside', async (t) => {
  const { root, outside } = setup(t);
  await assert.rejects(apply(root, [{ path: 'h1', type: 'hardlink', linkpath: '../outside/secret' }]), { code: 'ERR_LAYER_UNSAFE_ENTRY' });
  await assert.rejects(apply(root, [{ path: 'h2', type: 'hardlink', linkpath: `${outside}/secret` }]), { code: 'ERR_LAYER_UNSAFE_ENTRY' });
  await assert.rejects(
    apply(root, [{ path: 'via', type: 'symlink', linkpath: outside }, { path: 'h3', type: 'hardlink', linkpath: 'via/secret' }]),
    { code: 'ERR_LAYER_UNSAFE_ENTRY' },
  );
  assert.equal(lstatSync(join(outside, 'secret')).nlink, 1);
});

test('refuses a symlink loop past the hop limit', async (t) => {
  const { root } = setup(t);
  await assert.rejects(apply(root, [{ path: 'a', type: 'symlink', linkpath: 'b' }, { path: 'b', type: 'symlink', linkpath: 'a' }, { path: 'a/x', body: '' }]), { code: 'ERR_LAYER_UNSAFE_ENTRY' });
});

test('zip-bomb ratio limit stops a decompression bomb', async (t) => {
  const { root } = setup(t);
  const tar = await tarOf([{ path: 'zeros', body: Buffer.alloc(8 << 20) }]);
  const bomb = gzipSync(tar, { level: 9 });
  assert.ok(tar.length / bomb.length > 500);
  await assert.rejects(applyLayer(chunks(bomb), root, { limits: { maxRatio: 100, ratioGrace: 1 << 20 } }), { code: 'ERR_LAYER_LIMIT_EXCEEDED' });
  await applyLayer(chunks(bomb), root); // within the default limits
});

test('a truncated tar fails with a clear error', async (t) => {
  const { root } = setup(t);
  const tar = await tarOf([{ path: 'a', body: 'y'.repeat(5000) }]);
  await assert.rejects(apply(root, tar.subarray(0, 3000)), { code: 'ERR_LAYER_TRUNCATED', message: /ends inside the body of "a"/ });
  const gz = gzipSync(tar);
  await assert.rejects(applyLayer(chunks(gz.subarray(0, gz.length - 12)), root), { code: 'ERR_LAYER_TRUNCATED' });
});

test('a bad checksum fails with a clear error', async (t) => {
  const { root } = setup(t);
  const tar = await tarOf([{ path: 'a', body: 'x' }]);
  tar[100] ^= 0x01; // flip a bit of the mode field
  await assert.rejects(apply(root, tar), { code: 'ERR_LAYER_BAD_CHECKSUM' });
});

test('a corrupt gzip stream fails with LAYER_BAD_COMPRESSION', async (t) => {
  const { root } = setup(t);
  const gz = gzipSync(await tarOf([{ path: 'a', body: 'x'.repeat(100000) }]));
  for (let i = 20; i < 60; i++) gz[i] ^= 0xff;
  await assert.rejects(applyLayer(chunks(gz), root), { code: 'ERR_LAYER_BAD_COMPRESSION' });
});

test('overlay mode gives implicit parent directories the metadata they have in the layers below', async (t) => {
  const { dir } = setup(t);
  const lower = join(dir, 'l1');
  const upper = join(dir, 'l2');
  mkdirSync(lower);
  mkdirSync(upper);
  await apply(lower, [{ path: 'etc/', type: 'directory', mode: 0o750, uid: 5, gid: 6, mtime: 12345 }, { path: 'etc/passwd', body: 'x' }], { mode: 'overlay' });
  await apply(upper, [{ path: 'etc/.wh.passwd' }], { mode: 'overlay', parents: [lower] });
  const st = lstatSync(join(upper, 'etc'));
  assert.equal(st.mode & 0o7777, 0o750);
  assert.equal(st.uid, 5);
  assert.equal(st.mtimeMs, 12345_000);
  assert.ok(lstatSync(join(upper, 'etc/passwd')).isCharacterDevice());
});

test('an aborted signal stops an apply', async (t) => {
  const { root } = setup(t);
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(apply(root, [{ path: 'a', body: 'x' }], { signal: controller.signal }), { message: 'stop' });
});

test('strict mode turns warnings into errors', async (t) => {
  const { root } = setup(t);
  await assert.rejects(apply(root, [{ path: '.wh..wh.plnk' }], { strict: true }), { code: 'ERR_LAYER_BAD_HEADER' });
  const warnings: string[] = [];
  await apply(root, [{ path: '.wh..wh.plnk' }], { onWarning: (w) => warnings.push(w.code) });
  assert.deepEqual(warnings, ['LAYER_ENTRY_IGNORED']);
});

test('does not chmod through a directory that a later entry replaced by a symlink to outside', async (t) => {
  const { root, outside } = setup(t);
  chmodSync(outside, 0o755);
  await apply(root, [{ path: 'd/', type: 'directory', mode: 0o777, mtime: 5 }, { path: 'd', type: 'symlink', linkpath: outside }]);
  assert.equal(lstatSync(outside).mode & 0o7777, 0o755);
  assert.notEqual(lstatSync(outside).mtimeMs, 5000);
  assert.ok(lstatSync(join(root, 'd')).isSymbolicLink());
});

test('a directory entry replaces a symlink instead of following it', async (t) => {
  const { root, outside } = setup(t);
  symlinkSync(outside, join(root, 'd'));
  await apply(root, [{ path: 'd/', type: 'directory', mode: 0o700 }, { path: 'd/f', body: 'in' }]);
  assert.ok(lstatSync(join(root, 'd')).isDirectory());
  assert.ok(!existsSync(join(outside, 'f')));
  assert.equal(lstatSync(outside).mode & 0o7777, 0o755);
});

test('a whiteout under a missing directory removes nothing and creates nothing', async (t) => {
  const { root } = setup(t);
  await apply(root, [{ path: 'missing/dir/.wh.x' }, { path: 'file', body: 'f' }, { path: 'file/.wh.y' }]);
  assert.ok(!existsSync(join(root, 'missing')));
  assert.deepEqual(readdirSync(root), ['file']);
});

test('overlay mode: a directory deleted and re-made in one layer becomes opaque', async (t) => {
  const { dir } = setup(t);
  const l1 = join(dir, 'l1');
  const l2 = join(dir, 'l2');
  const l3 = join(dir, 'l3');
  for (const d of [l1, l2, l3]) mkdirSync(d);
  await apply(l1, [{ path: 'a/old', body: 'o' }, { path: 'c/old', body: 'o' }], { mode: 'overlay' });
  await apply(l2, [{ path: '.wh.a' }, { path: 'a/', type: 'directory' }, { path: 'a/new', body: 'n' }], { mode: 'overlay' });
  assert.deepEqual(sys().lgetxattr(join(l2, 'a'), 'trusted.overlay.opaque'), Buffer.from('y'));
  assert.deepEqual(readdirSync(join(l2, 'a')), ['new']);
  await apply(l3, [{ path: '.wh.c' }, { path: 'c/b/x', body: 'x' }], { mode: 'overlay' }); // no "c/" entry
  assert.ok(lstatSync(join(l3, 'c')).isDirectory());
  assert.deepEqual(sys().lgetxattr(join(l3, 'c'), 'trusted.overlay.opaque'), Buffer.from('y'));
});

test('overlay mode: no whiteout devices inside an opaque directory, in either order', async (t) => {
  const { root } = setup(t);
  await apply(root, [{ path: 'd/.wh..wh..opq' }, { path: 'd/.wh.x' }, { path: 'e/.wh.y' }, { path: 'e/.wh..wh..opq' }], { mode: 'overlay' });
  assert.deepEqual(readdirSync(join(root, 'd')), []);
  assert.deepEqual(readdirSync(join(root, 'e')), []);
});

test('flattening puts back the times of directories the layer changes but does not carry', async (t) => {
  const { root } = setup(t);
  await apply(root, [{ path: 'etc/', type: 'directory', mtime: 1_000 }, { path: 'etc/passwd', body: 'p' }]);
  assert.equal(lstatSync(join(root, 'etc')).mtimeMs, 1_000_000);
  await apply(root, [{ path: 'etc/.wh.passwd' }, { path: 'etc/group', body: 'g' }]);
  assert.deepEqual(readdirSync(join(root, 'etc')), ['group']);
  assert.equal(lstatSync(join(root, 'etc')).mtimeMs, 1_000_000);
});

test('an entry below a lower-layer file fails with LAYER_PATH_CONFLICT', async (t) => {
  const { root } = setup(t);
  await apply(root, [{ path: 'a', body: 'file' }]);
  await assert.rejects(apply(root, [{ path: 'a/b', body: 'x' }]), { code: 'ERR_LAYER_PATH_CONFLICT' });
});

test('drops xattrs the filesystem refuses (bad namespace, name too long) with warnings', async (t) => {
  const { root } = setup(t);
  const warnings: string[] = [];
  await apply(root, [{ path: 'f', body: 'x', xattrs: new Map([['nonamespace', Buffer.from('v')], [`user.${'n'.repeat(300)}`, Buffer.from('v')], ['user.ok', Buffer.from('v')]]) }], { onWarning: (w) => warnings.push(w.message) });
  assert.equal(warnings.length, 2);
  assert.deepEqual(sys().lgetxattr(join(root, 'f'), 'user.ok'), Buffer.from('v'));
});

test('a truncated zstd layer fails with LAYER_TRUNCATED', async (t) => {
  const { root } = setup(t);
  const zstd = createRequire(import.meta.url)('zstd-napi') as { compress(b: Uint8Array): Buffer };
  const zs = zstd.compress(await tarOf([{ path: 'a', body: Buffer.alloc(300_000, 'z') }]));
  await assert.rejects(applyLayer(chunks(zs.subarray(0, zs.length - 20)), root), { code: 'ERR_LAYER_TRUNCATED' });
});
