/**
 * gantry pull, push and login against real peers: distribution's registry (`docker-registry`, TLS
 * with a self-signed certificate in a temporary certs.d, htpasswd auth), skopeo on the other side,
 * and gantry's own registry server. Fault tests: a pull whose connection is cut mid-layer resumes
 * with Range; a push killed mid-blob leaves no partial blob and a re-run completes.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, copyFileSync, existsSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { selfSignedCert, htpasswdFile } from './tls.js';
import { serve } from './serve.js';
import { openStore } from '../../src/store/index.js';
import { digestOf } from '../../src/oci/index.js';
import { startDistribution } from './distribution.js';
import { makeImage, ociLayout, putImage, tarOf, type Img } from './images.js';
import { runGantry } from '../helpers/cli.js';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['docker-registry', 'htpasswd', 'skopeo', 'openssl', 'tar'].filter((c) => !have(c));
const skip = missing.length > 0 ? `missing ${missing.join(', ')}` : false;




/** An image of one layer holding `files`, written under `dir` and tarred with tar(1). */
function makeImageOf(dir: string, files: Record<string, Buffer | string>): Img {
  const root = join(dir, `rootfs-${randomBytes(4).toString('hex')}`);
  mkdirSync(root, { recursive: true });
  for (const [name, data] of Object.entries(files)) writeFileSync(join(root, name), data);
  return makeImage(tarOf(root), { Cmd: ['/bin/sh'] });
}

/** Every blob the registry stores has the bytes its name says: no partial blob was published. */
function assertNoPartialBlobs(data: string): number {
  const base = join(data, 'docker', 'registry', 'v2', 'blobs', 'sha256');
  if (!existsSync(base)) return 0;
  let n = 0;
  for (const prefix of readdirSync(base)) {
    for (const hex of readdirSync(join(base, prefix))) {
      const file = join(base, prefix, hex, 'data');
      if (!existsSync(file)) continue;
      assert.equal(createHash('sha256').update(readFileSync(file)).digest('hex'), hex, `blob ${hex} holds other bytes`);
      n++;
    }
  }
  return n;
}

test('login, push over TLS with htpasswd, skopeo reads the same digests; wrong password refused without leaking it', { skip }, async (t) => {
  const reg = await startDistribution(t, { tls: true, auth: true });
  const dir = tempDir(t, 'gantry-pp-');
  const env = { GANTRY_ROOT: join(dir, 'root'), DOCKER_CONFIG: join(dir, 'docker'), GANTRY_CERTS_D: reg.certsDir!, GANTRY_CONFIG: join(dir, 'none.json') };
  const bad = await runGantry(['login', reg.host, '-u', 'alice', '--password-stdin'], env, 'wrong-secret-pw\n');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^Error response from daemon: Get "https:\/\/127\.0\.0\.1:\d+\/v2\/": unauthorized/);
  assert.doesNotMatch(bad.stdout + bad.stderr, /wrong-secret-pw/);
  assert.equal(existsSync(join(dir, 'docker', 'config.json')), false);

  const good = await runGantry(['login', reg.host, '-u', 'alice', '--password-stdin'], env, 'hunter22\n');
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stdout, /^Login Succeeded$/m);
  assert.match(good.stderr, /WARNING! Your password will be stored unencrypted in .*config\.json/);
  const cfg = JSON.parse(readFileSync(join(dir, 'docker', 'config.json'), 'utf8')) as { auths: Record<string, { auth: string }> };
  assert.equal(Buffer.from(cfg.auths[reg.host]!.auth, 'base64').toString(), 'alice:hunter22');

  const img = makeImageOf(dir, { 'hello.txt': 'hello from gantry\n', 'data.bin': randomBytes(200_000) });
  await putImage(env.GANTRY_ROOT, img.manifest, [img.layer, img.config], [`${reg.host}/team/app:1`]);
  const push = await runGantry(['push', `${reg.host}/team/app:1`], env);
  assert.equal(push.status, 0, push.stderr);
  assert.match(push.stdout, new RegExp(`^The push refers to repository \\[${reg.host}/team/app\\]$`, 'm'));
  assert.match(push.stdout, new RegExp(`^${digestOf(img.layer).slice(7, 19)}: Pushed$`, 'm'));
  assert.match(push.stdout, new RegExp(`^1: digest: ${img.digest} size: ${img.manifest.length}$`, 'm'));

  const skopeoArgs = ['--cert-dir', join(reg.certsDir!, reg.host), '--creds', 'alice:hunter22'];
  const inspect = spawnSync('skopeo', ['inspect', ...skopeoArgs, `docker://${reg.host}/team/app:1`], { encoding: 'utf8' });
  assert.equal(inspect.status, 0, inspect.stderr);
  assert.equal((JSON.parse(inspect.stdout) as { Digest: string }).Digest, img.digest);
  const copied = join(dir, 'copied');
  const copy = spawnSync('skopeo', ['copy', '-q', '--src-cert-dir', join(reg.certsDir!, reg.host), '--src-creds', 'alice:hunter22', `docker://${reg.host}/team/app:1`, `oci:${copied}:x`], { encoding: 'utf8' });
  assert.equal(copy.status, 0, copy.stderr);
  const index = JSON.parse(readFileSync(join(copied, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  assert.equal(index.manifests[0]!.digest, img.digest);

  // A second push finds everything there; another repository gets the layer by mount.
  const again = await runGantry(['push', `${reg.host}/team/app:1`], env);
  assert.match(again.stdout, /: Layer already exists$/m);
  assert.equal((await runGantry(['tag', `${reg.host}/team/app:1`, `${reg.host}/team/other:2`], env)).status, 0);
  const mounted = await runGantry(['push', `${reg.host}/team/other:2`], env);
  assert.equal(mounted.status, 0, mounted.stderr);
  assert.match(mounted.stdout, /: Mounted from team\/app$/m);

  // Without the certificate, TLS verification fails; --tls-verify=false gets through.
  const noCa = { ...env, GANTRY_CERTS_D: join(dir, 'empty-certs') };
  const refused = await runGantry(['pull', `${reg.host}/team/app:1`], noCa);
  assert.notEqual(refused.status, 0);
  const insecure = await runGantry(['pull', '--tls-verify=false', '-q', `${reg.host}/team/app:1`], noCa);
  assert.equal(insecure.status, 0, insecure.stderr);

  const out = await runGantry(['logout', reg.host], env);
  assert.equal(out.stdout, `Removing login credentials for ${reg.host}\n`);
  const anon = await runGantry(['pull', '-q', `${reg.host}/team/app:1`], { ...env, GANTRY_ROOT: join(dir, 'root3') });
  assert.equal(anon.status, 1);
  assert.match(anon.stderr, /unauthorized/);
});

test('skopeo push, then gantry pull: the image and its files are in the store; a second pull is up to date', { skip }, async (t) => {
  const reg = await startDistribution(t);
  const dir = tempDir(t, 'gantry-pp-');
  const env = { GANTRY_ROOT: join(dir, 'root'), DOCKER_CONFIG: join(dir, 'docker'), GANTRY_CONFIG: join(dir, 'none.json') };
  const img = makeImageOf(dir, { 'hello.txt': 'hello from skopeo\n' });
  const push = spawnSync('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${ociLayout(dir, img)}`, `docker://${reg.host}/lib/hello:v1`], { encoding: 'utf8' });
  assert.equal(push.status, 0, push.stderr);
  const pulled = await runGantry(['pull', `${reg.host}/lib/hello:v1`], env);
  assert.equal(pulled.status, 0, pulled.stderr);
  const short = digestOf(img.layer).slice(7, 19);
  assert.equal(
    pulled.stdout,
    [
      `v1: Pulling from lib/hello`,
      `${short}: Pulling fs layer`,
      `${short}: Verifying Checksum`,
      `${short}: Download complete`,
      `${short}: Pull complete`,
      `Digest: ${img.digest}`,
      `Status: Downloaded newer image for ${reg.host}/lib/hello:v1`,
      `${reg.host}/lib/hello:v1`,
      '',
    ].join('\n'),
  );
  const store = openStore({ root: env.GANTRY_ROOT });
  try {
    const rec = store.images.resolve(`${reg.host}/lib/hello:v1`);
    assert.equal(rec.id, digestOf(img.config));
    assert.deepEqual(rec.repoDigests, [`${reg.host}/lib/hello@${img.digest}`]);
    const blob = join(store.layout.blobs, 'sha256', digestOf(img.layer).slice(7));
    const file = spawnSync('tar', ['-xzf', blob, '-O', './hello.txt'], { encoding: 'utf8' });
    assert.equal(file.stdout, 'hello from skopeo\n');
  } finally {
    store.close();
  }
  const second = await runGantry(['pull', `${reg.host}/lib/hello:v1`], env);
  assert.match(second.stdout, new RegExp(`^${short}: Already exists$`, 'm'));
  assert.match(second.stdout, /^Status: Image is up to date for /m);
  const byDigest = await runGantry(['pull', '-q', `${reg.host}/lib/hello@${img.digest}`], env);
  assert.equal(byDigest.stdout, `${reg.host}/lib/hello@${img.digest}\n`);
  const unknown = await runGantry(['pull', `${reg.host}/lib/hello:nope`], env);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /manifest for .*lib\/hello:nope not found: manifest unknown/);
});

test('gantry registry serve with TLS and htpasswd: login (wrong, then right), push, then skopeo copy reads it back', { skip }, async (t) => {
  const dir = tempDir(t, 'gantry-pp-');
  const { cert, key } = selfSignedCert(dir);
  htpasswdFile(join(dir, 'htpasswd'), 'bob', 's3cret-pw');
  const served = await serve(t, ['--tls-cert', cert, '--tls-key', key, '--htpasswd', join(dir, 'htpasswd')]);
  const host = new URL(served.url).host;
  const certsDir = join(dir, 'certs.d');
  mkdirSync(join(certsDir, host), { recursive: true });
  copyFileSync(cert, join(certsDir, host, 'ca.crt'));
  const env = { GANTRY_ROOT: join(dir, 'root'), DOCKER_CONFIG: join(dir, 'docker'), GANTRY_CONFIG: join(dir, 'none.json'), GANTRY_CERTS_D: certsDir };
  const bad = await runGantry(['login', host, '-u', 'bob', '--password-stdin'], env, 'not-the-pw');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^Error response from daemon: .*unauthorized/);
  assert.doesNotMatch(bad.stderr, /not-the-pw/);
  const good = await runGantry(['login', host, '-u', 'bob', '-p', 's3cret-pw'], env);
  assert.equal(good.status, 0, good.stderr);
  assert.match(good.stderr, /^WARNING! Using --password via the CLI is insecure\. Use --password-stdin\.$/m);
  assert.match(good.stdout, /^Login Succeeded$/m);
  const img = makeImageOf(dir, { 'a.txt': 'a\n', 'b.bin': randomBytes(50_000) });
  await putImage(env.GANTRY_ROOT, img.manifest, [img.layer, img.config], [`${host}/x/y:latest`]);
  const push = await runGantry(['push', `${host}/x/y`], env);
  assert.equal(push.status, 0, push.stderr);
  const out = join(dir, 'out');
  const copy = spawnSync('skopeo', ['copy', '-q', '--src-cert-dir', join(certsDir, host), '--src-creds', 'bob:s3cret-pw', `docker://${host}/x/y:latest`, `oci:${out}:y`], { encoding: 'utf8' });
  assert.equal(copy.status, 0, copy.stderr);
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  assert.equal(index.manifests[0]!.digest, img.digest);
  if (have('podman')) {
    const p = spawnSync('podman', ['--root', join(dir, 'podman'), '--runroot', join(dir, 'podman-run'), 'pull', '-q', '--cert-dir', join(certsDir, host), '--creds', 'bob:s3cret-pw', `${host}/x/y:latest`], { encoding: 'utf8' });
    if (p.status === 0) assert.equal(p.stdout.trim(), digestOf(img.config).slice(7));
    else t.diagnostic(`podman pull did not run here: ${p.stderr.trim().split('\n').pop() ?? ''}`);
  }
  const logout = await runGantry(['logout', host], env);
  assert.equal(logout.stdout, `Removing login credentials for ${host}\n`);
  const again = await runGantry(['logout', host], env);
  assert.equal(again.stdout, `Not logged in to ${host}\n`);
});

test('NODE_EXTRA_CA_CERTS is trusted for a pull, read when the connection is made, not at start-up', { skip }, async (t) => {
  const dir = tempDir(t, 'gantry-pp-');
  const { cert, key } = selfSignedCert(dir);
  const served = await serve(t, ['--tls-cert', cert, '--tls-key', key]);
  const host = new URL(served.url).host;
  const certsDir = join(dir, 'certs.d');
  mkdirSync(join(certsDir, host), { recursive: true });
  copyFileSync(cert, join(certsDir, host, 'ca.crt'));
  const base = { GANTRY_ROOT: join(dir, 'root'), DOCKER_CONFIG: join(dir, 'docker'), GANTRY_CONFIG: join(dir, 'none.json') };
  const img = makeImageOf(dir, { 'a.txt': 'extra-ca\n' });
  await putImage(base.GANTRY_ROOT, img.manifest, [img.layer, img.config], [`${host}/ca/app:1`]);
  assert.equal((await runGantry(['push', '-q', `${host}/ca/app:1`], { ...base, GANTRY_CERTS_D: certsDir })).status, 0);
  // bin/gantry run as a program, so its #! line (which keeps the variable from node's start-up) applies.
  const exec = (args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> =>
    new Promise((resolve) => {
      const env2: Record<string, string | undefined> = { ...process.env, ...base, GANTRY_ROOT: join(dir, 'pulled'), GANTRY_CERTS_D: join(dir, 'no-certs'), ...env };
      if (!('NODE_EXTRA_CA_CERTS' in env)) delete env2.NODE_EXTRA_CA_CERTS;
      const child = spawn(gantryBin, args, { env: env2 });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.once('close', (status) => resolve({ status, stdout, stderr }));
    });
  const untrusted = await exec(['pull', '-q', `${host}/ca/app:1`], {});
  assert.equal(untrusted.status, 1); // (a loopback registry then falls back to plain HTTP, which this one does not speak)
  assert.match(untrusted.stderr, /^Error: /);
  const trusted = await exec(['pull', '-q', `${host}/ca/app:1`], { NODE_EXTRA_CA_CERTS: cert });
  assert.equal(trusted.status, 0, trusted.stderr);
  assert.equal(trusted.stdout, `${host}/ca/app:1\n`);
  // A file node cannot read: node would warn at start-up; gantry warns only when TLS needs it.
  const missingFile = { NODE_EXTRA_CA_CERTS: join(dir, 'no-such.pem') };
  assert.equal((await exec(['--version'], missingFile)).stderr, '');
  const pulled = await exec(['pull', '-q', `${host}/ca/app:1`], missingFile);
  assert.match(pulled.stderr, /^Warning: Ignoring extra certs from `.*no-such\.pem`, load failed/m);
});

/** A proxy to `target` that cuts the first GET of `cutPath` after `after` bytes, and records requests. */
async function cuttingProxy(t: TestContext, target: string, match: (req: http.IncomingMessage) => boolean, after: number): Promise<{ host: string; seen: { method: string; url: string; range?: string }[] }> {
  const seen: { method: string; url: string; range?: string }[] = [];
  let cut = false;
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', ...(req.headers.range ? { range: req.headers.range } : {}) });
    const up = http.request(`http://${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: target } }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      if (!cut && match(req)) {
        cut = true;
        let n = 0;
        upRes.on('data', (c: Buffer) => {
          if (n + c.length >= after) {
            res.write(c.subarray(0, Math.max(0, after - n)));
            upRes.destroy();
            res.socket?.destroy();
            return;
          }
          n += c.length;
          res.write(c);
        });
        return;
      }
      upRes.pipe(res);
    });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

test('a pull whose connection drops mid-layer resumes with Range and verifies the layer', { skip }, async (t) => {
  const reg = await startDistribution(t);
  const dir = tempDir(t, 'gantry-pp-');
  const img = makeImageOf(dir, { 'big.bin': randomBytes(3 * 1024 * 1024) });
  const push = spawnSync('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${ociLayout(dir, img)}`, `docker://${reg.host}/lib/big:1`], { encoding: 'utf8' });
  assert.equal(push.status, 0, push.stderr);
  const layer = digestOf(img.layer);
  const proxy = await cuttingProxy(t, reg.host, (req) => req.method === 'GET' && (req.url ?? '').endsWith(`/blobs/${layer}`), 1024 * 1024);
  const env = { GANTRY_ROOT: join(dir, 'root'), DOCKER_CONFIG: join(dir, 'docker'), GANTRY_CONFIG: join(dir, 'none.json') };
  const pulled = await runGantry(['pull', '-q', `${proxy.host}/lib/big:1`], env);
  assert.equal(pulled.status, 0, pulled.stderr);
  const gets = proxy.seen.filter((s) => s.url.endsWith(`/blobs/${layer}`));
  assert.equal(gets.length, 2, JSON.stringify(gets));
  assert.equal(gets[0]!.range, undefined);
  assert.match(gets[1]!.range ?? '', /^bytes=[1-9]\d*-$/);
  const store = openStore({ root: env.GANTRY_ROOT });
  try {
    const blob = readFileSync(join(store.layout.blobs, 'sha256', layer.slice(7)));
    assert.equal(digestOf(blob), layer);
    assert.equal(store.images.resolve(`${proxy.host}/lib/big:1`).id, digestOf(img.config));
  } finally {
    store.close();
  }
});

test('a push killed mid-blob (SIGKILL) leaves no partial blob, and a re-run completes', { skip }, async (t) => {
  const reg = await startDistribution(t);
  const dir = tempDir(t, 'gantry-pp-');
  const img = makeImageOf(dir, { 'big.bin': randomBytes(6 * 1024 * 1024) });
  const env = { GANTRY_ROOT: join(dir, 'root'), DOCKER_CONFIG: join(dir, 'docker'), GANTRY_CONFIG: join(dir, 'none.json') };
  // A proxy that forwards upload bodies slowly and tells when 1 MiB of the layer has gone through.
  let sent = 0;
  let reached: () => void = () => {};
  const halfway = new Promise<void>((resolve) => (reached = resolve));
  const server = http.createServer((req, res) => {
    // The Host header stays the proxy's, so the registry's upload Locations point back through it.
    const up = http.request(`http://${reg.host}${req.url}`, { method: req.method, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on('error', () => res.destroy());
    if (req.method === 'PUT' || req.method === 'PATCH') {
      req.on('data', (c: Buffer) => {
        sent += c.length;
        if (sent > 1024 * 1024) reached();
        req.pause();
        up.write(c);
        setTimeout(() => req.resume(), 20);
      });
      req.on('end', () => up.end());
      req.on('error', () => up.destroy());
    } else req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  const proxyHost = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  await putImage(env.GANTRY_ROOT, img.manifest, [img.layer, img.config], [`${proxyHost}/lib/up:1`]);
  const child = spawn(process.execPath, [gantryBin, 'push', `${proxyHost}/lib/up:1`], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let childErr = '';
  child.stderr!.on('data', (c: Buffer) => (childErr += c.toString()));
  const exited = new Promise((resolve) => child.once('close', resolve));
  await Promise.race([halfway, exited]);
  child.kill('SIGKILL');
  await exited;
  assert.equal(child.signalCode, 'SIGKILL', `the push finished before it could be killed (exit ${child.exitCode}, ${sent} bytes): ${childErr}`);
  assertNoPartialBlobs(reg.data);
  assert.equal(existsSync(join(reg.data, 'docker', 'registry', 'v2', 'blobs', 'sha256', digestOf(img.layer).slice(7, 9), digestOf(img.layer).slice(7))), false);
  const again = await runGantry(['push', `${proxyHost}/lib/up:1`], env);
  assert.equal(again.status, 0, again.stderr);
  assert.ok(assertNoPartialBlobs(reg.data) >= 3);
  const inspect = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${reg.host}/lib/up:1`], { encoding: 'utf8' });
  assert.equal((JSON.parse(inspect.stdout) as { Digest: string }).Digest, img.digest);
});
