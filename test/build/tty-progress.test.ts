/**
 * The TTY progress view of `gantry build` under a real pseudo-terminal (python3's `pty`, as a user's
 * terminal), compared with what BuildKit's progressui draws: repaints in place with the cursor hidden,
 * a `[+] Building …s (done/total)` header, step lines with timers one column short of the width,
 * the running step's last output lines (dim), finished steps in blue, a failed one in red, the final
 * summary (FINISHED or ERROR), and no colour with NO_COLOR.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gantryBin } from '../helpers/paths.js';
import { buildSkipReason, cliBuildEnv } from './harness.js';

function pythonSkip(): string | undefined {
  try {
    execFileSync('python3', ['-c', 'import pty, termios'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'needs python3 with the pty module';
  }
}

const skip = buildSkipReason() ?? pythonSkip();
const COLUMNS = 100;

// Forks the command on a 30x100 pty, collects everything it draws, prints {out, status} as JSON.
const PTY_DRIVER = String.raw`
import json, os, pty, sys, fcntl, termios, struct, select, time
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 30, ${COLUMNS}, 0, 0))
    os.execvp(sys.argv[1], sys.argv[1:])
out = b''
deadline = time.time() + 120
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.5)
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        out += data
else:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
print(json.dumps({'out': out.decode('utf8', 'replace'), 'status': os.waitstatus_to_exitcode(status)}))
`;


function onPty(args: string[], env: Record<string, string> = {}): { out: string; status: number } {
  const r = spawnSync('python3', ['-c', PTY_DRIVER, process.execPath, gantryBin, ...args], {
    encoding: 'utf8',
    timeout: 150_000,
    env: { ...process.env, TERM: 'xterm', ...env },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { out: string; status: number };
}

/** The repaints: each starts by hiding the cursor and ends by showing it. */
function paints(out: string): string[] {
  return out.split('\x1b[?25l').slice(1).map((p) => p.slice(0, p.indexOf('\x1b[?25h')));
}

/** A paint's lines as a user sees them: cursor moves and line clears gone, colours kept apart. */
function screenLines(paint: string): { text: string; sgr: string }[] {
  return paint
    .replace(/\x1b\[\d+A/g, '')
    .split(/\r?\n/)
    .map((l) => l.replace(/\x1b\[2K/g, ''))
    .filter((l) => l !== '')
    .map((l) => ({ text: l.replace(/\x1b\[[0-9;]*m/g, ''), sgr: /^\x1b\[([0-9;]*)m/.exec(l)?.[1] ?? '' }));
}

test('tty view: repaints in place with the running step\'s last output lines, timers, blue finished steps and a FINISHED summary', { skip }, async (t) => {
  const { root, ctx } = await cliBuildEnv(t, 'gantry-build-tty-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN for i in 1 2 3 4 5 6 7 8 9; do echo "line $i"; sleep 0.25; done\nRUN echo second\n');
  const r = onPty(['--root', root, 'build', '--progress', 'tty', '-t', 'ttyview:1', ctx]);
  assert.equal(r.status, 0, r.out);
  const all = paints(r.out);
  assert.ok(all.length >= 3, `expected several repaints, got ${all.length}`);
  // Every repaint after the first moves the cursor back up over the previous one.
  for (const p of all.slice(1)) assert.match(p, /^\x1b\[\d+A/);
  // While the loop runs, its output shows under its step, dim, the latest lines last.
  const running = all.map(screenLines).find((ls) => ls.some((l) => l.text === ' => => # line 3'));
  assert.ok(running !== undefined, 'no repaint showed the running step\'s output');
  const logLine = running.find((l) => l.text === ' => => # line 3');
  assert.equal(logLine?.sgr, '2');
  const stepIdx = running.findIndex((l) => l.text.startsWith(' => [2/3] RUN for i in'));
  assert.ok(stepIdx > 0 && running.indexOf(logLine!) > stepIdx);
  assert.match(running[stepIdx]!.text, / \d+\.\ds$/);
  assert.equal(running[stepIdx]!.sgr, '', 'a running step is not coloured');
  assert.match(running[0]!.text, /^\[\+\] Building \d+\.\ds \(\d+\/\d+\)$/);

  const final = screenLines(all.at(-1)!);
  assert.match(final[0]!.text, /^\[\+\] Building \d+\.\ds \(4\/4\) FINISHED$/);
  const texts = final.map((l) => l.text);
  assert.ok(texts.some((l) => /^ => CACHED \[1\/3\] FROM busybox +0\.0s$/.test(l)), texts.join('\n'));
  assert.ok(texts.some((l) => /^ => \[3\/3\] RUN echo second +\d+\.\ds$/.test(l)), texts.join('\n'));
  assert.ok(texts.some((l) => /^ => => naming to docker\.io\/library\/ttyview:1 +\d+\.\ds$/.test(l)), texts.join('\n'));
  assert.ok(!texts.some((l) => l.includes('# line')), 'no output lines stay in the final view');
  for (const l of final.slice(1)) {
    assert.equal(l.sgr, '34', `finished line not blue: ${l.text}`);
    assert.equal(l.text.length, COLUMNS - 1, `step line not ${COLUMNS - 1} wide: ${JSON.stringify(l.text)}`);
  }
});

test('tty view: a failed step is red under an ERROR summary, then the failure box; NO_COLOR drops the colours', { skip }, async (t) => {
  const { root, ctx } = await cliBuildEnv(t, 'gantry-build-tty-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo about to fail && exit 3\n');
  const colored = onPty(['--root', root, 'build', '--progress', 'tty', ctx]);
  assert.equal(colored.status, 1);
  const final = screenLines(paints(colored.out).at(-1)!);
  assert.match(final[0]!.text, /^\[\+\] Building \d+\.\ds \(\d+\/2\) ERROR$/);
  const failed = final.find((l) => l.text.startsWith(' => ERROR [2/2] RUN echo about to fail && exit 3'));
  assert.equal(failed?.sgr, '31');
  const after = colored.out.slice(colored.out.lastIndexOf('\x1b[?25h'));
  assert.match(after, / > \[2\/2\] RUN echo about to fail && exit 3:\r?\n/);
  assert.match(after, /about to fail/);
  assert.match(after, /exit code: 3/);

  const plain = onPty(['--root', root, 'build', '--progress', 'tty', ctx], { NO_COLOR: '1' });
  assert.equal(plain.status, 1);
  assert.doesNotMatch(plain.out, /\x1b\[[0-9;]*m/);
  assert.match(plain.out, / => ERROR \[2\/2\] RUN echo about to fail/);
});
