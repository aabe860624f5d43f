/**
 * Start-up time of no-op commands beside a bare `node -e 0`, in the same run. The target: a no-op
 * gantry command within 40 ms of bare node (median).
 *
 *   node dist/bench/startup.js [runs]
 *
 * gantry runs as a user runs it: the program bin/gantry, whose #! line keeps NODE_EXTRA_CA_CERTS
 * from node's start-up (src/tls-trust.ts). With the variable set, node parses that CA bundle at
 * start-up; bare node is then also run without it (lib.ts's bareNodeContenders).
 *
 * `image ls` runs on two empty stores: a root where no store was ever made (it stays so: a listing
 * creates nothing) and an initialised one, which had an image that was then removed (the DB is
 * opened and queried).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { putTestImage } from '../test/helpers/store-images.js';
import { bareNodeContenders, compare, printCaCertsNote, printTable } from './lib.js';

const runs = Number(process.argv[2] ?? 30);
const repo = new URL('../..', import.meta.url).pathname;
const gantry = join(repo, 'bin', 'gantry');
const dir = mkdtempSync(join(tmpdir(), 'gantry-bench-startup-'));
const fresh = join(dir, 'never-made');
const emptied = join(dir, 'emptied');
try {
  const store = openStore({ root: emptied, env: {} });
  try {
    await putTestImage(store, { names: ['bench/removed:1'], seed: 'startup' });
    await store.images.remove('bench/removed:1');
  } finally {
    store.close();
  }
  const results = compare(
    [
      ...bareNodeContenders(),
      { name: 'gantry --version', cmd: [gantry, '--version'] },
      { name: 'gantry image ls (no store at the root)', cmd: [gantry, '--root', fresh, 'image', 'ls'] },
      { name: 'gantry image ls (emptied store)', cmd: [gantry, '--root', emptied, 'image', 'ls'] },
    ],
    runs,
  );
  printCaCertsNote();
  printTable(`no-op start-up, ${runs} runs each (interleaved)`, results, 'node -e 0');
  if (existsSync(fresh)) console.log('note: `image ls` created a store at the fresh root');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
