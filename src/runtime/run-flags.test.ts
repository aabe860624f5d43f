import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseNetworkMode, runOverridesFromFlags } from './run-flags.js';

describe('runOverridesFromFlags', () => {
  const context = { callerEnv: { FROM_CALLER: 'c' }, readText: async (p: string) => (p === 'a.env' ? 'A=file\nFROM_CALLER\n' : Promise.reject(new Error('ENOENT'))) };

  it('reads env files first, then -e, expanding bare names from the caller', async () => {
    const o = await runOverridesFromFlags({ envFile: ['a.env'], env: ['A=flag', 'MISSING', 'FROM_CALLER'] }, ['echo'], context);
    assert.deepEqual(o.env, ['A=file', 'FROM_CALLER=c', 'A=flag', 'FROM_CALLER=c']);
    assert.deepEqual(o.args, ['echo']);
  });

  it('parses docker\'s sizes and numbers', async () => {
    const o = await runOverridesFromFlags({ memory: '32m', memorySwap: '-1', cpus: '0.5', cpuShares: '512', pidsLimit: '20', shmSize: '1g' }, [], context);
    assert.deepEqual(o.resources, { memory: 32 << 20, memorySwap: -1, nanoCpus: 5e8, cpuShares: 512, pidsLimit: 20 });
    assert.equal(o.shmSize, 1 << 30);
    await assert.rejects(runOverridesFromFlags({ pidsLimit: 'lots' }, [], context), /invalid argument "lots" for "--pids-limit" flag/);
  });

  it('says which env file it cannot read', async () => {
    await assert.rejects(runOverridesFromFlags({ envFile: ['nope.env'] }, [], context), /open nope.env: no such file or directory/);
  });

  it('defaults the network to host and refuses bridge with a hint', () => {
    assert.equal(parseNetworkMode(undefined), 'host');
    assert.equal(parseNetworkMode('none'), 'none');
    assert.throws(() => parseNetworkMode('bridge'), /gantry supports only host \(the default\) and none/);
  });
});
