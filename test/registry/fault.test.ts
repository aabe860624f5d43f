/**
 * Faults and maintenance: a server killed with SIGKILL in the middle of an upload restarts and
 * serves everything committed before, and the killed upload never appears as a blob; `registry gc`
 * in dry-run and real mode through the CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, existsSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { gantryBin } from '../helpers/paths.js';
import { serve, req, pushBlob, pushManifest, sha256 } from './serve.js';

const run = promisify(execFile);

function blobFiles(root: string): string[] {
  const base = join(root, 'blobs', 'sha256');
  if (!existsSync(base)) return [];
  return readdirSync(base).flatMap((p) => readdirSync(join(base, p)).map((h) => `sha256:${h}`)).sort();
}

async function pushImage(url: string, name: string, tag: string): Promise<{ manifest: string; blobs: string[] }> {
  const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, n: randomBytes(4).toString('hex') }));
  const layer = randomBytes(4096);
  await pushBlob(url, name, cfg);
  await pushBlob(url, name, layer);
  const m = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(layer), size: layer.length }],
  });
  const r = await pushManifest(url, name, tag, m);
  assert.equal(r.status, 201);
  return { manifest: sha256(m), blobs: [sha256(cfg), sha256(layer), sha256(m)] };
}

test('SIGKILL mid-upload: after restart everything committed is served and the killed upload is no blob', async (t) => {
  const first = await serve(t);
  const image = await pushImage(first.url, 'crash/app', 'v1');
  const before = blobFiles(first.root);

  // Start a big upload and kill the server while the body is still streaming.
  const big = randomBytes(8 * 1024 * 1024);
  const start = await req(first.url, 'POST', '/v2/crash/app/blobs/uploads/');
  const location = start.headers.get('location')!;
  await new Promise<void>((resolve) => {
    const r = request(`${first.url}${location}?digest=${sha256(big)}`, { method: 'PUT', headers: { 'Content-Length': big.length } });
    r.on('error', () => resolve());
    r.on('response', (res) => {
      res.resume();
      resolve();
    });
    r.write(big.subarray(0, 3 * 1024 * 1024), () => {
      setTimeout(() => {
        void first.stop('SIGKILL').then(() => r.destroy());
      }, 100);
    });
  });
  await first.stop('SIGKILL');
  assert.equal(first.child.signalCode, 'SIGKILL');
  assert.deepEqual(blobFiles(first.root), before, 'the interrupted upload left no blob');

  const second = await serve(t, [], first.root);
  const m = await req(second.url, 'GET', '/v2/crash/app/manifests/v1', { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(m.status, 200);
  assert.equal(m.headers.get('docker-content-digest'), image.manifest);
  for (const d of image.blobs.slice(0, 2)) {
    const b = await req(second.url, 'GET', `/v2/crash/app/blobs/${d}`);
    assert.equal(b.status, 200);
    assert.equal(sha256(b.body), d);
  }
  assert.equal((await req(second.url, 'HEAD', `/v2/crash/app/blobs/${sha256(big)}`)).status, 404);
  // The upload session survived with what reached the disk; finishing it with the wrong bytes fails.
  const status = await req(second.url, 'GET', location);
  assert.equal(status.status, 204);
  const got = Number(status.headers.get('range')!.split('-')[1]) + 1;
  assert.ok(got > 0 && got < big.length, `partial upload holds ${got} bytes`);
  const resumed = await req(second.url, 'PUT', `${location}?digest=${sha256(big)}`, {
    body: big.subarray(got),
    headers: { 'Content-Range': `${got}-${big.length - 1}` },
  });
  assert.equal(resumed.status, 201, 'the upload resumes where the killed server left it');
  assert.equal(sha256((await req(second.url, 'GET', `/v2/crash/app/blobs/${sha256(big)}`)).body), sha256(big));
});

test('registry gc: dry-run lists the unreferenced blob and keeps it; a real run deletes it and nothing else', async (t) => {
  const s = await serve(t);
  const image = await pushImage(s.url, 'gc/app', 'v1');
  const orphan = await pushBlob(s.url, 'gc/app', randomBytes(1000));
  const stale = await req(s.url, 'POST', '/v2/gc/app/blobs/uploads/');
  await s.stop();
  // Age the stale upload so the purge applies to it (idle time comes from its files' mtimes).
  const uploadDir = join(s.root, 'repositories', 'gc', 'app', '_uploads', stale.headers.get('docker-upload-uuid')!);
  const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
  for (const f of ['data', 'startedat']) utimesSync(join(uploadDir, f), old, old);

  const dry = await run(process.execPath, [gantryBin, 'registry', 'gc', '--root', s.root, '--dry-run', '--grace', '0s']);
  assert.match(dry.stdout, new RegExp(`would delete blob ${orphan}`));
  assert.match(dry.stdout, /1 blobs would be deleted/);
  assert.match(dry.stdout, /1 uploads would be purged/);
  assert.ok(blobFiles(s.root).includes(orphan));
  assert.ok(existsSync(uploadDir));

  const real = await run(process.execPath, [gantryBin, 'registry', 'gc', '--root', s.root, '--grace', '0s']);
  assert.match(real.stdout, /1 blobs deleted/);
  assert.deepEqual(blobFiles(s.root), [...image.blobs].sort());
  assert.ok(!existsSync(uploadDir));
  assert.ok(!existsSync(join(s.root, 'gc.lock')));

  const again = await serve(t, [], s.root);
  assert.equal((await req(again.url, 'GET', '/v2/gc/app/manifests/v1')).status, 200);
  assert.equal((await req(again.url, 'HEAD', `/v2/gc/app/blobs/${orphan}`)).status, 404);

  // With the default grace period a just-written orphan survives.
  const young = await pushBlob(again.url, 'gc/app', randomBytes(10));
  const kept = await run(process.execPath, [gantryBin, 'registry', 'gc', '--root', s.root]);
  assert.match(kept.stdout, /0 blobs deleted/);
  assert.ok(blobFiles(s.root).includes(young));
});
