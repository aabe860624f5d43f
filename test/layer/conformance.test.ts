/**
 * Real layers from go-containerregistry's fixtures (docker-archive tarballs): each layer is applied
 * in order, flattened and in overlay mode, and checked against the image config's diff_ids and the
 * upstream tests' expectations (whiteout of a file, whiteout of a directory, overwritten file).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePath, tempDir } from '../helpers/paths.js';
import { chunks, snapshotTree } from './helpers.js';
import { applyLayer, readTar } from '../../src/layer/index.js';

const fixtures = conformancePath('go-containerregistry', 'pkg', 'v1');

interface Archive {
  layers: Buffer[];
  diffIds: string[];
}

/** Reads a docker-archive with our own tar reader: manifest.json → config → layer blobs. */
async function readArchive(path: string): Promise<Archive> {
  const files = new Map<string, Buffer>();
  for await (const e of readTar(createReadStream(path))) {
    if (e.header.type === 'file') files.set(e.header.path.replace(/^\.\//, ''), await e.bytes());
  }
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Config: string; Layers: string[] }>;
  const config = JSON.parse(files.get(manifest[0]!.Config)!.toString()) as { rootfs: { diff_ids: string[] } };
  return { layers: manifest[0]!.Layers.map((l) => files.get(l)!), diffIds: config.rootfs.diff_ids };
}

async function flatten(archive: Archive, root: string): Promise<void> {
  for (const [i, layer] of archive.layers.entries()) {
    const r = await applyLayer(chunks(layer, 1000), root);
    assert.equal(r.diffId, archive.diffIds[i], `diffID of layer ${i}`);
  }
}

/** Unpacks each layer into its own lowerdir (overlay mode) and reads the merged overlay view. */
async function overlayView(t: Parameters<typeof tempDir>[0], archive: Archive): Promise<ReturnType<typeof snapshotTree> | undefined> {
  const dir = tempDir(t);
  const lowers: string[] = [];
  for (const [i, layer] of archive.layers.entries()) {
    const d = join(dir, `l${i}`);
    mkdirSync(d);
    await applyLayer(chunks(layer), d, { mode: 'overlay' });
    lowers.unshift(d);
  }
  const merged = join(dir, 'merged');
  mkdirSync(merged);
  // overlayfs needs two lowers at least for a read-only mount; an empty one on top does no harm
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  try {
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${[empty, ...lowers].join(':')}`, merged]);
  } catch {
    return undefined;
  }
  try {
    return snapshotTree(merged);
  } finally {
    execFileSync('umount', [merged]);
  }
}

const cases = [
  {
    fixture: 'mutate/testdata/whiteout_image.tar',
    check: (root: string) => {
      assert.ok(!existsSync(join(root, 'foo.txt')), 'foo.txt is whited out');
      assert.ok(existsSync(join(root, 'bar.txt')));
    },
  },
  {
    fixture: 'mutate/testdata/whiteout_dir.tar',
    check: (root: string) => {
      assert.ok(!snapshotTree(root).some((r) => r.path.endsWith('/foo')), 'no entry named foo survives the whiteout of a/');
      assert.ok(existsSync(join(root, 'a/baz')));
      assert.ok(existsSync(join(root, 'b/bar')));
    },
  },
  {
    fixture: 'mutate/testdata/overwritten_file.tar',
    check: (root: string) => {
      assert.notEqual(readFileSync(join(root, 'foo.txt'), 'utf8'), 'foo');
    },
  },
];

for (const c of cases) {
  test(`applies the layers of ${c.fixture} (go-containerregistry) with matching diffIDs, flat and as overlay lowers`, async (t) => {
    if (fixtures === undefined) {
      t.skip('shared/conformance/go-containerregistry is absent');
      return;
    }
    const archive = await readArchive(join(fixtures, c.fixture));
    const root = tempDir(t);
    await flatten(archive, root);
    c.check(root);
    const view = await overlayView(t, archive);
    if (view !== undefined) assert.deepEqual(view, snapshotTree(root));
  });
}

test('applies a plain layer tar (tarball/testdata/content.tar) and gives its sha256 as diffID', async (t) => {
  if (fixtures === undefined) {
    t.skip('shared/conformance/go-containerregistry is absent');
    return;
  }
  const path = join(fixtures, 'tarball/testdata/content.tar');
  const root = tempDir(t);
  const r = await applyLayer(createReadStream(path), root);
  assert.equal(r.compression, 'none');
  assert.equal(r.diffId, `sha256:${execFileSync('sha256sum', [path], { encoding: 'utf8' }).split(' ')[0]}`);
  assert.deepEqual(snapshotTree(root).map((e) => e.path).sort(), ['bat', 'baz']);
});
