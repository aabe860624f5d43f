/**
 * `image ls` in-process: the CPU one listing costs in a fresh process (cold: code not yet
 * optimised, as in a real `gantry image ls`) and once warm, over a store of N images × T names
 * against an empty store. The difference is the per-row cost the CLI adds on top of start-up.
 *
 *   node dist/bench/image-ls-inprocess.js [runs=7] [--images 100] [--tags 10]
 *
 * Each cold figure is the median over `runs` fresh child processes; each runs `runImageLs` once
 * (after importing its modules, which is start-up, not per-row work) and reports its CPU time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { benchArgs, median, setupImageStore } from './lib.js';

const CASES: Array<[string, string[]]> = [
  ['table', []],
  ['filter+format', ['--filter', 'label=environment=test', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}']],
  ['{{json .}}', ['--format', '{{json .}}']],
  ['--digests', ['--digests']],
  ['-q', ['-q']],
];

interface ChildResult {
  coldMs: number;
  warmMs: number;
  bytes: number;
}

/** Child: one cold listing, then warm ones; prints JSON. */
async function child(root: string, flags: string[]): Promise<void> {
  const { runImageLs } = await import('../src/cli/commands/_image-views.js');
  const opts: Record<string, unknown> = {};
  for (let i = 0; i < flags.length; i++) {
    const f = flags[i];
    if (f === '--filter') opts.filter = [...((opts.filter as string[] | undefined) ?? []), flags[++i]];
    else if (f === '--format') opts.format = flags[++i];
    else if (f === '--digests') opts.digests = true;
    else if (f === '-q') opts.quiet = true;
  }
  const once = async (): Promise<{ ms: number; bytes: number }> => {
    let bytes = 0;
    const stdout = new PassThrough();
    stdout.on('data', (b: Buffer) => (bytes += b.length));
    const io = { stdout, stderr: new PassThrough(), stdin: new PassThrough(), env: {}, signal: new AbortController().signal };
    const c0 = process.cpuUsage();
    await runImageLs([], opts, io, { root }, 'image ls');
    const c = process.cpuUsage(c0);
    return { ms: (c.user + c.system) / 1000, bytes };
  };
  const cold = await once();
  const warm: number[] = [];
  for (let i = 0; i < 10; i++) warm.push((await once()).ms);
  warm.sort((a, b) => a - b);
  const r: ChildResult = { coldMs: cold.ms, warmMs: warm[5] ?? 0, bytes: cold.bytes };
  process.stdout.write(JSON.stringify(r));
}

async function main(): Promise<void> {
  // runs: 7 by default, an odd count, so that median is the middle sample.
  const { argv, runs, flag } = benchArgs(7);
  if (argv[0] === '--child') return child(argv[1] as string, JSON.parse(argv[2] as string) as string[]);
  const nImages = flag('--images', 100);
  const nTags = flag('--tags', 10);
  const dir = mkdtempSync(join(tmpdir(), 'gantry-ls-bench-'));
  try {
    const empty = join(dir, 'empty');
    const full = join(dir, 'full');
    await setupImageStore(empty, 0, 0);
    await setupImageStore(full, nImages, nTags);
    const self = fileURLToPath(import.meta.url);
    console.log(`image ls in-process, ${nImages}×${nTags} names vs empty store, ${runs} runs, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log('case            cold empty  cold full  per-row(cold)  warm full  output');
    for (const [name, flags] of CASES) {
      const res: Record<'empty' | 'full', ChildResult[]> = { empty: [], full: [] };
      for (let r = 0; r < runs; r++) {
        for (const which of ['empty', 'full'] as const) {
          const p = spawnSync(process.execPath, [self, '--child', which === 'empty' ? empty : full, JSON.stringify(flags)], { encoding: 'utf8' });
          if (p.status !== 0) throw new Error(`child failed: ${p.stderr}`);
          res[which].push(JSON.parse(p.stdout) as ChildResult);
        }
      }
      const ce = median(res.empty.map((x) => x.coldMs));
      const cf = median(res.full.map((x) => x.coldMs));
      const wf = median(res.full.map((x) => x.warmMs));
      console.log(
        `${name.padEnd(16)}${ce.toFixed(1).padStart(9)}ms${cf.toFixed(1).padStart(9)}ms${(cf - ce).toFixed(1).padStart(13)}ms${wf.toFixed(1).padStart(9)}ms  ${res.full[0]?.bytes ?? 0} B`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
