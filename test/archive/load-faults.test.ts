/**
 * Faults during `gantry load`: the process is killed with SIGKILL half-way through a large archive.
 * Afterwards `gantry system check` passes, earlier images are intact, nothing of the half-read
 * archive is named, and loading the whole archive again works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeTar, type TarWriterEntry } from '../../src/layer/index.js';
import { digestOf, MediaType } from '../../src/oci/index.js';
import { openStore, readBlob } from '../../src/store/index.js';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { putTestImage } from '../helpers/store-images.js';

const LAYER_BYTES = 48 << 20;

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const c of source) chunks.push(c);
  return Buffer.concat(chunks);
}

function file(path: string, body: Buffer): TarWriterEntry {
  return { header: { path, type: 'file', mode: 0o644, uid: 0, gid: 0, size: body.length, mtime: 0 }, body };
}

/** An OCI-layout archive of one image whose single uncompressed layer holds `LAYER_BYTES` random bytes. */
async function bigArchive(): Promise<{ bytes: Buffer; id: string }> {
  const layer = await collect(writeTar([file('big.bin', randomBytes(LAYER_BYTES))]));
  const layerDigest = digestOf(layer);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layerDigest] }, config: {} }));
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: digestOf(config), size: config.length },
      layers: [{ mediaType: MediaType.OciLayer, digest: layerDigest, size: layer.length }],
    }),
  );
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: MediaType.OciManifest, digest: digestOf(manifest), size: manifest.length, annotations: { 'io.containerd.image.name': 'docker.io/library/big:1' } }],
    }),
  );
  const blob = (b: Buffer): TarWriterEntry => file(`blobs/sha256/${digestOf(b).slice(7)}`, b);
  // The layer first and the documents last, as docker writes them: the kill lands inside the layer.
  const bytes = await collect(writeTar([blob(layer), blob(config), blob(manifest), file('index.json', index), file('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'))]));
  return { bytes, id: digestOf(config) };
}

test('SIGKILL during gantry load: system check passes, earlier images intact, nothing named; a new load works', async (t) => {
  const root = tempDir(t);
  let store = openStore({ root });
  const earlier = await putTestImage(store, { names: ['earlier:1'] });
  store.close();
  const { bytes, id } = await bigArchive();

  const child = spawn(process.execPath, [gantryBin, '--root', root, 'load'], { stdio: ['pipe', 'ignore', 'pipe'] });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('close', (_code, signal) => resolve(signal)));
  // Half the archive, in 1 MiB writes, each waited for: the CLI is inside the layer when killed
  // (it cannot finish: the documents and the end of the tar are never sent).
  for (let off = 0; off < bytes.length / 2; off += 1 << 20) {
    if (!child.stdin.write(bytes.subarray(off, Math.min(off + (1 << 20), bytes.length / 2)))) {
      await new Promise<void>((r) => child.stdin.once('drain', r));
    }
  }
  child.kill('SIGKILL');
  child.stdin.destroy();
  assert.equal(await exited, 'SIGKILL');

  const check = spawnSync(process.execPath, [gantryBin, '--root', root, 'system', 'check', '--verify'], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  assert.match(check.stdout, / 0 problems/);

  store = openStore({ root });
  try {
    assert.deepEqual(store.images.list().map((i) => i.id), [earlier.id]);
    assert.equal(store.images.resolve('earlier:1').id, earlier.id);
    for (const d of [earlier.manifest, earlier.config, ...earlier.layers]) await readBlob(store.content, d);
  } finally {
    store.close();
  }

  const again = spawnSync(process.execPath, [gantryBin, '--root', root, 'load'], { input: bytes, encoding: 'utf8', maxBuffer: 1 << 20 });
  assert.equal(again.status, 0, again.stderr);
  assert.equal(again.stdout, 'Loaded image: big:1\n');
  store = openStore({ root });
  try {
    assert.equal(store.images.resolve('big:1').id, id);
  } finally {
    store.close();
  }
  const after = spawnSync(process.execPath, [gantryBin, '--root', root, 'system', 'check'], { encoding: 'utf8' });
  assert.equal(after.status, 0, after.stdout + after.stderr);
});
