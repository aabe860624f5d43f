/** Two gantry processes on one root at once: no SQLITE_BUSY, nothing lost. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { checkStore, openStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/paths.js';
import { CHILD } from './_procs.js';
import { putTestImage } from '../helpers/store-images.js';

function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const c = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    c.stdout.on('data', (b: Buffer) => (out += b.toString()));
    c.stderr.on('data', (b: Buffer) => (err += b.toString()));
    c.once('exit', (code) => resolve({ code, out, err }));
  });
}

test('two processes creating a root, putting and tagging at once both finish, with every name recorded', async (t) => {
  const root = tempDir(t); // empty: both children race to create the layout and the schema
  const n = 250;
  const [a, b] = await Promise.all([run(['tags', root, 'one', String(n)]), run(['tags', root, 'two', String(n)])]);
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  assert.doesNotMatch(a.err + b.err, /SQLITE_BUSY|locked/);
  const store = openStore({ root });
  t.after(() => store.close());
  const images = store.images.list();
  assert.equal(images.length, 2);
  assert.equal(images.reduce((s, i) => s + i.repoTags.length, 0), 2 * n);
  assert.deepEqual((await checkStore(store)).problems, []);
});

test('a collection running while another process writes under leases takes nothing it needs', async (t) => {
  const root = tempDir(t);
  const store = openStore({ root });
  t.after(() => store.close());
  const writer = Promise.all([run(['tags', root, 'w1', '50']), run(['tags', root, 'w2', '50'])]);
  let collections = 0;
  let done = false;
  void writer.then(() => (done = true));
  while (!done) {
    await store.collect({ graceMs: 0 });
    collections++;
    await putTestImage(store, { names: [`local:${collections}`], seed: `local-${collections}` });
  }
  const [a, b] = await writer;
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  const report = await checkStore(store, { verify: true });
  assert.deepEqual(report.problems, []);
  assert.ok(collections >= 1);
});
