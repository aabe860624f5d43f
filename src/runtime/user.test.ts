import { strict as assert } from 'node:assert';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/helpers/paths.js';
import { loadUserDb, parseGroup, parsePasswd, resolveGroups, resolveUser } from './user.js';

const DB = {
  passwd: [
    'root:x:0:0:root:/root:/bin/sh',
    'daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin',
    '# a comment',
    'broken line',
    'app:x:1000:1000:app user:/home/app:/bin/sh',
    'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
  ].join('\n'),
  group: ['root:x:0:', 'wheel:x:10:root,app', 'app:x:1000:', 'audio:x:29:app', 'staff:x:50:', 'nogroup:x:65534:'].join('\n'),
};

describe('resolveUser', () => {
  const table: [string, string, { uid: number; gid: number; additionalGids: number[]; home: string }][] = [
    ['empty means root, with its groups', '', { uid: 0, gid: 0, additionalGids: [10], home: '/root' }],
    ['a name', 'app', { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' }],
    ['a known uid', '1000', { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/app' }],
    ['an unknown uid gets gid 0', '4242', { uid: 4242, gid: 0, additionalGids: [], home: '/' }],
    ['uid:gid, both numeric and unknown', '1234:5678', { uid: 1234, gid: 5678, additionalGids: [], home: '/' }],
    ['name:group drops supplementary groups', 'app:staff', { uid: 1000, gid: 50, additionalGids: [], home: '/home/app' }],
    ['name:gid', 'nobody:0', { uid: 65534, gid: 0, additionalGids: [], home: '/nonexistent' }],
    ['uid:group name', '0:audio', { uid: 0, gid: 29, additionalGids: [], home: '/root' }],
  ];
  for (const [name, spec, expected] of table) {
    it(`${name} (${JSON.stringify(spec)})`, () => assert.deepEqual(resolveUser(spec, DB), expected));
  }
  it('refuses an unknown user name with docker\'s message', () => {
    assert.throws(() => resolveUser('ghost', DB), /unable to find user ghost: no matching entries in passwd file/);
  });
  it('refuses an unknown group name', () => {
    assert.throws(() => resolveUser('app:ghosts', DB), /unable to find group ghosts: no matching entries in group file/);
  });
  it('refuses a name when the image has no passwd file', () => {
    assert.throws(() => resolveUser('app', { passwd: '', group: '' }), /unable to find user app/);
    assert.deepEqual(resolveUser('', { passwd: '', group: '' }), { uid: 0, gid: 0, additionalGids: [], home: '/' });
  });
  it('refuses malformed and out-of-range specs', () => {
    assert.throws(() => resolveUser('a:b:c', DB), /invalid user/);
    assert.throws(() => resolveUser('99999999999', DB), /out of range/);
  });
});

describe('passwd and group parsing', () => {
  it('skips comments and malformed lines', () => {
    assert.deepEqual(parsePasswd(DB.passwd).map((u) => u.name), ['root', 'daemon', 'app', 'nobody']);
    assert.deepEqual(parseGroup(DB.group).find((g) => g.name === 'wheel'), { name: 'wheel', gid: 10, members: ['root', 'app'] });
  });
  it('resolves --group-add names and numbers', () => {
    assert.deepEqual(resolveGroups(['audio', '777'], DB), [29, 777]);
    assert.throws(() => resolveGroups(['nope'], DB), /Unable to find group nope/);
  });
});

describe('loadUserDb', () => {
  it('reads the root filesystem\'s files, and a symlink pointing outside stays inside the root', async (t) => {
    const dir = tempDir(t);
    const root = join(dir, 'root');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(dir, 'host-passwd'), 'evil:x:0:0::/:/bin/sh\n');
    // Absolute and ../ escapes both resolve inside the root, where no such file exists.
    symlinkSync('/../../host-passwd', join(root, 'etc', 'passwd'));
    symlinkSync('../../host-passwd', join(root, 'etc', 'group'));
    assert.deepEqual(await loadUserDb(root), { passwd: '', group: '' });
    writeFileSync(join(root, 'host-passwd'), 'inside:x:5:5::/:/bin/sh\n');
    assert.equal((await loadUserDb(root)).passwd, 'inside:x:5:5::/:/bin/sh\n');
  });
});
