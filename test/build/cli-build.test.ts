/**
 * `gantry build` end to end through the CLI: the failure box and a store left as before, secrets
 * nowhere but their RUN, checks printed after the build, reproducible digests, --iidfile/-q.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkStore, isMountedUnder, openStore } from '../../src/store/index.js';
import { openSnapshotter } from '../../src/snapshot/index.js';
import { gantryBin } from '../helpers/paths.js';
import { buildSkipReason, cliBuildEnv } from './harness.js';

const skip = buildSkipReason();



/** Every file under `dir` whose bytes contain `needle`. */
function grepTree(dir: string, needle: Buffer): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p, { throwIfNoEntry: false });
      if (st === undefined) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && readFileSync(p).includes(needle)) hits.push(p);
    }
  };
  walk(dir);
  return hits;
}

test('a failing RUN shows the instruction, its line, the exit code and its last output, and leaves the store as before', { skip }, async (t) => {
  const { root, ctx, gantry } = await cliBuildEnv(t, 'gantry-cli-build-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo kept > /k\nRUN echo out-1 && echo out-2 >&2 && exit 7\nCMD ["x"]\n');
  const r = gantry(['build', '--progress', 'plain', '-t', 'bad:1', ctx]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, / > \[3\/3\] RUN echo out-1 && echo out-2 >&2 && exit 7:/);
  // stdout and stderr reach us through two pipes: their relative order is not fixed.
  assert.match(r.stderr, /^(?:#\d+ [0-9.]+ )?out-1$/m);
  assert.match(r.stderr, /^(?:#\d+ [0-9.]+ )?out-2$/m);
  assert.match(r.stderr, /Dockerfile:3\n/);
  assert.match(r.stderr, /   3 \| >>> RUN echo out-1/);
  assert.match(r.stderr, /exit code: 7/);
  const store = openStore({ root });
  try {
    assert.deepEqual(store.images.list().map((i) => i.repoTags).flat().sort(), ['docker.io/library/busybox:latest']);
    assert.equal(isMountedUnder(root), false);
    const snaps = openSnapshotter(store).list().filter((s) => s.kind !== 'committed');
    assert.deepEqual(snaps, []);
    const report = await checkStore(store);
    assert.deepEqual(report.problems, []);
  } finally {
    store.close();
  }
  const check = gantry(['system', 'check']);
  assert.equal(check.status, 0, check.stdout + check.stderr);
});

test('a --secret value is in the one RUN that mounts it and nowhere else: layers, config, history, cache, output', { skip }, async (t) => {
  const { root, ctx, gantry } = await cliBuildEnv(t, 'gantry-cli-build-');
  const value = 'xyzzy-secret-7c1f';
  writeFileSync(join(ctx, 'sec'), value);
  writeFileSync(
    join(ctx, 'Dockerfile'),
    `FROM busybox\nRUN --mount=type=secret,id=tok test "$(md5sum < /run/secrets/tok | cut -d' ' -f1)" = ${createHash('md5').update(value).digest('hex')} && echo seen > /ok\nRUN --mount=type=secret,id=tok,env=TOK test "\${#TOK}" = 17\n`,
  );
  writeFileSync(join(ctx, '.dockerignore'), 'sec\n');
  const r = gantry(['build', '--progress', 'plain', '--secret', `id=tok,src=${join(ctx, 'sec')}`, '-t', 's:1', ctx]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!r.stderr.includes(value) && !r.stdout.includes(value));
  const plainHits = grepTree(root, Buffer.from(value));
  assert.deepEqual(plainHits, []);
  // Layers are gzip: look inside them too.
  const save = spawnSync(process.execPath, [gantryBin, '--root', root, 'image', 'inspect', 's:1'], { encoding: 'utf8' });
  assert.ok(!save.stdout.includes(value));
  const store = openStore({ root });
  try {
    const { readBlob } = await import('../../src/store/index.js');
    const { gunzipSync } = await import('node:zlib');
    const img = store.images.resolve('s:1');
    for (const l of img.layers) {
      // The base's layer is gzip'd; the layers the build made are stored uncompressed.
      const blob = Buffer.from(await readBlob(store.content, l));
      assert.ok(!(blob[0] === 0x1f && blob[1] === 0x8b ? gunzipSync(blob) : blob).includes(value));
    }
    for (const rec of store.buildCache.list()) assert.ok(!JSON.stringify(rec).includes(value));
  } finally {
    store.close();
  }
});

test('SecretsUsedInArgOrEnv is printed after the build but not with -q; --check prints the checks and builds nothing', { skip }, async (t) => {
  const { ctx, gantry } = await cliBuildEnv(t, 'gantry-cli-build-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nARG API_TOKEN\nENV DB_PASSWORD=x\nRUN true\n');
  const r = gantry(['build', '--progress', 'plain', ctx]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, / 2 warnings found \(use docker --debug to expand\):\n - SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data \(ARG "API_TOKEN"\)[^\n]* \(line 2\)\n - SecretsUsedInArgOrEnv: .*\(ENV "DB_PASSWORD"\)[^\n]* \(line 3\)/);
  const c = gantry(['build', '--check', ctx]);
  assert.match(c.stderr, /WARNING: SecretsUsedInArgOrEnv/);
  const q = gantry(['build', '-q', ctx]);
  assert.equal(q.status, 0, q.stderr);
  assert.match(q.stdout, /^sha256:[0-9a-f]{64}\n$/);
  assert.equal(q.stderr, '', '-q prints no checks (they are not run)');
});

test('# check=error=true turns the checks\' warnings into a failed build that names the rules and builds nothing, also with -q; the build arg overrides it', { skip }, async (t) => {
  const { ctx, gantry } = await cliBuildEnv(t, 'gantry-cli-build-');
  writeFileSync(join(ctx, 'Dockerfile'), '# check=error=true\nFROM busybox AS Build\nRUN true\n');
  const r = gantry(['build', '--progress', 'plain', '-t', 'violation', ctx]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, / 1 warning found \(use docker --debug to expand\):\n - StageNameCasing: Stage name 'Build' should be lowercase \(line 2\)\n/);
  assert.match(r.stderr, /^Error: .*lint violation found for rules: StageNameCasing$/m);
  assert.doesNotMatch(r.stderr, /RUN true/, 'no step ran');
  const q = gantry(['build', '-q', '-t', 'violation', ctx]);
  assert.equal(q.status, 1);
  assert.equal(q.stdout, '');
  assert.doesNotMatch(q.stderr, /warning found/);
  assert.match(q.stderr, /lint violation found for rules: StageNameCasing/);
  assert.equal(gantry(['image', 'inspect', 'violation']).status, 1, 'no image was named');
  const over = gantry(['build', '-q', '--build-arg', 'BUILDKIT_DOCKERFILE_CHECK=error=false', '-t', 'violation', ctx]);
  assert.equal(over.status, 0, over.stderr);
});

test('SOURCE_DATE_EPOCH makes two builds on two clean stores give the same digest; --iidfile and -q give the ID', { skip }, async (t) => {
  const a = await cliBuildEnv(t, 'gantry-cli-build-');
  const b = await cliBuildEnv(t, 'gantry-cli-build-');
  const df = 'FROM busybox\nRUN echo hi > /hi && mkdir -p /d && touch /d/f\nCOPY f.txt /f\nWORKDIR /w\nENV X=1\n';
  for (const s of [a, b]) {
    writeFileSync(join(s.ctx, 'Dockerfile'), df);
    writeFileSync(join(s.ctx, 'f.txt'), 'same');
  }
  const iid = join(a.ctx, '..', 'iid');
  const ra = a.gantry(['build', '-q', '--iidfile', iid, a.ctx], { SOURCE_DATE_EPOCH: '1700000000' });
  const rb = b.gantry(['build', '-q', '--build-arg', 'SOURCE_DATE_EPOCH=1700000000', b.ctx]);
  assert.equal(ra.status, 0, ra.stderr);
  assert.equal(rb.status, 0, rb.stderr);
  assert.match(ra.stdout, /^sha256:[0-9a-f]{64}\n$/);
  assert.equal(ra.stdout, rb.stdout);
  assert.equal(readFileSync(iid, 'utf8'), ra.stdout.trim());
});

test('--output local/tar/docker, a context tarball on stdin, -f -, and builder prune with system df', { skip }, async (t) => {
  const { root, ctx, gantry } = await cliBuildEnv(t, 'gantry-cli-build-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY f.txt /f\nRUN echo made > /m\n');
  writeFileSync(join(ctx, 'f.txt'), 'F');
  const out = join(ctx, '..', 'out');
  const tarOut = join(ctx, '..', 'fs.tar');
  const dockerOut = join(ctx, '..', 'img.tar');
  const r = gantry(['build', '-q', '-t', 'o:1', '-o', `type=local,dest=${out}`, '-o', `type=tar,dest=${tarOut}`, '-o', `type=docker,dest=${dockerOut}`, ctx]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(readFileSync(join(out, 'm'), 'utf8'), 'made\n');
  assert.equal(readFileSync(join(out, 'f'), 'utf8'), 'F');
  const list = spawnSync('tar', ['-tf', tarOut], { encoding: 'utf8' }).stdout;
  assert.match(list, /^(\.\/)?m$/m);
  const docker = spawnSync('tar', ['-tf', dockerOut], { encoding: 'utf8' }).stdout;
  assert.match(docker, /^manifest\.json$/m);
  assert.match(docker, /^index\.json$/m);
  // type=oci writes gzip layers, as BuildKit's OCI exporter does (the store keeps them uncompressed).
  const ociOut = join(ctx, '..', 'oci.tar');
  assert.equal(gantry(['build', '-q', '-o', `type=oci,dest=${ociOut}`, ctx]).status, 0);
  const layoutDir = join(ctx, '..', 'oci-layout');
  mkdirSync(layoutDir);
  assert.equal(spawnSync('tar', ['-xf', ociOut, '-C', layoutDir]).status, 0);
  const ociIndex = JSON.parse(readFileSync(join(layoutDir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const ociManifest = JSON.parse(readFileSync(join(layoutDir, 'blobs', 'sha256', ociIndex.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: { mediaType: string }[] };
  assert.deepEqual(new Set(ociManifest.layers.map((l) => l.mediaType)), new Set(['application/vnd.oci.image.layer.v1.tar+gzip']));

  // The same context as a tarball on stdin builds the same image (all steps cached).
  const tarball = spawnSync('tar', ['-C', ctx, '-czf', '-', '.']).stdout;
  const s = spawnSync(process.execPath, [gantryBin, '--root', root, 'build', '-q', '-'], { input: tarball, encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  // -f - : the Dockerfile from stdin, the context from the directory.
  const f = spawnSync(process.execPath, [gantryBin, '--root', root, 'build', '-q', '-f', '-', ctx], { input: 'FROM busybox\nCOPY f.txt /g\n', encoding: 'utf8' });
  assert.equal(f.status, 0, f.stderr);

  const df = gantry(['system', 'df']);
  assert.match(df.stdout, /Build Cache\s+[1-9]/);
  const p = gantry(['builder', 'prune', '-a', '-f']);
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /Deleted build cache objects:\n/);
  assert.match(p.stdout, /Total reclaimed space: /);
  assert.match(gantry(['system', 'df']).stdout, /Build Cache\s+0\s/);
  assert.equal(gantry(['system', 'check']).status, 0);
});

test('a rebuild whose every step is cached loads no snapshot or layer code (no child_process, no zlib), and still refuses an unknown storage driver', { skip }, async (t) => {
  const { root, ctx, gantry } = await cliBuildEnv(t, 'gantry-cli-build-');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY a /a\nWORKDIR /w\n');
  writeFileSync(join(ctx, 'a'), 'a\n');
  const first = gantry(['build', '-q', ctx]);
  assert.equal(first.status, 0, first.stderr);
  // A preloaded hook lists the node builtins the process loaded after it.
  const hook = join(root, '..', 'builtins.cjs');
  writeFileSync(hook, "const b = new Set(process.moduleLoadList); process.on('exit', () => process.stderr.write('BUILTINS ' + process.moduleLoadList.filter((m) => !b.has(m) && m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ') + '\\n'));\n");
  const again = gantry(['build', '-q', ctx], { NODE_OPTIONS: `--require ${hook}` });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, first.stdout, 'the same image');
  const builtins = (/^BUILTINS (.*)$/m.exec(again.stderr)?.[1] ?? '').split(' ');
  assert.ok(builtins.includes('crypto'), `the hook saw the build's builtins: ${builtins.join(' ')}`);
  for (const unwanted of ['child_process', 'zlib']) assert.ok(!builtins.includes(unwanted), `${unwanted} loaded: ${builtins.join(' ')}`);
  const bad = gantry(['--storage-driver', 'bogus', 'build', '-q', ctx]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /Cannot use storage driver "bogus"/);
});
