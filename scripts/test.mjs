#!/usr/bin/env node
// Runs every compiled test (dist/**/*.test.js) with node's built-in runner.
// Arguments filter by substring of the test file's path: `node scripts/test.mjs store layer`.
// GANTRY_TEST_CONCURRENCY sets how many files run at once (default 2: the machine has 2 cores,
// and most integration tests wait on processes rather than compute).
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('--'));
const files = walk(join(root, 'dist'))
  .filter((f) => filters.length === 0 || filters.some((s) => relative(root, f).includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const concurrency = process.env.GANTRY_TEST_CONCURRENCY ?? '2';
const r = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...passThrough, ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(r.status ?? 1);
