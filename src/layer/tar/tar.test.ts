import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../test/helpers/paths.js';
import { sys } from '../../native/index.js';
import { encodeHeader, writeTar, END_OF_ARCHIVE, type TarWriterEntry } from './writer.js';
import { readTar, type TarReadOptions } from './reader.js';
import { checksum, type TarHeader } from './header.js';

async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

async function* chunked(buf: Uint8Array, size = 700): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function readAll(buf: Uint8Array, opts: TarReadOptions = {}): Promise<Array<{ header: TarHeader; body: Buffer }>> {
  const out = [];
  for await (const e of readTar(chunked(buf), opts)) out.push({ header: e.header, body: await e.bytes() });
  return out;
}

const base = { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_700_000_000 };
const capability = Buffer.from('0100000200200000000000000000000000000000', 'hex'); // cap_net_bind_service, binary with NULs

const everyType: TarWriterEntry[] = [
  { header: { ...base, path: 'dir', type: 'directory', mode: 0o1777 } },
  { header: { ...base, path: 'dir/file', type: 'file', size: 5, mode: 0o4755, uid: 1000, gid: 1000, uname: 'app', gname: 'app' }, body: Buffer.from('hello') },
  { header: { ...base, path: 'dir/link', type: 'symlink', linkpath: '../target', mode: 0o777 } },
  { header: { ...base, path: 'dir/hard', type: 'hardlink', linkpath: 'dir/file' } },
  { header: { ...base, path: 'dev/null', type: 'char-device', devmajor: 1, devminor: 3, mode: 0o666 } },
  { header: { ...base, path: 'dev/sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 } },
  { header: { ...base, path: 'dev/big', type: 'block-device', devmajor: 259, devminor: 3_000_000, mode: 0o600 } },
  { header: { ...base, path: 'fifo', type: 'fifo', mode: 0o2640 } },
  { header: { ...base, path: 'ping', type: 'file', size: 3, xattrs: new Map([['security.capability', capability]]) }, body: Buffer.from('elf') },
  { header: { ...base, path: 'ids', type: 'file', uid: 2 ** 21 + 5, gid: 2 ** 31 + 7, size: 0 } },
  { header: { ...base, path: `${'a'.repeat(120)}/${'b'.repeat(120)}/${'c'.repeat(120)}`, type: 'file', size: 1 }, body: Buffer.from('x') },
  { header: { ...base, path: 'long-link', type: 'symlink', linkpath: `/${'t'.repeat(300)}` } },
  { header: { ...base, path: 'ünïcødé/名前', type: 'file', size: 0 } },
  { header: { ...base, path: 'old', type: 'file', size: 0, mtime: -86400 } },
  { header: { ...base, path: 'longowner', type: 'file', size: 0, uname: 'u'.repeat(40), gname: 'g'.repeat(40) } },
];

test('round-trips every entry type, long names, binary xattrs, large ids and device numbers', async () => {
  const tar = await collect(writeTar(everyType));
  assert.equal(tar.length % 512, 0);
  const read = await readAll(tar);
  assert.equal(read.length, everyType.length);
  for (let i = 0; i < everyType.length; i++) {
    const want = everyType[i]!;
    const got = read[i]!;
    assert.deepEqual(got.header, want.header, `entry ${want.header.path}`);
    assert.deepEqual(got.body, Buffer.from(want.body instanceof Uint8Array ? want.body : Buffer.alloc(0)));
  }
});

test('clamps mtimes to SOURCE_DATE_EPOCH and writes no atime or ctime', async () => {
  const tar = await collect(writeTar([{ header: { ...base, path: 'f', type: 'file', mtime: 2_000_000_000 } }], { sourceDateEpoch: 1_000 }));
  const [e] = await readAll(tar);
  assert.equal(e!.header.mtime, 1_000);
  assert.ok(!tar.includes('atime') && !tar.includes('ctime'));
});

test('writes the same bytes for the same headers', async () => {
  assert.deepEqual(await collect(writeTar(everyType)), await collect(writeTar(everyType)));
});

test('refuses a body whose length differs from its header', async () => {
  await assert.rejects(collect(writeTar([{ header: { ...base, path: 'f', type: 'file', size: 10 }, body: Buffer.from('short') }])), { code: 'ERR_LAYER_SIZE_MISMATCH' });
});

test('GNU tar lists and extracts what we write, xattrs included', async (t) => {
  const dir = tempDir(t);
  const entries = everyType.filter((e) => !e.header.path.startsWith('dev/') && e.header.type !== 'fifo');
  writeFileSync(join(dir, 'a.tar'), await collect(writeTar([{ header: { ...base, path: 'target', type: 'file' } }, ...entries])));
  const list = execFileSync('tar', ['-tvf', join(dir, 'a.tar')], { encoding: 'utf8' });
  assert.match(list, /app\/app\s+5 .* dir\/file/);
  assert.match(list, /2097157\/2147483655/);
  assert.match(list, /c{120}/);
  const out = join(dir, 'out');
  mkdirSync(out);
  execFileSync('tar', ['--xattrs', '--xattrs-include=*', '-xpf', join(dir, 'a.tar'), '-C', out]);
  assert.equal(readFileSync(join(out, 'dir/file'), 'utf8'), 'hello');
  assert.equal(lstatSync(join(out, 'dir/file')).mode & 0o7777, 0o4755);
  assert.equal(lstatSync(join(out, 'dir/hard')).ino, lstatSync(join(out, 'dir/file')).ino);
  assert.equal(readlinkSync(join(out, 'long-link')), `/${'t'.repeat(300)}`);
  assert.equal(lstatSync(join(out, 'ids')).uid, 2 ** 21 + 5);
  assert.deepEqual(sys().lgetxattr(join(out, 'ping'), 'security.capability'), capability);
  assert.ok(lstatSync(join(out, 'ünïcødé/名前')).isFile());
});

test('reads what GNU tar writes in PAX format, xattrs and devices included', async (t) => {
  const dir = tempDir(t);
  const src = join(dir, 'src');
  mkdirSync(join(src, 'deep/'.repeat(40)), { recursive: true });
  writeFileSync(join(src, 'f'), 'data');
  linkSync(join(src, 'f'), join(src, 'h'));
  symlinkSync('f', join(src, 's'));
  sys().lsetxattr(join(src, 'f'), 'security.capability', capability);
  sys().lsetxattr(join(src, 'f'), 'user.note', Buffer.from('hi'));
  sys().mknod(join(src, 'null'), 0o20666, 1, 3);
  sys().mkfifo(join(src, 'p'), 0o600);
  execFileSync('tar', ['--xattrs', '--xattrs-include=*', '--format=pax', '--sort=name', '-cf', join(dir, 'g.tar'), '-C', src, '.']);
  const read = await readAll(readFileSync(join(dir, 'g.tar')));
  const by = new Map(read.map((e) => [e.header.path, e]));
  assert.equal(by.get('./f')?.body.toString(), 'data');
  assert.deepEqual(by.get('./f')?.header.xattrs?.get('security.capability'), capability);
  assert.deepEqual(by.get('./f')?.header.xattrs?.get('user.note'), Buffer.from('hi'));
  assert.equal(by.get('./h')?.header.type, 'hardlink');
  assert.equal(by.get('./h')?.header.linkpath, './f');
  assert.equal(by.get('./s')?.header.linkpath, 'f');
  assert.equal(by.get('./null')?.header.type, 'char-device');
  assert.equal(by.get('./null')?.header.devminor, 3);
  assert.equal(by.get('./p')?.header.type, 'fifo');
  assert.ok(by.has(`./${'deep/'.repeat(40).slice(0, -1)}`));
});

test('reads GNU long names and base-256 numbers (tar --format=gnu)', async (t) => {
  const dir = tempDir(t);
  const src = join(dir, 'src');
  const long = 'n'.repeat(150);
  mkdirSync(src);
  writeFileSync(join(src, long), 'z');
  symlinkSync('l'.repeat(200), join(src, 'sl'));
  execFileSync('tar', ['--format=gnu', '--owner=3000000', '--group=3000001', '-cf', join(dir, 'g.tar'), '-C', src, '.']);
  const read = await readAll(readFileSync(join(dir, 'g.tar')));
  const f = read.find((e) => e.header.path === `./${long}`);
  assert.equal(f?.header.uid, 3_000_000);
  assert.equal(f?.header.gid, 3_000_001);
  assert.equal(read.find((e) => e.header.path === './sl')?.header.linkpath, 'l'.repeat(200));
});

test('fails on a truncated tar with LAYER_TRUNCATED', async () => {
  const tar = await collect(writeTar([{ header: { ...base, path: 'f', type: 'file', size: 2000 }, body: Buffer.alloc(2000, 1) }]));
  for (const cut of [100, 512 + 1000, 512 + 2000, 512 + 2048 + 10]) {
    await assert.rejects(readAll(tar.subarray(0, cut)), { code: 'ERR_LAYER_TRUNCATED' }, `cut at ${cut}`);
  }
});

test('fails on a bad checksum with LAYER_BAD_CHECKSUM', async () => {
  const tar = Buffer.from(await collect(writeTar([{ header: { ...base, path: 'f', type: 'file' } }])));
  tar[0] = 0x67; // 'f' → 'g' without fixing the checksum
  await assert.rejects(readAll(tar), { code: 'ERR_LAYER_BAD_CHECKSUM' });
});

test('caps PAX header size, entry count and path length', async () => {
  const huge = encodeHeader({ ...base, path: 'x'.repeat(5000), type: 'file' });
  await assert.rejects(readAll(Buffer.concat([huge, END_OF_ARCHIVE]), { limits: { maxMetaSize: 1024 } }), { code: 'ERR_LAYER_LIMIT_EXCEEDED' });
  await assert.rejects(readAll(Buffer.concat([huge, END_OF_ARCHIVE])), { code: 'ERR_LAYER_LIMIT_EXCEEDED' });
  const many = await collect(writeTar(Array.from({ length: 5 }, (_, i) => ({ header: { ...base, path: `f${i}`, type: 'file' as const } }))));
  await assert.rejects(readAll(many, { limits: { maxEntries: 4 } }), { code: 'ERR_LAYER_LIMIT_EXCEEDED' });
  assert.equal((await readAll(many, { limits: { maxEntries: 5 } })).length, 5);
});

test('refuses GNU sparse entries and warns on unknown types (errors when strict)', async () => {
  const h = Buffer.from(encodeHeader({ ...base, path: 'v', type: 'file' }));
  h[156] = 0x56; // 'V': volume label
  h.write(`${checksum(h).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const warnings: string[] = [];
  assert.equal((await readAll(Buffer.concat([h, END_OF_ARCHIVE]), { onWarning: (w) => warnings.push(w.code) })).length, 0);
  assert.deepEqual(warnings, ['LAYER_ENTRY_IGNORED']);
  await assert.rejects(readAll(Buffer.concat([h, END_OF_ARCHIVE]), { strict: true }), { code: 'ERR_LAYER_BAD_HEADER' });
  h[156] = 0x53; // 'S'
  h.write(`${checksum(h).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  await assert.rejects(readAll(Buffer.concat([h, END_OF_ARCHIVE])), { code: 'ERR_LAYER_UNSUPPORTED_ENTRY' });
});

test('an unread body is skipped when the next entry is requested', async () => {
  const tar = await collect(writeTar([
    { header: { ...base, path: 'a', type: 'file', size: 3000 }, body: Buffer.alloc(3000, 7) },
    { header: { ...base, path: 'b', type: 'file', size: 2 }, body: Buffer.from('ok') },
  ]));
  const names: string[] = [];
  let last: Buffer = Buffer.alloc(0);
  for await (const e of readTar(chunked(tar, 333))) {
    names.push(e.header.path);
    if (e.header.path === 'b') last = await e.bytes();
  }
  assert.deepEqual(names, ['a', 'b']);
  assert.equal(last.toString(), 'ok');
});

test('applies PAX global headers to every later entry (tar --pax-option)', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 's'));
  writeFileSync(join(dir, 's/f'), 'hi');
  execFileSync('tar', ['--format=pax', '--pax-option=uname=globaluser', '-cf', join(dir, 'g.tar'), '-C', join(dir, 's'), '.']);
  const read = await readAll(readFileSync(join(dir, 'g.tar')));
  assert.deepEqual(read.map((e) => [e.header.path, e.header.uname]), [['.', 'globaluser'], ['./f', 'globaluser']]);
});

test('keeps xattr values with newlines, "=" and NULs, and paths with newlines', async () => {
  const value = Buffer.from('a=b\nc\0d\n', 'latin1');
  const entries: TarWriterEntry[] = [{ header: { ...base, path: 'odd\nname', type: 'file', xattrs: new Map([['user.odd', value]]) } }];
  const [e] = await readAll(await collect(writeTar(entries)));
  assert.equal(e!.header.path, 'odd\nname');
  assert.deepEqual(e!.header.xattrs?.get('user.odd'), value);
});

test('reads pre-POSIX headers: a trailing slash on a type-0 entry is a directory', async () => {
  const h = Buffer.from(encodeHeader({ ...base, path: 'olddir/', type: 'file' }));
  h[156] = 0; // '\0' typeflag, as V7 tar wrote
  h.write('\0\0\0\0\0\0\0\0', 257, 'latin1'); // no ustar magic
  h.write(`${checksum(h).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const [e] = await readAll(Buffer.concat([h, END_OF_ARCHIVE]));
  assert.equal(e!.header.type, 'directory');
  assert.equal(e!.header.path, 'olddir');
});

test('reads negative mtimes written in base-256', async () => {
  const h = Buffer.from(encodeHeader({ ...base, path: 'f', type: 'file' }));
  h.fill(0xff, 136, 148); // -1 in 12 bytes of two's complement, GNU base-256
  h.write(`${checksum(h).toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  const [e] = await readAll(Buffer.concat([h, END_OF_ARCHIVE]));
  assert.equal(e!.header.mtime, -1);
});

test('warns when the end-of-archive marker is missing, and fails in strict mode', async () => {
  const tar = await collect(writeTar([{ header: { ...base, path: 'f', type: 'file' } }]));
  const cut = tar.subarray(0, 512);
  const warnings: string[] = [];
  assert.equal((await readAll(cut, { onWarning: (w) => warnings.push(w.code) })).length, 1);
  assert.deepEqual(warnings, ['LAYER_MISSING_EOF']);
  await assert.rejects(readAll(cut, { strict: true }), { code: 'ERR_LAYER_BAD_HEADER' });
});

test('refuses header values no tar format can hold', () => {
  assert.throws(() => encodeHeader({ ...base, path: 'f', type: 'file', uid: -1 }), { code: 'ERR_LAYER_UNREPRESENTABLE' });
  assert.throws(() => encodeHeader({ ...base, path: '', type: 'file' }), { code: 'ERR_LAYER_UNREPRESENTABLE' });
  assert.throws(() => encodeHeader({ ...base, path: 'a\0b', type: 'file' }), { code: 'ERR_LAYER_UNREPRESENTABLE' });
});

test('splits long ASCII paths into ustar prefix and name before falling back to PAX', async () => {
  const dir = `${'p'.repeat(90)}/${'q'.repeat(90)}`;
  const tar = await collect(writeTar([{ header: { ...base, path: dir, type: 'directory' } }, { header: { ...base, path: `${dir}/file`, type: 'file' } }]));
  assert.ok(!tar.includes('PaxHeaders'), 'no PAX header needed');
  const read = await readAll(tar);
  assert.deepEqual(read.map((e) => e.header.path), [dir, `${dir}/file`]);
});
