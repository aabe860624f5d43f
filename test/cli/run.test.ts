/**
 * `gantry run --rootfs` through the built CLI: docker's exit codes, signal forwarding, detached runs.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeBusyboxRootfs } from '../helpers/fixtures.js';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { deleteAllContainers, runtimeSkipReason } from '../runtime/harness.js';
import { openRuntime, containerState, killContainer, waitContainer } from '../../src/runtime/index.js';

describe('gantry run --rootfs', { skip: runtimeSkipReason() }, () => {
  let dir: string;
  let rootfs: string;
  let root: string;
  before(() => {
    dir = tempDir(undefined, 'gantry-clirun-');
    rootfs = join(dir, 'rootfs');
    root = join(dir, 'root');
    makeBusyboxRootfs(rootfs);
  });
  after(async () => {
    await deleteAllContainers(root);
    spawnSync('rm', ['-rf', dir]);
  });
  const gantry = (...args: string[]): ReturnType<typeof spawnSync> =>
    spawnSync(gantryBin, ['--root', root, 'run', '--rootfs', rootfs, ...args], { encoding: 'utf8' });

  it('exits with the container\'s code and passes its output through', () => {
    const r = gantry('--rm', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    assert.equal(r.status, 3);
    assert.equal(r.stdout, 'out\n');
    assert.equal(r.stderr, 'err\n');
  });

  it('passes flags after the command to the container', () => {
    const r = gantry('-e', 'A=1', '-u', '1234:5678', '-w', '/tmp', 'sh', '-c', 'echo $A $(id -u):$(id -g) $(pwd) "$@"', 'sh', '-e', '--x');
    assert.equal(r.stdout, '1 1234:5678 /tmp -e --x\n');
  });

  it('exits 127 for a missing command, 126 for one that cannot run, 125 for a refused option', () => {
    const missing = gantry('nonexistent-cmd');
    assert.equal(missing.status, 127);
    assert.match(String(missing.stderr), /exec: "nonexistent-cmd": executable file not found in \$PATH/);
    assert.equal(gantry('/etc/passwd').status, 126);
    const refused = gantry('--network', 'bridge', 'true');
    assert.equal(refused.status, 125);
    assert.match(String(refused.stderr), /Error: Cannot use network "bridge"/);
    assert.equal(gantry('--memory', '1m', 'true').status, 125);
  });

  it('forwards SIGINT to the container (docker\'s sig-proxy)', async () => {
    const child = spawn(gantryBin, ['--root', root, 'run', '--rootfs', rootfs, '--rm', 'sh', '-c', 'trap "echo got-int; exit 42" INT; echo ready; while :; do sleep 0.1; done'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (d.includes('ready')) child.kill('SIGINT');
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    assert.equal(code, 42);
    assert.equal(out, 'ready\ngot-int\n');
  });

  it('-i passes stdin through; --shm-size sizes /dev/shm', () => {
    const r = spawnSync(gantryBin, ['--root', root, 'run', '--rootfs', rootfs, '-i', '--shm-size', '8m', 'sh', '-c', 'cat; grep " /dev/shm " /proc/mounts'], { input: 'piped in\n', encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^piped in\nshm \/dev\/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=8192k/);
  });

  it('-d prints the ID and leaves the container running', async () => {
    const r = gantry('-d', '--name', `gtcli${process.pid}`, 'sleep', '300');
    assert.equal(r.status, 0, String(r.stderr));
    assert.equal(r.stdout, `gtcli${process.pid}\n`);
    const ctx = await openRuntime({ gantryRoot: root });
    assert.equal((await containerState(ctx, `gtcli${process.pid}`)).status, 'running');
    await killContainer(ctx, `gtcli${process.pid}`, 'SIGTERM');
    await killContainer(ctx, `gtcli${process.pid}`, 'SIGKILL');
    assert.equal((await waitContainer(ctx, `gtcli${process.pid}`)).exitCode, 137);
  });
});
