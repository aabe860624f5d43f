/**
 * Containers from images through the built CLI, under runc on overlay for real: run (exit codes,
 * --rm, --name, -d), ps (filters, formats, -l, -q), logs, stop, kill, start, rm, inspect, prune,
 * commit (the layer's exact content, --change, --pause), rmi conflicts and system check.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { putBusyboxImage } from '../helpers/busybox-image.js';
import { runtimeSkipReason } from '../runtime/harness.js';
import { mountsUnder, type Result } from './cli-harness.js';
import { openStore, readBlob } from '../../src/store/index.js';
import { decompress, readTar } from '../../src/layer/index.js';
import type { ImageConfig } from '../../src/oci/index.js';
import { commitContainer, openContainers } from '../../src/container/index.js';


describe('containers from images (CLI, runc, overlay)', { skip: runtimeSkipReason() }, () => {
  let root: string;
  const g = (...args: string[]): Result => {
    const r = spawnSync(gantryBin, ['--root', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const ok = (...args: string[]): string => {
    const r = g(...args);
    assert.equal(r.status, 0, `gantry ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  before(async () => {
    root = tempDir(undefined, 'gantry-ctr-');
    const store = openStore({ root });
    try {
      await putBusyboxImage(store);
    } finally {
      store.close();
    }
  });
  after(() => {
    const ids = g('ps', '-a', '-q', '--no-trunc').stdout.split('\n').filter((l) => l !== '');
    if (ids.length > 0) g('rm', '-f', ...ids);
    for (const m of mountsUnder(root).reverse()) spawnSync('umount', ['-l', m]);
    spawnSync('rm', ['-rf', root]);
  });

  it('runs an image: the container\'s exit code, output, and an exited record; no mount left', () => {
    const r = g('run', '--name', 'exit3', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    assert.equal(r.status, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
    const line = ok('ps', '-a', '--filter', 'name=exit3', '--format', '{{.Names}} {{.Status}} {{.Command}} {{.Image}}');
    assert.match(line, /^exit3 Exited \(3\) .* ago "sh -c echo out; ech…" busybox\n$/);
    assert.deepEqual(mountsUnder(join(root, 'containers')), []);
  });

  it('exits 127 for a missing command (the container stays, created), 125 for an unknown image or a taken name', () => {
    const missing = g('run', '--name', 'nocmd', 'busybox', 'no-such-command');
    assert.equal(missing.status, 127);
    assert.match(missing.stderr, /executable file not found in \$PATH/);
    assert.equal(ok('ps', '-a', '--filter', 'name=nocmd', '--format', '{{.Status}}'), 'Created\n');
    assert.equal(g('run', 'no-such-image', 'true').status, 125);
    const taken = g('run', '--name', 'nocmd', 'busybox', 'true');
    assert.equal(taken.status, 125);
    assert.match(taken.stderr, /nocmd/);
  });

  it('--rm removes the container, its snapshot, mount, bundle and runtime state after it exits', () => {
    const before = ok('ps', '-a', '-q').split('\n').length;
    const snapshotsBefore = readdirSync(join(root, 'snapshots')).sort();
    // The root filesystem of an --rm container is a volatile overlay (no syncfs when it is unmounted).
    const r = g('run', '--rm', 'busybox', 'sh', '-c', 'grep " / / " /proc/self/mountinfo; exit 4');
    assert.equal(r.status, 4);
    assert.match(r.stdout, /\boverlay\b.*\bvolatile\b/);
    assert.equal(ok('ps', '-a', '-q').split('\n').length, before);
    assert.deepEqual(readdirSync(join(root, 'snapshots')).sort(), snapshotsBefore);
    assert.deepEqual(mountsUnder(join(root, 'containers')), []);
    const entries = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);
    assert.deepEqual(entries(join(root, 'runtime', 'bundles')), []);
    assert.deepEqual(entries(join(root, 'runtime', 'runc')), []);
  });

  it('a container without --rm keeps a synced (not volatile) root filesystem', () => {
    const r = g('run', '--name', 'durable', 'busybox', 'grep', ' / / ', '/proc/self/mountinfo');
    assert.equal(r.status, 0);
    assert.doesNotMatch(r.stdout, /volatile/);
    ok('rm', 'durable');
  });

  it('-d runs detached: ps shows it Up, logs show its output, stop ends it and records the exit', async () => {
    const id = ok('run', '-d', '--name', 'bg', '-e', 'GREETING=hello', 'busybox', 'sh', '-c', 'echo $GREETING; echo second; trap "exit 7" TERM; while true; do sleep 0.1; done').trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(mountsUnder(join(root, 'containers', id)).length, 1);
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('second'); i++) {
      logs = ok('logs', 'bg');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(logs, 'hello\nsecond\n');
    assert.equal(ok('logs', '--tail', '1', 'bg'), 'second\n');
    assert.match(ok('logs', '-t', '--tail', '1', 'bg'), /^\d{4}-\d\d-\d\dT\S+ second\n$/);
    assert.match(ok('ps'), /Up .*bg\n/);
    assert.equal(ok('ps', '-q'), `${id.slice(0, 12)}\n`);
    assert.equal(ok('ps', '-q', '--no-trunc', '--filter', 'status=running'), `${id}\n`);
    const inspect = JSON.parse(ok('container', 'inspect', 'bg')) as [{ Id: string; State: { Running: boolean; Pid: number }; Name: string; Config: { Env: string[] } }];
    assert.equal(inspect[0].Id, id);
    assert.equal(inspect[0].Name, '/bg');
    assert.equal(inspect[0].State.Running, true);
    assert.ok(inspect[0].Config.Env.includes('GREETING=hello'));
    assert.equal(ok('stop', '-t', '5', 'bg'), 'bg\n');
    assert.equal(ok('container', 'inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'bg'), 'exited 7\n');
    assert.equal(ok('ps', '-q', '--filter', 'exited=7', '-a', '--no-trunc'), `${id}\n`);
    assert.deepEqual(mountsUnder(join(root, 'containers', id)), []);
    // logs of an exited container are still there
    assert.equal(ok('logs', 'bg'), 'hello\nsecond\n');
    // start again (detached), kill with a signal, rm
    assert.equal(ok('start', 'bg'), 'bg\n');
    assert.equal(ok('container', 'inspect', '-f', '{{.State.Status}}', 'bg'), 'running\n');
    const rmRunning = g('rm', 'bg');
    assert.equal(rmRunning.status, 1);
    assert.match(rmRunning.stderr, /container is running/);
    assert.equal(ok('kill', '-s', 'KILL', 'bg'), 'bg\n');
    for (let i = 0; i < 50 && ok('container', 'inspect', '-f', '{{.State.Status}}', 'bg') !== 'exited\n'; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(ok('container', 'inspect', '-f', '{{.State.ExitCode}}', 'bg'), '137\n');
    assert.equal(ok('rm', 'bg'), 'bg\n');
    assert.equal(g('container', 'inspect', 'bg').status, 1);
  });

  it('-dt runs detached with a TTY: logs hold its output (CRLF, as a TTY writes it), a shell waits on its terminal, stop ends it', async () => {
    const id = ok('run', '-dt', '--name', 'bgtty', 'busybox', 'sh', '-c', 'echo hi; [ -t 0 ] && [ -t 1 ] && echo tty; trap "exit 3" TERM; while true; do sleep 0.1; done').trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    let logs = '';
    for (let i = 0; i < 50 && !logs.includes('tty'); i++) {
      logs = ok('logs', 'bgtty');
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(logs, 'hi\r\ntty\r\n');
    assert.match(ok('ps'), /Up .*bgtty\n/);
    assert.equal(ok('stop', '-t', '5', 'bgtty'), 'bgtty\n');
    assert.equal(ok('container', 'inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'bgtty'), 'exited 3\n');
    assert.deepEqual(mountsUnder(join(root, 'containers', id)), []);
    ok('rm', 'bgtty');
    // An interactive shell (`run -dt IMAGE sh`, docker's way to keep a container up) reads no end of file.
    ok('run', '-dt', '--name', 'bgsh', 'busybox', 'sh');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(ok('container', 'inspect', '-f', '{{.State.Status}}', 'bgsh'), 'running\n');
    assert.equal(ok('exec', 'bgsh', 'sh', '-c', 'readlink /proc/1/fd/0'), '/dev/pts/0\n');
    assert.equal(ok('rm', '-f', 'bgsh'), 'bgsh\n');
  });

  it('exec runs a process in a running container with -e, -u, -w; docker\'s exit codes; -d', async () => {
    ok('run', '-d', '--name', 'ex', '-e', 'BASE=1', 'busybox', 'sh', '-c', 'while true; do sleep 0.1; done');
    const r = g('exec', '-e', 'EXTRA=2', '-u', '1000:1000', '-w', '/tmp', 'ex', 'sh', '-c', 'echo $BASE $EXTRA $(id -u):$(id -g) $(pwd); exit 5');
    assert.equal(r.status, 5);
    assert.equal(r.stdout, '1 2 1000:1000 /tmp\n');
    assert.equal(g('exec', 'ex', 'no-such-command').status, 127);
    assert.equal(g('exec', 'ex', '/etc/passwd').status, 126);
    assert.equal(ok('exec', '-d', 'ex', 'sh', '-c', 'echo bg > /tmp/from-exec'), '');
    let seen = '';
    for (let i = 0; i < 50 && seen !== 'bg\n'; i++) {
      seen = g('exec', 'ex', 'cat', '/tmp/from-exec').stdout;
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(seen, 'bg\n');
    ok('stop', '-t', '1', 'ex');
    const stopped = g('exec', 'ex', 'true');
    assert.notEqual(stopped.status, 0);
    assert.match(stopped.stderr, /is not running/);
    ok('rm', 'ex');
  });

  it('start -a reruns an exited container in the foreground with its exit code', () => {
    assert.equal(g('run', '--name', 'again', 'busybox', 'sh', '-c', 'echo run; exit 2').status, 2);
    const r = g('start', '-a', 'again');
    assert.equal(r.status, 2);
    assert.equal(r.stdout, 'run\n');
    ok('rm', 'again');
  });

  it('create makes the container run would start, without starting it: ID printed, state Created, start -a runs it', () => {
    const id = ok('create', '--name', 'made', '-e', 'WHO=made', 'busybox', 'sh', '-c', 'echo "hi $WHO"').trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.equal(ok('ps', '-a', '--filter', 'name=made', '--format', '{{.ID}} {{.Status}}'), `${id.slice(0, 12)} Created\n`);
    const r = g('start', '-a', 'made');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'hi made\n');
    ok('container', 'rm', 'made');
    assert.equal(g('container', 'create', 'no-such-image').status, 125);
  });

  it('start after a machine crash: the image layers written before it are extracted again before the container mounts them', () => {
    assert.equal(ok('run', '--name', 'rebooted', 'busybox', 'sh', '-c', 'echo alive'), 'alive\n');
    const store = openStore({ root });
    let tree: string;
    try {
      const chainId = store.images.resolve('busybox').layers[0]!.chainId;
      const row = store.db.sqlite.prepare('SELECT id, labels FROM snapshots WHERE key = ?').get(chainId) as { id: number; labels: string };
      // What the crash left: a label from another boot, and a file whose data never reached the disk.
      const labels = { ...(JSON.parse(row.labels) as Record<string, string>), 'gantry.written-boot': 'an-earlier-boot' };
      store.db.sqlite.prepare('UPDATE snapshots SET labels = ? WHERE id = ?').run(JSON.stringify(labels), row.id);
      tree = join(root, 'snapshots', String(row.id), 'fs');
    } finally {
      store.close();
    }
    spawnSync('truncate', ['-s', '0', join(tree, 'bin', 'busybox')]);
    const r = g('start', '-a', 'rebooted');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'alive\n');
    ok('rm', 'rebooted');
  });

  it('ps -l shows the latest container, --filter ancestor/id/label and the default table header', () => {
    ok('run', '--name', 'lab', '--label', 'team=a', 'busybox', 'true');
    const table = ok('ps', '-l');
    const lines = table.split('\n');
    assert.match(lines[0]!, /^CONTAINER ID +IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$/);
    assert.match(lines[1]!, /^[0-9a-f]{12} +busybox +"true" +.* ago +Exited \(0\) .* ago +lab$/);
    assert.equal(lines.length, 3);
    assert.match(ok('ps', '-a', '--filter', 'ancestor=busybox', '--format', '{{.Names}}'), /lab/);
    assert.equal(ok('ps', '-a', '--filter', 'ancestor=busybox:1.0', '--format', '{{.Names}}'), '');
    assert.match(ok('ps', '-a', '--filter', 'label=team=a', '--format', '{{.Names}} {{.Labels}}'), /^lab team=a\n$/);
    assert.notEqual(g('ps', '--filter', 'bogus=1').status, 0);
    ok('rm', 'lab');
  });

  it('commit: the top layer holds exactly the changes (added, changed, deleted as whiteouts, no mount stubs)', async () => {
    ok('run', '--name', 'changer', 'busybox', 'sh', '-c', 'mkdir -p /data && echo new > /data/added && echo changed > /etc/passwd && rm /bin/ls && rm -r /root');
    const id = ok('commit', '-m', 'a message', '-a', 'Ann <ann@example.com>', '-c', 'CMD ["cat", "/data/added"]', '-c', 'ENV FOO=bar', 'changer', 'committed:v1').trim();
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const store = openStore({ root });
    try {
      const image = store.images.resolve('committed:v1');
      const base = store.images.resolve('busybox');
      assert.equal(image.id, id);
      assert.equal(image.parent, base.id);
      assert.equal(image.layers.length, base.layers.length + 1);
      const top = image.layers.at(-1)!;
      const reader = await store.content.reader({ digest: top.digest, size: top.size });
      const { stream } = await decompress(reader.stream());
      const names: string[] = [];
      for await (const e of readTar(stream)) {
        names.push(e.header.path);
        await e.skip();
      }
      assert.deepEqual(names.sort(), ['bin', 'bin/.wh.ls', 'data', 'data/added', 'etc', 'etc/passwd', '.wh.root'].sort());
      const config = JSON.parse(Buffer.from(await readBlob(store.content, image.config)).toString()) as ImageConfig;
      assert.deepEqual(config.config?.Cmd, ['cat', '/data/added']);
      assert.ok(config.config?.Env?.includes('FOO=bar'));
      assert.equal(config.author, 'Ann <ann@example.com>');
      const h = config.history!.at(-1)!;
      assert.equal(h.comment, 'a message');
      assert.equal(h.author, 'Ann <ann@example.com>');
      assert.match(h.created_by ?? '', /^sh -c mkdir -p \/data/);
      assert.equal(config.rootfs.diff_ids.at(-1), top.diffId);
    } finally {
      store.close();
    }
    assert.equal(ok('run', '--rm', 'committed:v1'), 'new\n');
    assert.equal(g('run', '--rm', 'committed:v1', 'ls').status, 127);
    assert.match(ok('history', 'committed:v1'), /a message/);
    // Without a name: a dangling image, its ID printed.
    const dangling = ok('commit', 'changer').trim();
    assert.match(dangling, /^sha256:[0-9a-f]{64}$/);
    ok('rm', 'changer');
  });

  it('container diff lists A/C/D changes without mount stubs; export writes the merged root filesystem', () => {
    ok('run', '--name', 'differ', 'busybox', 'sh', '-c', 'mkdir /new && echo x > /new/file && echo y >> /etc/group && rm /bin/ls');
    assert.equal(ok('container', 'diff', 'differ'), 'C /bin\nD /bin/ls\nC /etc\nC /etc/group\nA /new\nA /new/file\n');
    assert.equal(ok('diff', 'differ'), ok('container', 'diff', 'differ'));
    const dir = tempDir(undefined, 'gantry-export-');
    try {
      const tar = join(dir, 'out.tar');
      ok('container', 'export', '-o', tar, 'differ');
      const names = spawnSync('tar', ['-tf', tar], { encoding: 'utf8' }).stdout.split('\n');
      assert.ok(names.includes('new/file'));
      assert.ok(names.includes('bin/busybox'));
      assert.ok(!names.includes('bin/ls'));
      const piped = spawnSync('sh', ['-c', `${gantryBin} --root ${root} export differ | tar -xOf - new/file`], { encoding: 'utf8' });
      assert.equal(piped.stdout, 'x\n');
    } finally {
      spawnSync('rm', ['-rf', dir]);
    }
    assert.deepEqual(mountsUnder(join(root, 'containers')), []);
    ok('rm', 'differ');
  });

  it('commit --pause freezes a running container while the layer is taken; it runs on after', async () => {
    const id = ok('run', '-d', '--name', 'live', 'busybox', 'sh', '-c', 'echo x > /marker; while true; do sleep 0.1; done').trim();
    const store = openStore({ root });
    try {
      const c = await openContainers(store);
      // Watch the real runtime: the state it reports between pause and resume.
      const rt = c.runtime.runtime;
      const seen: string[] = [];
      const pause = rt.pause.bind(rt);
      const resume = rt.resume.bind(rt);
      rt.pause = async (cid, o) => {
        await pause(cid, o);
        seen.push(`paused:${(await rt.state(cid))?.status}`);
      };
      rt.resume = async (cid, o) => {
        seen.push(`resume:${(await rt.state(cid))?.status}`);
        await resume(cid, o);
      };
      for (let i = 0; i < 50 && (await rt.state(id))?.status !== 'running'; i++) await new Promise((r) => setTimeout(r, 100));
      await commitContainer(c, store.containers.get(id), { reference: 'livecommit' });
      assert.deepEqual(seen, ['paused:paused', 'resume:paused']);
      assert.equal((await rt.state(id))?.status, 'running');
      seen.length = 0;
      await commitContainer(c, store.containers.get(id), { reference: 'livecommit:nopause', pause: false });
      assert.deepEqual(seen, []);
    } finally {
      store.close();
    }
    assert.equal(ok('container', 'inspect', '-f', '{{.State.Status}}', 'live'), 'running\n');
    assert.equal(ok('run', '--rm', 'livecommit', 'cat', '/marker'), 'x\n');
    ok('rm', '-f', 'live');
    assert.deepEqual(mountsUnder(join(root, 'containers', id)), []);
  });

  it('rmi refuses an image a container uses: a stopped one without -f, a running one even with -f', () => {
    // An image of its own (busybox has children by now): committed from a container.
    ok('run', '--name', 'maker', 'busybox', 'touch', '/made');
    const imageId = ok('commit', 'maker', 'inuse:1').trim();
    ok('rm', 'maker');
    ok('run', '--name', 'user', 'inuse:1', 'true');
    const soft = g('rmi', imageId);
    assert.notEqual(soft.status, 0);
    assert.match(soft.stderr, /conflict: unable to delete [0-9a-f]{12} \(must be forced\) - image is being used by stopped container [0-9a-f]{12}/);
    ok('rm', 'user');
    const rid = ok('run', '-d', '--name', 'runner', 'inuse:1', 'sleep', '60').trim();
    const hard = g('rmi', '-f', imageId);
    assert.notEqual(hard.status, 0);
    assert.match(hard.stderr, /conflict: unable to delete [0-9a-f]{12} \(cannot be forced\) - image is being used by running container [0-9a-f]{12}/);
    ok('rm', '-f', rid);
    ok('rmi', 'inuse:1');
    assert.notEqual(g('image', 'inspect', imageId).status, 0);
  });

  it('container prune removes stopped containers; system check finds and repairs a stray mount', () => {
    ok('run', '--name', 'p1', 'busybox', 'true');
    const out = ok('container', 'prune', '-f');
    assert.match(out, /Deleted Containers:\n[0-9a-f]{64}\n/);
    assert.equal(ok('ps', '-a', '-q'), '');
    // a mount left by a crashed gantry (simulated: a container's rootfs mounted, record exited)
    const id = ok('run', '-d', 'busybox', 'sleep', '60').trim();
    const store = openStore({ root });
    try {
      store.containers.update(id, { state: 'exited', exitCode: 0 });
    } finally {
      store.close();
    }
    spawnSync('runc', ['--root', join(root, 'runtime', 'runc'), 'kill', id, 'KILL']);
    for (let i = 0; i < 50; i++) {
      const st = spawnSync('runc', ['--root', join(root, 'runtime', 'runc'), 'state', id], { encoding: 'utf8' });
      if (!st.stdout.includes('"running"')) break;
      spawnSync('sleep', ['0.1']);
    }
    const check = g('system', 'check');
    assert.equal(check.status, 1);
    assert.match(check.stdout, new RegExp(`stray container mount: .*${id}/rootfs`));
    const repair = g('system', 'check', '--repair');
    assert.match(repair.stdout, /unmounted stray container mount/);
    assert.deepEqual(mountsUnder(join(root, 'containers', id)), []);
    ok('rm', '-f', id);
  });
});
