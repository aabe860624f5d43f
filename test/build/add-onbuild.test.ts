import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEnv, buildSkipReason } from './harness.js';

const skip = buildSkipReason();

test('ADD unpacks local tar archives (plain and gzip) and fetches URLs as 0600 files, verifying --checksum', { skip }, async (t) => {
  const env = await buildEnv(t);
  const src = join(env.context, '..', 'src');
  mkdirSync(join(src, 'pkg'), { recursive: true });
  writeFileSync(join(src, 'pkg', 'in.txt'), 'inside');
  execFileSync('tar', ['-C', src, '-czf', join(env.context, 'a.tar.gz'), 'pkg']);
  execFileSync('tar', ['-C', src, '-cf', join(env.context, 'b.tar'), 'pkg']);
  const body = 'remote-body\n';
  const server = createServer((_req, res) => {
    res.setHeader('Last-Modified', 'Wed, 01 Jan 2020 00:00:00 GMT');
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => server.close());
  const port = (server.address() as { port: number }).port;
  const url = `http://127.0.0.1:${port}/files/remote.txt`;
  const sum = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  const b = await env.run(`FROM busybox\nADD a.tar.gz /x/\nADD b.tar /y\nADD --checksum=${sum} ${url} /dl/\nADD ${url} /named\n`);
  assert.equal(b.layers[1]?.get('x/pkg/in.txt')?.data, 'inside');
  assert.equal(b.layers[2]?.get('y/pkg/in.txt')?.data, 'inside');
  const dl = b.layers[3]?.get('dl/remote.txt')?.header;
  assert.equal(dl?.mode, 0o600);
  assert.equal(dl?.mtime, Date.UTC(2020, 0, 1) / 1000);
  assert.equal(b.layers[4]?.get('named')?.data, body);
  await assert.rejects(env.run(`FROM busybox\nADD --checksum=sha256:${'0'.repeat(64)} ${url} /bad\n`), /digest mismatch/);
});

test('ONBUILD triggers of a base image run in the child build; RUN --network=none has no network; --security=insecure is refused', { skip }, async (t) => {
  const env = await buildEnv(t);
  env.files({ 'trig.txt': 'T' });
  await env.run('FROM busybox\nONBUILD COPY trig.txt /trig\nONBUILD RUN echo fired > /fired\n', { tags: ['withtriggers:1'] });
  const child = await env.run('FROM withtriggers:1\nRUN cat /fired > /seen\n');
  assert.equal(child.layers.find((l) => l.has('trig'))?.get('trig')?.data, 'T');
  assert.equal(child.layers.at(-1)?.get('seen')?.data, 'fired\n');
  assert.equal(child.imageConfig.config?.OnBuild, undefined, 'triggers are consumed');
  const net = await env.run('FROM busybox\nRUN --network=none ip link | grep -c "^[0-9]" > /links\n');
  assert.equal(net.layers.at(-1)?.get('links')?.data, '1\n', 'only lo');
  await assert.rejects(env.run('FROM busybox\nRUN --security=insecure true\n'), /security\.insecure is not allowed/);
});
