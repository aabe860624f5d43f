/**
 * Containers under runc for real, on a busybox root filesystem: exit codes, stdio, signals, limits,
 * security options, users, mounts and init.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeHarness, runtimeSkipReason, sh, type Harness } from './harness.js';
import { runContainer, prepareContainer, killContainer, currentLimits, RLIM_INFINITY } from '../../src/runtime/index.js';

const skip = runtimeSkipReason();

describe('runtime: containers under runc', { skip }, () => {
  let h: Harness;
  before(async () => {
    h = await makeHarness();
  });
  after(() => h?.cleanup());

  it('propagates exit codes 0 and 3', async () => {
    assert.equal((await h.run(sh('exit 0'))).exitCode, 0);
    assert.equal((await h.run(sh('exit 3'))).exitCode, 3);
  });

  it('reports 128+n when a signal kills the container (SIGKILL → 137)', async () => {
    const id = h.newId();
    await prepareContainer(h.ctx, { id, rootfs: h.rootfs, overrides: sh('echo started; exec sleep 100') });
    const { exitCode } = await runContainer(h.ctx, {
      id,
      stdio: ['ignore', 'pipe', 'inherit'],
      onStart(proc) {
        proc.stdout?.once('data', () => void killContainer(h.ctx, id, 'SIGKILL'));
      },
    });
    assert.equal(exitCode, 137);
  });

  it('streams stdout and stderr separately', async () => {
    const r = await h.run(sh('echo to-out; echo to-err >&2'));
    assert.equal(r.stdout, 'to-out\n');
    assert.equal(r.stderr, 'to-err\n');
  });

  it('passes stdin through (-i)', async () => {
    const r = await h.run({ args: ['sh', '-c', 'tr a-z A-Z'] }, { stdin: 'hello stdin\n' });
    assert.equal(r.stdout, 'HELLO STDIN\n');
    assert.equal(r.exitCode, 0);
  });

  it('forwards SIGINT received by gantry to the container process', async () => {
    const id = h.newId();
    await prepareContainer(h.ctx, { id, rootfs: h.rootfs, overrides: sh('trap "echo got-int; exit 42" INT; echo ready; while :; do sleep 0.1; done') });
    let out = '';
    const { exitCode } = await runContainer(h.ctx, {
      id,
      forwardSignals: true,
      stdio: ['ignore', 'pipe', 'inherit'],
      onStart(proc) {
        proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
          out += d;
          if (d.includes('ready')) process.kill(process.pid, 'SIGINT');
        });
      },
    });
    assert.equal(exitCode, 42);
    assert.match(out, /got-int/);
  });

  it('applies --memory, --cpus, --cpu-shares and --pids-limit to the container cgroup (read from inside)', async () => {
    const r = await h.run({
      ...sh('cat /proc/self/cgroup >&2; if [ -e /sys/fs/cgroup/cgroup.controllers ]; then cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max /sys/fs/cgroup/pids.max; else cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/pids/pids.max; fi'),
      resources: { memory: 32 << 20, nanoCpus: 0.5e9, cpuShares: 512, pidsLimit: 20 },
    });
    assert.equal(r.exitCode, 0, r.stderr);
    const values = r.stdout.trim().split(/\s+/);
    if (values.length === 4) assert.deepEqual(values, [String(32 << 20), '50000', '512', '20']);
    else assert.deepEqual(values, [String(32 << 20), '50000', '100000', '20']);
  });

  it('--memory-swap sets memory plus swap (v1 memsw, v2 swap.max)', async () => {
    const r = await h.run({
      ...sh('if [ -e /sys/fs/cgroup/cgroup.controllers ]; then cat /sys/fs/cgroup/memory.swap.max; else cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes; fi'),
      resources: { memory: 32 << 20, memorySwap: 96 << 20 },
    });
    assert.equal(r.exitCode, 0, r.stderr);
    // v1 limits memory+swap; v2 limits swap alone (runc converts).
    assert.ok([String(96 << 20), String(64 << 20)].includes(r.stdout.trim()), r.stdout);
  });

  it('OOM-kills a container that allocates past --memory 32m (exit 137)', async () => {
    const r = await h.run({ args: ['awk', 'BEGIN { s = "xxxxxxxxxxxxxxxx"; while (1) s = s s }'], resources: { memory: 32 << 20 } });
    assert.equal(r.exitCode, 137);
  });

  it('stops a fork bomb at --pids-limit 20', async () => {
    const r = await h.run({
      ...sh('n=0; while [ $n -lt 60 ]; do sleep 30 & n=$((n+1)); done; echo spawned'),
      resources: { pidsLimit: 20 },
    });
    assert.match(r.stderr, /can't fork|Resource temporarily unavailable/);
  });

  it('--network none leaves only a loopback interface, and it is up', async () => {
    const r = await h.run({ ...sh('ip -o link'), network: 'none' });
    assert.equal(r.exitCode, 0, r.stderr);
    const links = r.stdout.trim().split('\n');
    assert.equal(links.length, 1, r.stdout);
    assert.match(links[0]!, /^1: lo: <LOOPBACK,UP,LOWER_UP>/);
  });

  it('host networking (the default) shares the host interfaces and resolv.conf', async () => {
    const r = await h.run(sh('ip -o link | wc -l; cat /etc/resolv.conf'));
    assert.ok(Number(r.stdout.split('\n')[0]) > 1, r.stdout);
    assert.ok(r.stdout.includes(readFileSync('/etc/resolv.conf', 'utf8').trim()));
  });

  it('--hostname and --add-host shape /etc/hostname and /etc/hosts', async () => {
    const r = await h.run({ ...sh('hostname; cat /etc/hostname; grep db /etc/hosts; echo HN=$HOSTNAME'), hostname: 'box1', network: 'none', addHosts: ['db:10.1.2.3'] });
    assert.equal(r.stdout, 'box1\nbox1\n10.1.2.3\tdb\nHN=box1\n');
  });

  it('--read-only refuses writes to the root filesystem', async () => {
    const r = await h.run({ ...sh('touch /newfile'), readOnly: true });
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /Read-only file system/);
    assert.ok(!existsSync(join(h.rootfs, 'newfile')));
  });

  it('--cap-drop CHOWN makes chown fail; the default set allows it', async () => {
    assert.equal((await h.run(sh('touch /tmp/c1 && chown 1:1 /tmp/c1'))).exitCode, 0);
    const r = await h.run({ ...sh('touch /tmp/c2 && chown 1:1 /tmp/c2'), capDrop: ['chown'] });
    assert.notEqual(r.exitCode, 0);
    assert.match(r.stderr, /Operation not permitted/);
  });

  it('--cap-add NET_ADMIN and --cap-drop ALL show in the capability sets', async () => {
    const added = await h.run({ ...sh('grep CapEff /proc/self/status'), capAdd: ['NET_ADMIN'] });
    assert.equal((BigInt(`0x${added.stdout.split(/\s+/)[1]}`) >> 12n) & 1n, 1n);
    const none = await h.run({ ...sh('grep CapEff /proc/self/status'), capDrop: ['ALL'] });
    assert.match(none.stdout, /CapEff:\s+0000000000000000/);
  });

  it('--security-opt no-new-privileges is visible in /proc/self/status', async () => {
    const on = await h.run({ ...sh('grep NoNewPrivs /proc/self/status'), securityOpt: ['no-new-privileges'] });
    assert.match(on.stdout, /NoNewPrivs:\s+1/);
    const off = await h.run(sh('grep NoNewPrivs /proc/self/status'));
    assert.match(off.stdout, /NoNewPrivs:\s+0/);
  });

  it('--tmpfs mounts a tmpfs with docker\'s defaults and the given options', async () => {
    const r = await h.run({ ...sh('grep " /scratch " /proc/mounts; echo x > /scratch/f && cat /scratch/f'), tmpfs: ['/scratch:size=1m'], readOnly: true });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /^tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k/);
    assert.match(r.stdout, /\nx\n$/);
  });

  it('-v binds a host directory read-write, and read-only with :ro', async () => {
    const hostDir = join(h.dir, 'shared');
    mkdirSync(hostDir);
    writeFileSync(join(hostDir, 'from-host'), 'host data\n');
    const rw = await h.run({ ...sh('cat /data/from-host && echo ctr > /data/from-ctr'), volumes: [`${hostDir}:/data`] });
    assert.equal(rw.exitCode, 0, rw.stderr);
    assert.equal(rw.stdout, 'host data\n');
    assert.equal(readFileSync(join(hostDir, 'from-ctr'), 'utf8'), 'ctr\n');
    const ro = await h.run({ ...sh('cat /data/from-host; echo no > /data/nope'), volumes: [`${hostDir}:/data:ro`] });
    assert.notEqual(ro.exitCode, 0);
    assert.match(ro.stderr, /Read-only file system/);
  });

  it('-u nobody and -u 1234:5678 set the process identity', async () => {
    const nobody = await h.run({ ...sh('id'), user: 'nobody' });
    assert.equal(nobody.stdout.trim(), 'uid=65534(nobody) gid=65534(nogroup) groups=65534(nogroup)');
    const numeric = await h.run({ ...sh('id -u; id -g'), user: '1234:5678' });
    assert.equal(numeric.stdout, '1234\n5678\n');
  });

  it('-w sets the working directory, creating it when missing', async () => {
    const r = await h.run({ ...sh('pwd'), workdir: '/srv/app' });
    assert.equal(r.exitCode, 0, r.stderr);
    assert.equal(r.stdout, '/srv/app\n');
  });

  it('--env-file/-e values, PATH and HOSTNAME reach the process', async () => {
    const r = await h.run({ ...sh('echo "$A|$B|$PATH"'), env: ['A=1', 'B=two words'], hostname: 'envhost', network: 'none' });
    assert.equal(r.stdout, '1|two words|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
  });

  it('--init runs catatonit as PID 1 and it reaps orphaned zombies', async () => {
    const r = await h.run({
      ...sh('(sleep 0.2 &); sleep 1; cat /proc/1/cmdline | tr "\\0" " "; echo; ps -o stat,comm | grep -c "^Z" || true'),
      init: true,
    });
    assert.equal(r.exitCode, 0, r.stderr);
    const [cmdline, zombies] = r.stdout.trim().split('\n');
    assert.match(cmdline!, /^\/dev\/init -- sh -c/);
    assert.equal(zombies, '0');
  });

  it('sets rlimits within the hard limits by default and honours --ulimit', async () => {
    const hard = currentLimits()['RLIMIT_NOFILE']!.hard;
    const expected = hard === RLIM_INFINITY ? 1048576 : Math.min(1048576, Number(hard));
    const def = await h.run(sh('ulimit -n; ulimit -Hn'));
    assert.equal(def.stdout, `${expected}\n${expected}\n`);
    const set = await h.run({ ...sh('ulimit -n; ulimit -Hn'), ulimits: ['nofile=1024:2048'] });
    assert.equal(set.stdout, '1024\n2048\n');
  });

  it('refuses --ulimit above this process\'s hard limit with a clear error', async (t) => {
    const hard = currentLimits()['RLIMIT_NOFILE']!.hard;
    if (hard === RLIM_INFINITY) return t.skip('no finite nofile hard limit here');
    const over = Number(hard) + 1;
    await assert.rejects(
      prepareContainer(h.ctx, { id: h.newId(), rootfs: h.rootfs, overrides: { ...sh('true'), ulimits: [`nofile=${over}`] } }),
      (err: Error) => {
        assert.match(err.message, new RegExp(`Cannot set ulimit nofile=${over}:${over}: the hard limit of this process is ${hard}`));
        return true;
      },
    );
  });
});

describe('runtime: --privileged under runc', { skip }, () => {
  let h: Harness;
  before(async () => {
    h = await makeHarness();
  });
  after(() => h?.cleanup());

  it('may mount filesystems and sees the host\'s devices; a default container may not', async () => {
    const script = 'mkdir -p /tmp/m && mount -t tmpfs none /tmp/m && echo mounted; ls /dev | wc -l';
    const priv = await h.run({ ...sh(script), privileged: true });
    assert.equal(priv.exitCode, 0, priv.stderr);
    const [mounted, devCount] = priv.stdout.trim().split('\n');
    assert.equal(mounted, 'mounted');
    const plain = await h.run(sh(script));
    assert.ok(!plain.stdout.includes('mounted'), plain.stdout);
    assert.match(plain.stderr, /permission denied|not permitted/i);
    const plainDevs = Number((await h.run(sh('ls /dev | wc -l'))).stdout.trim());
    assert.ok(Number(devCount) > plainDevs, `${devCount} > ${plainDevs}`);
  });
});
