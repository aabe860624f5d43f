import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, lstatSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/paths.js';
import { sys } from './index.js';

test('xattrs round-trip binary values on the link itself', (t) => {
  const dir = tempDir(t);
  const f = join(dir, 'f');
  writeFileSync(f, 'x');
  const value = Buffer.from([0x01, 0x00, 0x00, 0x02, 0xff, 0x00, 0x20, 0x00, 0x00, 0x00]);
  sys().lsetxattr(f, 'user.bin', value);
  assert.deepEqual(sys().lgetxattr(f, 'user.bin'), value);
  assert.ok(sys().llistxattr(f).includes('user.bin'));
  assert.equal(sys().lgetxattr(f, 'user.absent'), null);
  sys().lremovexattr(f, 'user.bin');
  assert.equal(sys().lgetxattr(f, 'user.bin'), null);
  // trusted.* works on symlinks (user.* does not): the l* calls must not follow the link
  symlinkSync('f', join(dir, 'l'));
  sys().lsetxattr(join(dir, 'l'), 'trusted.gantry', Buffer.from('y'));
  assert.deepEqual(sys().lgetxattr(join(dir, 'l'), 'trusted.gantry'), Buffer.from('y'));
  assert.equal(sys().lgetxattr(f, 'trusted.gantry'), null);
});

test('system errors carry errno codes like node:fs', (t) => {
  const dir = tempDir(t);
  assert.throws(() => sys().lgetxattr(join(dir, 'missing'), 'user.x'), { code: 'ENOENT', syscall: 'lgetxattr' });
  assert.throws(() => sys().lremovexattr(dir, 'user.absent'), { code: 'ENODATA' });
  assert.throws(() => sys().mknod(join(dir, 'a\0b'), 0o10644, 0, 0), TypeError);
});

test('mknod makes char devices, fifos and reports device numbers', (t) => {
  const dir = tempDir(t);
  sys().mknod(join(dir, 'null'), 0o20666, 1, 3);
  const st = lstatSync(join(dir, 'null'));
  assert.ok(st.isCharacterDevice());
  assert.deepEqual(sys().devNumbers(st.rdev), [1, 3]);
  sys().mknod(join(dir, 'big'), 0o60600, 259, 70000);
  assert.deepEqual(sys().devNumbers(lstatSync(join(dir, 'big')).rdev), [259, 70000]);
  sys().mkfifo(join(dir, 'fifo'), 0o600);
  assert.ok(lstatSync(join(dir, 'fifo')).isFIFO());
  assert.throws(() => sys().mkfifo(join(dir, 'fifo'), 0o600), { code: 'EEXIST' });
});

test('writeThrough flushes a range and rejects like node:fs on a bad descriptor', async (t) => {
  const dir = tempDir(t);
  const f = join(dir, 'f');
  writeFileSync(f, Buffer.alloc(1 << 20, 7));
  const fd = openSync(f, 'r+');
  try {
    await sys().writeThrough?.(fd, 0, 0);
    assert.equal(readFileSync(f).length, 1 << 20);
  } finally {
    closeSync(fd);
  }
  await assert.rejects(async () => sys().writeThrough?.(fd, 0, 0), { code: 'EBADF', syscall: 'sync_file_range' });
  assert.throws(() => sys().writeThrough?.(0, -1, 0), TypeError);
});
