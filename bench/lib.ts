/**
 * Small helpers for benchmarks: run commands repeatedly, interleaved so that machine noise hits every
 * contender alike, and print medians side by side. Benchmarks print figures; they never assert times.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';

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
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** Wall time of one run in milliseconds; throws when the command fails. */
export function timeOnce(c: Contender): number {
  c.before?.();
  const [file, ...args] = c.cmd;
  if (file === undefined) throw new Error('empty command');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { stdio: ['ignore', 'ignore', 'pipe'], ...c.options });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${c.name}: ${c.cmd.join(' ')} exited ${r.status}: ${String(r.stderr ?? '').slice(0, 400)}`);
  }
  return ms;
}

/** Runs every contender `runs` times, round-robin, after `warmup` untimed rounds. */
export function compare(contenders: Contender[], runs: number, warmup = 2): Result[] {
  for (let i = 0; i < warmup; i++) for (const c of contenders) timeOnce(c);
  const samples = contenders.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) {
    contenders.forEach((c, j) => samples[j]?.push(timeOnce(c)));
  }
  return contenders.map((c, j) => {
    const s = samples[j] ?? [];
    return { name: c.name, samples: s, median: median(s), min: Math.min(...s) };
  });
}

export function printTable(title: string, results: Result[], baseline?: string): void {
  const base = results.find((r) => r.name === baseline);
  console.log(`\n## ${title}`);
  console.log(`${'contender'.padEnd(40)} ${'median'.padStart(10)} ${'min'.padStart(10)} ${base ? 'vs ' + base.name : ''}`);
  for (const r of results) {
    const vs = base ? (r === base ? '' : `${r.median - base.median >= 0 ? '+' : ''}${(r.median - base.median).toFixed(1)} ms (x${(r.median / base.median).toFixed(2)})`) : '';
    console.log(`${r.name.padEnd(40)} ${r.median.toFixed(1).padStart(8)}ms ${r.min.toFixed(1).padStart(8)}ms ${vs}`);
  }
}
