/**
 * `gantry build --check` on every Dockerfile under examples/ finds nothing: the examples are what
 * users copy, so they must pass BuildKit's checks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gantryBin, repoRoot, tempDir } from '../helpers/paths.js';

const examples = join(repoRoot, 'examples');
for (const name of readdirSync(examples).filter((d) => existsSync(join(examples, d, 'Dockerfile')))) {
  test(`gantry build --check passes on examples/${name}`, (t) => {
    const root = tempDir(t);
    const r = spawnSync(process.execPath, [gantryBin, '--root', root, 'build', '--check', join(examples, name)], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'Check complete, no warnings found.\n');
    assert.equal(r.stderr, '');
  });
}
