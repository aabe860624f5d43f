import { strict as assert } from 'node:assert';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir } from '../../test/helpers/paths.js';
import { splitDev } from './devices.js';
import { checkCommand } from './executable.js';
import { resolveInRoot } from './rootfs-path.js';
import { applyOpts, defaultSpec, withBinds, withEnv, withProcessArgs } from './spec.js';

describe('resolveInRoot', () => {
  it('keeps absolute and ../ symlinks inside the root, and stops loops', async (t) => {
    const root = tempDir(t);
    mkdirSync(join(root, 'usr', 'lib'), { recursive: true });
    symlinkSync('usr/lib', join(root, 'lib'));
    symlinkSync('/../../../etc', join(root, 'escape'));
    symlinkSync('loop2', join(root, 'loop1'));
    symlinkSync('loop1', join(root, 'loop2'));
    assert.equal(await resolveInRoot(root, '/lib/x.so'), join(root, 'usr', 'lib', 'x.so'));
    assert.equal(await resolveInRoot(root, '/escape/passwd'), join(root, 'etc', 'passwd'));
    assert.equal(await resolveInRoot(root, '/../../etc/shadow'), join(root, 'etc', 'shadow'));
    await assert.rejects(resolveInRoot(root, '/loop1/x'), /too many symbolic links/);
  });

  it('clamps .. at the root below a component that does not exist', async (t) => {
    const root = tempDir(t);
    assert.equal(await resolveInRoot(root, '/missing/../../../etc/passwd'), join(root, 'etc', 'passwd'));
  });
});

describe('checkCommand', () => {
  it('finds commands by PATH or path inside the root, with docker\'s 127 and 126', async (t) => {
    const root = tempDir(t);
    mkdirSync(join(root, 'bin'));
    writeFileSync(join(root, 'bin', 'tool'), '#!/bin/sh\n');
    chmodSync(join(root, 'bin', 'tool'), 0o755);
    writeFileSync(join(root, 'bin', 'data'), 'x');
    const spec = (...args: string[]) => applyOpts(defaultSpec(), withProcessArgs(...args), withEnv(['PATH=/usr/bin:/bin']));
    await checkCommand(root, spec('tool'));
    await checkCommand(root, spec('/bin/tool'));
    await assert.rejects(checkCommand(root, spec('nope')), (e: Error & { exitCode?: number }) => e.exitCode === 127 && /executable file not found in \$PATH/.test(e.message));
    await assert.rejects(checkCommand(root, spec('/bin/nope')), (e: Error & { exitCode?: number }) => e.exitCode === 127);
    await assert.rejects(checkCommand(root, spec('/bin/data')), (e: Error & { exitCode?: number }) => e.exitCode === 126);
    await assert.rejects(checkCommand(root, spec('/bin')), (e: Error & { exitCode?: number }) => e.exitCode === 126);
    // A command under a bind mount comes from the host; it is not looked for in the root.
    await checkCommand(root, applyOpts(spec('/opt/tools/run'), withBinds([{ source: '/usr/bin', destination: '/opt/tools' }])));
  });
});

describe('splitDev', () => {
  it('splits dev_t like glibc', () => {
    assert.deepEqual(splitDev(0x0103), { major: 1, minor: 3 });
    assert.deepEqual(splitDev(0x8801), { major: 136, minor: 1 });
    assert.deepEqual(splitDev(0x100103), { major: 1, minor: 259 });
  });
});
