/**
 * Runtime selection on this host: runc works; crun is probed for real and replaced by runc with a
 * message when it cannot run containers (crun 1.8 on a hybrid cgroup v1 host).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../helpers/paths.js';
import { runtimeSkipReason } from './harness.js';
import { findExecutable, isStaticElf, probeRuntime, selectRuntime, staticInitPath, OciRuntime } from '../../src/runtime/index.js';

describe('runtime selection', { skip: runtimeSkipReason() }, () => {
  it('uses runc by default and keeps its state under <root>/runc', async (t) => {
    const dir = tempDir(t);
    const rt = await selectRuntime({ stateRoot: dir });
    assert.equal(rt.name, 'runc');
    assert.equal(rt.root, join(dir, 'runc'));
  });

  it('probes crun for real, and falls back to runc with the reason when crun cannot run containers', async (t) => {
    const crun = await findExecutable('crun');
    if (crun === undefined) return t.skip('crun is not installed');
    const dir = tempDir(t);
    const failure = await probeRuntime(new OciRuntime('crun', crun, join(dir, 'crun')), dir);
    const warnings: string[] = [];
    const rt = await selectRuntime({ stateRoot: dir, requested: 'crun', warn: (m) => warnings.push(m) });
    if (failure === undefined) {
      assert.equal(rt.name, 'crun');
      assert.deepEqual(warnings, []);
    } else {
      assert.equal(rt.name, 'runc');
      assert.deepEqual(warnings, [`crun cannot run containers on this host (${failure}); using runc`]);
    }
    // The probe's verdict is cached beside the state dirs and no probe container is left behind.
    assert.ok(execFileSync('ls', [dir], { encoding: 'utf8' }).includes('probe-crun.json'));
    assert.deepEqual(await new OciRuntime('runc', rt.binary, join(dir, 'runc')).list(), []);
  });

  it('refuses an unknown runtime name and a path that is not executable', async (t) => {
    const dir = tempDir(t);
    await assert.rejects(selectRuntime({ stateRoot: dir, requested: 'kata' }), /Unknown runtime specified kata/);
    await assert.rejects(selectRuntime({ stateRoot: dir, requested: join(dir, 'nope') }), /not an executable file/);
  });
});

describe('--init binary', () => {
  it('accepts only static ELF binaries', async () => {
    assert.equal(await isStaticElf(process.execPath), false);
    assert.equal(await isStaticElf('/etc/passwd'), false);
    const init = await staticInitPath();
    if (init !== undefined) assert.equal(await isStaticElf(init), true);
  });
});
