import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildOptions } from '../../src/build/index.js';
import { buildEnv, buildSkipReason, type BuildEnv } from './harness.js';

const skip = buildSkipReason();

/** Builds and counts container runs (by their command) and context file reads. */
async function counted(env: BuildEnv, df: string, options: Partial<BuildOptions> = {}) {
  const runs: string[] = [];
  const reads: string[] = [];
  const b = await env.run(df, { ...options, observer: { containerRun: (a) => runs.push(a.at(-1) ?? ''), contextFileRead: (p) => reads.push(p) } });
  return { id: b.imageId, runs, reads: reads.sort(), warnings: b.warnings };
}

const DF = [
  'FROM busybox',
  'RUN echo base > /base',
  'COPY a.txt /a',
  'RUN cat /a > /x',
  'ARG X',
  'COPY b.txt /b',
  'RUN echo after-b > /y',
  '',
].join('\n');

test('a rebuild that changed nothing runs no container, reads no context file and gives the same image', { skip }, async (t) => {
  const env = await buildEnv(t);
  env.files({ 'a.txt': 'A', 'b.txt': 'B', 'unused.txt': 'U' });
  const first = await counted(env, DF);
  assert.equal(first.runs.length, 3);
  assert.deepEqual(first.reads, ['a.txt', 'b.txt']);
  const again = await counted(env, DF);
  assert.deepEqual(again.runs, []);
  assert.deepEqual(again.reads, []);
  assert.equal(again.id, first.id);
});

test('a change to one file re-runs only the steps from the first COPY that includes it', { skip }, async (t) => {
  const env = await buildEnv(t);
  env.files({ 'a.txt': 'A', 'b.txt': 'B', 'unused.txt': 'U' });
  await counted(env, DF);
  env.files({ 'b.txt': 'B2' });
  const b = await counted(env, DF);
  assert.deepEqual(b.runs, ['echo after-b > /y']);
  assert.deepEqual(b.reads, ['b.txt']);
  env.files({ 'unused.txt': 'U2' });
  assert.deepEqual((await counted(env, DF)).runs, [], 'a file no step copies changes nothing');
  env.files({ 'a.txt': 'A2' });
  assert.deepEqual((await counted(env, DF)).runs, ['cat /a > /x', 'echo after-b > /y']);
});

test('content changed with the same size and mtime is seen; a mode change is seen; an owner change is not (docker resets owners)', { skip }, async (t) => {
  const env = await buildEnv(t);
  env.files({ 'a.txt': 'A', 'b.txt': 'B' });
  const p = join(env.context, 'b.txt');
  utimesSync(p, 1_700_000_000, 1_700_000_000);
  await counted(env, DF);
  const st = statSync(p);
  writeFileSync(p, 'Z');
  utimesSync(p, 1_700_000_000, 1_700_000_000);
  assert.equal(statSync(p).mtimeMs, st.mtimeMs);
  const content = await counted(env, DF);
  assert.deepEqual(content.runs, ['echo after-b > /y']);
  chmodSync(p, 0o600);
  assert.deepEqual((await counted(env, DF)).runs, ['echo after-b > /y']);
  chownSync(p, 4321, 4321);
  assert.deepEqual((await counted(env, DF)).runs, []);
});

test('build args: a declared arg invalidates the RUNs after it, not the COPYs; an undeclared one nothing, with a warning', { skip }, async (t) => {
  const env = await buildEnv(t);
  env.files({ 'a.txt': 'A', 'b.txt': 'B' });
  await counted(env, DF);
  const x = await counted(env, DF, { buildArgs: { X: '1' } });
  assert.deepEqual(x.runs, ['echo after-b > /y']);
  const y = await counted(env, DF, { buildArgs: { X: '1', NOPE: '2' } });
  assert.deepEqual(y.runs, []);
  assert.ok(y.warnings.some((w) => w.includes('NOPE')), y.warnings.join('\n'));
});

test('an ENV change invalidates the steps after it only; .dockerignore changes only steps that see the file; a base re-tag everything', { skip }, async (t) => {
  const env = await buildEnv(t);
  env.files({ 'a.txt': 'A', 'b.txt': 'B', 'c.txt': 'C' });
  const df = (v: string) => ['FROM busybox', 'RUN echo one > /1', `ENV V=${v}`, 'RUN echo two > /2', 'COPY *.txt /t/', 'RUN ls /t > /3', ''].join('\n');
  await counted(env, df('a'));
  assert.deepEqual((await counted(env, df('b'))).runs, ['echo two > /2', 'ls /t > /3']);
  assert.deepEqual((await counted(env, df('b'), { ignorePatterns: ['c.txt'] })).runs, ['ls /t > /3']);
  assert.deepEqual((await counted(env, df('b'), { ignorePatterns: ['c.txt', 'nothing-here'] })).runs, []);
  // Re-tag busybox:latest to another image (same files, another config): every step re-runs.
  await env.run('FROM busybox\nLABEL rebased=1\n', { tags: ['other:latest'] });
  env.store.images.tag('other:latest', 'busybox:latest');
  assert.equal((await counted(env, df('b'), { ignorePatterns: ['c.txt'] })).runs.length, 3);
});

test('COPY --link makes a layer independent of its base: a changed base keeps it cached and byte-identical', { skip }, async (t) => {
  const env = await buildEnv(t);
  env.files({ 'a.txt': 'A' });
  const df = (n: number) => `FROM busybox\nRUN echo ${n} > /n\nCOPY --link a.txt /app/a\n`;
  const one = await env.run(df(1));
  const two = await env.run(df(2));
  assert.equal(two.image.layers.at(-1)?.digest, one.image.layers.at(-1)?.digest);
  assert.deepEqual([...(two.layers.at(-1)?.keys() ?? [])].sort(), ['app', 'app/a']);
});
