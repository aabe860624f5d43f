/**
 * Layer commit throughput: a 1 GiB semi-compressible tree and a 20,000-file tree, each committed
 * to a gzip layer by createLayer, beside `tar | gzip` and `tar | pigz -p2` on the same data in the
 * same run, with wall-clock MB/s and the CPU seconds spent (all threads / all processes of the
 * pipeline: the fairer figure on a busy machine). Run with `node dist/bench/layer-commit.js [workdir]` (default /tmp/gantry-bench-layer;
 * the trees are made once and reused). MB/s are of uncompressed tar bytes.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { createLayer, type CreateLayerOptions } from '../src/layer/index.js';

const work = process.argv[2] ?? '/tmp/gantry-bench-layer';
const MiB = 1 << 20;

/** Semi-compressible bytes: runs of random bytes between runs of word-like text (gzip -6 ≈ 2:1). */
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

/** Runs a shell pipeline; resolves with its output bytes and the CPU seconds of its processes. */
function run(cmd: string): Promise<[number, number]> {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', `TIMEFORMAT='%U %S'; time ( set -o pipefail; ${cmd} | wc -c )`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (err += c.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err}`));
      const [u, s] = err.trim().split('\n').pop()!.split(' ').map(Number);
      resolve([Number(out.trim()), u! + s!]);
    });
  });
}

async function time<T>(fn: () => Promise<T>): Promise<[T, number, number]> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  const r = await fn();
  const c = process.cpuUsage(c0);
  return [r, Number(process.hrtime.bigint() - t0) / 1e9, (c.user + c.system) / 1e6];
}

function row(label: string, mbs: number, cpu: number, out: number): void {
  console.log(`  ${label.padEnd(48)} ${mbs.toFixed(1).padStart(9)} ${cpu.toFixed(1).padStart(7)}   ${(out / MiB).toFixed(1)} MiB`);
}

async function bench(name: string, dir: string): Promise<void> {
  const [[tarBytes]] = await time(() => run(`tar -C ${dir} -cf - .`)); // also warms the page cache
  console.log(`\n${name}: ${(tarBytes / MiB).toFixed(0)} MiB of tar; load average ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`);
  console.log(`  ${'pipeline'.padEnd(48)} ${'wall MB/s'.padStart(9)} ${'CPU s'.padStart(7)}   output`);
  const ours = async (label: string, opts: CreateLayerOptions): Promise<void> => {
    let out = 0;
    const [info, s, cpu] = await time(() => createLayer({ kind: 'tree', root: dir }, (c) => void (out += c.byteLength), { sourceDateEpoch: null, ...opts }));
    row(label, info.uncompressedSize / MiB / s, cpu, out);
  };
  await ours('gantry createLayer gzip-6 (parallel blocks)', { compression: 'gzip', level: 6 });
  await ours('gantry createLayer gzip-6 (one block at a time)', { compression: 'gzip', level: 6, concurrency: 1 });
  await ours('gantry createLayer gzip-1 (parallel blocks)', { compression: 'gzip', level: 1 });
  await ours('gantry createLayer zstd-3', { compression: 'zstd' });
  await ours('gantry createLayer uncompressed', { compression: 'none' });
  for (const [label, cmd] of [
    ['tar | gzip -6', `tar -C ${dir} -cf - . | gzip -6`],
    ['tar | pigz -p2 -6', `tar -C ${dir} -cf - . | pigz -p2 -6`],
    ['tar | gzip -1', `tar -C ${dir} -cf - . | gzip -1`],
    ['tar | pigz -p2 -1', `tar -C ${dir} -cf - . | pigz -p2 -1`],
    ['tar (uncompressed)', `tar -C ${dir} -cf - .`],
  ] as const) {
    const [[n, cpu], s] = await time(() => run(cmd));
    row(label, tarBytes / MiB / s, cpu, n);
  }
}

const big = join(work, 'big');
const many = join(work, 'many');
console.log(`making trees under ${work} (once)…`);
makeBigTree(big);
makeManyTree(many);
await bench('1 GiB semi-compressible tree (64 × 16 MiB)', big);
await bench('20,000-file tree (200 dirs × 100 files, 0–8 KiB)', many);
