/**
 * Start-up time of no-op commands beside a bare `node -e 0`, in the same run. The target: a no-op
 * gantry command within 40 ms of bare node (median).
 *
 *   node dist/bench/startup.js [runs]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare, printTable } from './lib.js';

const runs = Number(process.argv[2] ?? 30);
const repo = new URL('../..', import.meta.url).pathname;
const gantry = join(repo, 'bin', 'gantry');
const root = mkdtempSync(join(tmpdir(), 'gantry-bench-startup-'));
try {
  const results = compare(
    [
      { name: 'node -e 0', cmd: [process.execPath, '-e', '0'] },
      { name: 'gantry --version', cmd: [process.execPath, gantry, '--version'] },
      { name: 'gantry image ls (empty store)', cmd: [process.execPath, gantry, '--root', root, 'image', 'ls'] },
    ],
    runs,
  );
  printTable(`no-op start-up, ${runs} runs each (interleaved)`, results, 'node -e 0');
} finally {
  rmSync(root, { recursive: true, force: true });
}
