/**
 * The store's commands through the built CLI (`./bin/gantry --root <tmp>`): output, exit codes and
 * on-disk state, with images made by the test helper.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { openStore, type ImageRecord } from '../../src/store/index.js';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { putTestImage, type TestImageSpec } from '../helpers/store-images.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function gantry(root: string, args: string[], input = ''): Run {
  const r = spawnSync(process.execPath, [gantryBin, '--root', root, ...args], { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function withImages(t: TestContext, specs: TestImageSpec[], setup?: (s: ReturnType<typeof openStore>) => void): Promise<{ root: string; images: ImageRecord[] }> {
  const root = tempDir(t);
  const store = openStore({ root });
  try {
    const images = [];
    for (const s of specs) images.push(await putTestImage(store, s));
    setup?.(store);
    return { root, images };
  } finally {
    store.close();
  }
}

const short = (id: string): string => id.slice(7, 19);

test('gantry rmi prints docker\'s records and continues past errors, exit 1', async (t) => {
  const { root, images } = await withImages(t, [{ names: ['app:1', 'app:2'], seed: 'a' }]);
  const [img] = images as [ImageRecord];
  const r = gantry(root, ['rmi', 'app:2', 'nosuch', short(img.id)]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'Untagged: app:2\nUntagged: app:1\n' + `Deleted: ${img.id}\nDeleted: ${img.layers[0]!.chainId}\n`);
  assert.equal(r.stderr, 'Error: No such image: nosuch\n');
});

// A running container's hard conflict needs a real container (the CLI syncs records with the
// runtime first, so a record that only says "running" is found exited): test/container covers it.
test('gantry rmi -f: a missing image is only reported (exit 0); a stopped container gives way to -f', async (t) => {
  const { root, images } = await withImages(t, [{ names: ['app:1'], seed: 'b' }], (s) => {
    s.containers.create({ id: 'c'.repeat(64), imageId: s.images.resolve('app:1').id, imageRef: 'app:1', state: 'exited' });
  });
  const [img] = images as [ImageRecord];
  const missing = gantry(root, ['rmi', '-f', 'nosuch']);
  assert.deepEqual([missing.code, missing.stdout, missing.stderr], [0, '', 'Error: No such image: nosuch\n']);
  const soft = gantry(root, ['image', 'rm', img.id]);
  assert.equal(soft.code, 1);
  assert.equal(soft.stderr, `Error: conflict: unable to delete ${short(img.id)} (must be forced) - image is being used by stopped container cccccccccccc\n`);
  const forced = gantry(root, ['image', 'rm', '-f', img.id]);
  assert.equal(forced.code, 0);
});

test('gantry rmi --dry-run prints the records and removes nothing; --no-prune keeps parents', async (t) => {
  const root = tempDir(t);
  const store = openStore({ root });
  const base = await putTestImage(store, { seed: 'p', layers: [{ a: '1' }] });
  const child = await putTestImage(store, { names: ['child:1'], seed: 'c', parent: base.id, layers: [{ a: '1' }, { b: '1' }] });
  store.close();
  const dry = gantry(root, ['rmi', '--dry-run', 'child:1']);
  assert.equal(dry.code, 0);
  assert.equal(dry.stdout, `Untagged: child:1\nDeleted: ${child.id}\nDeleted: ${child.layers[1]!.chainId}\nDeleted: ${base.id}\nDeleted: ${base.layers[0]!.chainId}\n`);
  const kept = gantry(root, ['rmi', '--no-prune', 'child:1']);
  assert.equal(kept.stdout, `Untagged: child:1\nDeleted: ${child.id}\nDeleted: ${child.layers[1]!.chainId}\n`);
  const s2 = openStore({ root });
  t.after(() => s2.close());
  assert.equal(s2.images.get(base.id).dangling, true);
});

test('gantry tag names an image; errors are docker\'s', async (t) => {
  const { root, images } = await withImages(t, [{ names: ['src:1'], seed: 't' }]);
  const [img] = images as [ImageRecord];
  assert.equal(gantry(root, ['tag', 'src:1', 'localhost:5000/dst']).code, 0);
  assert.equal(gantry(root, ['image', 'tag', short(img.id), 'dst:2']).code, 0);
  const s = openStore({ root });
  assert.deepEqual(s.images.get(img.id).repoTags, ['docker.io/library/dst:2', 'docker.io/library/src:1', 'localhost:5000/dst:latest']);
  s.close();
  const bad = gantry(root, ['tag', 'src:1', `dst@sha256:${'0'.repeat(64)}`]);
  assert.deepEqual([bad.code, bad.stderr], [1, 'Error: refusing to create a tag with a digest reference\n']);
  const missing = gantry(root, ['tag', 'nosuch', 'x']);
  assert.deepEqual([missing.code, missing.stderr], [1, 'Error: No such image: nosuch:latest\n']);
  // docker's CLI: a wrong number of arguments exits 1 (a bad flag 125), from our checks and commander's alike.
  const one = gantry(root, ['tag', 'only-one']);
  // As typed (`tag`, not `image tag`), then docker's usage block.
  assert.deepEqual(
    [one.code, one.stderr],
    [1, `"gantry tag" requires exactly 2 arguments.\nSee 'gantry tag --help'.\n\nUsage:  gantry tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]\n\nCreate a tag TARGET_IMAGE that refers to SOURCE_IMAGE\n`],
  );
  const history = gantry(root, ['history']);
  assert.deepEqual(
    [history.code, history.stderr],
    [1, `"gantry history" requires exactly 1 argument.\nSee 'gantry history --help'.\n\nUsage:  gantry history [OPTIONS] IMAGE\n\nShow the history of an image\n`],
  );
  const listing = gantry(root, ['image', 'ls', 'a', 'b']);
  assert.deepEqual([listing.code, listing.stderr.split('\n')[0]], [1, '"gantry image ls" requires at most 1 argument.']);
  // An unknown command exits 1: docker's sentence at the top level, the group's help in a group.
  const unknown = gantry(root, ['nosuch']);
  assert.deepEqual([unknown.code, unknown.stderr], [1, "gantry: 'nosuch' is not a gantry command.\nSee 'gantry --help'\n"]);
  const unknownSub = gantry(root, ['image', 'nosuch']);
  assert.deepEqual([unknownSub.code, unknownSub.stderr.split('\n').slice(0, 2)], [1, ['', 'Usage:  gantry image COMMAND']]);
  // pflag's words for flags, after the form typed.
  assert.equal(gantry(root, ['images', '-z']).stderr.split('\n')[0], "unknown shorthand flag: 'z' in -z");
  assert.equal(gantry(root, ['images', '--format']).stderr.split('\n')[0], 'flag needs an argument: --format');
  assert.equal(gantry(root, ['images', '-f']).stderr.split('\n')[0], "flag needs an argument: 'f' in -f");
  const flag = gantry(root, ['images', '--bogus']);
  assert.deepEqual([flag.code, flag.stderr.split('\n')[0]], [125, 'unknown flag: --bogus']);
});

test('gantry image prune asks first, prints Deleted Images and the reclaimed space', async (t) => {
  const { root, images } = await withImages(t, [
    { names: ['keep:1'], seed: 'k' },
    { seed: 'd1', labels: { tier: 'x' } },
  ]);
  const dangling = images[1]!;
  const no = gantry(root, ['image', 'prune'], 'n\n');
  assert.equal(no.stdout, 'WARNING! This will remove all dangling images.\nAre you sure you want to continue? [y/N] Total reclaimed space: 0B\n');
  const filtered = gantry(root, ['image', 'prune', '-f', '--filter', 'label=tier=y']);
  assert.equal(filtered.stdout, 'Total reclaimed space: 0B\n');
  const yes = gantry(root, ['image', 'prune'], 'y\n');
  assert.equal(yes.code, 0);
  assert.match(
    yes.stdout,
    new RegExp(
      `^WARNING! This will remove all dangling images\\.\\nAre you sure you want to continue\\? \\[y/N\\] Deleted Images:\\ndeleted: ${dangling.id}\\ndeleted: ${dangling.layers[0]!.chainId}\\n\\nTotal reclaimed space: \\d+(\\.\\d+)?(B|kB)\\n$`,
    ),
  );
  const all = gantry(root, ['image', 'prune', '-a', '-f']);
  assert.match(all.stdout, /^Deleted Images:\nuntagged: keep:1\ndeleted: sha256:/);
  const bad = gantry(root, ['image', 'prune', '-f', '--filter', 'nope=1']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /^Error: .*nope/);
});

test('gantry system df shows docker\'s table; -v lists images', async (t) => {
  const { root, images } = await withImages(
    t,
    [
      { names: ['a:1'], seed: 'dfa', layers: [{ shared: 'x'.repeat(3000) }, { a: 'y'.repeat(1000) }] },
      { names: ['b:1'], seed: 'dfb', layers: [{ shared: 'x'.repeat(3000) }] },
    ],
    (s) => void s.containers.create({ imageId: s.images.resolve('a:1').id, imageRef: 'a:1', state: 'exited' }),
  );
  const [a, b] = images as [ImageRecord, ImageRecord];
  const layersSize = a.size; // b's only layer is a's first
  const r = gantry(root, ['system', 'df']);
  assert.equal(r.code, 0);
  const lines = r.stdout.split('\n');
  assert.equal(lines[0], 'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE');
  assert.match(lines[1]!, /^Images          2         1         \S+B\s+\S+B \(\d+%\)$/);
  assert.match(lines[2]!, /^Containers      1         0         0B        0B$/);
  assert.equal(lines[3], 'Local Volumes   0         0         0B        0B');
  assert.equal(lines[4], 'Build Cache     0         0         0B        0B');
  assert.ok(layersSize > b.size);
  const v = gantry(root, ['system', 'df', '-v']);
  assert.match(v.stdout, /^Images space usage:\n\nREPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS\n/);
  assert.match(v.stdout, new RegExp(`\\na\\s+1\\s+${short(a.id)}\\s`));
  assert.match(v.stdout, /\nBuild cache usage: 0B\n/);
});

test('gantry system check exits 1 on a missing blob and repairs orphans', async (t) => {
  const { root, images } = await withImages(t, [{ names: ['a:1'], seed: 'chk' }]);
  const [img] = images as [ImageRecord];
  const clean = gantry(root, ['system', 'check', '--verify']);
  assert.deepEqual([clean.code, clean.stdout], [0, '3 blobs checked: 0 problems, 0 orphans\n']);
  const s = openStore({ root });
  const orphan = s.content.blobPath(img.id).replace(/[0-9a-f]{64}$/, 'f'.repeat(64));
  s.close();
  writeFileSync(orphan, 'stray');
  const withOrphan = gantry(root, ['system', 'check']);
  assert.equal(withOrphan.code, 0);
  assert.match(withOrphan.stdout, /^orphan: blob sha256:f{64} \(5 bytes\) is not referenced\n/);
  const repaired = gantry(root, ['system', 'check', '--repair']);
  assert.match(repaired.stdout, /repaired: removed 1 orphan \(5 bytes\)\n/);
  rmSync(s.content.blobPath(img.layers[0]!.digest), { force: true });
  const broken = gantry(root, ['system', 'check']);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, new RegExp(`^problem: image ${img.id} layer 0: blob ${img.layers[0]!.digest} is missing\n`));
});

test('gantry system prune -a -f removes stopped containers, unused images and cache, then totals', async (t) => {
  const { root } = await withImages(t, [{ names: ['a:1'], seed: 'sp' }], (s) => {
    s.containers.create({ id: 'd'.repeat(64), imageId: s.images.resolve('a:1').id, imageRef: 'a:1', state: 'exited' });
    s.buildCache.put({ id: 'cache1', type: 'regular', description: 'RUN x', size: 10 });
  });
  const r = gantry(root, ['system', 'prune', '-a', '-f']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, new RegExp(`^Deleted Containers:\\n${'d'.repeat(64)}\\n\\nDeleted Images:\\nuntagged: a:1\\n`));
  assert.match(r.stdout, /\nDeleted build cache objects:\ncache1\n\nTotal reclaimed space: \S+\n$/);
  const s = openStore({ root });
  t.after(() => s.close());
  assert.deepEqual([s.images.list().length, s.containers.list().length, s.buildCache.list().length], [0, 0, 0]);
  const prompt = gantry(root, ['system', 'prune', '-a'], '');
  assert.equal(
    prompt.stdout,
    'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n  - all images without at least one container associated to them\n  - all build cache\n\nAre you sure you want to continue? [y/N] ',
  );
});
