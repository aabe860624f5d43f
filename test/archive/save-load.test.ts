/**
 * `gantry save` / `gantry load` through the built CLI, and with the real peers: skopeo, umoci and
 * podman read what we save; gantry loads what skopeo and podman write.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTar } from '../../src/layer/index.js';
import { digestOf, MediaType } from '../../src/oci/index.js';
import { openStore, type ImageRecord } from '../../src/store/index.js';
import { putBusyboxImage } from '../helpers/busybox-image.js';
import { haveBusybox } from '../helpers/fixtures.js';
import { assertOciValid, ociSchemasAvailable } from '../helpers/oci-schema.js';
import { gantryBin } from '../helpers/paths.js';
import { putTestImage } from '../helpers/store-images.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], options: { input?: string } = {}): Run {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: options.input ?? '', maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function gantry(root: string, args: string[]): Run {
  return run(process.execPath, [gantryBin, '--root', root, ...args]);
}

function ok(r: Run, what: string): Run {
  assert.equal(r.code, 0, `${what} failed (${r.code}):\n${r.stderr}${r.stdout}`);
  return r;
}

function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

let work: string;
let root: string;
let busybox: ImageRecord;
let app: ImageRecord;
let archive: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'gantry-archive-'));
  root = join(work, 'root');
  const store = openStore({ root });
  try {
    busybox = haveBusybox() ? await putBusyboxImage(store, ['busybox:latest', 'busybox:1.36']) : await putTestImage(store, { names: ['busybox:latest', 'busybox:1.36'], seed: 'bb' });
    // Uncompressed layers, as gantry stores the layers it builds: saved as stored, peers read them too.
    app = await putTestImage(store, { names: ['localhost:5000/team/app:1'], seed: 'app', layers: [{ a: 'a\n' }, { b: 'b\n' }], uncompressed: true });
  } finally {
    store.close();
  }
  archive = join(work, 'images.tar');
  ok(gantry(root, ['save', '-o', archive, 'busybox', 'localhost:5000/team/app:1']), 'gantry save');
});

after(() => {
  rmSync(work, { recursive: true, force: true });
});

async function entries(file: string): Promise<{ path: string; mtime: number; size: number; body: Buffer }[]> {
  const out = [];
  for await (const e of readTar(createReadStream(file))) out.push({ path: e.header.path, mtime: e.header.mtime, size: e.header.size, body: await e.bytes() });
  return out;
}

test('save writes docker-archive and OCI layout in one tar, sorted, mtime 0, every document schema-valid', async () => {
  const list = await entries(archive);
  const paths = list.map((e) => e.path);
  assert.deepEqual(paths, [...paths].sort());
  assert.ok(list.every((e) => e.mtime === 0));
  for (const f of ['index.json', 'manifest.json', 'oci-layout', 'repositories']) assert.ok(paths.includes(f), f);
  const file = (p: string): Buffer => (list.find((e) => e.path === p) as { body: Buffer }).body;
  const blob = (d: string): Buffer => file(`blobs/sha256/${d.slice(7)}`);
  // Every blob is named by its content.
  for (const e of list.filter((x) => x.path.startsWith('blobs/sha256/') && x.size > 0)) assert.equal(digestOf(e.body).slice(7), e.path.slice(13));
  // Layers go as stored: app's are plain tars, their digests their diffIDs (as Docker 25+ saves its own).
  for (const l of app.layers) assert.equal(digestOf(blob(l.digest)), l.diffId);

  const manifest = JSON.parse(file('manifest.json').toString()) as { Config: string; RepoTags: string[] | null; Layers: string[] }[];
  assert.deepEqual(manifest, [
    { Config: `blobs/sha256/${busybox.id.slice(7)}`, RepoTags: ['busybox:1.36', 'busybox:latest'], Layers: busybox.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) },
    { Config: `blobs/sha256/${app.id.slice(7)}`, RepoTags: ['localhost:5000/team/app:1'], Layers: app.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`) },
  ]);
  assert.deepEqual(JSON.parse(file('repositories').toString()), {
    busybox: { '1.36': busybox.layers.at(-1)?.digest.slice(7), latest: busybox.layers.at(-1)?.digest.slice(7) },
    'localhost:5000/team/app': { '1': app.layers.at(-1)?.digest.slice(7) },
  });
  assert.deepEqual(JSON.parse(file('oci-layout').toString()), { imageLayoutVersion: '1.0.0' });
  const index = JSON.parse(file('index.json').toString()) as { manifests: { digest: string; annotations?: Record<string, string> }[] };
  assert.deepEqual(
    index.manifests.map((m) => [m.digest, m.annotations?.['io.containerd.image.name'], m.annotations?.['org.opencontainers.image.ref.name']]),
    [
      [busybox.manifest.digest, 'docker.io/library/busybox:1.36', '1.36'],
      [busybox.manifest.digest, 'docker.io/library/busybox:latest', 'latest'],
      [app.manifest.digest, 'localhost:5000/team/app:1', '1'],
    ],
  );
  if (ociSchemasAvailable()) {
    assertOciValid(MediaType.OciIndex, file('index.json'), 'index.json');
    for (const img of [busybox, app]) {
      assertOciValid(img.manifest.mediaType, blob(img.manifest.digest), `manifest of ${img.id}`);
      assertOciValid(img.config.mediaType, blob(img.config.digest), `config of ${img.id}`);
    }
  }
});

test('save is deterministic: the same images and names give the same bytes', () => {
  const again = join(work, 'again.tar');
  ok(gantry(root, ['image', 'save', 'busybox', 'localhost:5000/team/app:1', '--output', again]), 'second save');
  assert.ok(readFileSync(again).equals(readFileSync(archive)));
});

test('save: an ID saves the image without names; an unknown image fails with docker\'s message and writes nothing', () => {
  const byId = join(work, 'by-id.tar');
  ok(gantry(root, ['save', '-o', byId, app.id.slice(7, 19)]), 'save by ID');
  const m = JSON.parse(run('tar', ['-xOf', byId, 'manifest.json']).stdout) as { RepoTags: unknown }[];
  assert.deepEqual(m.map((x) => x.RepoTags), [null]);
  const missing = join(work, 'missing.tar');
  const r = gantry(root, ['save', '-o', missing, 'nosuch:1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /No such image: nosuch:1/);
  assert.equal(existsSync(missing), false);
});

test('save → load into an empty store gives the same images, manifests and names, printed as docker does', () => {
  const other = join(work, 'roundtrip');
  const r = ok(gantry(other, ['load', '-i', archive]), 'gantry load');
  assert.equal(r.stdout, 'Loaded image: busybox:1.36\nLoaded image: busybox:latest\nLoaded image: localhost:5000/team/app:1\n');
  const store = openStore({ root: other });
  try {
    const b = store.images.resolve('busybox:1.36');
    assert.equal(b.id, busybox.id);
    assert.equal(b.manifest.digest, busybox.manifest.digest);
    assert.deepEqual(b.repoTags, ['docker.io/library/busybox:1.36', 'docker.io/library/busybox:latest']);
    assert.equal(store.images.resolve('localhost:5000/team/app:1').manifest.digest, app.manifest.digest);
  } finally {
    store.close();
  }
  // From stdin, gzip-compressed: the same.
  const gz = join(work, 'images.tar.gz');
  ok(run('sh', ['-c', `gzip -1 -c '${archive}' > '${gz}'`]), 'gzip');
  const third = join(work, 'stdin');
  const s = spawnSync('sh', ['-c', `'${process.execPath}' '${gantryBin}' --root '${third}' load < '${gz}'`], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /Loaded image: localhost:5000\/team\/app:1/);
});

test('skopeo reads both halves: docker-archive (inspect, copy to dir: keeps the config) and the OCI layout (copy keeps the manifest)', { skip: !have('skopeo') }, () => {
  const inspect = JSON.parse(ok(run('skopeo', ['inspect', `docker-archive:${archive}:busybox:1.36`]), 'skopeo inspect').stdout) as { Layers: string[]; Architecture: string };
  // containers/image names a docker-archive's layers by diffID (it does not trust the file digests).
  assert.deepEqual(inspect.Layers, busybox.layers.map((l) => l.diffId));
  const dir = join(work, 'skopeo-dir');
  ok(run('skopeo', ['copy', '-q', `docker-archive:${archive}:localhost:5000/team/app:1`, `dir:${dir}`]), 'skopeo copy to dir');
  assert.ok(existsSync(join(dir, app.id.slice(7))), 'the config blob keeps its digest');
  const oci = join(work, 'skopeo-oci');
  ok(run('skopeo', ['copy', '-q', `oci-archive:${archive}:1.36`, `oci:${oci}:copied`]), 'skopeo copy oci-archive');
  const index = JSON.parse(readFileSync(join(oci, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  assert.equal(index.manifests[0]?.digest, busybox.manifest.digest);
});

test('umoci stats and unpacks the OCI layout of the archive', { skip: !have('umoci') || !haveBusybox() }, () => {
  const layout = join(work, 'umoci-layout');
  mkdirSync(layout);
  ok(run('tar', ['-xf', archive, '-C', layout]), 'extract');
  const stat = JSON.parse(ok(run('umoci', ['stat', '--json', '--image', `${layout}:1.36`]), 'umoci stat').stdout) as { history: unknown[] };
  assert.equal(stat.history.length, 1);
  const bundle = join(work, 'umoci-bundle');
  ok(run('umoci', ['unpack', '--image', `${layout}:1.36`, bundle]), 'umoci unpack');
  assert.ok(existsSync(join(bundle, 'rootfs/bin/busybox')));
  // The image with uncompressed layers (application/vnd.oci.image.layer.v1.tar) unpacks too.
  const appBundle = join(work, 'umoci-bundle-app');
  ok(run('umoci', ['unpack', '--image', `${layout}:1`, appBundle]), 'umoci unpack of uncompressed layers');
  assert.equal(readFileSync(join(appBundle, 'rootfs/b'), 'utf8'), 'b\n');
});

/** podman with its own throwaway storage (vfs: works everywhere). */
function podman(args: string[]): Run {
  return run('podman', ['--root', join(work, 'podman/root'), '--runroot', join(work, 'podman/run'), '--storage-driver', 'vfs', ...args]);
}

test('podman loads our archive; gantry loads what podman and skopeo save', { skip: !have('podman') || !have('skopeo') }, () => {
  const loaded = ok(podman(['load', '-i', archive]), 'podman load').stdout;
  assert.match(loaded, /Loaded image: localhost\/busybox:1.36/);
  const images = ok(podman(['images', '--no-trunc', '--format', '{{.ID}}']), 'podman images').stdout;
  assert.ok(images.includes(busybox.id.slice(7)), images);

  const byPodman = join(work, 'podman-save.tar');
  ok(podman(['save', '-o', byPodman, 'localhost/busybox:1.36']), 'podman save');
  const byPodmanOci = join(work, 'podman-save-oci.tar');
  ok(podman(['save', '--format', 'oci-archive', '-o', byPodmanOci, 'localhost:5000/team/app:1']), 'podman save oci-archive');

  // skopeo from an OCI layout directory (the OCI half of our archive) to a docker-archive.
  const layout = join(work, 'skopeo-src');
  mkdirSync(layout);
  ok(run('tar', ['-xf', archive, '-C', layout]), 'extract');
  const bySkopeo = join(work, 'skopeo.tar');
  ok(run('skopeo', ['copy', '-q', `oci:${layout}:1`, `docker-archive:${bySkopeo}:made/by-skopeo:1`]), 'skopeo copy to docker-archive');

  const fresh = join(work, 'from-peers');
  assert.equal(ok(gantry(fresh, ['load', '-i', byPodman]), 'load podman archive').stdout, 'Loaded image: localhost/busybox:1.36\n');
  assert.equal(ok(gantry(fresh, ['load', '-i', bySkopeo]), 'load skopeo archive').stdout, 'Loaded image: made/by-skopeo:1\n');
  ok(gantry(fresh, ['load', '-i', byPodmanOci]), 'load podman oci-archive');
  const store = openStore({ root: fresh });
  try {
    assert.equal(store.images.resolve('localhost/busybox:1.36').id, busybox.id);
    assert.equal(store.images.resolve('made/by-skopeo:1').id, app.id);
    assert.ok(store.images.list().some((i) => i.id === app.id));
  } finally {
    store.close();
  }
  // The OCI layout directory itself loads too (gantry load -i DIR).
  const fromDir = join(work, 'from-dir');
  const r = ok(gantry(fromDir, ['load', '-i', layout]), 'load layout directory');
  assert.match(r.stdout, /Loaded image: busybox:1.36\nLoaded image: busybox:latest\nLoaded image: localhost:5000\/team\/app:1\n/);
});

test('load moves a name held by another image and says so as docker does', () => {
  const dest = join(work, 'rename');
  ok(gantry(dest, ['load', '-i', archive]), 'first load');
  ok(gantry(dest, ['tag', 'localhost:5000/team/app:1', 'busybox:latest']), 'tag');
  const r = ok(gantry(dest, ['load', '-i', archive]), 'second load');
  assert.equal(
    r.stdout,
    `Loaded image: busybox:1.36\nThe image busybox:latest already exists, renaming the old one with ID ${app.id} to empty string\nLoaded image: busybox:latest\nLoaded image: localhost:5000/team/app:1\n`,
  );
});

test('save with gzipLayers (build --output type=oci): uncompressed layers become gzip blobs named by a rewritten manifest; skopeo reads it', async () => {
  const { saveArchive } = await import('../../src/archive/index.js');
  const { gunzipSync } = await import('node:zlib');
  const { writeFileSync } = await import('node:fs');
  const store = openStore({ root });
  let bytes: Buffer;
  try {
    const chunks: Uint8Array[] = [];
    for await (const c of saveArchive(store, [{ record: app, tags: app.repoTags }, { record: busybox, tags: ['docker.io/library/busybox:1.36'] }], { gzipLayers: true })) chunks.push(c);
    bytes = Buffer.concat(chunks);
    // What the export compressed is remembered: a later push HEADs these digests first.
    for (const l of app.layers) assert.equal(store.distribution.compressed(l.diffId, MediaType.OciLayerGzip)?.mediaType, MediaType.OciLayerGzip);
  } finally {
    store.close();
  }
  const file = join(work, 'oci-gzip.tar');
  writeFileSync(file, bytes);
  const list = await entries(file);
  const blob = (d: string): Buffer => (list.find((e) => e.path === `blobs/sha256/${d.slice(7)}`) as { body: Buffer }).body;
  const index = JSON.parse((list.find((e) => e.path === 'index.json') as { body: Buffer }).body.toString()) as { manifests: { digest: string }[] };
  const m = JSON.parse(blob(index.manifests[0]!.digest).toString()) as { layers: { mediaType: string; digest: string; size: number }[]; config: { digest: string } };
  assert.notEqual(index.manifests[0]!.digest, app.manifest.digest, 'the manifest names other blobs, so it has another digest');
  assert.equal(m.config.digest, app.id);
  for (const [i, l] of m.layers.entries()) {
    assert.equal(l.mediaType, MediaType.OciLayerGzip);
    assert.equal(blob(l.digest).length, l.size);
    assert.equal(digestOf(gunzipSync(blob(l.digest))), app.layers[i]!.diffId);
  }
  // busybox's gzip layer and manifest go as stored.
  assert.equal(index.manifests[1]!.digest, busybox.manifest.digest);
  if (ociSchemasAvailable()) assertOciValid(MediaType.OciManifest, blob(index.manifests[0]!.digest));
  if (have('skopeo')) {
    const inspect = JSON.parse(ok(run('skopeo', ['inspect', `oci-archive:${file}:1`]), 'skopeo inspect oci-archive').stdout) as { Layers: string[] };
    assert.deepEqual(inspect.Layers, m.layers.map((l) => l.digest));
  }
  const tmpLeft = readdirSync(join(root, 'tmp')).filter((n) => n.startsWith('save-gzip-'));
  assert.deepEqual(tmpLeft, [], 'the temporary gzip files are removed');
});
