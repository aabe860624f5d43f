/**
 * Images pushed by the peers (skopeo from an OCI layout, buildah from its own storage) into
 * distribution's registry, then `gantry pull` and `gantry run` of what came back: the layer bytes,
 * the manifest format each peer chose and the config all have to survive for the container to run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '../helpers/paths.js';
import { haveBusybox, makeBusyboxRootfs } from '../helpers/fixtures.js';
import { runtimeSkipReason } from '../runtime/harness.js';
import { startDistribution } from './distribution.js';
import { makeImage, ociLayout, tarOf } from './images.js';
import { runGantry } from '../helpers/cli.js';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['docker-registry', 'skopeo', 'buildah', 'tar'].filter((c) => !have(c));
const skip = missing.length > 0 ? `missing ${missing.join(', ')}` : !haveBusybox() ? 'busybox-static missing' : (runtimeSkipReason() ?? false);


/** A busybox image with a marker file, as an OCI layout (skopeo's and buildah's source). */
function busyboxLayout(dir: string): string {
  const rootfs = join(dir, 'rootfs');
  makeBusyboxRootfs(rootfs);
  mkdirSync(join(rootfs, 'etc'), { recursive: true });
  writeFileSync(join(rootfs, 'etc', 'roundtrip.txt'), 'pushed by a peer\n');
  const img = makeImage(tarOf(rootfs), { Env: ['PATH=/bin'], Cmd: ['/bin/sh'] });
  // buildah names an image pulled from oci:PATH after the path, which must be lower case.
  return ociLayout(dir, img, 'layout');
}

test('skopeo and buildah push a busybox image; gantry pulls each and runs a container from it', { skip }, async (t) => {
  const reg = await startDistribution(t);
  const dir = tempDir(t, 'gantry-rt-');
  const lower = join(tmpdir(), `gantry-rt-${randomBytes(6).toString('hex')}`);
  mkdirSync(lower);
  t.after(() => rmSync(lower, { recursive: true, force: true }));
  const layout = busyboxLayout(lower);
  const env = { GANTRY_ROOT: join(dir, 'root'), DOCKER_CONFIG: join(dir, 'docker'), GANTRY_CONFIG: join(dir, 'none.json') };

  const sk = spawnSync('skopeo', ['copy', '-q', '--dest-tls-verify=false', `oci:${layout}`, `docker://${reg.host}/rt/busybox:skopeo`], { encoding: 'utf8' });
  assert.equal(sk.status, 0, sk.stderr);
  // buildah from a storage of the test's own (vfs: nothing to unmount afterwards).
  const storage = ['--root', join(dir, 'buildah', 'root'), '--runroot', join(dir, 'buildah', 'run'), '--storage-driver', 'vfs'];
  t.after(() => {
    spawnSync('buildah', [...storage, 'rmi', '-a', '-f'], { stdio: 'ignore' });
  });
  const from = spawnSync('buildah', [...storage, 'pull', '-q', `oci:${layout}`], { encoding: 'utf8' });
  assert.equal(from.status, 0, from.stderr);
  const id = from.stdout.trim().split('\n').pop()!;
  const bh = spawnSync('buildah', [...storage, 'push', '-q', '--tls-verify=false', '--format', 'docker', id, `docker://${reg.host}/rt/busybox:buildah`], { encoding: 'utf8' });
  assert.equal(bh.status, 0, bh.stderr);

  for (const tag of ['skopeo', 'buildah']) {
    const ref = `${reg.host}/rt/busybox:${tag}`;
    const pulled = await runGantry(['pull', '-q', ref], env);
    assert.equal(pulled.status, 0, `${tag}: ${pulled.stderr}`);
    assert.equal(pulled.stdout, `${ref}\n`);
    const run = await runGantry(['run', '--rm', ref, 'sh', '-c', 'cat /etc/roundtrip.txt; echo $((6 * 7))'], env);
    assert.equal(run.status, 0, `${tag}: ${run.stderr}`);
    assert.equal(run.stdout, 'pushed by a peer\n42\n', tag);
  }
  const inspect = await runGantry(['image', 'inspect', '--format', '{{.Id}}', `${reg.host}/rt/busybox:buildah`], env);
  assert.equal(inspect.status, 0, inspect.stderr);
});
