/**
 * `gantry build` flags seen from inside the build: --platform (and FROM --platform, the platform
 * args), --shm-size/--ulimit/--add-host from a RUN, --no-cache-filter per stage, and docker's
 * errors for a Dockerfile without a stage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { buildablePlatforms } from '../../src/build/index.js';
import { runGantry } from '../helpers/cli.js';
import { buildSkipReason, cliBuildEnv } from './harness.js';

const skip = buildSkipReason();



/** Plain progress → each step's name and whether it was CACHED (`#N name` … `#N CACHED`). */
function stepStates(plain: string): Map<string, 'cached' | 'ran'> {
  const names = new Map<string, string>();
  const states = new Map<string, 'cached' | 'ran'>();
  for (const line of plain.split('\n')) {
    const m = /^#(\d+) (\[.*)$/.exec(line);
    if (m !== null) names.set(m[1]!, m[2]!);
    const c = /^#(\d+) (CACHED|DONE)/.exec(line);
    const name = c === null ? undefined : names.get(c[1]!);
    if (c !== null && name !== undefined) states.set(name, c[2] === 'CACHED' ? 'cached' : 'ran');
  }
  return states;
}

test('--platform takes this machine\'s platform as BuildKit normalizes it, sets the platform args, and refuses others in one line', { skip }, async (t) => {
  const { ctx, gantry } = await cliBuildEnv(t, 'gantry-build-flags-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nARG TARGETPLATFORM\nARG TARGETARCH\nARG TARGETVARIANT\nARG BUILDPLATFORM\nRUN echo "T=$TARGETPLATFORM A=$TARGETARCH V=$TARGETVARIANT B=$BUILDPLATFORM"\n');
  for (const p of ['linux/amd64', 'linux/amd64/v1', 'amd64', 'x86_64']) {
    const r = gantry(['build', '--progress', 'plain', '--no-cache', '--platform', p, '-t', 'p:1', ctx]);
    assert.equal(r.status, 0, `${p}: ${r.stderr}`);
    assert.match(r.stderr, / T=linux\/amd64 A=amd64 V= B=linux\/amd64\n/, p);
  }
  assert.equal(gantry(['image', 'inspect', '-f', '{{.Os}}/{{.Architecture}}', 'p:1']).stdout, 'linux/amd64\n');
  // A microarchitecture level this CPU has (v2 on every x86-64 of the last decade) is built natively, as BuildKit does.
  const v2 = buildablePlatforms().find((p) => p.variant === 'v2');
  if (v2 !== undefined) {
    const r = gantry(['build', '--progress', 'plain', '--platform', 'linux/amd64/v2', '-t', 'p:2', ctx]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, / T=linux\/amd64\/v2 A=amd64 V=v2 B=linux\/amd64\n/);
    const config = JSON.parse(gantry(['image', 'inspect', 'p:2']).stdout) as [{ Architecture: string; Variant?: string }];
    assert.equal(config[0].Architecture, 'amd64');
    assert.equal(config[0].Variant, 'v2');
  }
  for (const p of ['linux/arm64', 'linux/amd64/v9', 'windows/amd64']) {
    const r = gantry(['build', '--platform', p, ctx]);
    assert.equal(r.status, 1, p);
    assert.equal(r.stderr.split('\n').filter((l) => l !== '').length, 1, r.stderr);
    assert.match(r.stderr, new RegExp(`^Error: Cannot build for platform "${p}": this machine builds only linux/amd64.* \\(no emulation is set up\\)\\n$`));
  }
  const bad = gantry(['build', '--platform', 'linux/amd64,linux/arm64', ctx]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^Error: Cannot build for platform "linux\/arm64"/);
});

test('FROM --platform: $BUILDPLATFORM and the host\'s platform build; another platform fails at its FROM line', { skip }, async (t) => {
  const { ctx, gantry } = await cliBuildEnv(t, 'gantry-build-flags-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM --platform=$BUILDPLATFORM busybox AS tools\nRUN echo tools > /t\nFROM --platform=linux/amd64 busybox\nCOPY --from=tools /t /t\nRUN cat /t\n');
  const ok = gantry(['build', '--progress', 'plain', ctx]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stderr, /\n#\d+ [0-9.]+ tools\n/);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN true\nFROM --platform=linux/arm64 busybox\nRUN echo never\n');
  const r = gantry(['build', '--progress', 'plain', ctx]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Dockerfile:3\n/);
  assert.match(r.stderr, /   3 \| >>> FROM --platform=linux\/arm64 busybox\n/);
  assert.match(r.stderr, /Error: failed to solve: Cannot build for platform "linux\/arm64"/);
  assert.doesNotMatch(r.stderr, /#\d+ [0-9.]+ never/);
});

test('--shm-size, --ulimit and --add-host are seen from inside a RUN', { skip }, async (t) => {
  const { ctx, gantry } = await cliBuildEnv(t, 'gantry-build-flags-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN df -k /dev/shm | tail -n 1; echo "nofile=$(ulimit -n)"; grep myhost /etc/hosts\n');
  const r = gantry(['build', '--progress', 'plain', '--shm-size', '96m', '--ulimit', 'nofile=1024:2048', '--add-host', 'myhost:10.1.2.3', ctx]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /shm\s+98304\s/);
  assert.match(r.stderr, / nofile=1024\n/);
  assert.match(r.stderr, / 10\.1\.2\.3\tmyhost\n/);
  // Without the flags: docker's 64 MiB /dev/shm, and no such host (grep fails the RUN).
  const plain = gantry(['build', '--progress', 'plain', '--no-cache', ctx]);
  assert.equal(plain.status, 1);
  assert.match(plain.stderr, /shm\s+65536\s/);
});

test('--no-cache-filter STAGE reruns only that stage\'s steps; the other stage stays CACHED', { skip }, async (t) => {
  const { ctx, gantry } = await cliBuildEnv(t, 'gantry-build-flags-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox AS deps\nRUN echo deps > /d\nRUN echo more >> /d\nFROM busybox\nRUN echo app > /a\nCOPY --from=deps /d /d\nRUN cat /d /a\n');
  const first = gantry(['build', '--progress', 'plain', ctx]);
  assert.equal(first.status, 0, first.stderr);
  const r = gantry(['build', '--progress', 'plain', '--no-cache-filter', 'deps', ctx]);
  assert.equal(r.status, 0, r.stderr);
  const states = stepStates(r.stderr);
  assert.equal(states.get('[deps 2/3] RUN echo deps > /d'), 'ran');
  assert.equal(states.get('[deps 3/3] RUN echo more >> /d'), 'ran');
  assert.equal(states.get('[stage-1 2/4] RUN echo app > /a'), 'cached');
  // The rebuilt stage gave the same file, so what copies it stays cached too (content keys, as BuildKit).
  assert.equal(states.get('[stage-1 3/4] COPY --from=deps /d /d'), 'cached');
  // The final stage by its default name: its own steps rerun, deps' stay cached.
  const r2 = gantry(['build', '--progress', 'plain', '--no-cache-filter', 'stage-1', ctx]);
  assert.equal(r2.status, 0, r2.stderr);
  const s2 = stepStates(r2.stderr);
  assert.equal(s2.get('[deps 2/3] RUN echo deps > /d'), 'cached');
  assert.equal(s2.get('[stage-1 2/4] RUN echo app > /a'), 'ran');
});

test('a Dockerfile without FROM, or with an instruction before FROM other than ARG, fails with docker\'s error naming the line', { skip }, async (t) => {
  const { ctx, gantry } = await cliBuildEnv(t, 'gantry-build-flags-');
  const cases: Array<[string, RegExp]> = [
    ['ARG V=1\nRUN echo hi\nFROM busybox\n', /^Dockerfile:2\n-{20}\n   1 \|     ARG V=1\n   2 \| >>> RUN echo hi\n   3 \|     FROM busybox\n-{20}\nError: Dockerfile:2: no build stage in current context\n$/],
    ['# comment\nENV A=b\n', /\n   2 \| >>> ENV A=b\n-{20}\nError: Dockerfile:2: no build stage in current context\n$/],
    ['ARG V=1\n', /^Error: Dockerfile: dockerfile contains no stages to build\n$/],
    ['# only a comment\n', /\nError: Dockerfile:\d: file with no instructions\n$/],
  ];
  for (const [text, want] of cases) {
    writeFileSync(join(ctx, 'Dockerfile'), text);
    const r = gantry(['build', ctx]);
    assert.equal(r.status, 1, text);
    assert.match(r.stderr, want, text);
  }
});

test('a cache mount a running build has mounted survives builder prune and system prune, and goes once the build ends', { skip }, async (t) => {
  const { root, ctx, gantry } = await cliBuildEnv(t, 'gantry-build-cachelock-');
  // The RUN fills its cache mount, then waits for the test's go-ahead (a file dropped into the mount).
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN --mount=type=cache,target=/cache echo kept > /cache/f && while [ ! -e /cache/go ]; do sleep 0.1; done && cat /cache/f\n');
  const build = runGantry(['--root', root, 'build', '--progress', 'plain', ctx], {});
  const mountsDir = join(root, 'cache-mounts');
  const filled = async (): Promise<string> => {
    for (let i = 0; i < 600; i++) {
      const dirs = existsSync(mountsDir) ? readdirSync(mountsDir) : [];
      if (dirs.length === 1 && existsSync(join(mountsDir, dirs[0]!, 'f'))) return join(mountsDir, dirs[0]!);
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the RUN never filled its cache mount');
  };
  const mount = await filled();
  const df = gantry(['system', 'df']);
  assert.match(df.stdout, /^Build Cache\s+1\s+1\s/m, 'the mount counts as active');
  for (const prune of [['builder', 'prune', '-af'], ['system', 'prune', '-af']]) {
    const p = gantry(prune);
    assert.equal(p.status, 0, p.stderr);
    assert.doesNotMatch(p.stdout, new RegExp(basename(mount)), `${prune.join(' ')} lists the mount in use`);
    assert.equal(readFileSync(join(mount, 'f'), 'utf8'), 'kept\n', `${prune.join(' ')} took the mount in use`);
  }
  writeFileSync(join(mount, 'go'), '');
  const b = await build;
  assert.equal(b.status, 0, b.stderr);
  assert.match(b.stderr, /^#\d+ [0-9.]+ kept$/m);
  const p = gantry(['builder', 'prune', '-f']);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, new RegExp(`^${basename(mount)}$`, 'm'));
  assert.equal(existsSync(mount), false);
});

test('RUN --mount=type=cache storage counts in system df\'s Build Cache and goes with builder prune (no -a needed, as BuildKit; type!= keeps it)', { skip }, async (t) => {
  const { root, ctx, gantry } = await cliBuildEnv(t, 'gantry-build-flags-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN --mount=type=cache,target=/cache dd if=/dev/zero of=/cache/blob bs=1024 count=3072 2>/dev/null && echo filled\n');
  const b = gantry(['build', '--progress', 'plain', ctx]);
  assert.equal(b.status, 0, b.stderr);
  const mountsDir = join(root, 'cache-mounts');
  assert.equal(readdirSync(mountsDir).length, 1);
  const cacheRow = (): { total: number; size: string } => {
    const df = gantry(['system', 'df']);
    assert.equal(df.status, 0, df.stderr);
    const m = /^Build Cache\s+(\d+)\s+\d+\s+(\S+)\s/m.exec(df.stdout);
    assert.ok(m !== null, df.stdout);
    return { total: Number(m[1]), size: m[2]! };
  };
  const withMount = cacheRow();
  // One step record plus the cache mount, whose 3 MiB dominate the size.
  assert.equal(withMount.total, 2);
  assert.match(withMount.size, /^3\.[0-9]+MB$/);
  const verbose = gantry(['system', 'df', '-v']).stdout;
  assert.match(verbose, /\bexec\.cachemount\s+3\.[0-9]+MB\s/);
  // docker's filter to keep cache mounts: the step's record goes, the mount stays.
  const keepMounts = gantry(['builder', 'prune', '-f', '--filter', 'type!=exec.cachemount']);
  assert.equal(keepMounts.status, 0, keepMounts.stderr);
  assert.equal(readdirSync(mountsDir).length, 1);
  assert.equal(cacheRow().total, 1);
  const p = gantry(['builder', 'prune', '-f']);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /Deleted build cache objects:\n(?:.*\n)*[0-9a-f]{32}\n/);
  assert.match(p.stdout, /Total reclaimed space: 3\.[0-9]+MB\n/);
  assert.deepEqual(existsSync(mountsDir) ? readdirSync(mountsDir) : [], []);
  assert.equal(cacheRow().total, 0);
  // The next build starts with an empty cache mount (the RUN is not cached, its mount was pruned with it).
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN --mount=type=cache,target=/cache ls /cache | wc -l\n');
  const again = gantry(['build', '--progress', 'plain', ctx]);
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stderr, /#\d+ [0-9.]+ 0\n/);
  assert.equal(readdirSync(mountsDir).length, 1);
  // system prune takes unused cache mounts too (docker's "all dangling build cache").
  const sp = gantry(['system', 'prune', '-f']);
  assert.equal(sp.status, 0, sp.stderr);
  assert.deepEqual(readdirSync(mountsDir), []);
});
