/**
 * The server in-process over the in-memory driver: load shedding (429 TOOMANYREQUESTS) and Basic
 * auth with per-repository rules (403 DENIED), which need settings the CLI does not expose.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { startRegistry, MemoryDriver } from '../../src/registry/server/index.js';
import { tempDir } from '../helpers/paths.js';
import { req, errorCode, sha256, pushBlob, pushManifest } from './serve.js';
import { htpasswdFile } from './tls.js';

const quiet = new Writable({ write: (_c, _e, cb) => cb() });

test('beyond maxInFlight requests the registry answers 429 TOOMANYREQUESTS with Retry-After', async (t) => {
  const reg = await startRegistry({ driver: new MemoryDriver(), addr: '127.0.0.1:0', maxInFlight: 1, logStream: quiet });
  t.after(() => reg.close());
  const start = await req(reg.url, 'POST', '/v2/busy/blobs/uploads/');
  // Two uploads whose bodies never finish keep two requests in flight.
  const hold = [0, 1].map(() => {
    const r = request(`${reg.url}${start.headers.get('location')}`, { method: 'PATCH', headers: { 'Content-Length': 100 } });
    r.on('error', () => {});
    r.write('x');
    return r;
  });
  await new Promise((r) => setTimeout(r, 200));
  const busy = await req(reg.url, 'GET', '/v2/');
  assert.equal(busy.status, 429);
  assert.equal(errorCode(busy), 'TOOMANYREQUESTS');
  assert.equal(busy.headers.get('retry-after'), '1');
  assert.equal((await req(reg.url, 'GET', '/healthz')).status, 200, 'health checks are not shed');
  for (const r of hold) r.destroy();
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await req(reg.url, 'GET', '/v2/')).status, 200);
});

test('Basic auth with access rules: 403 DENIED for a known user without the right, 401 for anonymous', async (t) => {
  const dir = tempDir(t);
  htpasswdFile(join(dir, 'htpasswd'), 'reader', 'r-pw');
  writeFileSync(
    join(dir, 'auth.json'),
    JSON.stringify({ scheme: 'basic', htpasswd: 'htpasswd', access: [{ account: 'reader', repository: 'shared/*', actions: ['pull'] }, { account: '', repository: 'open/*', actions: ['pull'] }] }),
  );
  const reg = await startRegistry({ driver: new MemoryDriver(), addr: '127.0.0.1:0', authConfig: join(dir, 'auth.json'), logStream: quiet });
  t.after(() => reg.close());
  const auth = { Authorization: `Basic ${Buffer.from('reader:r-pw').toString('base64')}` };
  assert.equal((await req(reg.url, 'GET', '/v2/shared/x/tags/list', { headers: auth })).status, 404, 'allowed through to NAME_UNKNOWN');
  const push = await req(reg.url, 'POST', `/v2/shared/x/blobs/uploads/?digest=${sha256('a')}`, { body: 'a', headers: auth });
  assert.equal(push.status, 403);
  assert.equal(errorCode(push), 'DENIED');
  const anon = await req(reg.url, 'GET', '/v2/shared/x/tags/list');
  assert.equal(anon.status, 401);
  assert.match(anon.headers.get('www-authenticate')!, /^Basic realm=/);
  assert.equal((await req(reg.url, 'GET', '/v2/open/x/tags/list')).status, 404, 'anonymous rules apply without credentials');
});

test('a long referrers list is paged with Link rel="next"; each referrer shows once and the artifactType filter is kept', async (t) => {
  const reg = await startRegistry({ driver: new MemoryDriver(), addr: '127.0.0.1:0', referrersPageSize: 2, logStream: quiet });
  t.after(() => reg.close());
  const name = 'paged/refs';
  const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
  const empty = await pushBlob(reg.url, name, '{}');
  const emptyDesc = { mediaType: 'application/vnd.oci.empty.v1+json', digest: empty, size: 2 };
  const subject = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: emptyDesc, layers: [] });
  assert.equal((await pushManifest(reg.url, name, 'subject', subject)).status, 201);
  const subjectDesc = { mediaType: OCI_MANIFEST, digest: sha256(subject), size: Buffer.byteLength(subject) };
  const pushed: Record<string, string> = {};
  for (let i = 0; i < 5; i++) {
    const artifactType = i % 2 === 0 ? 'application/vnd.example.sig' : 'application/vnd.example.sbom';
    const m = JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, artifactType, config: emptyDesc, layers: [emptyDesc], subject: subjectDesc, annotations: { i: String(i) } });
    assert.equal((await pushManifest(reg.url, name, sha256(m), m)).status, 201);
    pushed[sha256(m)] = artifactType;
  }
  const walk = async (first: string): Promise<{ pages: number; digests: string[] }> => {
    const digests: string[] = [];
    let pages = 0;
    for (let next: string | undefined = first; next !== undefined; pages++) {
      const r = await req(reg.url, 'GET', next);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/vnd.oci.image.index.v1+json');
      const page = r.json<{ manifests: { digest: string }[] }>().manifests;
      assert.ok(page.length <= 2, 'a page holds at most the page size');
      digests.push(...page.map((m) => m.digest));
      const link = r.headers.get('link');
      next = link === null ? undefined : /^<([^>]+)>;\s*rel="next"$/.exec(link)?.[1];
      if (link !== null) assert.ok(next !== undefined, `Link header in the spec's form: ${link}`);
    }
    return { pages, digests };
  };
  const all = await walk(`/v2/${name}/referrers/${subjectDesc.digest}`);
  assert.equal(all.pages, 3);
  assert.deepEqual(all.digests, Object.keys(pushed).sort(), 'every referrer once, in digest order');
  const sigs = await walk(`/v2/${name}/referrers/${subjectDesc.digest}?artifactType=${encodeURIComponent('application/vnd.example.sig')}`);
  assert.equal(sigs.pages, 2);
  assert.deepEqual(sigs.digests, Object.keys(pushed).filter((d) => pushed[d] === 'application/vnd.example.sig').sort());
  const small = await req(reg.url, 'GET', `/v2/${name}/referrers/${subjectDesc.digest}?n=1`);
  assert.equal(small.json<{ manifests: unknown[] }>().manifests.length, 1, 'a client may ask for smaller pages');
  assert.match(small.headers.get('link')!, /[?&]n=1&last=sha256%3A/);
});
