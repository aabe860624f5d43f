/**
 * scripts/warm-cache.cjs: a bundle's code cache made from several command lines run in one process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Script } from 'node:vm';
import { repoRoot, tempDir } from '../helpers/paths.js';

const warmCache = join(repoRoot, 'scripts', 'warm-cache.cjs');

/**
 * A stand-in for a CLI bundle (one function expression taking CommonJS's arguments, as
 * scripts/build.mjs writes them): it records its command line and finishes asynchronously, setting
 * the exit code its first argument names, as gantry's main does.
 */
function fakeBundle(dir: string): string {
  const bundle = join(dir, 'fake.cjs');
  writeFileSync(
    bundle,
    '(function (exports, require, module, __filename, __dirname) {' +
      "const args = process.argv.slice(2); require('node:fs').appendFileSync(__filename + '.log', JSON.stringify(args) + '\\n');" +
      'function used() { return args.length; }' +
      'setTimeout(() => { used(); process.exitCode = Number(args[0]); }, 1);' +
      '})',
  );
  return bundle;
}

test('warm-cache runs each line in turn, then writes a cache V8 accepts for the bundle', (t) => {
  const dir = tempDir(t);
  const bundle = fakeBundle(dir);
  const r = spawnSync(process.execPath, [warmCache, bundle, JSON.stringify([['0', 'a'], ['0', 'b', 'c']])], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readFileSync(`${bundle}.log`, 'utf8').trim().split('\n'), ['["0","a"]', '["0","b","c"]']);
  const cachedData = readFileSync(`${bundle}.cache`);
  const script = new Script(readFileSync(bundle).toString('latin1'), { filename: bundle, cachedData });
  assert.equal(script.cachedDataRejected, false);
});

test('warm-cache fails, writing no cache, when a line exits non-zero', (t) => {
  const dir = tempDir(t);
  const bundle = fakeBundle(dir);
  const r = spawnSync(process.execPath, [warmCache, bundle, JSON.stringify([['0'], ['3', 'x'], ['0', 'never']])], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /warm-cache: 3 x exited 3/);
  assert.equal(existsSync(`${bundle}.cache`), false);
  assert.deepEqual(readFileSync(`${bundle}.log`, 'utf8').trim().split('\n'), ['["0"]', '["3","x"]']);
});
