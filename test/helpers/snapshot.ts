/**
 * JSON snapshot assertions: the expected value lives in a committed file beside the test's source
 * (`src/<part>/testdata/<name>.json`). A missing or different snapshot fails; `UPDATE_SNAPSHOTS=1`
 * rewrites it, for a reviewer to read in the diff.
 */
import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './paths.js';

/** Compares `json` (already serialized) with `<repo>/<relPath>`. */
export function assertJsonSnapshot(relPath: string, json: string): void {
  const file = join(repoRoot, relPath);
  const text = json.endsWith('\n') ? json : `${json}\n`;
  if (process.env.UPDATE_SNAPSHOTS === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    return;
  }
  assert.ok(existsSync(file), `snapshot ${relPath} is missing (run with UPDATE_SNAPSHOTS=1 to write it)`);
  assert.equal(text, readFileSync(file, 'utf8'), `snapshot ${relPath} differs`);
}
