/**
 * Containers: `gantry run --rm busybox true` beside `podman run --rm` and `docker run --rm` on the
 * same busybox image (the peers' localhost/busybox: its root filesystem exported from docker and
 * imported into a fresh gantry root), round-robin in one run; then commit of a container with
 * 20,000 changed files, gantry beside `buildah commit`.
 *
 * Needs root, runc, and the peers' setup (/work/shared/bench/setup.sh: podman/buildah storage and a
 * dockerd on unix:///tmp/peers/docker.sock); a peer that is not there is left out with a notice.
 * Prints medians: wall time, and the CPU time of the client process tree (user+system of the
 * command and its children; docker's work happens in dockerd and is not counted there). Then a
 * breakdown of gantry's `run --rm` into phases (GANTRY_TRACE=1 lines, see
 * src/trace.ts): how much is the CLI's own start-up and how much the container's life.
 *
 * podman runs with `--ulimit nofile=H:H --ulimit nproc=H:H`, H being this process's hard limits:
 * podman's defaults as root (nofile 1048576, nproc 4194304) exceed the hard limits here, and without
 * CAP_SYS_RESOURCE runc cannot raise them ("error setting rlimit type 7/6: operation not permitted",
 * see /work/shared/MACHINE.md). gantry derives its defaults from the same hard limits.
 * Run: `node dist/bench/run.js [runs]`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRACE_PREFIX } from '../src/trace.js';
import { median } from './lib.js';

const PEERS = process.env.PEERS ?? '/tmp/peers';
const peerEnv = {
  ...process.env,
  CONTAINERS_STORAGE_CONF: `${PEERS}/storage.conf`,
  CONTAINERS_CONF: `${PEERS}/containers.conf`,
  DOCKER_HOST: `unix://${PEERS}/docker.sock`,
};
const GANTRY = join(import.meta.dirname, '..', '..', 'bin', 'gantry');

interface Sample {
  wall: number;
  cpu: number;
}

/** Runs `cmd` under sh and reads the children's CPU from `times`; throws when it fails. */
function timed(cmd: string[], env: NodeJS.ProcessEnv = peerEnv): Sample {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', '"$@" >/dev/null 2>/tmp/gantry-bench-run.err; rc=$?; times; exit $rc', 'sh', ...cmd], { env, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${spawnSync('cat', ['/tmp/gantry-bench-run.err'], { encoding: 'utf8' }).stdout.slice(0, 400)}`);
  // `times`: shell user/sys, then children's user/sys, as 0m1.234s.
  const lines = r.stdout.trim().split('\n');
  const secs = (lines.at(-1) ?? '').split(/\s+/).map((t) => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t);
    return m === null ? 0 : Number(m[1]) * 60 + Number(m[2]);
  });
  return { wall, cpu: (secs.reduce((a, b) => a + b, 0)) * 1000 };
}

function ok(cmd: string[], env: NodeJS.ProcessEnv = peerEnv): string {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { env, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function available(cmd: string[]): boolean {
  return spawnSync(cmd[0]!, cmd.slice(1), { env: peerEnv, stdio: 'ignore', timeout: 20_000 }).status === 0;
}

function row(name: string, samples: Sample[]): string {
  const w = median(samples.map((s) => s.wall));
  const c = median(samples.map((s) => s.cpu));
  return `${name.padEnd(34)} ${w.toFixed(0).padStart(8)} ms wall ${c.toFixed(0).padStart(8)} ms CPU (client)`;
}

/** This process's hard limit for `ulimit -H<flag>` (n: open files, u: processes). */
function hardLimit(flag: 'n' | 'u'): string {
  const v = spawnSync('sh', ['-c', `ulimit -H${flag}`], { encoding: 'utf8' }).stdout.trim();
  return /^\d+$/.test(v) ? v : '1024';
}

/**
 * Runs `cmd` with GANTRY_TRACE=1 and returns the marks as [name, ms since node's start],
 * plus the wall time seen from here (which adds the exec before node's clock starts and the exit).
 */
function phases(cmd: string[]): { marks: [string, number][]; wall: number } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { env: { ...peerEnv, GANTRY_TRACE: '1' }, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 400)}`);
  const marks: [string, number][] = [];
  const phaseLine = new RegExp(`^${TRACE_PREFIX} +([\\d.]+) (.*?)(?: [\\d.]+ms)? cpu=`);
  for (const line of r.stderr.split('\n')) {
    const m = phaseLine.exec(line);
    if (m !== null) marks.push([m[2]!, Number(m[1])]);
  }
  return { marks, wall };
}

/** Median duration of each phase (from the previous mark to this one) over several runs. */
function printPhases(runs: { marks: [string, number][]; wall: number }[]): void {
  const names = runs[0]?.marks.map(([n]) => n) ?? [];
  const rows: [string, number][] = [];
  names.forEach((name, i) => {
    const ds = runs.map((r) => (r.marks[i]?.[1] ?? NaN) - (i === 0 ? 0 : (r.marks[i - 1]?.[1] ?? NaN))).filter((d) => !Number.isNaN(d));
    rows.push([i === 0 ? `node start → ${name}` : name, median(ds)]);
  });
  rows.push(['→ process exit (seen by the caller)', median(runs.map((r) => r.wall - (r.marks.at(-1)?.[1] ?? 0)))]);
  const total = median(runs.map((r) => r.wall));
  for (const [name, ms] of rows) console.log(`  ${name.padEnd(44)} ${ms.toFixed(0).padStart(6)} ms`);
  console.log(`  ${'total wall (median)'.padEnd(44)} ${total.toFixed(0).padStart(6)} ms`);
}

function main(): void {
  const runs = Number(process.argv[2] ?? 15);
  const root = mkdtempSync(join(tmpdir(), 'gantry-bench-run-'));
  const g = (...args: string[]): string[] => [GANTRY, '--root', root, ...args];
  const haveDocker = available(['docker', 'image', 'inspect', 'localhost/busybox:latest']);
  const havePodman = available(['podman', 'image', 'exists', 'localhost/busybox:latest']);
  let bcid: string | undefined;
  const buildahImages: string[] = [];
  try {
    // The same image content for gantry: the peers' busybox root filesystem, imported.
    const tarball = join(root, 'busybox.tar');
    if (haveDocker) {
      const cid = ok(['docker', 'create', 'localhost/busybox:latest', 'true']).trim();
      ok(['sh', '-c', `docker export ${cid} > ${tarball}`]);
      ok(['docker', 'rm', cid]);
    } else {
      const cid = ok(['buildah', 'from', '--name', `gantry-bench-export-${process.pid}`, 'localhost/busybox:latest']).trim();
      const mnt = ok(['buildah', 'mount', cid]).trim();
      ok(['tar', '-C', mnt, '-cf', tarball, '.']);
      ok(['buildah', 'rm', cid]);
    }
    ok(g('import', tarball, 'busybox:latest'));

    const contenders: { name: string; cmd: string[] }[] = [{ name: 'gantry run --rm busybox true', cmd: g('run', '--rm', 'busybox', 'true') }];
    const [nofile, nproc] = [hardLimit('n'), hardLimit('u')];
    if (havePodman) {
      contenders.push({
        name: 'podman run --rm busybox true',
        cmd: ['podman', 'run', '--rm', '--network', 'host', '--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`, 'localhost/busybox:latest', 'true'],
      });
    }
    else console.log('(podman: no localhost/busybox in the peers\' storage; left out)');
    if (haveDocker) contenders.push({ name: 'docker run --rm busybox true', cmd: ['docker', 'run', '--rm', '--network', 'host', 'localhost/busybox:latest', 'true'] });
    else console.log('(docker: no dockerd on the peers\' socket; left out)');
    // Warm-up; a peer that cannot run here is left out with its error.
    for (const c of [...contenders]) {
      try {
        for (let i = 0; i < 2; i++) timed(c.cmd);
      } catch (err) {
        if (c === contenders[0]) throw err;
        console.log(`(${c.name}: left out: ${(err as Error).message.split('\n')[0]})`);
        contenders.splice(contenders.indexOf(c), 1);
      }
    }
    const samples = contenders.map(() => [] as Sample[]);
    for (let i = 0; i < runs; i++) contenders.forEach((c, j) => samples[j]!.push(timed(c.cmd)));
    console.log(`\n## run --rm busybox true (median of ${runs}, interleaved)`);
    contenders.forEach((c, j) => console.log(row(c.name, samples[j]!)));
    console.log(`load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${availableParallelism()} cores)`);

    const phaseRuns = Math.max(3, Math.min(7, runs));
    const traced = Array.from({ length: phaseRuns }, () => phases(contenders[0]!.cmd));
    console.log(`\n## phases of gantry run --rm busybox true (median of ${phaseRuns}, ms each)`);
    printPhases(traced);

    // Commit of 20,000 changed files (new files, one directory each 100, small contents).
    const script = 'mkdir -p /data && cd /data && i=0; while [ $i -lt 200 ]; do mkdir d$i; j=0; while [ $j -lt 100 ]; do echo $i-$j > d$i/f$j; j=$((j+1)); done; i=$((i+1)); done';
    const commitRuns = Math.max(3, Math.min(5, runs));
    const gantryCommit: Sample[] = [];
    const buildahCommit: Sample[] = [];
    ok(g('run', '--name', 'files20k', 'busybox', 'sh', '-c', script));
    if (available(['buildah', 'inspect', '--type', 'image', 'localhost/busybox:latest'])) {
      // A name of our own: buildah's default (busybox-working-container) is shared with anyone else's
      // bench on the same storage, and their cleanup would remove ours.
      bcid = ok(['buildah', 'from', '--name', `gantry-bench-run-${process.pid}`, 'localhost/busybox:latest']).trim();
      ok(['buildah', 'run', '--network', 'host', bcid, '--', 'sh', '-c', script]);
    } else console.log('(buildah: no localhost/busybox; left out)');
    for (let i = 0; i < commitRuns; i++) {
      gantryCommit.push(timed(g('commit', 'files20k', `files20k:${i}`)));
      if (bcid !== undefined) {
        const ref = `localhost/gantry-bench-files20k-${process.pid}:${i}`;
        buildahImages.push(ref);
        buildahCommit.push(timed(['buildah', 'commit', '-q', bcid, ref]));
      }
    }
    console.log(`\n## commit of a container with 20,000 new files (median of ${commitRuns})`);
    console.log(row('gantry commit', gantryCommit));
    if (bcid !== undefined) {
      console.log(row('buildah commit', buildahCommit));
      console.log(`load average: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    }
  } finally {
    // Only what this run made: its own buildah container and the images it committed.
    if (bcid !== undefined) spawnSync('buildah', ['rm', bcid], { env: peerEnv, stdio: 'ignore' });
    for (const ref of buildahImages) spawnSync('buildah', ['rmi', ref], { env: peerEnv, stdio: 'ignore' });
    spawnSync(GANTRY, ['--root', root, 'rm', '-f', 'files20k'], { stdio: 'ignore' });
    const left = spawnSync(GANTRY, ['--root', root, 'ps', '-aq', '--no-trunc'], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l !== '');
    if (left.length > 0) spawnSync(GANTRY, ['--root', root, 'rm', '-f', ...left], { stdio: 'ignore' });
    rmSync(root, { recursive: true, force: true });
  }
}

main();
