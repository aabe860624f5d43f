import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OciRuntime } from './runc.js';
import { tempDir } from '../../test/helpers/paths.js';

test('runc and crun without a state directory for the ID are not asked (no process is spawned)', async (t) => {
  const root = tempDir(t);
  for (const name of ['runc', 'crun']) {
    // A binary that cannot be spawned: any call that reached it would reject.
    const rt = new OciRuntime(name, join(root, 'no-such-binary'), join(root, name));
    assert.equal(rt.mayHaveState('c1'), false);
    assert.equal(await rt.state('c1'), undefined);
    await rt.delete('c1', { force: true });
    mkdirSync(join(root, name, 'c1'), { recursive: true });
    assert.equal(rt.mayHaveState('c1'), true);
    await assert.rejects(rt.state('c1'), /ENOENT|no-such-binary/, 'with state on disk the runtime is asked');
  }
});

test('another runtime, or an ID that is not a plain name, is always asked', (t) => {
  const root = tempDir(t);
  assert.equal(new OciRuntime('youki', '/bin/false', root).mayHaveState('c1'), true);
  const runc = new OciRuntime('runc', '/bin/false', root);
  assert.equal(runc.mayHaveState('../c1'), true);
  assert.equal(runc.mayHaveState('..'), true);
});
