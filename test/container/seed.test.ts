/**
 * The seed's scenario end to end, through a real pseudo-terminal (python3's pty module drives it as
 * a person would): `gantry run -ti debian:bookworm`, `apt-get update`, install a package, `exit`;
 * `container ls -l` shows the container; `container commit` makes `mydebian`; the installed program
 * runs in a new container from it; `image history` shows the new layer.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { haveMmdebstrap, putDebianImage } from '../helpers/debian-image.js';
import { runtimeSkipReason } from '../runtime/harness.js';
import { openStore } from '../../src/store/index.js';

const DRIVER = String.raw`
import os, pty, sys, time, select
root, gantry = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(gantry, [gantry, '--root', root, 'run', '-ti', 'debian:bookworm'])
buf = b''
def until(pat, timeout):
    global buf
    end = time.time() + timeout
    while pat not in buf:
        left = end - time.time()
        r = select.select([fd], [], [], max(0, left))[0] if left > 0 else []
        if not r:
            sys.stderr.write('timeout waiting for %r; terminal showed: %r\n' % (pat, buf[-3000:]))
            sys.exit(2)
        try:
            d = os.read(fd, 65536)
        except OSError:
            d = b''
        if not d:
            sys.stderr.write('terminal closed waiting for %r; it showed: %r\n' % (pat, buf[-3000:]))
            sys.exit(3)
        buf += d
def send(line):
    os.write(fd, line.encode() + b'\r')
# The shell is up when it can compute (the echo of the typed line has the unexpanded text).
send('echo READY-$((20+1)) $(tty)')
until(b'READY-21 /dev/pts/', 120)
send('apt-get update -qq && apt-get install -y -qq --no-install-recommends file >/dev/null 2>&1; echo INSTALLED-$((40+2))-$?')
until(b'INSTALLED-42-', 900)
status = buf.split(b'INSTALLED-42-')[1][:1]
if status != b'0':
    sys.stderr.write('install failed: %r\n' % buf[-3000:])
    sys.exit(4)
send('exit')
_, st = os.waitpid(pid, 0)
sys.stdout.write('gantry exit %d\n' % os.waitstatus_to_exitcode(st))
`;

const skip = runtimeSkipReason() ?? (haveMmdebstrap() ? undefined : 'needs mmdebstrap') ?? (spawnSync('python3', ['--version']).status === 0 ? undefined : 'needs python3');

describe('the seed scenario: run -ti debian, install, commit, run the new image', { skip }, () => {
  let root: string;
  const g = (...args: string[]): { status: number | null; stdout: string; stderr: string } => {
    const r = spawnSync(gantryBin, ['--root', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  before(async () => {
    root = tempDir(undefined, 'gantry-seed-');
    const store = openStore({ root });
    try {
      await putDebianImage(store);
    } finally {
      store.close();
    }
  });
  after(() => {
    const ids = g('ps', '-a', '-q', '--no-trunc').stdout.split('\n').filter((l) => l !== '');
    if (ids.length > 0) g('rm', '-f', ...ids);
    for (const l of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
      const m = l.split(' ')[4];
      if (m !== undefined && m.startsWith(root)) spawnSync('umount', ['-l', m]);
    }
    spawnSync('rm', ['-rf', root]);
  });

  it('installs a package interactively and commits it as mydebian', () => {
    const drive = spawnSync('python3', ['-c', DRIVER, root, gantryBin], { encoding: 'utf8', timeout: 1_200_000 });
    assert.equal(drive.status, 0, drive.stderr);
    assert.equal(drive.stdout, 'gantry exit 0\n');

    const ls = g('container', 'ls', '-l');
    assert.equal(ls.status, 0, ls.stderr);
    const row = ls.stdout.split('\n')[1] ?? '';
    assert.match(row, /^([0-9a-f]{12}) +debian:bookworm +"bash" +.* ago +Exited \(0\) .* ago +gantry_[0-9a-f]{12}$/);
    const id = row.slice(0, 12);

    const commit = g('container', 'commit', id, 'mydebian');
    assert.equal(commit.status, 0, commit.stderr);
    assert.match(commit.stdout, /^sha256:[0-9a-f]{64}\n$/);

    const run = g('run', '--rm', 'mydebian', 'file', '--version');
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /^file-5\.\d+/);
    const magic = g('run', '--rm', 'mydebian', 'file', '-b', '/bin/bash');
    assert.match(magic.stdout, /ELF 64-bit/);

    const history = g('image', 'history', 'mydebian');
    assert.equal(history.status, 0, history.stderr);
    const lines = history.stdout.trim().split('\n');
    assert.equal(lines.length, 3, history.stdout);
    assert.match(lines[1]!, /^[0-9a-f]{12} +.* ago +bash +\d+(\.\d+)?MB/);
    assert.match(lines[2]!, /<missing> .*Imported from mmdebstrap bookworm/);
  });
});
