import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isKind } from '../../errors.js';
import { verifyLogin } from './login.js';

const GOOD = `Basic ${Buffer.from('alice:hunter22').toString('base64')}`;

/** A plain-HTTP registry on loopback: Bearer with a realm that issues refresh tokens, or Basic, or open. */
async function registry(t: TestContext, mode: 'bearer' | 'basic' | 'open'): Promise<{ host: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    if (url.pathname === '/token') {
      if (req.headers.authorization !== GOOD) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"incorrect username or password"}]}');
        return;
      }
      const body: Record<string, unknown> = { token: 't', expires_in: 60 };
      if (url.searchParams.get('offline_token') === 'true') body['refresh_token'] = 'refresh-xyz';
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      return;
    }
    if (mode === 'open' || (mode === 'basic' && req.headers.authorization === GOOD)) {
      res.writeHead(200).end('{}');
      return;
    }
    const challenge = mode === 'basic' ? 'Basic realm="r"' : `Bearer realm="http://${req.headers.host}/token",service="svc"`;
    res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

test('a Bearer registry: the realm checks the password and its refresh token becomes the identity token', async (t) => {
  const r = await registry(t, 'bearer');
  const result = await verifyLogin({ domain: r.host, credentials: { username: 'alice', password: 'hunter22' } });
  // HTTPS was tried first and failed (a plain-HTTP server); loopback allowed the HTTP fallback.
  assert.equal(result.endpoint.baseUrl, `http://${r.host}`);
  assert.equal(result.identityToken, 'refresh-xyz');
  assert.ok(r.seen.some((s) => s.startsWith('GET /token?service=svc') && s.includes('offline_token=true')));
  await assert.rejects(verifyLogin({ domain: r.host, credentials: { username: 'alice', password: 'wrong' } }), (err: unknown) => {
    assert.ok(isKind(err, 'unauthorized'));
    assert.match((err as Error).message, /^Cannot get a token from http:\/\/127\.0\.0\.1:\d+\/token: unauthorized: incorrect username or password/);
    assert.ok(!(err as Error).message.includes('wrong'));
    return true;
  });
});

test('a Basic registry: the password is checked by repeating the ping with it', async (t) => {
  const r = await registry(t, 'basic');
  assert.deepEqual(await verifyLogin({ domain: r.host, credentials: { username: 'alice', password: 'hunter22' } }), {
    endpoint: { host: r.host, baseUrl: `http://${r.host}`, plainHttp: true },
  });
  await assert.rejects(verifyLogin({ domain: r.host, credentials: { username: 'alice', password: 'nope' } }), /Cannot log in to 127\.0\.0\.1:\d+: unauthorized: authentication required/);
  await assert.rejects(verifyLogin({ domain: r.host, credentials: { identityToken: 'x' } }), /needs a username and password/);
});

test('an open registry accepts any login; an unreachable one reports the connection error', async (t) => {
  const r = await registry(t, 'open');
  assert.equal((await verifyLogin({ domain: r.host, credentials: { username: 'a', password: 'b' } })).identityToken, undefined);
  await assert.rejects(verifyLogin({ domain: '127.0.0.1:1', credentials: { username: 'a', password: 'b' } }), TypeError);
});
