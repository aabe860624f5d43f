import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { ALL_CAPABILITIES, capabilitiesFromMask, DEFAULT_CAPABILITIES, normalizeCapability, tweakCapabilities } from './capabilities.js';
import { toLinuxResources, cgroupsPathFor, type CgroupHost } from './cgroups.js';
import { buildEnv, expandEnvArg, parseEnvFile } from './env.js';
import { hostsFile, resolvConfFile } from './etc-files.js';
import { parseAddHost, parseSecurityOpts, parseTmpfs, parseVolume } from './flags.js';
import { applyUlimits, defaultRlimits, parseProcLimits, parseUlimit, RLIM_INFINITY } from './rlimits.js';
import { runtimeMessage, normalizeSignal, signalNumber } from './runc.js';
import { parseBytes, parseBytesOrUnlimited, parseCpus } from './units.js';

describe('units (docker\'s RAMInBytes and ParseCPUs)', () => {
  it('parses sizes with binary multipliers', () => {
    assert.equal(parseBytes('32m'), 32 * 1024 * 1024);
    assert.equal(parseBytes('1g'), 1024 ** 3);
    assert.equal(parseBytes('1.5GiB'), 1.5 * 1024 ** 3);
    assert.equal(parseBytes('512'), 512);
    assert.equal(parseBytes('64kb'), 65536);
    assert.equal(parseBytes('2 M'), 2 * 1024 * 1024);
    assert.equal(parseBytesOrUnlimited('-1'), -1);
  });
  it('refuses what docker refuses', () => {
    for (const bad of ['', 'm', '-5m', '1x', '1.2.3g', 'lots']) assert.throws(() => parseBytes(bad), /invalid size/, bad);
  });
  it('parses --cpus to nano-CPUs', () => {
    assert.equal(parseCpus('0.5'), 500_000_000);
    assert.equal(parseCpus('2'), 2_000_000_000);
    assert.equal(parseCpus('.25'), 250_000_000);
    assert.throws(() => parseCpus('half'), /failed to parse half as a rational number/);
  });
});

describe('capabilities (docker\'s TweakCapabilities)', () => {
  it('normalizes names with and without CAP_', () => {
    assert.equal(normalizeCapability('chown'), 'CAP_CHOWN');
    assert.equal(normalizeCapability('CAP_NET_ADMIN'), 'CAP_NET_ADMIN');
    assert.equal(normalizeCapability('all'), 'ALL');
  });
  it('drops, then adds', () => {
    const caps = tweakCapabilities(DEFAULT_CAPABILITIES, { add: ['net_admin'], drop: ['CHOWN', 'cap_kill'] });
    assert.ok(caps.includes('CAP_NET_ADMIN'));
    assert.ok(!caps.includes('CAP_CHOWN') && !caps.includes('CAP_KILL'));
    assert.equal(caps.length, DEFAULT_CAPABILITIES.length - 1);
  });
  it('--cap-drop ALL keeps only the added ones; --cap-add ALL all but the dropped', () => {
    assert.deepEqual(tweakCapabilities(DEFAULT_CAPABILITIES, { drop: ['ALL'], add: ['chown'] }), ['CAP_CHOWN']);
    const all = tweakCapabilities(DEFAULT_CAPABILITIES, { add: ['ALL'], drop: ['sys_admin'] });
    assert.equal(all.length, ALL_CAPABILITIES.length - 1);
  });
  it('refuses unknown capabilities and ones this process lacks', () => {
    assert.throws(() => tweakCapabilities(DEFAULT_CAPABILITIES, { add: ['FLY'] }), /unknown capability: "CAP_FLY"/);
    assert.throws(() => tweakCapabilities(DEFAULT_CAPABILITIES, { add: ['SYS_RESOURCE'] }, DEFAULT_CAPABILITIES), /Cannot add capability "CAP_SYS_RESOURCE"/);
    assert.equal(tweakCapabilities([], { privileged: true }, ['CAP_CHOWN', 'CAP_KILL']).length, 2);
  });
  it('reads a CapBnd mask', () => {
    assert.deepEqual(capabilitiesFromMask('0000000020000420'), ['CAP_KILL', 'CAP_NET_BIND_SERVICE', 'CAP_AUDIT_WRITE']);
    assert.ok(!capabilitiesFromMask('000001fffeffffff').includes('CAP_SYS_RESOURCE'));
  });
});

describe('cgroup resources (docker\'s validation)', () => {
  const host: CgroupHost = { version: 'v1', swapAccounting: true, cpuCount: 2 };
  it('maps --memory (swap = 2 × memory by default), --memory-swap, --cpus, --cpu-shares, --pids-limit', () => {
    assert.deepEqual(toLinuxResources({ memory: 32 << 20, nanoCpus: 0.5e9, cpuShares: 512, pidsLimit: 20 }, host), {
      memory: { limit: 32 << 20, swap: 64 << 20 },
      cpu: { period: 100000, quota: 50000, shares: 512 },
      pids: { limit: 20 },
    });
    assert.deepEqual(toLinuxResources({ memory: 32 << 20, memorySwap: -1 }, host), { memory: { limit: 32 << 20, swap: -1 } });
    assert.deepEqual(toLinuxResources({ pidsLimit: -1 }, host), {});
  });
  it('leaves swap alone, with a warning, where it cannot be limited', () => {
    const warnings: string[] = [];
    assert.deepEqual(toLinuxResources({ memory: 32 << 20, memorySwap: 64 << 20 }, { ...host, swapAccounting: false }, warnings), { memory: { limit: 32 << 20 } });
    assert.equal(warnings.length, 1);
  });
  it('refuses what docker refuses', () => {
    assert.throws(() => toLinuxResources({ memory: 1 << 20 }, host), /Minimum memory limit allowed is 6MB/);
    assert.throws(() => toLinuxResources({ memory: 64 << 20, memorySwap: 32 << 20 }, host), /Minimum memoryswap limit should be larger than memory limit/);
    assert.throws(() => toLinuxResources({ memorySwap: 64 << 20 }, host), /You should always set the Memory limit when using Memoryswap limit/);
    assert.throws(() => toLinuxResources({ nanoCpus: 3e9 }, host), /Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available/);
  });
  it('names cgroups /gantry/<id>', () => {
    assert.equal(cgroupsPathFor('abc'), '/gantry/abc');
    assert.equal(cgroupsPathFor('abc', 'ci/'), '/ci/abc');
  });
});

describe('environment (docker\'s rules)', () => {
  const caller = { HOME: '/home/me', EMPTY: '' };
  it('-e NAME takes the caller\'s value or is dropped', () => {
    assert.equal(expandEnvArg('HOME', caller), 'HOME=/home/me');
    assert.equal(expandEnvArg('EMPTY', caller), 'EMPTY=');
    assert.equal(expandEnvArg('UNSET', caller), undefined);
    assert.equal(expandEnvArg('A=b=c', caller), 'A=b=c');
    assert.throws(() => expandEnvArg('=x', caller), /invalid environment variable/);
  });
  it('--env-file: comments and blanks skipped, values literal, bare names from the caller', () => {
    const text = '# comment\n\nA=1\n  B="quoted stays"\nHOME\nUNSET\nC=a b  \r\n';
    assert.deepEqual(parseEnvFile(text, caller), ['A=1', 'B="quoted stays"', 'HOME=/home/me', 'C=a b  ']);
    assert.throws(() => parseEnvFile('BAD NAME=1\n', caller), /variable 'BAD NAME' contains whitespaces/);
  });
  it('user values override image values, later -e wins', () => {
    assert.deepEqual(buildEnv({ imageEnv: ['A=img', 'B=img'], userEnv: ['A=1', 'A=2'], hostname: 'h', tty: false }), [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=h', 'A=2', 'B=img',
    ]);
  });
  it('an image or user TERM/HOSTNAME replaces the default in place', () => {
    assert.deepEqual(buildEnv({ imageEnv: ['TERM=dumb'], userEnv: ['HOSTNAME=x'], hostname: 'h', tty: true }).slice(0, 3), [
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=x', 'TERM=dumb',
    ]);
  });
});

describe('flag parsers', () => {
  it('-v binds with modes and propagation', () => {
    assert.deepEqual(parseVolume('/h:/c'), { source: '/h', destination: '/c' });
    assert.deepEqual(parseVolume('/h:/c:ro,rshared,z'), { source: '/h', destination: '/c', readonly: true, propagation: 'rshared' });
    assert.throws(() => parseVolume('vol:/c'), /named volume "vol"/);
    assert.throws(() => parseVolume('/data'), /anonymous volume/);
    assert.throws(() => parseVolume('/h:c'), /mount path must be absolute/);
    assert.throws(() => parseVolume('/h:/c:rx'), /invalid mode: rx/);
    assert.throws(() => parseVolume('/h:/'), /destination can't be '\/'/);
  });
  it('--tmpfs path and options', () => {
    assert.deepEqual(parseTmpfs('/run'), { destination: '/run', options: [] });
    assert.deepEqual(parseTmpfs('/run:rw,size=64m'), { destination: '/run', options: ['rw', 'size=64m'] });
    assert.throws(() => parseTmpfs('run'), /must be absolute/);
  });
  it('--security-opt', () => {
    assert.deepEqual(parseSecurityOpts(['no-new-privileges']), { noNewPrivileges: true });
    assert.deepEqual(parseSecurityOpts(['no-new-privileges:false']), { noNewPrivileges: false });
    assert.deepEqual(parseSecurityOpts(['no-new-privileges=true', 'seccomp=unconfined', 'systempaths=unconfined']), { noNewPrivileges: true, unconfinedPaths: true });
    assert.throws(() => parseSecurityOpts(['seccomp=/p.json']), /not supported by gantry/);
  });
  it('--add-host', () => {
    assert.deepEqual(parseAddHost('db:10.0.0.2'), { host: 'db', ip: '10.0.0.2' });
    assert.deepEqual(parseAddHost('v6=[::1]'), { host: 'v6', ip: '::1' });
    assert.throws(() => parseAddHost('nohost'), /bad format for add-host/);
    assert.throws(() => parseAddHost('x:host-gateway'), /no bridge network/);
  });
});

describe('rlimits', () => {
  const limits = parseProcLimits([
    'Limit                     Soft Limit           Hard Limit           Units',
    'Max stack size            8388608              unlimited            bytes',
    'Max processes             96364                96364                processes',
    'Max open files            20000                20000                files',
  ].join('\n'));
  it('reads /proc/self/limits', () => {
    assert.deepEqual(limits['RLIMIT_STACK'], { soft: 8388608, hard: RLIM_INFINITY });
    assert.deepEqual(limits['RLIMIT_NOFILE'], { soft: 20000, hard: 20000 });
  });
  it('defaults nofile to 1048576 clamped to the hard limit', () => {
    assert.deepEqual(defaultRlimits(limits), [{ type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 }]);
    assert.deepEqual(defaultRlimits({ RLIMIT_NOFILE: { soft: 1, hard: RLIM_INFINITY } }), [{ type: 'RLIMIT_NOFILE', soft: 1048576, hard: 1048576 }]);
  });
  it('parses --ulimit like docker', () => {
    assert.deepEqual(parseUlimit('nofile=1024'), { name: 'nofile', soft: 1024, hard: 1024 });
    assert.deepEqual(parseUlimit('core=-1'), { name: 'core', soft: RLIM_INFINITY, hard: RLIM_INFINITY });
    assert.throws(() => parseUlimit('nofile=2:1'), /soft limit must be less than or equal to hard limit/);
    assert.throws(() => parseUlimit('bogus=1'), /invalid ulimit type: bogus/);
    assert.throws(() => parseUlimit('nofile'), /invalid ulimit argument/);
  });
  it('applies --ulimit within the hard limits and refuses beyond', () => {
    assert.deepEqual(applyUlimits(defaultRlimits(limits), [parseUlimit('nofile=100:200'), parseUlimit('stack=-1')], limits), [
      { type: 'RLIMIT_NOFILE', soft: 100, hard: 200 },
      { type: 'RLIMIT_STACK', soft: RLIM_INFINITY, hard: RLIM_INFINITY },
    ]);
    assert.throws(() => applyUlimits([], [parseUlimit('nproc=100000')], limits), /Cannot set ulimit nproc=100000:100000: the hard limit of this process is 96364/);
  });
});

describe('/etc files', () => {
  it('a loopback hosts file with --add-host entries; the host\'s with host networking', () => {
    const own = hostsFile({ hostname: 'h', network: 'none', addHosts: ['db:10.0.0.2'] });
    assert.match(own, /^127\.0\.0\.1\tlocalhost\n/);
    assert.match(own, /\n10\.0\.0\.2\tdb\n$/);
    assert.equal(hostsFile({ hostname: 'h', network: 'host', hostHosts: '1.2.3.4 me', addHosts: ['x:5.6.7.8'] }), '1.2.3.4 me\n5.6.7.8\tx\n');
  });
  it('resolv.conf: the host\'s with host networking; without loopback servers otherwise', () => {
    const conf = 'search corp\nnameserver 127.0.0.53\noptions edns0\n';
    assert.equal(resolvConfFile({ hostname: 'h', network: 'host', hostResolvConf: conf }), conf);
    assert.equal(resolvConfFile({ hostname: 'h', network: 'none', hostResolvConf: conf }), 'search corp\noptions edns0\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n');
  });
});

describe('runtime messages and signals', () => {
  it('takes the message out of runc\'s logfmt, or crun\'s last line', () => {
    assert.equal(runtimeMessage('time="x" level=warning msg="w"\ntime="x" level=error msg="container \\"a\\" does not exist"\n'), 'container "a" does not exist');
    assert.equal(runtimeMessage('cgroups in hybrid mode not supported\n'), 'cgroups in hybrid mode not supported');
  });
  it('maps signal names and numbers', () => {
    assert.equal(signalNumber('SIGKILL'), 9);
    assert.equal(signalNumber('term'), 15);
    assert.equal(normalizeSignal('hup'), 'SIGHUP');
    assert.equal(normalizeSignal('9'), '9');
    assert.throws(() => normalizeSignal('SIGNOPE'), /Invalid signal: SIGNOPE/);
  });
});
