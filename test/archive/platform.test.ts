/**
 * `save --platform` and `load --platform` through the CLI, on a multi-platform OCI layout made
 * here (an index of a linux/amd64 and a linux/arm64 image, as `docker save` of a multi-platform
 * image writes with the containerd store).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { digestOf, MediaType, type Descriptor, type Platform } from '../../src/oci/index.js';
import { gantryBin, tempDir } from '../helpers/paths.js';
import { tarOf } from '../helpers/store-images.js';

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function gantry(root: string, args: string[]): Run {
  const r = spawnSync(process.execPath, [gantryBin, '--root', root, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Writes an OCI layout at `dir` whose index.json names one multi-platform image `multi:1`. */
function multiPlatformLayout(dir: string): Record<string, string> {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const blob = (bytes: Buffer, mediaType: string): Descriptor => {
    const digest = digestOf(bytes);
    writeFileSync(join(dir, 'blobs', 'sha256', digest.slice(7)), bytes);
    return { mediaType, digest, size: bytes.length };
  };
  const configs: Record<string, string> = {};
  const image = (p: Platform): Descriptor => {
    const tar = tarOf({ arch: `${p.architecture}\n` });
    const layer = blob(gzipSync(tar), MediaType.OciLayerGzip);
    const config = blob(
      Buffer.from(JSON.stringify({ architecture: p.architecture, os: p.os, ...(p.variant === undefined ? {} : { variant: p.variant }), config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [digestOf(tar)] }, history: [{ created_by: p.architecture }] })),
      MediaType.OciConfig,
    );
    configs[`${p.os}/${p.architecture}`] = config.digest;
    const manifest = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers: [layer] })), MediaType.OciManifest);
    return { ...manifest, platform: p };
  };
  const manifests = [image({ os: 'linux', architecture: 'amd64' }), image({ os: 'linux', architecture: 'arm64', variant: 'v8' })];
  const index = blob(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests })), MediaType.OciIndex);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: [{ ...index, annotations: { 'io.containerd.image.name': 'docker.io/library/multi:1', 'org.opencontainers.image.ref.name': '1' } }] }),
  );
  return configs;
}

test('load --platform loads only that platform of a multi-platform layout (tar or directory); one not in it is refused; the default is this machine\'s', (t) => {
  const dir = tempDir(t, 'gantry-archive-platform-');
  const layout = join(dir, 'layout');
  const configs = multiPlatformLayout(layout);
  const tarFile = join(dir, 'multi.tar');
  assert.equal(spawnSync('tar', ['-C', layout, '-cf', tarFile, '.']).status, 0);

  const arm = join(dir, 'arm');
  const r = gantry(arm, ['load', '--platform', 'linux/arm64', '-i', tarFile]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, 'Loaded image: multi:1\n');
  assert.equal(gantry(arm, ['image', 'inspect', '-f', '{{.Id}} {{.Os}}/{{.Architecture}}', 'multi:1']).stdout, `${configs['linux/arm64']} linux/arm64\n`);
  assert.equal(gantry(arm, ['image', 'ls', '-q']).stdout.trim().split('\n').length, 1);

  const host = join(dir, 'host');
  assert.equal(gantry(host, ['load', '-i', layout]).status, 0);
  assert.equal(gantry(host, ['image', 'inspect', '-f', '{{.Id}}', 'multi:1']).stdout, `${configs['linux/amd64']}\n`);
  // linux/amd64/v1 is linux/amd64 once normalized, as containerd matches it.
  const v1 = join(dir, 'v1');
  assert.equal(gantry(v1, ['load', '--platform', 'linux/amd64/v1', '-i', layout]).status, 0);
  assert.equal(gantry(v1, ['image', 'inspect', '-f', '{{.Id}}', 'multi:1']).stdout, `${configs['linux/amd64']}\n`);

  const none = join(dir, 'none');
  const refused = gantry(none, ['load', '--platform', 'linux/s390x', '-i', tarFile]);
  assert.equal(refused.status, 1);
  assert.equal(refused.stderr, 'Error: Cannot load the archive: it holds no image for platform linux/s390x\n');
  assert.equal(gantry(none, ['image', 'ls', '-q']).stdout, '');
  const bad = gantry(none, ['load', '--platform', 'linux/amd64/v1/x', '-i', tarFile]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^Error: .*linux\/amd64\/v1\/x.*invalid argument\n/);
});

test('save --platform saves the image for that platform, refuses one the image is not for with docker\'s message, and load --platform reads a docker-archive by its config', (t) => {
  const dir = tempDir(t, 'gantry-archive-platform-');
  const layout = join(dir, 'layout');
  const configs = multiPlatformLayout(layout);
  const root = join(dir, 'root');
  assert.equal(gantry(root, ['load', '--platform', 'linux/arm64', '-i', layout]).status, 0);

  const out = join(dir, 'arm.tar');
  const s = gantry(root, ['save', '--platform', 'linux/arm64/v8', '-o', out, 'multi:1']);
  assert.equal(s.status, 0, s.stderr);
  const refused = gantry(root, ['save', '--platform', 'linux/amd64', '-o', join(dir, 'x.tar'), 'multi:1']);
  assert.equal(refused.status, 1);
  assert.equal(refused.stderr, 'Error: image with reference multi:1 was found but does not match the specified platform: wanted linux/amd64, actual: linux/arm64\n');
  assert.equal(spawnSync('test', ['-e', join(dir, 'x.tar')]).status, 1);

  // The saved archive (docker-archive + OCI layout): its one image is arm64, so asking for amd64 loads nothing.
  const other = join(dir, 'other');
  const none = gantry(other, ['load', '--platform', 'linux/amd64', '-i', out]);
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no image for platform linux\/amd64/);
  const back = gantry(other, ['load', '--platform', 'linux/arm64', '-i', out]);
  assert.equal(back.status, 0, back.stderr);
  assert.equal(gantry(other, ['image', 'inspect', '-f', '{{.Id}}', 'multi:1']).stdout, `${configs['linux/arm64']}\n`);
});
