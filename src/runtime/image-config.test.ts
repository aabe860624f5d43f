import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { assertJsonSnapshot } from '../../test/helpers/snapshot.js';
import { ALL_CAPABILITIES } from './capabilities.js';
import { containerHostname, resolveArgs, resolveCwd, toRuntimeSpec, type ToRuntimeSpecOptions } from './image-config.js';
import { specToJson } from './spec.js';

const HOST: ToRuntimeSpecOptions['host'] = {
  limits: { RLIMIT_NOFILE: { soft: 20000, hard: 20000 } },
  capabilities: ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_RESOURCE'),
  cgroup: { version: 'v1', hybrid: true, swapAccounting: true, cpuCount: 2 },
};
const DB = {
  passwd: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534::/nonexistent:/bin/false\n',
  group: 'root:x:0:\nwheel:x:10:app\napp:x:1000:\naudio:x:29:app,other\nnogroup:x:65534:\n',
};
const ID = '0123456789abcdef0123456789abcdef';

describe('resolveArgs (docker\'s Entrypoint + Cmd rules)', () => {
  const table: [string, { Entrypoint?: string[] | null; Cmd?: string[] | null }, { entrypoint?: string; args?: string[] }, string[] | 'error'][] = [
    ['Cmd only', { Cmd: ['sh'] }, {}, ['sh']],
    ['Entrypoint only', { Entrypoint: ['/init'] }, {}, ['/init']],
    ['Entrypoint + Cmd', { Entrypoint: ['/init', '-v'], Cmd: ['serve'] }, {}, ['/init', '-v', 'serve']],
    ['args replace Cmd', { Entrypoint: ['/init'], Cmd: ['serve'] }, { args: ['check'] }, ['/init', 'check']],
    ['args replace Cmd without Entrypoint', { Cmd: ['sh'] }, { args: ['echo', 'hi'] }, ['echo', 'hi']],
    ['--entrypoint drops the image Cmd', { Entrypoint: ['/init'], Cmd: ['serve'] }, { entrypoint: '/bin/echo' }, ['/bin/echo']],
    ['--entrypoint with args', { Entrypoint: ['/init'], Cmd: ['serve'] }, { entrypoint: '/bin/echo', args: ['a', 'b'] }, ['/bin/echo', 'a', 'b']],
    ['--entrypoint "" clears it and runs the args', { Entrypoint: ['/init'], Cmd: ['serve'] }, { entrypoint: '', args: ['ls'] }, ['ls']],
    ['--entrypoint "" without args leaves nothing', { Entrypoint: ['/init'], Cmd: ['serve'] }, { entrypoint: '' }, 'error'],
    ['null Entrypoint and Cmd', { Entrypoint: null, Cmd: null }, {}, 'error'],
    ['empty args keep the image Cmd', { Cmd: ['sh'] }, { args: [] }, ['sh']],
  ];
  for (const [name, config, overrides, expected] of table) {
    it(name, () => {
      if (expected === 'error') assert.throws(() => resolveArgs(config, overrides), /No command specified/);
      else assert.deepEqual(resolveArgs(config, overrides), expected);
    });
  }
});

describe('resolveCwd', () => {
  it('defaults to /, takes the image WorkingDir, and -w over both', () => {
    assert.equal(resolveCwd(undefined, undefined), '/');
    assert.equal(resolveCwd('/app/', undefined), '/app');
    assert.equal(resolveCwd('app', undefined), '/app');
    assert.equal(resolveCwd('/app', '/srv//x'), '/srv/x');
  });
  it('refuses a relative -w like docker', () => {
    assert.throws(() => resolveCwd(undefined, 'rel'), /the working directory 'rel' is invalid, it needs to be an absolute path/);
  });
});

describe('containerHostname', () => {
  it('uses --hostname, else the host\'s with host networking, else 12 characters of the ID', () => {
    assert.equal(containerHostname(ID, { hostname: 'web' }, 'h'), 'web');
    assert.equal(containerHostname(ID, {}, 'myhost'), 'myhost');
    assert.equal(containerHostname(ID, { network: 'none' }, 'myhost'), '0123456789ab');
    assert.throws(() => containerHostname(ID, { hostname: 'bad_name!' }), /invalid hostname format/);
  });
});

describe('toRuntimeSpec', () => {
  const image = {
    config: {
      Entrypoint: ['/docker-entrypoint.sh'],
      Cmd: ['nginx', '-g', 'daemon off;'],
      Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'NGINX_VERSION=1.25', 'MODE=image'],
      WorkingDir: '/usr/share/nginx',
      User: 'app',
    },
  };

  it('turns an image config and run options into the spec (snapshot)', () => {
    const { spec, warnings } = toRuntimeSpec(image, {
      id: ID,
      rootfs: '/var/lib/gantry/snapshots/7/fs',
      userDb: DB,
      host: HOST,
      hostHostname: 'buildhost',
      etcFiles: { hosts: '/b/hosts', resolvConf: '/b/resolv.conf', hostname: '/b/hostname' },
      overrides: {
        env: ['MODE=user', 'EXTRA=1'],
        tty: true,
        consoleSize: { rows: 24, columns: 80 },
        network: 'none',
        readOnly: true,
        capAdd: ['net_admin'],
        capDrop: ['CAP_MKNOD'],
        securityOpt: ['no-new-privileges'],
        tmpfs: ['/run:size=64m'],
        volumes: ['/srv/data:/data:ro'],
        ulimits: ['nproc=512:1024'],
        shmSize: 128 << 20,
        resources: { memory: 256 << 20, nanoCpus: 1.5e9, pidsLimit: 100 },
        initPath: '/usr/bin/catatonit',
      },
    });
    assert.deepEqual(warnings, []);
    assertJsonSnapshot('src/runtime/testdata/nginx-run-spec.json', specToJson(spec));
  });

  it('builds the environment in docker\'s order: PATH, HOSTNAME, TERM, user values, image-only values', () => {
    const { spec } = toRuntimeSpec(image, { id: ID, rootfs: '/r', userDb: DB, host: HOST, overrides: { env: ['MODE=user'], tty: true, network: 'none' } });
    assert.deepEqual(spec.process.env, ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOSTNAME=0123456789ab', 'TERM=xterm', 'MODE=user', 'NGINX_VERSION=1.25']);
  });

  it('adds the default PATH when the image has none, and no TERM without a TTY', () => {
    const { spec } = toRuntimeSpec({ config: { Cmd: ['sh'] } }, { id: ID, rootfs: '/r', host: HOST, hostHostname: 'h' });
    assert.deepEqual(spec.process.env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=h']);
  });

  it('resolves the image User from the root filesystem, with supplementary groups', () => {
    const { spec } = toRuntimeSpec(image, { id: ID, rootfs: '/r', userDb: DB, host: HOST });
    assert.deepEqual(spec.process.user, { uid: 1000, gid: 1000, additionalGids: [1000, 10, 29] });
  });

  it('refuses a capability this process does not hold', () => {
    assert.throws(() => toRuntimeSpec(image, { id: ID, rootfs: '/r', userDb: DB, host: HOST, overrides: { capAdd: ['SYS_RESOURCE'] } }), /Cannot add capability "CAP_SYS_RESOURCE"/);
  });

  it('refuses a ulimit above the hard limit', () => {
    assert.throws(
      () => toRuntimeSpec(image, { id: ID, rootfs: '/r', userDb: DB, host: HOST, overrides: { ulimits: ['nofile=30000'] } }),
      /Cannot set ulimit nofile=30000:30000: the hard limit of this process is 20000/,
    );
  });

  it('--privileged gives the capabilities this process holds', () => {
    const { spec } = toRuntimeSpec(image, { id: ID, rootfs: '/r', userDb: DB, host: HOST, overrides: { privileged: true } });
    assert.deepEqual(spec.process.capabilities!.bounding, HOST.capabilities);
  });

  it('names the cgroup /gantry/<id>, or under --cgroup-parent', () => {
    assert.equal(toRuntimeSpec(image, { id: ID, rootfs: '/r', userDb: DB, host: HOST }).spec.linux.cgroupsPath, `/gantry/${ID}`);
    assert.equal(toRuntimeSpec(image, { id: ID, rootfs: '/r', userDb: DB, host: HOST, overrides: { cgroupParent: 'ci/jobs' } }).spec.linux.cgroupsPath, `/ci/jobs/${ID}`);
  });
});
