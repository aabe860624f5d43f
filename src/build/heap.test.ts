import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const heapModule = fileURLToPath(new URL('./heap.js', import.meta.url));

/** The young generation's size (MiB) after a child process built up many surviving objects. */
function youngGenerationAfterGrowth(keepSmall: boolean): number {
  const script = `
    const v8 = await import('node:v8');
    if (${keepSmall}) (await import(${JSON.stringify(heapModule)})).keepYoungGenerationSmall();
    const keep = [];
    for (let i = 0; i < 300000; i++) keep.push({ i, s: 'x' + i });
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(space.space_size / 1048576, keep.length);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.split(' ')[0]);
}

test('keepYoungGenerationSmall stops the young generation growing while long-lived objects pile up', () => {
  const grown = youngGenerationAfterGrowth(false);
  const kept = youngGenerationAfterGrowth(true);
  assert.ok(kept <= 4, `kept small: ${kept} MiB`);
  assert.ok(grown > kept, `without it the young generation grows (${grown} MiB)`);
});
