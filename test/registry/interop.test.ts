/**
 * Interop with real peers: skopeo copies an image (made here with umoci) into `gantry registry
 * serve` and back out unchanged, `skopeo inspect` reads it, a Docker v2s2 copy round-trips, podman
 * pulls from it; and the same over TLS with htpasswd auth. Skips with a notice when a peer is absent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync, writeFileSync, mkdirSync, copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/paths.js';
import { serve, req } from './serve.js';
import { htpasswdFile, selfSignedCert } from './tls.js';

const run = promisify(execFile);

function have(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const peers = ['skopeo', 'umoci'].filter((c) => !have(c));
const skip = peers.length > 0 ? `missing peers: ${peers.join(', ')}` : false;

/** An OCI layout with one small image (busybox, or /bin/sh when busybox-static is absent), made by umoci. */
function makeImage(dir: string): string {
  const layout = join(dir, 'layout');
  execFileSync('umoci', ['init', '--layout', layout]);
  execFileSync('umoci', ['new', '--image', `${layout}:latest`]);
  const bin = existsSync('/bin/busybox') ? '/bin/busybox' : '/bin/sh';
  execFileSync('umoci', ['insert', '--image', `${layout}:latest`, bin, '/bin/busybox']);
  execFileSync('umoci', ['config', '--image', `${layout}:latest`, '--config.cmd', '/bin/busybox', '--config.cmd', 'true']);
  return layout;
}

function layoutManifest(layout: string): { digest: string; body: Buffer } {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const digest = index.manifests[0]!.digest;
  return { digest, body: readFileSync(join(layout, 'blobs', 'sha256', digest.slice(7))) };
}

/** containers/storage and containers.conf in a temp dir (vfs: no mounts to clean up; runc: see MACHINE.md). */
function containersEnv(dir: string): NodeJS.ProcessEnv {
  writeFileSync(join(dir, 'storage.conf'), `[storage]\ndriver = "vfs"\nrunroot = "${dir}/run"\ngraphroot = "${dir}/storage"\n`);
  writeFileSync(join(dir, 'containers.conf'), '[engine]\nruntime = "runc"\n');
  return { ...process.env, CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'), CONTAINERS_CONF: join(dir, 'containers.conf'), HOME: dir };
}

test('skopeo copies an OCI image into gantry serve and back out byte for byte; inspect and v2s2 work', { skip }, async (t) => {
  const dir = tempDir(t);
  const layout = makeImage(dir);
  const src = layoutManifest(layout);
  const s = await serve(t);
  const host = new URL(s.url).host;
  const ref = `docker://${host}/interop/busybox:latest`;

  await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:latest`, ref]);
  const got = await req(s.url, 'GET', '/v2/interop/busybox/manifests/latest', { headers: { Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(got.status, 200);
  assert.equal(got.headers.get('docker-content-digest'), src.digest, 'the manifest is stored exactly as pushed');
  assert.deepEqual(got.body, src.body);

  const inspect = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', ref])).stdout) as { Digest: string; Layers: string[]; Os: string };
  assert.equal(inspect.Digest, src.digest);
  assert.equal(inspect.Layers.length, 1);
  const raw = (await run('skopeo', ['inspect', '--raw', '--tls-verify=false', ref])).stdout;
  assert.equal(raw, src.body.toString());

  const out = join(dir, 'out');
  await run('skopeo', ['copy', '--src-tls-verify=false', ref, `oci:${out}:copied`]);
  assert.equal(layoutManifest(out).digest, src.digest, 'pulled back unchanged');

  // Docker schema 2 media types: skopeo converts, pushes a v2s2 manifest, and reads it back.
  const v2 = `docker://${host}/interop/busybox-v2s2:latest`;
  await run('skopeo', ['copy', '--dest-tls-verify=false', '--format', 'v2s2', `oci:${layout}:latest`, v2]);
  const v2m = await req(s.url, 'GET', '/v2/interop/busybox-v2s2/manifests/latest', { headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' } });
  assert.equal(v2m.headers.get('content-type'), 'application/vnd.docker.distribution.manifest.v2+json');
  await run('skopeo', ['copy', '--src-tls-verify=false', v2, `docker-archive:${join(dir, 'image.tar')}:interop/busybox:v2`]);
  // …and the docker-archive goes back in as another repository, blobs mounted or re-sent.
  await run('skopeo', ['copy', '--dest-tls-verify=false', `docker-archive:${join(dir, 'image.tar')}`, `docker://${host}/interop/from-archive:v1`]);
  const tags = await run('skopeo', ['list-tags', '--tls-verify=false', `docker://${host}/interop/from-archive`]);
  assert.deepEqual((JSON.parse(tags.stdout) as { Tags: string[] }).Tags, ['v1']);

  // skopeo delete removes the manifest by digest.
  await run('skopeo', ['delete', '--tls-verify=false', `docker://${host}/interop/from-archive:v1`]);
  assert.equal((await req(s.url, 'GET', '/v2/interop/from-archive/manifests/v1')).status, 404);
});

test('podman pulls from gantry serve and pushes back to it', { skip: skip || (have('podman') ? false : 'podman missing') }, async (t) => {
  const dir = tempDir(t);
  const layout = makeImage(dir);
  const s = await serve(t);
  const host = new URL(s.url).host;
  await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${layout}:latest`, `docker://${host}/interop/podman:latest`]);
  mkdirSync(join(dir, 'containers'), { recursive: true });
  const env = containersEnv(join(dir, 'containers'));
  t.after(async () => {
    await run('podman', ['rmi', '-a', '-f'], { env }).catch(() => undefined);
  });
  await run('podman', ['pull', '-q', '--tls-verify=false', `${host}/interop/podman:latest`], { env });
  const images = await run('podman', ['images', '--format', '{{.Repository}}:{{.Tag}}'], { env });
  assert.match(images.stdout, new RegExp(`${host}/interop/podman:latest`));
  // podman's push: blob existence checks, uploads (it recompresses the layer), manifest PUT.
  await run('podman', ['push', '-q', '--tls-verify=false', `${host}/interop/podman:latest`, `${host}/interop/podman-pushed:v1`], { env });
  const inspect = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', `docker://${host}/interop/podman-pushed:v1`])).stdout) as { Layers: string[] };
  assert.equal(inspect.Layers.length, 1);
  for (const layer of inspect.Layers) assert.equal((await req(s.url, 'HEAD', `/v2/interop/podman-pushed/blobs/${layer}`)).status, 200);
});

test('skopeo pushes and pulls over TLS with htpasswd credentials; wrong credentials are refused', { skip }, async (t) => {
  const dir = tempDir(t);
  const layout = makeImage(dir);
  const { cert, key } = selfSignedCert(dir);
  const certDir = join(dir, 'certs');
  mkdirSync(certDir);
  copyFileSync(cert, join(certDir, 'ca.crt'));
  htpasswdFile(join(dir, 'htpasswd'), 'ci', 'secret-pw');
  const s = await serve(t, ['--tls-cert', cert, '--tls-key', key, '--htpasswd', join(dir, 'htpasswd')]);
  const host = new URL(s.url).host;
  const ref = `docker://${host}/secure/busybox:1`;

  await assert.rejects(run('skopeo', ['copy', '--dest-cert-dir', certDir, '--dest-creds', 'ci:wrong', `oci:${layout}:latest`, ref]), /unauthorized|authentication required|invalid username/i);
  await run('skopeo', ['copy', '--dest-cert-dir', certDir, '--dest-creds', 'ci:secret-pw', `oci:${layout}:latest`, ref]);
  const inspect = JSON.parse((await run('skopeo', ['inspect', '--cert-dir', certDir, '--creds', 'ci:secret-pw', ref])).stdout) as { Digest: string };
  assert.equal(inspect.Digest, layoutManifest(layout).digest);
  await run('skopeo', ['copy', '--src-cert-dir', certDir, '--src-creds', 'ci:secret-pw', ref, `oci:${join(dir, 'back')}:1`]);
  assert.equal(layoutManifest(join(dir, 'back')).digest, layoutManifest(layout).digest);
  // Without the CA, TLS verification fails: the server really is on TLS with that certificate.
  await assert.rejects(run('skopeo', ['inspect', '--creds', 'ci:secret-pw', ref]), /certificate|x509/i);
  await s.stop();
  assert.doesNotMatch(s.log(), /secret-pw/);
});

test('skopeo goes through the bearer token flow: push with rights, anonymous pull of a public repository, refusal without rights', { skip }, async (t) => {
  const dir = tempDir(t);
  const layout = makeImage(dir);
  htpasswdFile(join(dir, 'htpasswd'), 'dev', 'dev-pw');
  writeFileSync(
    join(dir, 'auth.json'),
    JSON.stringify({
      htpasswd: 'htpasswd',
      access: [
        { account: 'dev', repository: '**', actions: ['pull', 'push'] },
        { account: '', repository: 'public/*', actions: ['pull'] },
      ],
    }),
  );
  const s = await serve(t, ['--auth-config', join(dir, 'auth.json')]);
  const host = new URL(s.url).host;
  await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', 'dev:dev-pw', `oci:${layout}:latest`, `docker://${host}/public/app:1`]);
  await run('skopeo', ['copy', '--dest-tls-verify=false', '--dest-creds', 'dev:dev-pw', `oci:${layout}:latest`, `docker://${host}/private/app:1`]);
  const anon = JSON.parse((await run('skopeo', ['inspect', '--tls-verify=false', '--no-creds', `docker://${host}/public/app:1`])).stdout) as { Digest: string };
  assert.equal(anon.Digest, layoutManifest(layout).digest);
  await assert.rejects(run('skopeo', ['inspect', '--tls-verify=false', '--no-creds', `docker://${host}/private/app:1`]), /unauthorized|authentication required|denied/i);
  // dev has no delete right: skopeo delete is refused.
  await assert.rejects(run('skopeo', ['delete', '--tls-verify=false', '--creds', 'dev:dev-pw', `docker://${host}/public/app:1`]), /unauthorized|denied|authentication/i);
  assert.match(s.log(), /route=token status=200/);
});
