import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { assertJsonSnapshot } from '../../test/helpers/snapshot.js';
import { RLIM_INFINITY } from './rlimits.js';
import {
  applyOpts, defaultSpec, mergeMountOptions, specToJson, withBinds, withEnv, withInit, withMounts, withNetwork,
  withPrivileged, withProcessArgs, withShmSize, withTmpfs, withTty,
} from './spec.js';
import { ALL_CAPABILITIES } from './capabilities.js';

describe('defaultSpec', () => {
  it('matches docker\'s default spec (snapshot)', () => {
    assertJsonSnapshot('src/runtime/testdata/default-spec.json', specToJson(defaultSpec({ rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 }] })));
  });

  it('returns an independent copy each time', () => {
    const a = defaultSpec();
    a.mounts.pop();
    a.process.capabilities!.bounding.push('CAP_SYS_ADMIN');
    const b = defaultSpec();
    assert.equal(b.mounts.length, 7);
    assert.ok(!b.process.capabilities!.bounding.includes('CAP_SYS_ADMIN'));
  });
});

describe('specToJson', () => {
  it('writes RLIM_INFINITY as the exact uint64, which a JSON number cannot hold', () => {
    const spec = defaultSpec({ rlimits: [{ type: 'RLIMIT_CORE', soft: RLIM_INFINITY, hard: RLIM_INFINITY }] });
    const json = specToJson(spec);
    assert.match(json, /"soft": 18446744073709551615,/);
    assert.match(json, /"hard": 18446744073709551615\n/);
  });
});

describe('SpecOpt mutators', () => {
  it('withMounts replaces a mount at the same destination', () => {
    const s = applyOpts(defaultSpec(), withMounts([{ destination: '/dev/shm/', type: 'bind', source: '/x' }]));
    const shm = s.mounts.filter((m) => m.destination === '/dev/shm');
    assert.deepEqual(shm, [{ destination: '/dev/shm', type: 'bind', source: '/x' }]);
  });

  it('withTmpfs starts from nosuid,nodev,noexec and lets options override them', () => {
    const s = applyOpts(defaultSpec(), withTmpfs('/run', ['exec', 'size=1m']));
    assert.deepEqual(s.mounts.at(-1), { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'exec', 'size=1m'] });
  });

  it('mergeMountOptions replaces opposites and same keys', () => {
    assert.deepEqual(mergeMountOptions(['ro', 'size=1k', 'nosuid'], ['rw', 'size=2k']), ['nosuid', 'rw', 'size=2k']);
  });

  it('withShmSize sets the /dev/shm size', () => {
    const s = applyOpts(defaultSpec(), withShmSize(1 << 20));
    assert.ok(s.mounts.find((m) => m.destination === '/dev/shm')!.options!.includes('size=1048576'));
  });

  it('withBinds makes rbind mounts, private by default, ro when asked', () => {
    const s = applyOpts(defaultSpec(), withBinds([{ source: '/h', destination: '/c', readonly: true }, { source: '/h2', destination: '/c2', propagation: 'rshared' }]));
    assert.deepEqual(s.mounts.slice(-2), [
      { destination: '/c', type: 'bind', source: '/h', options: ['rbind', 'rprivate', 'ro'] },
      { destination: '/c2', type: 'bind', source: '/h2', options: ['rbind', 'rshared', 'rw'] },
    ]);
  });

  it('withNetwork host drops the network namespace, none adds it', () => {
    const host = applyOpts(defaultSpec(), withNetwork('host'));
    assert.ok(!host.linux.namespaces.some((n) => n.type === 'network'));
    const none = applyOpts(host, withNetwork('none'));
    assert.equal(none.linux.namespaces.filter((n) => n.type === 'network').length, 1);
  });

  it('withPrivileged gives every available capability and unmasks /proc and /sys', () => {
    const s = applyOpts(defaultSpec(), withPrivileged(ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE')));
    assert.equal(s.process.capabilities!.bounding.length, ALL_CAPABILITIES.length - 1);
    assert.deepEqual(s.linux.maskedPaths, []);
    assert.deepEqual(s.linux.readonlyPaths, []);
    assert.ok(!s.mounts.find((m) => m.destination === '/sys')!.options!.includes('ro'));
    assert.deepEqual(s.linux.resources!.devices, [{ allow: true, access: 'rwm' }]);
  });

  it('withInit runs the init as PID 1 in front of the arguments, mounted read-only on /dev', () => {
    const s = applyOpts(defaultSpec(), withProcessArgs('sh', '-c', 'x'), withInit('/usr/bin/catatonit'));
    assert.deepEqual(s.process.args, ['/dev/init', '--', 'sh', '-c', 'x']);
    assert.deepEqual(s.mounts.at(-1), { destination: '/dev/init', type: 'bind', source: '/usr/bin/catatonit', options: ['bind', 'ro', 'nosuid', 'nodev'] });
  });

  it('withTty sets the console size only with a terminal', () => {
    assert.deepEqual(applyOpts(defaultSpec(), withTty(true, { rows: 24, columns: 80 })).process.consoleSize, { height: 24, width: 80 });
    assert.equal(applyOpts(defaultSpec(), withTty(false, { rows: 24, columns: 80 })).process.consoleSize, undefined);
  });

  it('withEnv replaces variables of the same name', () => {
    assert.deepEqual(applyOpts(defaultSpec(), withEnv(['PATH=/x', 'A=1'])).process.env, ['PATH=/x', 'A=1']);
  });
});
