import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isKind } from '../../errors.js';
import { repositoryScope } from './auth-challenge.js';
import { RegistryResponseError } from './http-error.js';
import { SecretSet } from './redact.js';
import { fetchToken, InvalidRealmError, MIN_TOKEN_LIFETIME_SECONDS, TokenCache } from './token.js';

interface Seen {
  method: string;
  url: URL;
  authorization?: string;
  body: string;
}

/** A token realm on loopback; `reply` decides each answer. */
async function realm(t: TestContext, reply: (req: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s: Seen = { method: req.method ?? '', url: new URL(req.url ?? '/', 'http://x'), body: Buffer.concat(chunks).toString() };
      if (req.headers.authorization !== undefined) s.authorization = req.headers.authorization;
      seen.push(s);
      reply(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`, seen };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

test('GET with Basic credentials, service, account and one scope parameter per scope', async (t) => {
  const r = await realm(t, (_req, res) => json(res, 200, { token: 'tok-1', expires_in: 300, issued_at: '2020-01-01T00:00:00Z' }));
  const now = Date.parse('2026-01-01T00:00:00Z');
  const token = await fetchToken({
    realm: r.url,
    service: 'registry.example',
    scopes: [repositoryScope('b', 'push'), repositoryScope('a'), repositoryScope('b', 'pull')],
    credentials: { username: 'alice', password: 'hunter22' },
    now: () => now,
  });
  assert.equal(token.token, 'tok-1');
  assert.equal(token.expiresAt, Date.parse('2020-01-01T00:00:00Z') + 300_000);
  const req = r.seen[0]!;
  assert.equal(req.method, 'GET');
  assert.equal(req.url.searchParams.get('service'), 'registry.example');
  assert.deepEqual(req.url.searchParams.getAll('scope'), ['repository:a:pull', 'repository:b:pull,push']);
  assert.equal(req.url.searchParams.get('account'), 'alice');
  assert.equal(req.authorization, `Basic ${Buffer.from('alice:hunter22').toString('base64')}`);
});

test('anonymous requests send no credentials; access_token and the 60 s floor are honoured', async (t) => {
  const r = await realm(t, (_req, res) => json(res, 200, { access_token: 'oauth-tok', expires_in: 5 }));
  const now = 1_000_000;
  const token = await fetchToken({ realm: r.url, scopes: [repositoryScope('library/busybox')], now: () => now });
  assert.equal(token.token, 'oauth-tok');
  assert.equal(token.expiresAt, now + MIN_TOKEN_LIFETIME_SECONDS * 1000);
  assert.equal(r.seen[0]!.authorization, undefined);
  assert.equal(r.seen[0]!.url.searchParams.get('account'), null);
});

test('an identity token is exchanged with an OAuth2 refresh_token POST', async (t) => {
  const r = await realm(t, (_req, res) => json(res, 200, { access_token: 'fresh', refresh_token: 'next-refresh', expires_in: 120 }));
  const secrets = new SecretSet();
  const token = await fetchToken({ realm: r.url, service: 'svc', scopes: [repositoryScope('a', 'pull', 'push')], credentials: { identityToken: 'refresh-1' }, secrets });
  assert.equal(token.refreshToken, 'next-refresh');
  const req = r.seen[0]!;
  assert.equal(req.method, 'POST');
  const form = new URLSearchParams(req.body);
  assert.deepEqual(Object.fromEntries(form), {
    grant_type: 'refresh_token',
    refresh_token: 'refresh-1',
    client_id: 'gantry',
    service: 'svc',
    scope: 'repository:a:pull,push',
  });
  assert.equal(secrets.redact('fresh refresh-1 next-refresh'), '*** *** ***');
});

test('a refusing realm gives an unauthorized RegistryResponseError without the password', async (t) => {
  const r = await realm(t, (_req, res) => json(res, 401, { errors: [{ code: 'UNAUTHORIZED', message: 'incorrect username or password' }] }));
  const secrets = new SecretSet();
  await assert.rejects(
    fetchToken({ realm: r.url, scopes: [], credentials: { username: 'alice', password: 'hunter22' }, secrets }),
    (err: unknown) => {
      assert.ok(err instanceof RegistryResponseError);
      assert.ok(isKind(err, 'unauthorized'));
      assert.equal(err.registryMessage, 'unauthorized: incorrect username or password');
      assert.ok(!err.message.includes('hunter22') && !err.message.includes('account=alice&'));
      return true;
    },
  );
});

test('answers without a token, non-JSON answers and non-http realms are refused', async (t) => {
  const empty = await realm(t, (_req, res) => json(res, 200, { expires_in: 60 }));
  await assert.rejects(fetchToken({ realm: empty.url, scopes: [] }), /the response holds no token/);
  const html = await realm(t, (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>');
  });
  await assert.rejects(fetchToken({ realm: html.url, scopes: [] }), /the response is not JSON/);
  await assert.rejects(fetchToken({ realm: 'file:///etc/passwd', scopes: [] }), InvalidRealmError);
});

test('TokenCache reuses a token until a tenth of its lifetime before expiry, keyed by scope set', () => {
  let now = 0;
  const cache = new TokenCache(() => now);
  const key = TokenCache.key('r', 's', [repositoryScope('b', 'push'), repositoryScope('a')], 'anonymous');
  assert.equal(key, TokenCache.key('r', 's', [repositoryScope('a'), repositoryScope('b', 'push')], 'anonymous'));
  assert.notEqual(key, TokenCache.key('r', 's', [repositoryScope('a')], 'anonymous'));
  cache.set(key, { token: 't', expiresAt: 100_000 });
  now = 89_999;
  assert.equal(cache.get(key)?.token, 't');
  now = 90_000;
  assert.equal(cache.get(key), undefined);
  assert.equal(cache.size, 0);
});
