/**
 * `-t` for real: `gantry run -it` (the built CLI) runs under a pseudo-terminal made by python3's `pty`
 * module (the terminal a user would have); the test types into it, resizes it and presses Ctrl-C.
 */
import { strict as assert } from 'node:assert';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeBusyboxRootfs } from '../helpers/fixtures.js';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { deleteAllContainers, runtimeSkipReason } from './harness.js';

function pythonSkip(): string | undefined {
  try {
    execFileSync('python3', ['-c', 'import pty, termios'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'needs python3 with the pty module';
  }
}

// The terminal: forks the command on a pty of 33x101, answers the container's prompts, checks that the
// host side is raw while the container runs, resizes to 40x120, presses Ctrl-C, and prints a JSON summary.
const PTY_DRIVER = String.raw`
import json, os, pty, sys, fcntl, termios, struct, select, time
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 33, 101, 0, 0))
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
raw_during = None
sent_line = sent_int = False
deadline = time.time() + 60
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if fd in r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        out += data
    if b'READY' in out and not sent_line:
        lflag = termios.tcgetattr(fd)[3]
        raw_during = (lflag & termios.ICANON) == 0 and (lflag & termios.ECHO) == 0
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
        os.write(fd, b'hello tty\r')
        sent_line = True
    if b'WAITING' in out and not sent_int:
        os.write(fd, b'\x03')
        sent_int = True
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
print(json.dumps({'out': out.decode('utf8', 'replace'), 'raw': raw_during, 'status': os.waitstatus_to_exitcode(status)}))
`;

const CONTAINER_SCRIPT = [
  'tty', 'stty size', 'echo READY', 'read line', 'echo "got:$line"',
  'while [ "$(stty size)" = "33 101" ]; do sleep 0.05; done', 'stty size',
  'trap "echo got-int; exit 42" INT', 'echo WAITING', 'while :; do sleep 0.1; done',
].join('; ');

describe('runtime: a container with a TTY under a real pseudo-terminal', { skip: runtimeSkipReason() ?? pythonSkip() }, () => {
  const dir = tempDir(undefined, 'gantry-tty-');
  after(async () => {
    await deleteAllContainers(join(dir, 'root'));
    execFileSync('rm', ['-rf', dir]);
  });

  it('gets /dev/pts/0, the window size and its changes, raw host mode, typed input and Ctrl-C as SIGINT', () => {
    const rootfs = join(dir, 'rootfs');
    mkdirSync(rootfs);
    makeBusyboxRootfs(rootfs);
    const cli = [gantryBin, '--root', join(dir, 'root'), 'run', '--rootfs', rootfs, '--rm', '-it', '--network', 'none', 'sh', '-c', CONTAINER_SCRIPT];
    const r = spawnSync('python3', ['-c', PTY_DRIVER, ...cli], {
      encoding: 'utf8',
      timeout: 90_000,
    });
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { out: string; raw: boolean; status: number };
    const lines = summary.out.split(/\r?\n/);
    assert.equal(lines[0], '/dev/pts/0', summary.out);
    assert.equal(lines[1], '33 101', summary.out);
    assert.ok(lines.includes('got:hello tty'), summary.out);
    assert.ok(lines.includes('40 120'), summary.out);
    assert.ok(lines.some((l) => l.endsWith('got-int')), summary.out);
    assert.equal(summary.raw, true, 'the host terminal is raw while the container runs');
    assert.equal(summary.status, 42, summary.out);
  });
});
