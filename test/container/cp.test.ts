/**
 * `cp` through the built CLI, on real containers (runc, overlay): out of a created container (file,
 * directory, `DIR/.`, `-` as tar), into a created container that `start -a`, `export` and `diff`
 * then see, into a running one, the merged view of a stopped one (whiteouts honoured), symlinks
 * and `..` confined to the container's root, bound directories (-v), and docker's error lines and exit codes.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { putBusyboxImage } from '../helpers/busybox-image.js';
import { runtimeSkipReason } from '../runtime/harness.js';
import { mountsUnder } from './cli-harness.js';
import { openStore } from '../../src/store/index.js';
import { sys } from '../../src/native/index.js';
import { copyFromContainer, copyToContainer, CopyError, openContainers, type Containers } from '../../src/container/index.js';

interface Result {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}


/** The names in a tar stream (GNU tar lists them). */
function tarNames(tar: Buffer): string[] {
  const r = spawnSync('tar', ['-tf', '-'], { input: tar, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe('cp between containers and the host (CLI, runc, overlay)', { skip: runtimeSkipReason() }, () => {
  let root: string;
  let host: string;
  const g = (args: string[], input?: Buffer): Result => {
    const r = spawnSync(gantryBin, ['--root', root, ...args], { cwd: host, maxBuffer: 64 << 20, ...(input === undefined ? { stdio: ['ignore', 'pipe', 'pipe'] } : { input }) });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
  };
  const ok = (...args: string[]): string => {
    const r = g(args);
    assert.equal(r.status, 0, `gantry ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.toString('utf8');
  };
  const fails = (args: string[], line: string, input?: Buffer): void => {
    const r = g(args, input);
    assert.equal(r.stderr, `${line}\n`, `gantry ${args.join(' ')}`);
    assert.equal(r.status, 1);
  };

  /** The container part in process, over the same store. */
  const api = async <T>(fn: (c: Containers) => Promise<T>): Promise<T> => {
    const store = openStore({ root });
    try {
      return await fn(await openContainers(store));
    } finally {
      store.close();
    }
  };

  before(async () => {
    root = tempDir(undefined, 'gantry-cp-');
    host = join(root, 'host');
    mkdirSync(host);
    const store = openStore({ root: join(root, 'store') });
    try {
      await putBusyboxImage(store);
    } finally {
      store.close();
    }
    root = join(root, 'store');
    // A host tree with owners, modes and times to keep: hd/{f,sub/g}.
    mkdirSync(join(host, 'hd', 'sub'), { recursive: true });
    writeFileSync(join(host, 'hd', 'f'), 'hi\n');
    writeFileSync(join(host, 'hd', 'sub', 'g'), 's\n');
    chmodSync(join(host, 'hd', 'f'), 0o640);
    for (const p of ['hd', 'hd/f', 'hd/sub', 'hd/sub/g']) {
      chownSync(join(host, p), 1234, 5678);
      utimesSync(join(host, p), 981173106, 981173106);
    }
    writeFileSync(join(host, 'file'), 'x\n');
  });
  after(() => {
    const ids = g(['ps', '-a', '-q', '--no-trunc']).stdout.toString('utf8').split('\n').filter((l) => l !== '');
    if (ids.length > 0) g(['rm', '-f', ...ids]);
    const top = join(root, '..');
    for (const m of mountsUnder(top).reverse()) spawnSync('umount', ['-l', m]);
    spawnSync('rm', ['-rf', top]);
  });

  it('copies out of a created (never started) container: a file, a directory, DIR/. and a tar on stdout; nothing stays mounted', async () => {
    const id = ok('create', 'busybox', 'true').trim();
    const out = join(host, 'out1');
    mkdirSync(out);
    // through the CLI: a file to a missing name, a directory as a tar on stdout
    ok('cp', `${id}:/etc/passwd`, join(out, 'pw'));
    assert.match(readFileSync(join(out, 'pw'), 'utf8'), /^root:x:0:0:/);
    assert.deepEqual(tarNames(g(['cp', `${id}:/etc`, '-']).stdout), ['etc/', 'etc/group', 'etc/passwd']);
    // the rest in process (the same code, without a process start per copy)
    await api(async (c) => {
      const cp = async (srcPath: string, destPath: string, followLink = false): Promise<Buffer> => {
        const chunks: Uint8Array[] = [];
        await copyFromContainer(c, { container: id, srcPath, destPath, followLink, cwd: host, stdout: async (b) => void chunks.push(Buffer.from(b)) });
        return Buffer.concat(chunks);
      };
      // into an existing directory by its name
      await cp('/etc/group', out);
      assert.ok(existsSync(join(out, 'group')));
      // an existing file is overwritten
      writeFileSync(join(out, 'over'), 'old contents, longer than group\n');
      await cp('/etc/group', join(out, 'over'));
      assert.equal(readFileSync(join(out, 'over'), 'utf8'), readFileSync(join(out, 'group'), 'utf8'));
      // a directory to a missing name: created with the contents
      await cp('/etc', join(out, 'etc-copy'));
      assert.deepEqual(readdirSync(join(out, 'etc-copy')).sort(), ['group', 'passwd']);
      // into an existing directory: the directory itself; with /. only its contents
      await cp('/etc', out);
      assert.deepEqual(readdirSync(join(out, 'etc')).sort(), ['group', 'passwd']);
      mkdirSync(join(out, 'contents'));
      await cp('/etc/.', join(out, 'contents'));
      assert.deepEqual(readdirSync(join(out, 'contents')).sort(), ['group', 'passwd']);
      // modes and mtimes are the container's (the image's epoch times); the owner is whoever copies
      assert.equal(statSync(join(out, 'etc', 'passwd')).mtimeMs, 0);
      assert.equal(statSync(join(out, 'etc', 'passwd')).mode & 0o777, 0o644);
      // `-`: a tar stream named after the source
      assert.deepEqual(tarNames(await cp('/etc/.', '-')), ['./', './group', './passwd']);
      assert.deepEqual(tarNames(await cp('/etc/passwd', '-')), ['passwd']);
      // a symlink is copied as one; -L copies its target under the link's name
      await cp('/bin/sh', join(out, 'sh'));
      assert.ok(lstatSync(join(out, 'sh')).isSymbolicLink());
      await cp('/bin/sh', join(out, 'shL'), true);
      assert.ok(lstatSync(join(out, 'shL')).isFile());
      assert.ok(lstatSync(join(out, 'shL')).size > 100_000);
      // -L to `-`: the target's archive as the daemon sends it (named busybox), a large body in pieces
      const tar = await cp('/bin/sh', '-', true);
      assert.deepEqual(tarNames(tar), ['busybox']);
      const body = spawnSync('tar', ['-xOf', '-', 'busybox'], { input: tar, maxBuffer: 64 << 20 }).stdout;
      assert.ok(body.equals(readFileSync(join(out, 'shL'))));
    });
    assert.equal(ok('ps', '-a', '--filter', `id=${id}`, '--format', '{{.Status}}'), 'Created\n');
    assert.deepEqual(mountsUnder(join(root, 'containers')), []);
  });

  it('copies into a created container, keeping owners, modes and times; start -a, export, diff and commit see it', () => {
    const id = ok('create', 'busybox', 'sh', '-c', 'cat /tmp/hd/f /tmp/hd/sub/g /new; ls -ln /tmp/hd; stat -c "%a %Y" /tmp/hd/f').trim();
    ok('cp', 'hd', `${id}:/tmp`); // into an existing directory: /tmp/hd
    ok('cp', 'file', `${id}:/new`); // a file to a missing name
    assert.deepEqual(mountsUnder(join(root, 'containers')), []);
    const run = ok('start', '-a', id);
    assert.match(run, /^hi\ns\nx\n/);
    assert.match(run, /-rw-r----- +1 1234 +5678 +3 .* f\n/);
    assert.match(run, /drwxr-xr-x +2 1234 +5678 .* sub\n/);
    assert.match(run, /640 981173106\n$/);
    const exported = tarNames(g(['export', id]).stdout);
    for (const p of ['tmp/hd/', 'tmp/hd/f', 'tmp/hd/sub/g', 'new']) assert.ok(exported.includes(p), `${p} in the export`);
    const diff = ok('diff', id);
    assert.match(diff, /^A \/new$/m);
    assert.match(diff, /^A \/tmp\/hd\/sub\/g$/m);
    ok('commit', id, 'cp-committed');
    assert.equal(ok('run', '--rm', 'cp-committed', 'cat', '/new', '/tmp/hd/sub/g'), 'x\ns\n');
  });

  it('keeps the source\'s uid/gid going in (docker 20.10); -a gives the container user\'s, from its /etc/passwd', () => {
    const id = ok('create', '--user', 'nobody', 'busybox', 'true').trim();
    ok('cp', 'hd', `${id}:/tmp/kept`);
    ok('cp', '-a', 'hd', `${id}:/tmp/archived`);
    const owners = (path: string): string[] => {
      const r = spawnSync('tar', ['-tvf', '-', '--numeric-owner'], { input: g(['cp', `${id}:${path}`, '-']).stdout, encoding: 'utf8' });
      return r.stdout.split('\n').filter((l) => l !== '').map((l) => `${l.split(/\s+/)[1]} ${l.split(/\s+/).pop()}`);
    };
    assert.deepEqual(owners('/tmp/kept'), ['1234/5678 kept/', '1234/5678 kept/f', '1234/5678 kept/sub/', '1234/5678 kept/sub/g']);
    assert.deepEqual(owners('/tmp/archived'), ['65534/65534 archived/', '65534/65534 archived/f', '65534/65534 archived/sub/', '65534/65534 archived/sub/g']);
    const unknown = ok('create', '--user', 'nosuchuser', 'busybox', 'true').trim();
    fails(['cp', '-a', 'file', `${unknown}:/tmp/`], 'Error response from daemon: getent unable to find entry "nosuchuser" in passwd database');
  });

  it('a tar stream on stdin is extracted into a container directory; a directory source replaces nothing outside its name', () => {
    const id = ok('create', 'busybox', 'sh', '-c', 'cat /tmp/t/a /tmp/t/b/c; ls /tmp/into').trim();
    const tar = spawnSync('tar', ['-cf', '-', '-C', join(host, 'hd'), '.'], {}).stdout;
    ok('cp', 'hd', `${id}:/tmp/into`); // a directory to a missing name: created
    mkdirSync(join(host, 't', 'b'), { recursive: true });
    writeFileSync(join(host, 't', 'a'), 'A\n');
    writeFileSync(join(host, 't', 'b', 'c'), 'C\n');
    const tarT = spawnSync('tar', ['-cf', '-', '-C', host, 't']).stdout;
    assert.equal(g(['cp', '-', `${id}:/tmp`], tarT).status, 0);
    assert.equal(g(['cp', '-', `${id}:/tmp/into`], tar).status, 0);
    assert.equal(ok('start', '-a', id), 'A\nC\nf\nsub\n');
  });

  it('copies into and out of a running container (its mounted root filesystem)', () => {
    const id = ok('run', '-d', 'busybox', 'sh', '-c', 'echo made-inside > /tmp/inside; while true; do sleep 0.1; done').trim();
    ok('cp', 'file', `${id}:/tmp/from-host`);
    const r = g(['exec', id, 'cat', '/tmp/from-host']);
    assert.equal(r.stdout.toString('utf8'), 'x\n');
    let inside = '';
    for (let i = 0; i < 50 && inside === ''; i++) {
      const c = g(['cp', `${id}:/tmp/inside`, '-']);
      if (c.status === 0) inside = c.stdout.toString('latin1');
      else spawnSync('sleep', ['0.1']);
    }
    assert.match(inside, /made-inside/);
    assert.equal(mountsUnder(join(root, 'containers', id)).length, 1); // still its mount, still running
    ok('rm', '-f', id);
  });

  it('reads a stopped container through its merged view: deleted files (whiteouts) are gone, new ones there', () => {
    const id = ok('create', 'busybox', 'sh', '-c', 'rm /etc/group; echo added > /etc/added').trim();
    ok('start', '-a', id);
    const names = tarNames(g(['cp', `${id}:/etc`, '-']).stdout);
    assert.ok(names.includes('etc/added') && names.includes('etc/passwd'), names.join(' '));
    assert.ok(!names.includes('etc/group'), names.join(' '));
    fails(['cp', `${id}:/etc/group`, '-'], `Error: No such container:path: ${id}:/etc/group`);
    const committed = ok('commit', id).trim();
    assert.match(committed, /^sha256:/);
  });

  it('confines symlinks and .. to the container root: a link to /etc is the container\'s /etc, .. stops at its root', () => {
    const planted = `gantry-cp-planted-${process.pid}`;
    const id = ok('create', 'busybox', 'sh', '-c', `cat /etc/${planted} /tmp/${planted} /tmp/up`).trim();
    // plant /tmp/evil -> /etc and /tmp/climb -> ../../../../.. with a tar on stdin
    const links = spawnSync('sh', ['-c', 'd=$(mktemp -d); ln -s /etc $d/evil; ln -s ../../../../.. $d/climb; tar -cf - -C $d evil climb; rm -rf $d']).stdout;
    assert.equal(g(['cp', '-', `${id}:/tmp`], links).status, 0);
    try {
      // writing through them lands inside the container
      ok('cp', 'file', `${id}:/tmp/evil/${planted}`);
      ok('cp', 'file', `${id}:/tmp/climb/tmp/${planted}`);
      assert.equal(existsSync(`/etc/${planted}`), false);
      assert.equal(existsSync(`/tmp/${planted}`), false);
      // reading through the link reads the container's /etc: the host's /etc/hostname is not there
      assert.ok(existsSync('/etc/hostname'));
      fails(['cp', `${id}:/tmp/evil/hostname`, '-'], `Error: No such container:path: ${id}:/tmp/evil/hostname`);
      assert.deepEqual(g(['cp', `${id}:/tmp/evil/passwd`, '-']).stdout, g(['cp', `${id}:/etc/passwd`, '-']).stdout);
      // `..` in the container path stops at its root, in either direction
      ok('cp', 'file', `${id}:/../../../../../tmp/up`);
      fails(['cp', `${id}:/../../../../etc/hostname`, '-'], `Error: No such container:path: ${id}:/../../../../etc/hostname`);
      // a hostile tar entry cannot climb out of the directory it is extracted into: docker's refusal
      const climb = spawnSync('sh', ['-c', 'd=$(mktemp -d); echo climbed > $d/escape; tar -cf - -C $d --transform "s,^,../../../../,S" -P escape; rm -rf $d']).stdout;
      fails(['cp', '-', `${id}:/tmp`], 'Error response from daemon: Error processing tar file(exit status 1): "../../../../escape" is outside of "/tmp"', climb);
      assert.equal(ok('start', '-a', id), 'x\nx\nx\n');
    } finally {
      for (const p of [`/etc/${planted}`, `/tmp/${planted}`]) spawnSync('rm', ['-f', p]);
    }
  });

  it('copies into and out of directories bound into the container (-v), never out of them; a read-only bind refuses', async () => {
    const vol = join(host, 'vol');
    const ro = join(host, 'vol-ro');
    mkdirSync(join(vol, 'sub'), { recursive: true });
    mkdirSync(ro);
    writeFileSync(join(vol, 'sub', 'x'), 'v\n');
    symlinkSync('../../../../..', join(vol, 'climb')); // inside the bind: stays inside it
    await api(async (c) => {
      const id = (await c.create({ image: 'busybox', flags: { volume: [`${vol}:/data`, `${ro}:/ro:ro`] }, cmd: ['true'], callerEnv: {} })).id;
      const into = (srcPath: string, destPath: string): Promise<void> => copyToContainer(c, { container: id, srcPath, destPath, cwd: host });
      const out = async (srcPath: string): Promise<string[]> => {
        const chunks: Uint8Array[] = [];
        await copyFromContainer(c, { container: id, srcPath, destPath: '-', stdout: async (b) => void chunks.push(Buffer.from(b)) });
        return tarNames(Buffer.concat(chunks));
      };
      await into('file', '/data/');
      await into('file', '/data/sub/y');
      assert.equal(readFileSync(join(vol, 'file'), 'utf8'), 'x\n');
      assert.deepEqual(await out('/data/sub'), ['sub/', 'sub/x', 'sub/y']);
      // a link in the root filesystem that leads into the bind continues in the bind's directory
      const link = spawnSync('sh', ['-c', 'd=$(mktemp -d); ln -s /data/sub $d/dl; tar -cf - -C $d dl; rm -rf $d']).stdout;
      await copyToContainer(c, { container: id, srcPath: '-', destPath: '/tmp', stdin: Readable.from([link]) });
      await into('file', '/tmp/dl/z');
      assert.ok(existsSync(join(vol, 'sub', 'z')));
      // a link inside the bind cannot climb out of it
      await into('file', '/data/climb/escaped');
      assert.ok(existsSync(join(vol, 'escaped')));
      await assert.rejects(into('file', '/ro/'), (err: unknown) => err instanceof CopyError && err.line === 'Error response from daemon: mounted volume is marked read-only');
      await c.remove(c.store.containers.get(id));
    });
  });

  it('prints docker\'s error lines and exits 1', () => {
    const id = ok('create', 'busybox', 'true').trim();
    fails(['cp', 'nosuch:/etc/passwd', 'x'], 'Error: No such container:path: nosuch:/etc/passwd');
    fails(['cp', 'file', 'file2'], 'must specify at least one container source');
    fails(['cp', `${id}:/a`, `${id}:/b`], 'copying between containers is not supported');
    fails(['container', 'cp', `${id}:/etc`, 'file'], 'cannot copy directory');
    fails(['cp', '-', `${id}:/etc/passwd`], `destination "${id}:/etc/passwd" must be a directory`, Buffer.alloc(0));
    const ro = ok('create', '--read-only', 'busybox', 'true').trim();
    fails(['cp', 'file', `${ro}:/tmp/`], 'Error response from daemon: container rootfs is marked read-only');
    assert.equal(g(['cp', `${ro}:/etc/passwd`, '-']).status, 0);
    const count = g(['cp', 'only-one']);
    assert.equal(count.status, 1);
    assert.match(count.stderr, /^"gantry cp" requires exactly 2 arguments\./);
  });

  it('refuses what docker refuses, with its words (in process)', async () => {
    await api(async (c) => {
      const id = (await c.create({ image: 'busybox', flags: {}, cmd: ['true'], callerEnv: {} })).id;
      const line = async (p: Promise<void>): Promise<string> => {
        try {
          await p;
        } catch (err) {
          if (err instanceof CopyError) return err.line;
          throw err;
        }
        return 'no error';
      };
      const out = (srcPath: string, destPath: string): Promise<string> => line(copyFromContainer(c, { container: id, srcPath, destPath, cwd: host, stdout: async () => {} }));
      const into = (srcPath: string, destPath: string): Promise<string> => line(copyToContainer(c, { container: id, srcPath, destPath, cwd: host }));
      assert.equal(await out('/nonexist', 'x'), `Error: No such container:path: ${id}:/nonexist`);
      assert.equal(await out('/etc/nonexist/x', 'x'), `Error: No such container:path: ${id}:/etc/nonexist/x`);
      assert.equal(await out('/etc/passwd', 'missingdir/'), 'no such directory');
      assert.equal(await out('/etc/passwd', 'nodir/x'), `invalid output path: directory "${host}/nodir" does not exist`);
      assert.equal(await out('/etc/passwd', 'file/x'), `stat ${host}/file/x: not a directory`);
      assert.match(await out('/etc/passwd/', '-'), /^Error response from daemon: lstat \/.*\/etc\/passwd\/: not a directory$/);
      assert.equal(await into('nonexist', '/tmp/'), `lstat ${host}/nonexist: no such file or directory`);
      assert.equal(await into('file', '/nonexist/x'), `Error: No such container:path: ${id}:/nonexist`);
      assert.equal(await into('file', '/nonexist/'), 'no such directory');
      assert.equal(await into('hd', '/etc/passwd'), 'cannot copy directory');
      assert.equal(await into('file', '/etc/passwd/x'), 'Error response from daemon: extraction point is not a directory');
      assert.equal(await into('-', '/nonexist'), `destination "${id}:/nonexist" must be a directory`);
      assert.deepEqual(mountsUnder(join(root, 'containers')), []);
    });
  });

  it('two copies through one stopped container\'s root: the second to finish unmounts it, not the first under the other', async () => {
    await api(async (c) => {
      const id = (await c.create({ image: 'busybox', flags: {}, cmd: ['true'], callerEnv: {} })).id;
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      const first: Uint8Array[] = [];
      // The first copy stops at its first chunk until the second has finished.
      const slow = copyFromContainer(c, {
        container: id,
        srcPath: '/bin',
        destPath: '-',
        stdout: async (b) => {
          first.push(Buffer.from(b));
          await held;
        },
      });
      await new Promise((r) => setTimeout(r, 200));
      const second: Uint8Array[] = [];
      await copyFromContainer(c, { container: id, srcPath: '/etc', destPath: '-', stdout: async (b) => void second.push(Buffer.from(b)) });
      assert.ok(tarNames(Buffer.concat(second)).includes('etc/passwd'));
      assert.ok(mountsUnder(root).length > 0, 'the first copy still has the root mounted');
      release();
      await slow;
      assert.ok(tarNames(Buffer.concat(first)).includes('bin/busybox'));
      assert.deepEqual(mountsUnder(root), [], 'the last copy unmounted it');
      await c.remove(c.store.containers.get(id));
    });
  });

  it('keeps a file\'s capabilities (security.capability, the one extended attribute docker\'s archive carries) both ways', () => {
    // cap_net_raw, permitted and effective (VFS_CAP_REVISION_2)
    const cap = Buffer.from([0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    writeFileSync(join(host, 'capped'), '#!/bin/sh\n', { mode: 0o755 });
    sys().lsetxattr(join(host, 'capped'), 'security.capability', cap);
    const id = ok('create', 'busybox', 'true').trim();
    ok('cp', 'capped', `${id}:/capped`);
    mkdirSync(join(host, 'back'));
    ok('cp', `${id}:/capped`, 'back/capped');
    assert.deepEqual(sys().lgetxattr(join(host, 'back', 'capped'), 'security.capability'), cap);
    ok('rm', id);
  });
});
