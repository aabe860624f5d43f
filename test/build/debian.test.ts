/**
 * Builds on a Debian base: examples/hello-c (apt-get with --network host, a static gcc build, a
 * scratch final stage) and docker's --chown name resolution from Debian's passwd/group.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from '../../src/build/index.js';
import { openStore } from '../../src/store/index.js';
import { haveMmdebstrap, putDebianImage } from '../helpers/debian-image.js';
import { repoRoot, tempDir } from '../helpers/paths.js';
import { buildSkipReason, inspect } from './harness.js';
import { readFileSync } from 'node:fs';

const skip = buildSkipReason() ?? (haveMmdebstrap() ? undefined : 'needs mmdebstrap for the Debian base');

test('examples/hello-c builds on Debian with --network host and its binary runs', { skip, timeout: 900_000 }, async (t) => {
  const dir = tempDir(t, 'gantry-hello-c-');
  const store = openStore({ root: join(dir, 'root') });
  t.after(() => store.close());
  await putDebianImage(store);
  const ctx = join(repoRoot, 'examples', 'hello-c');
  const result = await build(store, {
    dockerfile: { text: readFileSync(join(ctx, 'Dockerfile'), 'utf8'), filename: 'Dockerfile' },
    contextDir: ctx,
    network: 'host',
    tags: ['hello-c:test'],
    buildArgs: {},
  });
  const { config, layers } = await inspect(store, result);
  assert.deepEqual(config.config?.Cmd, ['/myapp/hello']);
  assert.equal(layers.length, 1, 'scratch + one COPY');
  const bin = layers[0]?.get('myapp/hello');
  assert.ok(bin !== undefined && bin.header.size > 100_000, 'a static binary');
  // Run it: extract the layer's binary and execute it on the host (static: no libraries needed).
  const { decompress, readTar } = await import('../../src/layer/index.js');
  const { openVerified } = await import('../../src/store/index.js');
  const { stream } = await decompress(await openVerified(store.content, result.image.layers[0]!));
  for await (const e of readTar(stream)) {
    if (e.header.path !== 'myapp/hello') {
      await e.skip();
      continue;
    }
    const out = join(dir, 'hello');
    writeFileSync(out, await e.bytes());
    chmodSync(out, 0o755);
    const r = spawnSync(out, { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.ok(r.stdout.length > 0);
  }
  void execFileSync;
});

test('COPY --chown with names from Debian passwd/group, USER by name, RUN as that user', { skip, timeout: 300_000 }, async (t) => {
  const dir = tempDir(t, 'gantry-deb-chown-');
  const store = openStore({ root: join(dir, 'root') });
  t.after(() => store.close());
  await putDebianImage(store);
  writeFileSync(join(dir, 'f'), 'x');
  const result = await build(store, {
    dockerfile: { text: 'FROM debian:bookworm\nCOPY --chown=www-data:mail f /f\nUSER nobody\nWORKDIR /home/nobody-work\nRUN id -u > /tmp/uid\n', filename: 'Dockerfile' },
    contextDir: dir,
    network: 'none',
  });
  const { layers } = await inspect(store, result);
  const f = layers.at(-3)?.get('f')?.header;
  assert.deepEqual([f?.uid, f?.gid], [33, 8]);
  const wd = layers.at(-2)?.get('home/nobody-work')?.header;
  assert.equal(wd?.uid, 65534);
  assert.equal(layers.at(-1)?.get('tmp/uid')?.data, '65534\n');
});
