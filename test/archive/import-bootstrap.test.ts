/**
 * `gantry import` (files, `-`, URLs; gzip, bzip2, xz, zstd input; `-c`, `-m`; docker's history
 * entry) and `image bootstrap` through a stand-in mmdebstrap (a script that writes a fixed tar and
 * records its arguments), so the pipeline is tested without the 35 s of a real bootstrap.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { bootstrapDebian } from '../../src/archive/index.js';
import { MediaType, type ImageConfig } from '../../src/oci/index.js';
import { checkStore, openStore, readBlob, type Store } from '../../src/store/index.js';
import { assertOciValid, ociSchemasAvailable } from '../helpers/oci-schema.js';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { tarOf } from '../helpers/store-images.js';

function gantry(root: string, args: string[], input?: Buffer): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [gantryBin, '--root', root, ...args], { input: input ?? Buffer.alloc(0), encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function config(store: Store, ref: string): Promise<ImageConfig> {
  const img = store.images.resolve(ref);
  return JSON.parse(Buffer.from(await readBlob(store.content, img.config)).toString()) as ImageConfig;
}

function withStore<T>(root: string, fn: (s: Store) => Promise<T>): Promise<T> {
  const s = openStore({ root });
  return fn(s).finally(() => s.close());
}

const rootfs = tarOf({ 'etc/os-release': 'ID=test\n', 'bin/hello': '#!/bin/sh\necho hi\n' });

test('import FILE REF: one layer, docker\'s history and comment ("Imported from -"), -c and -m applied, OCI-valid', async (t) => {
  const root = tempDir(t);
  const dir = tempDir(t);
  writeFileSync(join(dir, 'rootfs.tar'), rootfs);
  const r = gantry(root, ['import', '-c', 'CMD ["/bin/hello"]', '-c', 'ENV A=1', join(dir, 'rootfs.tar'), 'imported:1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
  const m = gantry(root, ['image', 'import', '-m', 'my message', '-', 'imported:2'], rootfs);
  assert.equal(m.code, 0, m.stderr);
  await withStore(root, async (store) => {
    const c1 = await config(store, 'imported:1');
    assert.deepEqual(c1.history?.map((h) => h.comment), ['Imported from -']);
    assert.equal(c1.comment, 'Imported from -');
    assert.deepEqual(c1.config?.Cmd, ['/bin/hello']);
    assert.ok(c1.config?.Env?.includes('A=1'));
    const c2 = await config(store, 'imported:2');
    assert.deepEqual(c2.history?.map((h) => h.comment), ['my message']);
    const img = store.images.resolve('imported:1');
    assert.equal(img.layers.length, 1);
    // Stored uncompressed, as gantry stores the layers it makes: the blob is the tarball as given
    // (docker keeps the tar byte for byte), so its digest is the diffID.
    assert.equal(img.layers[0]?.mediaType, MediaType.OciLayer);
    const { digestOf } = await import('../../src/oci/index.js');
    assert.equal(img.layers[0]?.diffId, digestOf(rootfs));
    assert.equal(img.layers[0]?.digest, digestOf(rootfs));
    assert.equal(img.layers[0]?.size, rootfs.length);
    if (ociSchemasAvailable()) {
      assertOciValid(img.manifest.mediaType, await readBlob(store.content, img.manifest));
      assertOciValid(img.config.mediaType, await readBlob(store.content, img.config));
    }
  });
});

test('import reads gzip, bzip2, xz and zstd tarballs: the same diffID each time', async (t) => {
  const root = tempDir(t);
  const dir = tempDir(t);
  const plain = join(dir, 'rootfs.tar');
  writeFileSync(plain, rootfs);
  const files = [plain];
  for (const [tool, ext] of [['gzip', 'gz'], ['bzip2', 'bz2'], ['xz', 'xz'], ['zstd', 'zst']] as const) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) continue;
    const out = `${plain}.${ext}`;
    writeFileSync(out, spawnSync(tool, ['-c', plain]).stdout);
    files.push(out);
  }
  assert.ok(files.length >= 4, 'gzip, bzip2 and xz are installed here');
  for (const [i, f] of files.entries()) {
    const r = gantry(root, ['import', f, `fmt:${i}`]);
    assert.equal(r.code, 0, `${f}: ${r.stderr}`);
  }
  await withStore(root, async (store) => {
    const diffIds = new Set(files.map((_f, i) => store.images.resolve(`fmt:${i}`).layers[0]?.diffId));
    assert.equal(diffIds.size, 1);
  });
});

test('import refuses what is not a tar (an HTML page, a truncated tarball, a corrupt xz) and records nothing', async (t) => {
  const root = tempDir(t);
  const html = gantry(root, ['import', '-', 'bad:1'], Buffer.from('<html><body>404 Not Found</body></html>\n'.repeat(20)));
  assert.equal(html.code, 1);
  assert.match(html.stderr, /^Error: Cannot import: the input is not a tar archive/);
  const cut = gantry(root, ['import', '-', 'bad:2'], rootfs.subarray(0, 700));
  assert.equal(cut.code, 1);
  assert.match(cut.stderr, /truncated/);
  const xz = spawnSync('xz', ['-c'], { input: rootfs }).stdout;
  const broken = Buffer.from(xz);
  broken[Math.floor(broken.length / 2)] ^= 0xff;
  const bad = gantry(root, ['import', '-', 'bad:3'], broken);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /Cannot decompress the xz input/);
  await withStore(root, async (store) => {
    assert.deepEqual(store.images.list(), []);
    assert.deepEqual((await checkStore(store)).problems, []);
  });
});

test('import URL: fetched over HTTP, the URL in the history; an HTTP error fails with its status', async (t) => {
  const server = createServer((req, res) => {
    if (req.url === '/rootfs.tar') {
      res.writeHead(200, { 'content-type': 'application/x-tar' });
      res.end(rootfs);
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const root = tempDir(t);
  // Asynchronously: the server runs in this process's event loop.
  const run = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, [gantryBin, '--root', root, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('close', (code) => resolve({ code, stderr }));
    });
  const r = await run(['import', `${base}/rootfs.tar`, 'fromurl:1']);
  assert.equal(r.code, 0, r.stderr);
  const missing = await run(['import', `${base}/nope.tar`, 'fromurl:2']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /404/);
  await withStore(root, async (store) => {
    assert.deepEqual((await config(store, 'fromurl:1')).history?.map((h) => h.comment), [`Imported from ${base}/rootfs.tar`]);
    assert.equal(store.images.list().length, 1);
  });
});

/** A stand-in mmdebstrap: records its arguments and stdin, writes a fixed tar (or fails). */
function fakeMmdebstrap(t: TestContext, behaviour: 'ok' | 'fail'): { bin: string; argsFile: string } {
  const dir = tempDir(t);
  const tarFile = join(dir, 'rootfs.tar');
  writeFileSync(tarFile, rootfs);
  const argsFile = join(dir, 'args');
  const bin = join(dir, 'mmdebstrap');
  const tail = behaviour === 'ok' ? `cat '${tarFile}'` : `head -c 700 '${tarFile}'; echo 'E: cannot download packages' >&2; exit 1`;
  writeFileSync(bin, `#!/bin/sh\necho "$@ SDE=$SOURCE_DATE_EPOCH" >> '${argsFile}'\ncat > /dev/null\n${tail}\n`);
  chmodSync(bin, 0o755);
  return { bin, argsFile };
}

test('bootstrap: --variant and --include reach mmdebstrap; the same input gives the same image digest', async (t) => {
  const { bin, argsFile } = fakeMmdebstrap(t, 'ok');
  const ids = [];
  for (let i = 0; i < 2; i++) {
    const store = openStore({ root: tempDir(t) });
    try {
      const rec = await bootstrapDebian(store, { reference: 'debian:bookworm', variant: 'apt', include: ['ca-certificates', 'curl'], sourceDateEpoch: 1700000000, mmdebstrap: bin });
      assert.deepEqual(rec.repoTags, ['docker.io/library/debian:bookworm']);
      ids.push([rec.id, rec.manifest.digest]);
    } finally {
      store.close();
    }
  }
  assert.deepEqual(ids[0], ids[1]);
  const calls = readFileSync(argsFile, 'utf8').trim().split('\n');
  assert.deepEqual(calls, Array(2).fill('--variant=apt --quiet --include=ca-certificates,curl bookworm - SDE=1700000000'));
});

test('bootstrap: mmdebstrap failing or missing gives one clear error and leaves no image and no name', async (t) => {
  const { bin } = fakeMmdebstrap(t, 'fail');
  const store = openStore({ root: tempDir(t) });
  t.after(() => store.close());
  await assert.rejects(bootstrapDebian(store, { reference: 'debian:bookworm', sourceDateEpoch: 1, mmdebstrap: bin }), /mmdebstrap failed with exit code 1: E: cannot download packages/);
  await assert.rejects(bootstrapDebian(store, { reference: 'debian:bookworm', sourceDateEpoch: 1, mmdebstrap: join(tempDir(t), 'absent') }), /mmdebstrap is not installed/);
  await assert.rejects(bootstrapDebian(store, { reference: 'debian:bookworm', include: ['--foo'], mmdebstrap: bin }), /invalid package name "--foo"/);
  await assert.rejects(bootstrapDebian(store, { reference: 'alpine:3', mmdebstrap: bin }), /only debian:SUITE/);
  assert.deepEqual(store.images.list(), []);
  assert.deepEqual((await checkStore(store)).problems, []);
});
