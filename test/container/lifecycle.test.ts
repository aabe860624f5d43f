/**
 * `attach`, `wait`, `pause`/`unpause`, `stats`, `top`, `update`, `restart`, `rename` and `info` through the built CLI under runc, against what
 * docker 20.10's daemon prints for each.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { runtimeSkipReason } from '../runtime/harness.js';
import { gantryBin } from '../helpers/paths.js';
import { containerCli } from './cli-harness.js';

describe('container lifecycle commands (CLI, runc)', { skip: runtimeSkipReason() }, () => {
  const cli = containerCli('gantry-lifecycle-');
  const { g, ok } = cli;
  before(() => cli.setUp());
  after(() => cli.tearDown());

  it('wait prints the exit code: 0 at once for a created container, the code once it stopped; an unknown one fails', () => {
    ok('create', '--name', 'w1', 'busybox', 'sh', '-c', 'sleep 0.3; exit 3');
    assert.equal(ok('wait', 'w1'), '0\n');
    ok('start', 'w1');
    assert.equal(ok('wait', 'w1'), '3\n');
    const missing = g('wait', 'w1', 'nosuch');
    assert.deepEqual([missing.status, missing.stdout, missing.stderr], [1, '3\n', 'Error response from daemon: No such container: nosuch\n']);
  });

  it('pause freezes a running container and unpause thaws it; each refuses the wrong state in docker\'s words', () => {
    const id = ok('run', '-d', '--name', 'p1', 'busybox', 'sleep', '100').trim();
    assert.equal(ok('pause', 'p1'), 'p1\n');
    assert.match(ok('ps', '--filter', 'name=p1', '--format', '{{.Status}}'), /\(Paused\)/);
    assert.deepEqual([g('pause', 'p1').status, g('pause', 'p1').stderr], [1, `Error response from daemon: Container ${id} is already paused\n`]);
    assert.equal(ok('unpause', 'p1'), 'p1\n');
    assert.deepEqual(g('unpause', 'p1').stderr, `Error response from daemon: Container ${id} is not paused\n`);
    assert.equal(ok('exec', 'p1', 'echo', 'alive'), 'alive\n');
    const stopped = ok('create', 'busybox', 'true').trim();
    assert.equal(g('container', 'pause', stopped).stderr, `Error response from daemon: Container ${stopped} is not running\n`);
  });

  it('top lists the container\'s processes from the host\'s ps, as docker lays them out, and passes ps options', () => {
    ok('run', '-d', '--name', 't1', 'busybox', 'sleep', '101');
    const [head, row, ...rest] = ok('top', 't1').split('\n');
    assert.match(head ?? '', /^UID {17}PID {17}PPID {16}C {19}STIME {15}TTY {17}TIME {16}CMD$/);
    assert.match(row ?? '', /^root +\d+ +\d+ .* sleep 101$/);
    assert.deepEqual(rest, ['']);
    assert.match(ok('container', 'top', 't1', '-o', 'pid,comm'), /^PID {17}COMMAND\n\d+ +sleep\n$/);
    const created = ok('create', 'busybox', 'true').trim();
    assert.deepEqual([g('top', created).status, g('top', created).stderr], [1, `Error response from daemon: Container ${created} is not running\n`]);
  });

  it('attach follows a running container\'s output to its exit code, passes input to one with a TTY, proxies SIGINT; a stopped one is refused', async () => {
    ok('run', '-d', '--name', 'a1', 'busybox', 'sh', '-c', 'echo before; sleep 1.5; echo after; exit 7');
    const r = g('attach', 'a1');
    assert.deepEqual([r.status, r.stdout], [7, 'after\n']);
    assert.deepEqual([g('attach', 'a1').status, g('attach', 'a1').stderr], [1, 'You cannot attach to a stopped container, start it first\n']);

    ok('run', '-dit', '--name', 'a2', 'busybox', 'sh');
    const typed = spawnSync(gantryBin, ['--root', cli.root, 'attach', 'a2'], { input: 'echo typed-$((40+2))\nexit 4\n', encoding: 'utf8', timeout: 20_000 });
    assert.equal(typed.status, 4, typed.stderr);
    assert.match(typed.stdout.replace(/\r/g, ''), /typed-42/);

    ok('run', '-d', '--name', 'a3', 'busybox', 'sh', '-c', 'trap "echo got-int; exit 3" INT; while true; do sleep 0.1; done');
    const child = spawn(gantryBin, ['--root', cli.root, 'attach', 'a3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGINT');
    const [code] = (await once(child, 'exit')) as [number];
    assert.deepEqual([code, out], [3, 'got-int\n']);
  });

  it('stats shows a busy container\'s CPU and memory once (--no-stream), zeros for a stopped one with -a, and --format', () => {
    ok('run', '-d', '--name', 'st1', '--memory', '64m', 'busybox', 'sh', '-c', 'while true; do :; done');
    ok('create', '--name', 'st2', 'busybox', 'true');
    const [head, ...rows] = ok('stats', '--no-stream', 'st1').trimEnd().split('\n');
    assert.equal(head, 'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS');
    const m = /^[0-9a-f]{12} +st1 +([\d.]+)% +[\d.]+[KMG]?i?B \/ 64MiB +[\d.]+% +0B \/ 0B +\S+ \/ \S+ +1$/.exec(rows[0] ?? '');
    assert.ok(m, rows[0]);
    assert.ok(Number(m[1]) > 30, `a busy loop uses a CPU: ${m[1]}%`);
    assert.equal(ok('container', 'stats', '--no-stream', '-a', '--format', '{{.Name}} {{.CPUPerc}} {{.PIDs}}', 'st2'), 'st2 0.00% 0\n');
    assert.deepEqual([g('stats', '--no-stream', 'nosuch').status, g('stats', '--no-stream', 'nosuch').stderr], [1, 'Error response from daemon: No such container: nosuch\n']);
  });

  it('info counts containers by state and images in docker\'s layout, and --format reads docker\'s Info fields', () => {
    const text = ok('info');
    const running = Number(/^ {2}Running: (\d+)$/m.exec(text)?.[1]);
    assert.match(text, /^Client:\n Context: {4}default\n Debug Mode: false\n\nServer:\n Containers: \d+\n/);
    assert.match(text, /^ Images: 1$/m);
    assert.match(text, /^ Storage Driver: overlay$/m);
    assert.match(text, new RegExp(`^ Docker Root Dir: ${cli.root}$`, 'm'));
    const [version, driver, runningAgain, dir] = ok('system', 'info', '--format', '{{.ServerVersion}}|{{.Driver}}|{{.ContainersRunning}}|{{.DockerRootDir}}').trim().split('|');
    assert.deepEqual([driver, Number(runningAgain), dir], ['overlay', running, cli.root]);
    assert.match(version ?? '', /^\d+\.\d+\.\d+/);
  });

  it('update sets a running container\'s limits at once (its cgroup) and for its next start; without flags or above the swap limit it is refused', () => {
    ok('run', '-d', '--name', 'u1', 'busybox', 'sleep', '100');
    assert.deepEqual([g('update', 'u1').status, g('update', 'u1').stderr], [1, 'you must provide one or more flags when using this command\n']);
    assert.equal(ok('update', '--memory', '64m', '--memory-swap', '128m', '--pids-limit', '50', 'u1'), 'u1\n');
    assert.equal(ok('inspect', '--format', '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}}', 'u1'), '67108864 134217728 50\n');
    assert.match(ok('stats', '--no-stream', '--format', '{{.MemUsage}}', 'u1'), / \/ 64MiB\n$/);
    const over = g('update', '--memory', '300m', 'u1');
    assert.equal(over.status, 1);
    assert.match(over.stderr, /^Error response from daemon: Cannot update container [0-9a-f]{64}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time\n$/);
    ok('restart', '-t', '0', 'u1');
    assert.match(ok('stats', '--no-stream', '--format', '{{.MemUsage}}', 'u1'), / \/ 64MiB\n$/);
  });

  it('restart stops a running container (SIGKILL after -t) and starts it again with a new process', () => {
    ok('run', '-d', '--name', 'r1', 'busybox', 'sh', '-c', 'echo started; sleep 100');
    const pidBefore = ok('inspect', '--format', '{{.State.Pid}}', 'r1').trim();
    assert.equal(ok('restart', '-t', '1', 'r1'), 'r1\n');
    assert.equal(ok('inspect', '--format', '{{.State.Status}}', 'r1').trim(), 'running');
    assert.notEqual(ok('inspect', '--format', '{{.State.Pid}}', 'r1').trim(), pidBefore);
    // The log keeps the first run's output (docker appends); the new process may not have written yet.
    let logs = '';
    for (let i = 0; i < 50 && logs !== 'started\nstarted\n'; i++) {
      logs = ok('logs', 'r1');
      if (logs !== 'started\nstarted\n') spawnSync('sleep', ['0.1']);
    }
    assert.equal(logs, 'started\nstarted\n');
  });

  it('rename gives a container a new name; its own name, another\'s and a bad one are refused with two lines', () => {
    ok('create', '--name', 'n1', 'busybox', 'true');
    ok('create', '--name', 'n2', 'busybox', 'true');
    assert.equal(ok('rename', 'n1', 'n3'), '');
    assert.equal(ok('ps', '-a', '--filter', 'name=n3', '--format', '{{.Names}}'), 'n3\n');
    const same = g('rename', 'n3', 'n3');
    assert.deepEqual([same.status, same.stderr], [1, 'Error response from daemon: Renaming a container with the same name as its current name\nError: failed to rename container named n3\n']);
    const taken = g('container', 'rename', 'n3', 'n2');
    assert.match(taken.stderr, /^Error response from daemon: Error when allocating new name: Conflict\. The container name "\/n2" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.\nError: failed to rename container named n3\n$/);
    assert.match(g('rename', 'n3', 'bad name').stderr, /Invalid container name \(bad name\)/);
    assert.equal(g('rename', 'n3').status, 1);
  });
});
