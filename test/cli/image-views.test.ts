/**
 * `gantry image ls | history | inspect` end to end: images are put into a temporary store through
 * the store's API, then the built CLI (`bin/gantry --root …`) lists, shows and inspects them.
 */
import { test, before, after } from 'node:test';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { putTestImage } from '../helpers/store-images.js';
import { runGantrySync, type GantryRun } from '../helpers/cli.js';
import { openStore, type ImageRecord } from '../../src/store/index.js';

let root: string;
let app: ImageRecord;
let base: ImageRecord;
let dangling: ImageRecord;

function gantry(...args: string[]): GantryRun {
  return gantryIn({}, ...args);
}

/** `gantry` with `env` added (GANTRY_BUNDLE: which bundle bin/gantry runs). */
function gantryIn(env: Record<string, string>, ...args: string[]): GantryRun {
  return runGantrySync(['--root', root, ...args], { TZ: 'UTC', ...env });
}

const short = (id: string): string => id.slice('sha256:'.length, 'sha256:'.length + 12);

before(async () => {
  root = tempDir(undefined, 'gantry-image-views-');
  const store = openStore({ root });
  try {
    base = await putTestImage(store, {
      names: ['busybox:latest', 'busybox:1.36'],
      created: '2026-01-01T00:00:00Z',
      labels: { environment: 'prod' },
      seed: 'base',
      layers: [{ 'bin/sh': 'x'.repeat(3000) }, { 'etc/passwd': 'root:x:0:0::/root:/bin/sh\n' }],
    });
    app = await putTestImage(store, {
      names: ['myapp:1.0'],
      created: '2026-06-01T00:00:00Z',
      labels: { environment: 'test' },
      seed: 'app',
    });
    dangling = await putTestImage(store, { names: [], created: '2026-07-01T00:00:00Z', seed: 'dangling' });
  } finally {
    store.close();
  }
});

after(() => rmSync(root, { recursive: true, force: true }));

test('image ls prints the default table, newest first, dangling images as <none> (as docker lists them)', () => {
  const r = gantry('image', 'ls');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0] as string, /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$/);
  const rows = lines.slice(1).filter((l) => !l.startsWith('<none>'));
  assert.match(rows[0] as string, new RegExp(`^myapp +1\\.0 +${short(app.id)} +\\d+ months ago +\\d+(\\.\\d+)?k?B$`));
  assert.match(rows[1] as string, new RegExp(`^busybox +(latest|1\\.36) +${short(base.id)} `));
  assert.equal(rows.length, 3, 'myapp and busybox\'s two tags');
  assert.match(r.stdout, new RegExp(`\\n<none> +<none> +${short(dangling.id)} `));
  const named = gantry('image', 'ls', '--filter', 'dangling=false');
  assert.equal(named.stdout.trimEnd().split('\n').length, 4);
  assert.ok(!named.stdout.includes('<none>'));
});

test('images -a lists dangling images as <none> too', () => {
  const r = gantry('images', '-a');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`\\n<none> +<none> +${short(dangling.id)} `));
});

test('the walkthrough format: table {{.ID}}\\t{{.Repository}}:{{.Tag}}\\t{{.CreatedAt}}', () => {
  const r = gantry('image', 'ls', '--format', 'table {{.ID}}\\t{{.Repository}}:{{.Tag}}\\t{{.CreatedAt}}');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0] as string, /^IMAGE ID +REPOSITORY:TAG +CREATED AT$/);
  assert.equal(lines[1], `${short(dangling.id)}   <none>:<none>    2026-07-01 00:00:00 +0000 UTC`);
  assert.match(lines[2] as string, new RegExp(`^${short(app.id)} +myapp:1\\.0 +2026-06-01 00:00:00 \\+0000 UTC$`));
});

test('the walkthrough filter: --filter dangling=true --format "{{.ID}}"', () => {
  const r = gantry('image', 'ls', '--filter', 'dangling=true', '--format', '{{.ID}}');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `${short(dangling.id)}\n`);
});

test('label filters select images by label and by label value', () => {
  const any = gantry('image', 'ls', '--filter', 'label=environment', '--format', '{{.Repository}}:{{.Tag}}');
  assert.deepEqual(any.stdout.trimEnd().split('\n').sort(), ['busybox:1.36', 'busybox:latest', 'myapp:1.0']);
  const test_ = gantry('image', 'ls', '--filter', 'label=environment=test', '--format', '{{.Repository}}:{{.Tag}}');
  assert.equal(test_.stdout, 'myapp:1.0\n');
});

test('a repository argument lists only that repository\'s tags; -q --no-trunc prints full IDs', () => {
  const r = gantry('images', 'busybox', '-q', '--no-trunc');
  assert.equal(r.stdout, `${base.id}\n${base.id}\n`);
});

test('before= names an image by reference', () => {
  const r = gantry('image', 'ls', '-f', 'before=myapp:1.0', '--format', '{{.Repository}}');
  assert.equal(r.stdout, 'busybox\nbusybox\n');
});

test('--format json prints docker\'s fields per line', () => {
  const r = gantry('image', 'ls', '--format', 'json', '--filter', 'reference=myapp');
  const row = JSON.parse(r.stdout) as Record<string, string>;
  assert.equal(row.Repository, 'myapp');
  assert.equal(row.ID, short(app.id));
  assert.equal(row.Containers, '0');
});

test('bad filters and formats fail with docker\'s texts', () => {
  const bad = gantry('image', 'ls', '--filter', 'foo=bar');
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, "Error: invalid filter 'foo'\n");
  const noEq = gantry('image', 'ls', '--filter', 'dangling');
  assert.equal(noEq.status, 125);
  assert.match(noEq.stderr, /^invalid argument "dangling" for "-f, --filter" flag: bad format of filter \(expected name=value\)/);
  const tmpl = gantry('image', 'ls', '--format', '{{.Nope}}');
  assert.equal(tmpl.status, 1);
  assert.match(tmpl.stderr, /template parsing error: template: :1:2: executing "" at <\.Nope>: can't evaluate field Nope in type \*formatter\.imageContext/);
});

test('history shows newest first with the image ID on top and <missing> below', () => {
  const r = gantry('history', 'busybox:latest');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0] as string, /^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$/);
  // The test image's history entry has no time: docker shows N/A for those.
  assert.match(lines[1] as string, new RegExp(`^${short(base.id)} +N/A +test image base +\\d+(\\.\\d+)?kB *$`));
  assert.equal(gantry('image', 'history', '-q', 'busybox').stdout, `${short(base.id)}\n`);
  assert.equal(gantry('image', 'history', '--format', '{{.CreatedBy}}|{{.Comment}}', 'myapp:1.0').stdout, 'test image app|\n');
});

test('history -H=false prints bytes and RFC 3339 times', () => {
  const r = gantry('history', '-H=false', '--format', '{{.CreatedAt}} {{.Size}}', 'busybox');
  assert.match(r.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \d+\n$/);
});

test('image inspect prints docker\'s JSON; --format runs per image', () => {
  const r = gantry('image', 'inspect', 'busybox');
  assert.equal(r.status, 0, r.stderr);
  const [el] = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
  assert.equal(el?.Id, base.id);
  assert.deepEqual((el?.RepoTags as string[]).sort(), ['busybox:1.36', 'busybox:latest']);
  assert.equal(el?.Os, 'linux');
  assert.deepEqual((el?.RootFS as { Layers: string[] }).Layers.length, 2);
  const f = gantry('inspect', '--format', '{{.Id}} {{index .Config.Labels "environment"}}', 'busybox', 'myapp:1.0');
  assert.equal(f.stdout, `${base.id} prod\n${app.id} test\n`);
});

test('image inspect of a missing image prints what it found, then the error, exit 1', () => {
  const r = gantry('image', 'inspect', '--format', '{{.Id}}', 'myapp:1.0', 'nope');
  assert.equal(r.status, 1);
  assert.equal(r.stdout, `${app.id}\n`);
  assert.equal(r.stderr, 'Error: No such image: nope\n');
  const bad = gantry('image', 'inspect', '--format', '{{.Id', 'myapp:1.0');
  assert.equal(bad.status, 64);
  assert.equal(bad.stderr, 'template parsing error: template: :1: unclosed action\n');
});

test('image ls --tree prints docker\'s tree table, one row per tag', () => {
  const r = gantry('image', 'ls', '--tree');
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'IMAGE            ID             DISK USAGE   CONTENT SIZE   EXTRA');
  assert.match(lines[1] as string, new RegExp(`^busybox:1\\.36 +${short(base.id)} +\\d+(\\.\\d+)?kB +\\d+(\\.\\d+)?kB +$`));
  assert.match(lines[3] as string, new RegExp(`^myapp:1\\.0 +${short(app.id)} `));
  const q = gantry('image', 'ls', '--tree', '-q');
  assert.equal(q.status, 125);
  assert.match(q.stderr, /^--quiet is not yet supported with --tree/);
});

test('the listing commands print the same from their own bundle as from the whole CLI', () => {
  // bin/gantry runs these from gantry-image-views.cjs (src/cli/launch.ts); GANTRY_BUNDLE=gantry forces the whole CLI.
  const lines = [
    ['image', 'ls'],
    ['images', '-a', '--digests', '--no-trunc'],
    ['image', 'list', '--filter', 'label=environment=test', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'],
    ['images', '--format', 'json'],
    ['image', 'ls', '--filter', 'nope'],
    ['image', 'ls', '--bogus'],
    ['image', 'ls', '--help'],
    ['images', 'a', 'b'],
    ['history', 'myapp:1.0'],
    ['image', 'inspect', 'myapp:1.0', 'nope'],
    ['--version'],
    ['-v'],
  ];
  for (const args of lines) {
    const own = gantry(...args);
    const whole = gantryIn({ GANTRY_BUNDLE: 'gantry' }, ...args);
    assert.deepEqual(own, whole, args.join(' '));
  }
  // GANTRY_BUNDLE is honoured: the base bundle holds no command module, and says so.
  const base = gantryIn({ GANTRY_BUNDLE: 'gantry-base' }, 'image', 'ls');
  assert.notEqual(base.status, 0);
  assert.match(base.stderr, /the gantry-base bundle does not hold the command module "image-views"/);
});

test('image ls where no store was ever made prints the header and creates nothing', (t) => {
  const parent = tempDir(t);
  const fresh = join(parent, 'root');
  const run = (...args: string[]): GantryRun => runGantrySync(['--root', fresh, ...args]);
  assert.deepEqual(run('image', 'ls'), { status: 0, stdout: 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n', stderr: '' });
  assert.deepEqual(run('images', '-q'), { status: 0, stdout: '', stderr: '' });
  assert.deepEqual(run('image', 'ls', '--filter', 'label=a=b', '--format', '{{.ID}}'), { status: 0, stdout: '', stderr: '' });
  assert.equal(existsSync(fresh), false);
  // Filters are checked all the same.
  const bad = run('image', 'ls', '--filter', 'nope=1');
  assert.deepEqual(bad, { status: 1, stdout: '', stderr: "Error: invalid filter 'nope'\n" });
  assert.equal(existsSync(fresh), false);
});

test('image ls on a store whose images were all removed prints the header', (t) => {
  const emptied = tempDir(t);
  const run = (...args: string[]): GantryRun => runGantrySync(['--root', emptied, ...args]);
  const store = openStore({ root: emptied });
  store.close();
  assert.equal(run('image', 'ls').stdout, 'REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n');
});

test('image ls into a pipe whose reader has gone ends quietly, exit 0 (docker dies of SIGPIPE)', () => {
  // `true` exits at once, long before gantry writes: the write meets EPIPE.
  const r = spawnSync('bash', ['-c', '"$1" "$2" --root "$3" image ls 2>"$4" | true; echo "${PIPESTATUS[0]}"; cat "$4"', '_', process.execPath, gantryBin, root, join(root, 'stderr')], {
    encoding: 'utf8',
  });
  assert.equal(r.stdout, '0\n');
  rmSync(join(root, 'stderr'));
});
