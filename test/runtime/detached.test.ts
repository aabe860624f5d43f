/**
 * Detached containers: they run on after the call returns, their output goes to a log, `kill` ends
 * them, and the monitor records the exit code.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeHarness, runtimeSkipReason, sh, type Harness } from './harness.js';
import {
  bundleDir, containerLogs, containerState, deleteContainer, killContainer, prepareContainer, runContainer, waitContainer,
  containerProcesses, pauseContainer, resumeContainer,
} from '../../src/runtime/index.js';

async function logText(h: Harness, id: string): Promise<string> {
  let text = '';
  for await (const chunk of containerLogs(h.ctx, id)) text += chunk.toString('utf8');
  return text;
}

describe('runtime: detached containers', { skip: runtimeSkipReason() }, () => {
  let h: Harness;
  before(async () => {
    h = await makeHarness();
  });
  after(() => h?.cleanup());

  it('runs on in the background, logs its output, and records 137 after kill', async () => {
    const id = h.newId();
    await prepareContainer(h.ctx, { id, rootfs: h.rootfs, overrides: sh('echo line-out; echo line-err >&2; echo done-writing; exec sleep 300') });
    const { pid } = await runContainer(h.ctx, { id, detach: true });
    assert.ok(pid !== undefined && pid > 0);
    assert.equal((await containerState(h.ctx, id)).status, 'running');
    assert.ok((await containerProcesses(h.ctx, id)).includes(pid!));
    // The container writes on its own schedule: wait for its last line, bounded by the test timeout.
    let text = await logText(h, id);
    while (!text.includes('done-writing')) {
      await sleep(50);
      text = await logText(h, id);
    }
    // runc copies stdout and stderr through two pipes, so only the order within each stream is fixed
    // (docker's log drivers give the same guarantee).
    assert.deepEqual(text.split('\n').filter(Boolean).sort(), ['done-writing', 'line-err', 'line-out']);
    assert.ok(text.indexOf('line-out') < text.indexOf('done-writing'));

    await killContainer(h.ctx, id, 'SIGKILL');
    assert.deepEqual(await waitContainer(h.ctx, id), { exitCode: 137 });
    assert.deepEqual(await containerState(h.ctx, id), { status: 'exited', exitCode: 137 });

    await deleteContainer(h.ctx, id);
    assert.ok(!existsSync(bundleDir(h.ctx, id)));
    await deleteContainer(h.ctx, id); // a second delete is fine
  });

  it('records the exit code of a container that ends by itself, and follows its log to the end', async () => {
    const id = h.newId();
    await prepareContainer(h.ctx, { id, rootfs: h.rootfs, overrides: sh('for i in 1 2 3; do echo n$i; sleep 0.1; done; exit 7') });
    await runContainer(h.ctx, { id, detach: true });
    let text = '';
    for await (const chunk of containerLogs(h.ctx, id, { follow: true })) text += chunk.toString('utf8');
    assert.equal(text, 'n1\nn2\nn3\n');
    assert.deepEqual(await waitContainer(h.ctx, id), { exitCode: 7 });
    await deleteContainer(h.ctx, id);
  });

  it('pauses and resumes a running container (freezer cgroup)', async () => {
    const id = h.newId();
    await prepareContainer(h.ctx, { id, rootfs: h.rootfs, overrides: sh('exec sleep 300') });
    await runContainer(h.ctx, { id, detach: true });
    await pauseContainer(h.ctx, id);
    assert.equal((await containerState(h.ctx, id)).status, 'paused');
    await resumeContainer(h.ctx, id);
    assert.equal((await containerState(h.ctx, id)).status, 'running');
    await deleteContainer(h.ctx, id, { force: true });
  });

  it('refuses to remove a running container unless forced', async () => {
    const id = h.newId();
    await prepareContainer(h.ctx, { id, rootfs: h.rootfs, overrides: sh('exec sleep 300') });
    await runContainer(h.ctx, { id, detach: true });
    await assert.rejects(deleteContainer(h.ctx, id), /You cannot remove a running container/);
    await deleteContainer(h.ctx, id, { force: true });
    assert.equal((await containerState(h.ctx, id)).status, 'unknown');
  });

  it('reports a container that cannot start with the runtime\'s message', async () => {
    const id = h.newId();
    await prepareContainer(h.ctx, { id, rootfs: h.rootfs, overrides: { args: ['/no/such/binary'] } });
    await assert.rejects(runContainer(h.ctx, { id, detach: true }), /Cannot start container .*no such file or directory/);
    await deleteContainer(h.ctx, id, { force: true });
  });
});
