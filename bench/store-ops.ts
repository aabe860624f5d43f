/**
 * Store figures on this machine: put N small images, list them, resolve by prefix, remove one,
 * collect, check (sizes and full verify), and the CLI's `system df`. Run after a build:
 * `node dist/bench/store-ops.js [N]`. Prints one line per operation (median of a few runs).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkStore, openStore } from '../src/store/index.js';
import { putTestImage } from '../test/helpers/store-images.js';
import { gantryBin } from '../test/helpers/paths.js';

const n = Number(process.argv[2] ?? 300);
const root = mkdtempSync(join(tmpdir(), 'gantry-bench-'));
const store = openStore({ root });
const ms = (t0: bigint): number => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]!;
const time = async (label: string, fn: () => unknown, runs = 5): Promise<void> => {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    xs.push(ms(t0));
  }
  console.log(`${label.padEnd(44)} ${median(xs).toFixed(1)} ms`);
};

try {
  let t0 = process.hrtime.bigint();
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push((await putTestImage(store, { names: [`bench/app:${i}`], seed: `b${i}`, layers: [{ base: 'shared' }, { [`f${i}`]: String(i) }] })).id);
  console.log(`${`put ${n} images (3 blobs each + record)`.padEnd(44)} ${ms(t0).toFixed(0)} ms total, ${(ms(t0) / n).toFixed(2)} ms each`);
  await time(`images.list() of ${n}`, () => store.images.list());
  await time('images.resolve(12-hex prefix)', () => store.images.resolve(ids[7]!.slice(7, 19)));
  await time('images.resolve(name)', () => store.images.resolve('bench/app:7'));
  await time(`collect() over ${n} images (nothing to free)`, () => store.collect());
  await time('check (sizes)', () => checkStore(store), 3);
  await time('check --verify', () => checkStore(store, { verify: true }), 3);
  let k = 0;
  await time('images.remove(name) incl. collect', () => store.images.remove(`bench/app:${k++}`));
  await time('CLI: gantry system df', () => spawnSync(process.execPath, [gantryBin, '--root', root, 'system', 'df']), 5);
  t0 = process.hrtime.bigint();
  const r = await store.images.prune({ all: true });
  console.log(`${`prune -a of ${n - k} images`.padEnd(44)} ${ms(t0).toFixed(0)} ms (${r.records.length} records)`);
} finally {
  store.close();
  rmSync(root, { recursive: true, force: true });
}
