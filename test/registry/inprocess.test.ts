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
import { req, errorCode, sha256 } from './serve.js';
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
