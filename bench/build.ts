/**
 * `gantry build` against BuildKit and buildah on ../shared/bench's workloads (W1 multistage-c,
 * W2 many-files, W3 big-layer): runs the shared run.sh with gantry as its `custom` builder, then
 * prints, per workload, the medians of cold / no-op / one-file-change builds and peak RSS with the
 * ratios gantry/BuildKit and gantry/buildah, and CPU time (user+sys) beside wall time, because the
 * machine may be shared.
 *
 *   node dist/bench/build.js                     # WORKLOADS="w1 w2 w3" BUILDERS="buildah docker-bk custom"
 *   WORKLOADS=w3 RUNS=2 RUNS_COLD=1 node dist/bench/build.js
 *   node dist/bench/build.js clean               # (run.sh's CUSTOM_CLEAN) all images but the bases, all cache
 *   node dist/bench/build.js report DIR          # the table again from an earlier run's results
 *   BENCH_TRACE=1 node dist/bench/build.js       # gantry logs GANTRY_TRACE phase timings; the slowest are listed
 *
 * The gantry store is $GANTRY_BENCH_ROOT (default /var/tmp/gantry-bench-root); its bases
 * localhost/busybox and localhost/debian:bookworm are made with the test helpers when missing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from '../src/store/index.js';
import { median } from './lib.js';

const ROOT = process.env.GANTRY_BENCH_ROOT ?? '/var/tmp/gantry-bench-root';
const BASES = ['localhost/busybox:latest', 'localhost/debian:bookworm'];
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = join(here, '..', '..');
const gantry = join(repo, 'bin', 'gantry');
const RUN_SH = process.env.BENCH_RUN_SH ?? '/work/shared/bench/run.sh';

async function ensureBases(): Promise<void> {
  const store = openStore({ root: ROOT });
  try {
    const has = (r: string): boolean => {
      try {
        store.images.resolve(r);
        return true;
      } catch {
        return false;
      }
    };
    if (!has(BASES[0]!)) {
      const { putBusyboxImage } = await import('../test/helpers/busybox-image.js');
      await putBusyboxImage(store, [BASES[0]!]);
    }
    if (!has(BASES[1]!)) {
      const { putDebianImage } = await import('../test/helpers/debian-image.js');
      await putDebianImage(store, [BASES[1]!]);
    }
  } finally {
    store.close();
  }
}

/** run.sh's CUSTOM_CLEAN: every image but the bases, every build cache record and cache mount. */
async function clean(): Promise<void> {
  const store = openStore({ root: ROOT });
  try {
    const keep = new Set(BASES.map((b) => store.images.resolve(b).id));
    for (const img of store.images.list()) if (!keep.has(img.id)) await store.images.remove(img.id, { force: true });
    store.buildCache.remove(store.buildCache.list().map((r) => r.id));
    await store.collect({ graceMs: 0 });
  } finally {
    store.close();
  }
  spawnSync('rm', ['-rf', join(ROOT, 'cache-mounts'), join(ROOT, 'cache', 'context')]);
}

interface Figure {
  wall: number;
  cpu: number;
  rssMiB?: number;
}

function figure(out: string, name: string): Figure | undefined {
  const f = join(out, `${name}.json`);
  if (!existsSync(f)) return undefined;
  let r: { times?: number[]; mean: number; user: number; system: number } | undefined;
  try {
    r = (JSON.parse(readFileSync(f, 'utf8')) as { results: { times?: number[]; mean: number; user: number; system: number }[] }).results[0];
  } catch {
    return undefined; // a scenario whose command failed leaves an empty or partial file
  }
  if (r === undefined) return undefined;
  const fig: Figure = { wall: median(r.times ?? [r.mean]), cpu: r.user + r.system };
  const rf = join(out, `${name}.rss`);
  if (existsSync(rf)) {
    const kb = readFileSync(rf, 'utf8').split(/\s+/).filter((x) => /^\d+$/.test(x)).map(Number);
    if (kb.length > 0) fig.rssMiB = Math.max(...kb) / 1024;
  }
  return fig;
}

/** The targets, as ratios gantry/BuildKit in the same run (every figure also ≤ 0.5× buildah's). */
const TARGETS: Record<string, Record<string, number>> = {
  w1: { cold: 1.0, noop: 1.0, change1: 1.0 },
  w2: { cold: 1.0, noop: 0.5, change1: 0.75 },
  w3: { cold: 1.0, noop: 1.0, change1: 1.0 },
};
const RSS_TARGET_MIB = 150;

/** With BENCH_TRACE=1 each gantry log ends with GANTRY_TRACE's phase lines: the slowest ones of the last run. */
function tracePhases(out: string, label: string): string {
  const f = join(out, `${label}.log`);
  if (!existsSync(f)) return '';
  const phases = readFileSync(f, 'utf8')
    .split('\n')
    .map((l) => /^gantry-trace\s+[\d.]+ (.+?) ([\d.]+)ms cpu=/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null && !/^(solve|exec |step\.body)/.test(m[1] as string))
    .map((m) => ({ phase: (m[1] as string).slice(0, 40), ms: Number(m[2]) }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 4);
  return phases.map((p) => `${p.phase} ${(p.ms / 1000).toFixed(2)}s`).join('; ');
}

function report(out: string, workloads: string[]): void {
  const fmt = (x: number | undefined, d = 2): string => (x === undefined ? '—' : x.toFixed(d));
  const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined || b === 0 ? '—' : (a / b).toFixed(2));
  const meets = (r: string, limit: number | undefined): string => (r === '—' || limit === undefined ? '' : Number(r) <= limit ? ' ✓' : ' ✗');
  console.log('| workload | scenario | gantry wall s (cpu s) | BuildKit wall s (cpu s) | buildah wall s (cpu s) | ×BuildKit (target) | ×buildah (≤ 0.5) | peak RSS MiB gantry / buildah |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|');
  const traces: string[] = [];
  for (const w of workloads) {
    for (const s of ['cold', 'noop', 'change1']) {
      const g = figure(out, `build.${w}.gantry.${s}`);
      const bk = figure(out, `build.${w}.docker-bk.${s}`);
      const bh = figure(out, `build.${w}.buildah.${s}`);
      const rbk = ratio(g?.wall, bk?.wall);
      const rbh = ratio(g?.wall, bh?.wall);
      console.log(
        `| ${w} | ${s} | ${fmt(g?.wall)} (${fmt(g?.cpu)}) | ${fmt(bk?.wall)} (${fmt(bk?.cpu)}) | ${fmt(bh?.wall)} (${fmt(bh?.cpu)}) | ${rbk} (≤ ${TARGETS[w]?.[s] ?? '?'})${meets(rbk, TARGETS[w]?.[s])} | ${rbh}${meets(rbh, 0.5)} | ${fmt(g?.rssMiB, 0)}${g?.rssMiB === undefined ? '' : g.rssMiB <= RSS_TARGET_MIB ? ' ✓' : ' ✗'} / ${fmt(bh?.rssMiB, 0)} |`,
      );
      const t = tracePhases(out, `build.${w}.gantry.${s}`);
      if (t !== '') traces.push(`- ${w} ${s}: ${t}`);
    }
  }
  console.log(`\nPeak RSS target: the gantry process ≤ ${RSS_TARGET_MIB} MiB (max over the runs). Load average at the end: ${loadavg().map((x) => x.toFixed(1)).join(' ')} on ${availableParallelism()} CPUs.`);
  console.log('CPU is the hyperfine user+sys of the client command: for BuildKit that excludes the daemon, so compare wall time; the machine may have been shared with other work.');
  if (traces.length > 0) console.log(`\nSlowest gantry phases of each scenario's last run (GANTRY_TRACE):\n${traces.join('\n')}`);
}

async function main(): Promise<void> {
  if (process.argv[2] === 'clean') return clean();
  if (process.argv[2] === 'report') return report(process.argv[3] as string, (process.env.WORKLOADS ?? 'w1 w2 w3').split(/\s+/));
  await ensureBases();
  const out = process.env.OUT ?? join('/tmp/peers/results', `gantry-${Date.now()}`);
  const workloads = (process.env.WORKLOADS ?? 'w1 w2 w3').split(/\s+/).filter((w) => w !== '');
  const env = {
    ...process.env,
    OUT: out,
    SECTIONS: 'build',
    WORKLOADS: workloads.join(' '),
    BUILDERS: process.env.BUILDERS ?? 'buildah docker-bk custom',
    CUSTOM_NAME: 'gantry',
    // BENCH_TRACE=1: each gantry build logs its phase timings (GANTRY_TRACE), summarised below.
    CUSTOM_BUILD: `${process.env.BENCH_TRACE === '1' ? 'env GANTRY_TRACE=1 ' : ''}${gantry} --root ${ROOT} build --network host -q`,
    CUSTOM_CLEAN: `${process.execPath} ${join(here, 'build.js')} clean`,
  };
  const r = spawnSync('bash', [RUN_SH], { env, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) console.error(`run.sh exited ${r.status}; partial results in ${out}`);
  if (existsSync(out)) {
    console.log(`\nresults: ${out} (${readdirSync(out).length} files)\n`);
    report(out, workloads);
  }
}

await main();
