/**
 * Layer commit throughput (issues 2 and 5): trees committed to a layer by createLayer (gzip, and
 * uncompressed as local layers are stored since issue 5), beside
 * `tar | gzip -6` and `tar | pigz -p2 -6` on the same data, interleaved round by round, with
 * wall-clock MB/s (of uncompressed tar bytes) and the CPU seconds spent (user + system of every
 * process and thread of the contender: the steadier figure on a busy machine).
 *
 *   node dist/bench/layer-commit.js [workdir] [--trees big,many,w3] [--rounds 1] [--before <root>] [--extra]
 *
 * Trees (made once under workdir, default /tmp/gantry-bench-layer, and reused):
 * - `big`: 1 GiB semi-compressible (64 × 16 MiB; random runs of 256–1276 bytes between word-like text; gzip -6 ≈ 0.59)
 * - `many`: 20,000 files of 0–8 KiB in 200 directories
 * - `w3`: the build benchmark's W3 RUN output: one 1 GiB file, each MiB 512 KiB of random bytes then 512 KiB of text
 *
 * Contenders, each its own process, timed with bash's `time`:
 * - gantry createLayer gzip-6 into a discarding sink, and into a content store (write, third
 *   sha256, fsync, commit: what a build step's commit did before issue 5);
 * - gantry createLayer uncompressed into a content store (the writer itself as the sink: one
 *   sha256, blocks written while the next is read, fsync, commit: what build, commit and import do
 *   now), and `tar` into a file plus sha256sum and sync (the same work done by coreutils);
 * - with `--before <root>`: the same from another checkout's build (`<root>/dist`), for before/after in one run
 *   (into the content store too with `--extra`);
 * - `tar | gzip -6`, `tar | pigz -p2 -6` (the 2-core limit here);
 * - with `--extra`: gzip-1 / pigz -1, gantry one block at a time, zstd-3, uncompressed.
 * Before the timed rounds the tree is read once with tar (page cache). Compare within one run.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './lib.js';

const MiB = 1 << 20;
const here = dirname(fileURLToPath(import.meta.url));
/** The checkout whose dist/ this script belongs to. */
const selfRoot = resolve(here, '..', '..');

// ---- child mode: one createLayer in this process, figures as JSON on stdout ----------------------

interface ChildJob {
  root: string;
  dir: string;
  options: Record<string, unknown>;
  store?: string;
  /** Hand the content writer itself to createLayer (a BlobSink) rather than a function. */
  blobSink?: boolean;
}

async function child(job: ChildJob): Promise<void> {
  const layer = (await import(join(job.root, 'dist/src/layer/index.js'))) as typeof import('../src/layer/index.js');
  const source = { kind: 'tree' as const, root: job.dir };
  const options = { sourceDateEpoch: null, ...job.options };
  if (job.store === undefined) {
    let out = 0;
    const info = await layer.createLayer(source, (c) => void (out += c.byteLength), options);
    process.stdout.write(JSON.stringify({ out, tar: info.uncompressedSize }));
    return;
  }
  const { openStore } = (await import(join(job.root, 'dist/src/store/index.js'))) as typeof import('../src/store/index.js');
  const store = openStore({ root: job.store });
  try {
    const writer = await store.content.writer(`bench-layer-${process.pid}`);
    const info = await layer.createLayer(source, job.blobSink === true ? writer : (c) => writer.write(c), options);
    await writer.commit(info.size, info.digest);
    process.stdout.write(JSON.stringify({ out: info.size, tar: info.uncompressedSize }));
  } finally {
    store.close();
  }
}

// ---- trees ------------------------------------------------------------------------------------------

/** Semi-compressible bytes: runs of random bytes between runs of word-like text (gzip -6 ≈ 0.59). */
function semiCompressible(size: number): Buffer {
  const words = 'layer tar gzip digest manifest config index blob snapshot overlay whiteout registry '.split(' ');
  const out = Buffer.allocUnsafe(size);
  let off = 0;
  const rnd = randomBytes(size);
  let r = 0;
  while (off < size) {
    const kind = rnd[r++ % size]! & 1;
    const len = Math.min(size - off, 256 + (rnd[r++ % size]! << 2));
    if (kind === 0) rnd.copy(out, off, off, off + len);
    else {
      let p = off;
      while (p < off + len) p += out.write(`${words[rnd[r++ % size]! % words.length]} `, p, off + len - p, 'latin1');
    }
    off += len;
  }
  return out;
}

function makeBigTree(dir: string): void {
  if (existsSync(join(dir, '.done'))) return;
  mkdirSync(dir, { recursive: true });
  const block = semiCompressible(16 * MiB);
  for (let i = 0; i < 64; i++) {
    const d = join(dir, `d${i % 8}`);
    mkdirSync(d, { recursive: true });
    // rotate so files differ; a 32 KiB window cannot see repeats 16 MiB apart anyway
    const rot = (i * 7919 * 1024) % block.length;
    writeFileSync(join(d, `f${i}`), Buffer.concat([block.subarray(rot), block.subarray(0, rot)]));
  }
  writeFileSync(join(dir, '.done'), '');
}

function makeManyTree(dir: string): void {
  if (existsSync(join(dir, '.done'))) return;
  const pool = semiCompressible(8 * MiB);
  let seed = 1;
  const next = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
  for (let d = 0; d < 200; d++) {
    const sub = join(dir, `pkg${d}`, 'lib');
    mkdirSync(sub, { recursive: true });
    for (let f = 0; f < 100; f++) {
      const size = next() % 8192;
      const at = next() % (pool.length - size);
      writeFileSync(join(sub, `file${f}.js`), pool.subarray(at, at + size));
    }
  }
  writeFileSync(join(dir, '.done'), '');
}

/** W3's RUN: `yes '<line>' | head -c 512K` as text, then 1024 × (512 KiB urandom + the text). */
function makeW3Tree(dir: string): void {
  if (existsSync(join(dir, '.done'))) return;
  mkdirSync(dir, { recursive: true });
  const line = 'The quick brown fox jumps over the lazy dog 0123456789 lorem ipsum dolor sit amet\n';
  const text = Buffer.from(line.repeat(Math.ceil((512 * 1024) / line.length))).subarray(0, 512 * 1024);
  const fd = openSync(join(dir, 'big.bin'), 'w');
  try {
    for (let i = 0; i < 1024; i++) {
      writeSync(fd, randomBytes(512 * 1024));
      writeSync(fd, text);
    }
  } finally {
    closeSync(fd);
  }
  writeFileSync(join(dir, '.done'), '');
}

// ---- timing -----------------------------------------------------------------------------------------

/** Runs a shell command; resolves with its stdout and the CPU seconds of all its processes. */
function run(cmd: string): Promise<[string, number]> {
  return new Promise((resolveRun, reject) => {
    const p = spawn('bash', ['-c', `TIMEFORMAT='%U %S'; time ( set -o pipefail; ${cmd} )`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err}`));
      const [u, s] = err.trim().split('\n').pop()!.split(' ').map(Number);
      resolveRun([out.trim(), u! + s!]);
    });
  });
}

interface BenchContender {
  label: string;
  /** Runs once; resolves with [output bytes, CPU seconds]. */
  go: () => Promise<[number, number]>;
}

function gantry(root: string, dir: string, options: Record<string, unknown>, store?: string, blobSink = false): () => Promise<[number, number]> {
  const job: ChildJob = { root, dir, options, ...(store !== undefined ? { store } : {}), ...(blobSink ? { blobSink } : {}) };
  const cmd = `${process.execPath} ${join(here, 'layer-commit.js')} --child '${JSON.stringify(job)}'`;
  return async () => {
    if (store !== undefined) rmSync(store, { recursive: true, force: true });
    const [out, cpu] = await run(cmd);
    return [(JSON.parse(out) as { out: number }).out, cpu];
  };
}

function shell(pipeline: string): () => Promise<[number, number]> {
  return async () => {
    const [out, cpu] = await run(`${pipeline} | wc -c`);
    return [Number(out), cpu];
  };
}

/** A pipeline that writes `file`: its size is the output; the file is removed afterwards. */
function shellFile(pipeline: string, file: string): () => Promise<[number, number]> {
  return async () => {
    const [out, cpu] = await run(`${pipeline} && stat -c %s ${file}; rm -f ${file}`);
    return [Number(out), cpu];
  };
}

async function bench(name: string, dir: string, opts: Options): Promise<void> {
  const [tarOut] = await run(`tar -C ${dir} -cf - . | wc -c`); // also warms the page cache
  const tarBytes = Number(tarOut);
  const scratch = mkdtempSync(join(tmpdir(), 'gantry-bench-layer-store-'));
  const store = join(scratch, 'store');
  const contenders: BenchContender[] = [
    { label: 'gantry createLayer gzip-6', go: gantry(selfRoot, dir, { compression: 'gzip', level: 6 }) },
    { label: 'gantry createLayer gzip-6 → content store', go: gantry(selfRoot, dir, { compression: 'gzip', level: 6 }, store) },
    { label: 'gantry createLayer uncompressed → content store', go: gantry(selfRoot, dir, { compression: 'none' }, store, true) },
  ];
  if (opts.before !== undefined) {
    contenders.push({ label: 'before: createLayer gzip-6', go: gantry(opts.before, dir, { compression: 'gzip', level: 6 }) });
    if (opts.extra) contenders.push({ label: 'before: createLayer gzip-6 → content store', go: gantry(opts.before, dir, { compression: 'gzip', level: 6 }, store) });
  }
  contenders.push(
    { label: 'tar | gzip -6', go: shell(`tar -C ${dir} -cf - . | gzip -6`) },
    { label: 'tar | pigz -p2 -6', go: shell(`tar -C ${dir} -cf - . | pigz -p2 -6`) },
    { label: 'tar > file; sha256sum; sync (uncompressed)', go: shellFile(`tar -C ${dir} -cf ${scratch}/out.tar . && sha256sum ${scratch}/out.tar >/dev/null && sync ${scratch}/out.tar`, `${scratch}/out.tar`) },
  );
  if (opts.extra) {
    contenders.push(
      { label: 'gantry createLayer gzip-6, one block at a time', go: gantry(selfRoot, dir, { compression: 'gzip', level: 6, concurrency: 1 }) },
      { label: 'gantry createLayer gzip-1', go: gantry(selfRoot, dir, { compression: 'gzip', level: 1 }) },
      { label: 'tar | gzip -1', go: shell(`tar -C ${dir} -cf - . | gzip -1`) },
      { label: 'tar | pigz -p2 -1', go: shell(`tar -C ${dir} -cf - . | pigz -p2 -1`) },
      { label: 'gantry createLayer zstd-3', go: gantry(selfRoot, dir, { compression: 'zstd' }) },
      { label: 'gantry createLayer uncompressed', go: gantry(selfRoot, dir, { compression: 'none' }) },
      { label: 'tar (uncompressed)', go: shell(`tar -C ${dir} -cf - .`) },
    );
  }
  const load0 = loadavg()[0]!;
  const walls = contenders.map((): number[] => []);
  const cpus = contenders.map((): number[] => []);
  const outs = contenders.map(() => 0);
  try {
    for (let r = 0; r < opts.rounds; r++) {
      for (const [i, c] of contenders.entries()) {
        const t0 = process.hrtime.bigint();
        const [out, cpu] = await c.go();
        walls[i]!.push(Number(process.hrtime.bigint() - t0) / 1e9);
        cpus[i]!.push(cpu);
        outs[i] = out;
      }
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  const load1 = loadavg()[0]!;
  console.log(`\n${name}: ${(tarBytes / MiB).toFixed(0)} MiB of tar; ${opts.rounds} round(s); load average ${load0.toFixed(1)} → ${load1.toFixed(1)} on ${availableParallelism()} CPUs`);
  console.log(`  ${'contender'.padEnd(46)} ${'MB/s med'.padStart(9)} ${'MB/s max'.padStart(9)} ${'CPU s med'.padStart(9)} ${'CPU MB/s'.padStart(9)}   output`);
  for (const [i, c] of contenders.entries()) {
    const wall = median(walls[i]!);
    const cpu = median(cpus[i]!);
    const mb = tarBytes / MiB;
    console.log(
      `  ${c.label.padEnd(46)} ${(mb / wall).toFixed(1).padStart(9)} ${(mb / Math.min(...walls[i]!)).toFixed(1).padStart(9)} ${cpu.toFixed(2).padStart(9)} ${(mb / cpu).toFixed(1).padStart(9)}   ${(outs[i]! / MiB).toFixed(1)} MiB`,
    );
  }
}

interface Options {
  work: string;
  trees: string[];
  rounds: number;
  before?: string;
  extra: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { work: '/tmp/gantry-bench-layer', trees: ['big', 'many', 'w3'], rounds: 1, extra: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--trees') o.trees = argv[++i]!.split(',');
    else if (a === '--rounds') o.rounds = Math.max(1, Number(argv[++i]));
    else if (a === '--before') o.before = resolve(argv[++i]!);
    else if (a === '--extra') o.extra = true;
    else o.work = a;
  }
  return o;
}

if (process.argv[2] === '--child') {
  await child(JSON.parse(process.argv[3]!) as ChildJob);
} else {
  const opts = parseArgs(process.argv.slice(2));
  const trees: Record<string, [string, (dir: string) => void]> = {
    big: ['1 GiB semi-compressible tree (64 × 16 MiB)', makeBigTree],
    many: ['20,000-file tree (200 dirs × 100 files, 0–8 KiB)', makeManyTree],
    w3: ["W3's RUN output (1 GiB file, each MiB half random, half text)", makeW3Tree],
  };
  console.log(`making trees under ${opts.work} (once)…`);
  for (const t of opts.trees) {
    const tree = trees[t];
    if (tree === undefined) throw new Error(`unknown tree ${t} (big, many, w3)`);
    tree[1](join(opts.work, t));
  }
  for (const t of opts.trees) await bench(trees[t]![0], join(opts.work, t), opts);
}
