/**
 * Small helpers for benchmarks: run commands repeatedly, interleaved so that machine noise hits every
 * contender alike, and print medians side by side. Benchmarks print figures; they never assert times.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Contender {
  name: string;
  cmd: string[];
  options?: SpawnSyncOptions;
  /** Run before each timed run (not timed), e.g. to reset state. */
  before?: () => void;
}

export interface Result {
  name: string;
  samples: number[];
  median: number;
  min: number;
  /** CPU time (user + system) of the command and its children, ms; empty without /usr/bin/time. */
  cpuSamples: number[];
  cpuMedian: number;
  cpuMin: number;
}

/** One timed run: wall-clock and CPU milliseconds (CPU is NaN when it cannot be measured). */
export interface Sample {
  wall: number;
  cpu: number;
}

// GNU time reports the child's rusage (user and system seconds, 10 ms resolution): on a loaded
// machine CPU time says more than wall time, which mostly measures the wait for a core.
const TIME = '/usr/bin/time';
const haveTime = existsSync(TIME);
let scratch: string | undefined;
function rusageFile(): string {
  if (scratch === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'gantry-bench-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    scratch = dir;
  }
  return join(scratch, 'rusage');
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Wall and CPU time of one run in milliseconds; throws when the command fails. */
export function timeOnce(c: Contender): Sample {
  c.before?.();
  if (c.cmd.length === 0) throw new Error('empty command');
  const out = haveTime ? rusageFile() : '';
  const argv = haveTime ? [TIME, '-f', '%U %S', '-o', out, ...c.cmd] : c.cmd;
  const [file, ...args] = argv as [string, ...string[]];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'], ...c.options });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${c.name}: ${c.cmd.join(' ')} exited ${r.status}: ${String(r.stderr ?? '').slice(0, 400)}`);
  }
  let cpu = Number.NaN;
  if (haveTime) {
    const [user, sys] = readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2).map(Number);
    cpu = ((user ?? Number.NaN) + (sys ?? Number.NaN)) * 1000;
  }
  return { wall, cpu };
}

/** Runs every contender `runs` times, round-robin, after `warmup` untimed rounds. */
export function compare(contenders: Contender[], runs: number, warmup = 2): Result[] {
  for (let i = 0; i < warmup; i++) for (const c of contenders) timeOnce(c);
  const samples = contenders.map(() => [] as Sample[]);
  for (let i = 0; i < runs; i++) {
    contenders.forEach((c, j) => samples[j]?.push(timeOnce(c)));
  }
  return contenders.map((c, j) => {
    const s = (samples[j] ?? []).map((x) => x.wall);
    const cpu = (samples[j] ?? []).map((x) => x.cpu).filter((x) => !Number.isNaN(x));
    return {
      name: c.name,
      samples: s,
      median: median(s),
      min: Math.min(...s),
      cpuSamples: cpu,
      cpuMedian: cpu.length === 0 ? Number.NaN : median(cpu),
      cpuMin: cpu.length === 0 ? Number.NaN : Math.min(...cpu),
    };
  });
}

/**
 * Bare `node -e 0` as contenders: as this environment runs it and, when NODE_EXTRA_CA_CERTS is set,
 * without it too. Node 20 parses that whole CA bundle at start-up (~40 ms on this machine), a cost
 * that says nothing about the program it starts: compare gantry with the bare node it runs on.
 */
export function bareNodeContenders(): Contender[] {
  const node: Contender = { name: 'node -e 0', cmd: [process.execPath, '-e', '0'] };
  if (process.env.NODE_EXTRA_CA_CERTS === undefined) return [node];
  const env = { ...process.env };
  delete env.NODE_EXTRA_CA_CERTS;
  return [node, { name: 'node -e 0 (NODE_EXTRA_CA_CERTS unset)', cmd: [process.execPath, '-e', '0'], options: { env } }];
}

/** A line saying whether NODE_EXTRA_CA_CERTS is set for the contenders (see bareNodeContenders). */
export function printCaCertsNote(): void {
  const v = process.env.NODE_EXTRA_CA_CERTS;
  console.log(
    v === undefined
      ? 'NODE_EXTRA_CA_CERTS is not set: node -e 0 is the bare node every node contender runs on'
      : `NODE_EXTRA_CA_CERTS=${v} is set for the contenders: bare node parses it at start-up; gantry, run as a program (bin/gantry), defers it to its first TLS connection (tls-trust.ts); "node -e 0 (NODE_EXTRA_CA_CERTS unset)" is bare node without it.`,
  );
}

export function printTable(title: string, results: Result[], baseline?: string): void {
  const base = results.find((r) => r.name === baseline);
  console.log(`\n## ${title}`);
  console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')} (${availableParallelism()} cores)`);
  console.log(
    `${'contender'.padEnd(40)} ${'median'.padStart(10)} ${'min'.padStart(10)} ${'cpu med'.padStart(10)} ${'cpu min'.padStart(10)}  ${base ? 'vs ' + base.name + ' (median wall; cpu)' : ''}`,
  );
  const sign = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;
  for (const r of results) {
    const vs =
      base && r !== base
        ? `${sign(r.median - base.median)} ms (x${(r.median / base.median).toFixed(2)}); cpu ${sign(r.cpuMedian - base.cpuMedian)} ms`
        : '';
    console.log(
      `${r.name.padEnd(40)} ${r.median.toFixed(1).padStart(8)}ms ${r.min.toFixed(1).padStart(8)}ms ${r.cpuMedian.toFixed(0).padStart(8)}ms ${r.cpuMin.toFixed(0).padStart(8)}ms  ${vs}`,
    );
  }
}

/**
 * A benchmark's command line: `runs` is the first bare number that is not a flag's value
 * (default `defaultRuns`), `flag(name, dflt)` a numeric flag's value.
 */
export function benchArgs(defaultRuns: number): { argv: string[]; runs: number; flag: (name: string, dflt: number) => number } {
  const argv = process.argv.slice(2);
  const flag = (name: string, dflt: number): number => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : dflt;
  };
  const runs = Number(argv.find((a, i) => /^\d+$/.test(a) && !argv[i - 1]?.startsWith('--')) ?? defaultRuns);
  return { argv, runs, flag };
}

/**
 * The `image ls` benches' gantry store at `root`: `nImages` images (configs differ by the labels
 * `environment=test|prod`, alternating, and `index=<i>`), each named `gantry-bench/img-<i>:t<k>`
 * for k < `nTags`; with `created`, image i is made a minute after image i-1 (from 2024-01-01).
 * The store modules are imported here, when called, not by every bench that uses lib.ts.
 */
export async function setupImageStore(root: string, nImages: number, nTags: number, opts: { created?: boolean } = {}): Promise<void> {
  const { openStore } = await import('../src/store/index.js');
  const { putTestImage } = await import('../test/helpers/store-images.js');
  const store = openStore({ root, env: {} });
  try {
    for (let i = 0; i < nImages; i++) {
      const names = Array.from({ length: nTags }, (_, k) => `gantry-bench/img-${i}:t${k}`);
      const labels = { environment: i % 2 === 0 ? 'test' : 'prod', index: String(i) };
      const created = opts.created === true ? { created: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString() } : {};
      await putTestImage(store, { names, seed: `bench-${i}`, labels, ...created });
    }
  } finally {
    store.close();
  }
}
