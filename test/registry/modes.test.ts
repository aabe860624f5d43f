/**
 * `gantry registry serve` modes: read-only, htpasswd Basic auth, bearer tokens with per-repository
 * rights, TLS, request logs without credentials, and graceful shutdown with an upload in flight.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/paths.js';
import { serve, req, pushBlob, sha256, errorCode } from './serve.js';
import { htpasswdFile, selfSignedCert } from './tls.js';

const basic = (u: string, p: string): string => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

test('read-only mode refuses writes with 405 UNSUPPORTED and still serves pulls', async (t) => {
  const first = await serve(t);
  const digest = await pushBlob(first.url, 'ro/app', 'content');
  await first.stop();
  const ro = await serve(t, ['--read-only'], first.root);
  assert.equal((await req(ro.url, 'GET', `/v2/ro/app/blobs/${digest}`)).body.toString(), 'content');
  for (const [method, path] of [
    ['POST', '/v2/ro/app/blobs/uploads/'],
    ['PUT', '/v2/ro/app/manifests/latest'],
    ['DELETE', `/v2/ro/app/blobs/${digest}`],
    ['DELETE', `/v2/ro/app/manifests/${digest}`],
  ] as const) {
    const r = await req(ro.url, method, path, method === 'PUT' ? { body: '{}' } : {});
    assert.equal(r.status, 405, `${method} ${path}`);
    assert.equal(errorCode(r), 'UNSUPPORTED');
  }
});

test('unknown methods get 405 and bad repository names 400 NAME_INVALID', async (t) => {
  const s = await serve(t);
  const r = await req(s.url, 'PATCH', `/v2/a/manifests/latest`);
  assert.equal(r.status, 405);
  assert.equal(errorCode(r), 'UNSUPPORTED');
  const bad = await req(s.url, 'GET', '/v2/Upper/Case/tags/list');
  assert.equal(bad.status, 400);
  assert.equal(errorCode(bad), 'NAME_INVALID');
  assert.equal((await req(s.url, 'GET', '/v2/never/pushed/tags/list')).status, 404);
  assert.equal(errorCode(await req(s.url, 'GET', '/v2/never/pushed/tags/list')), 'NAME_UNKNOWN');
  const health = await req(s.url, 'GET', '/healthz');
  assert.equal(health.status, 200);
  assert.equal((await req(s.url, 'GET', '/v2/')).headers.get('docker-distribution-api-version'), 'registry/2.0');
});

test('--htpasswd requires Basic credentials: 401 with a challenge, then 200; the log never shows them', async (t) => {
  const dir = tempDir(t);
  htpasswdFile(join(dir, 'htpasswd'), 'alice', 'wonderland');
  const s = await serve(t, ['--htpasswd', join(dir, 'htpasswd')]);
  const anon = await req(s.url, 'GET', '/v2/');
  assert.equal(anon.status, 401);
  assert.equal(errorCode(anon), 'UNAUTHORIZED');
  assert.equal(anon.headers.get('www-authenticate'), 'Basic realm="gantry-registry"');
  assert.equal((await req(s.url, 'GET', '/v2/', { headers: { Authorization: basic('alice', 'nope') } })).status, 401);
  const ok = await req(s.url, 'GET', '/v2/', { headers: { Authorization: basic('alice', 'wonderland') } });
  assert.equal(ok.status, 200);
  const up = await req(s.url, 'POST', `/v2/x/blobs/uploads/?digest=${sha256('abc')}`, { body: 'abc', headers: { Authorization: basic('alice', 'wonderland') } });
  assert.equal(up.status, 201);
  await s.stop();
  assert.match(s.log(), /user=alice/);
  assert.doesNotMatch(s.log(), /wonderland|Basic |YWxpY2/);
});

test('bearer tokens: challenge with realm/service/scope, tokens from /token carry only what the access config grants', async (t) => {
  const dir = tempDir(t);
  htpasswdFile(join(dir, 'htpasswd'), 'alice', 'pw-alice');
  htpasswdFile(join(dir, 'htpasswd-bob'), 'bob', 'pw-bob');
  writeFileSync(join(dir, 'htpasswd'), readFileSync(join(dir, 'htpasswd'), 'utf8') + readFileSync(join(dir, 'htpasswd-bob'), 'utf8'));
  writeFileSync(
    join(dir, 'auth.json'),
    JSON.stringify({
      service: 'test-registry',
      htpasswd: 'htpasswd',
      access: [
        { account: 'alice', repository: 'team/**', actions: ['pull', 'push', 'delete'] },
        { account: '*', repository: 'team/*', actions: ['pull'] },
        { account: '', repository: 'public/*', actions: ['pull'] },
        { account: 'alice', registry: 'catalog', actions: ['*'] },
      ],
    }),
  );
  const s = await serve(t, ['--auth-config', join(dir, 'auth.json')]);
  const host = new URL(s.url).host;

  const challenged = await req(s.url, 'GET', '/v2/team/app/tags/list');
  assert.equal(challenged.status, 401);
  assert.equal(
    challenged.headers.get('www-authenticate'),
    `Bearer realm="http://${host}/token",service="test-registry",scope="repository:team/app:pull"`,
  );

  const token = async (scope: string, auth?: string): Promise<string> => {
    const r = await req(s.url, 'GET', `/token?service=test-registry&scope=${encodeURIComponent(scope)}`, auth === undefined ? {} : { headers: { Authorization: auth } });
    assert.equal(r.status, 200, r.body.toString());
    const body = r.json<{ token: string; access_token: string; expires_in: number }>();
    assert.equal(body.token, body.access_token);
    assert.ok(body.expires_in > 0);
    return body.token;
  };
  assert.equal((await req(s.url, 'GET', '/token?service=test-registry', { headers: { Authorization: basic('alice', 'bad') } })).status, 401);

  // alice may push to team/app; bob only pulls; anonymous nothing there.
  const aliceTok = await token('repository:team/app:pull,push', basic('alice', 'pw-alice'));
  const push = await req(s.url, 'POST', `/v2/team/app/blobs/uploads/?digest=${sha256('data')}`, { body: 'data', headers: { Authorization: `Bearer ${aliceTok}` } });
  assert.equal(push.status, 201);
  const bobTok = await token('repository:team/app:pull,push', basic('bob', 'pw-bob'));
  const claims = JSON.parse(Buffer.from(bobTok.split('.')[1]!, 'base64url').toString()) as { access: { actions: string[] }[]; sub: string };
  assert.deepEqual(claims.access[0]!.actions, ['pull']);
  assert.equal(claims.sub, 'bob');
  assert.equal((await req(s.url, 'GET', `/v2/team/app/blobs/${sha256('data')}`, { headers: { Authorization: `Bearer ${bobTok}` } })).status, 200);
  const denied = await req(s.url, 'POST', '/v2/team/app/blobs/uploads/', { headers: { Authorization: `Bearer ${bobTok}` } });
  assert.equal(denied.status, 401);
  assert.match(denied.headers.get('www-authenticate')!, /error="insufficient_scope"/);

  // Anonymous clients get tokens too, for what "" rules allow.
  const anonTok = await token('repository:public/x:pull repository:team/app:pull');
  const anonClaims = JSON.parse(Buffer.from(anonTok.split('.')[1]!, 'base64url').toString()) as { access: { name: string }[] };
  assert.deepEqual(anonClaims.access.map((a) => a.name), ['public/x']);

  // A forged token (signed by another key) is refused.
  const [h, b] = aliceTok.split('.');
  const forged = `${h}.${b}.${Buffer.alloc(64).toString('base64url')}`;
  const r = await req(s.url, 'GET', '/v2/team/app/tags/list', { headers: { Authorization: `Bearer ${forged}` } });
  assert.equal(r.status, 401);
  assert.match(r.headers.get('www-authenticate')!, /error="invalid_token"/);

  // The catalog needs registry:catalog:*.
  const catTok = await token('registry:catalog:*', basic('alice', 'pw-alice'));
  assert.equal((await req(s.url, 'GET', '/v2/_catalog', { headers: { Authorization: `Bearer ${catTok}` } })).status, 200);
  assert.equal((await req(s.url, 'GET', '/v2/_catalog', { headers: { Authorization: `Bearer ${aliceTok}` } })).status, 401);

  // OAuth2 password grant.
  const form = await req(s.url, 'POST', '/token', {
    body: 'grant_type=password&username=alice&password=pw-alice&service=test-registry&scope=repository:team/app:pull',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(form.status, 200);
  assert.ok(form.json<{ access_token: string }>().access_token.split('.').length === 3);
  await s.stop();
  assert.doesNotMatch(s.log(), /pw-alice|pw-bob|Bearer ey/);
});

test('--tls-cert/--tls-key serve HTTPS that verifies against the certificate', async (t) => {
  const dir = tempDir(t);
  const { cert, key } = selfSignedCert(dir);
  const s = await serve(t, ['--tls-cert', cert, '--tls-key', key]);
  assert.match(s.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const status = await new Promise<number>((resolve, reject) => {
    const r = httpsRequest(`${s.url}/v2/`, { ca: readFileSync(cert) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('error', reject);
    r.end();
  });
  assert.equal(status, 200);
});

test('SIGTERM lets an upload in flight finish, then exits 0', async (t) => {
  const s = await serve(t);
  const start = await req(s.url, 'POST', '/v2/slow/blobs/uploads/');
  const data = Buffer.alloc(256 * 1024, 7);
  const { request } = await import('node:http');
  const done = new Promise<number>((resolve, reject) => {
    const r = request(`${s.url}${start.headers.get('location')}?digest=${sha256(data)}`, { method: 'PUT', headers: { 'Content-Length': data.length } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    r.on('error', reject);
    r.write(data.subarray(0, 1000));
    // The rest arrives after the server was told to stop.
    setTimeout(() => {
      void s.stop('SIGTERM');
      setTimeout(() => r.end(data.subarray(1000)), 300);
    }, 200);
  });
  assert.equal(await done, 201);
  assert.equal(await s.stop(), 0, s.log());
  const again = await serve(t, [], s.root);
  assert.equal((await req(again.url, 'GET', `/v2/slow/blobs/${sha256(data)}`)).body.length, data.length);
});

test('registry serve refuses inconsistent flags with exit code 125 and a docker-style message', async () => {
  const { spawnSync } = await import('node:child_process');
  const { gantryBin } = await import('../helpers/paths.js');
  const root = `/tmp/gantry-unused-root-${process.pid}`;
  const r = spawnSync(process.execPath, [gantryBin, 'registry', 'serve', '--addr', '127.0.0.1:0', '--root', root, '--tls-cert', 'x.pem'], { encoding: 'utf8' });
  assert.equal(r.status, 125);
  assert.match(r.stderr, /--tls-cert and --tls-key go together/);
  const bad = spawnSync(process.execPath, [gantryBin, 'registry', 'serve', '--addr', 'nonsense', '--root', root], { encoding: 'utf8' });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /^Error: Cannot listen on "nonsense": expected host:port/);
  const level = spawnSync(process.execPath, [gantryBin, 'registry', 'serve', '--log-level', 'loud', '--root', root], { encoding: 'utf8' });
  assert.equal(level.status, 125);
  const { existsSync } = await import('node:fs');
  assert.ok(!existsSync(root), 'a refused invocation creates nothing');
});
