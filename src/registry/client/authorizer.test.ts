import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { repositoryScope, type Scope } from './auth-challenge.js';
import { Authorizer, type CredentialSource } from './authorizer.js';
import type { Credentials } from './credentials.js';

/**
 * A registry and its token realm on one loopback server. `/v2/<repo>/…` needs a bearer token whose
 * scope covers the repository (or Basic auth in basic mode); `/token` issues `tok-<n>` for the scopes
 * asked, to alice/hunter22 or anonymously.
 */
async function registry(t: TestContext, mode: 'bearer' | 'basic' = 'bearer') {
  let issued = 0;
  const tokens = new Map<string, string[]>();
  const tokenRequests: URL[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const base = `http://${req.headers.host}`;
    if (url.pathname === '/token') {
      tokenRequests.push(url);
      const auth = req.headers.authorization;
      if (auth !== undefined && auth !== `Basic ${Buffer.from('alice:hunter22').toString('base64')}`) {
        res.writeHead(401, { 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}');
        return;
      }
      const token = `tok-${++issued}`;
      tokens.set(token, url.searchParams.getAll('scope'));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const repo = /^\/v2\/(.+)\/manifests\//.exec(url.pathname)?.[1] ?? '';
    const need = `repository:${repo}:pull`;
    const auth = req.headers.authorization ?? '';
    let ok = false;
    if (mode === 'basic') ok = auth === `Basic ${Buffer.from('alice:hunter22').toString('base64')}`;
    else ok = auth.startsWith('Bearer ') && (tokens.get(auth.slice(7)) ?? []).includes(need);
    if (ok) {
      res.writeHead(200).end('ok');
      return;
    }
    const challenge = mode === 'basic' ? 'Basic realm="test"' : `Bearer realm="${base}/token",service="test-registry",scope="${need}"`;
    res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { host, tokenRequests, issued: () => issued };
}

/** One request with at most one retry after a challenge, as the pull/push layer does it. */
async function get(auth: Authorizer, host: string, repo: string, scopes: Scope[]): Promise<number> {
  const send = async (authorization?: string): Promise<Response> =>
    fetch(`http://${host}/v2/${repo}/manifests/latest`, authorization === undefined ? {} : { headers: { authorization } });
  const first = await auth.authorization(host, scopes);
  let res = await send(first);
  if (res.status === 401 && (await auth.challenge(host, res.headers.get('www-authenticate'), scopes, first === undefined ? {} : { previous: first }))) {
    res = await send(await auth.authorization(host, scopes));
  }
  return res.status;
}

function source(creds: Credentials | undefined, lookups: string[] = []): CredentialSource {
  return { get: async (domain) => (lookups.push(domain), creds) };
}

test('an anonymous pull answers the challenge with a token for the repository, then reuses it', async (t) => {
  const r = await registry(t);
  const auth = new Authorizer();
  const scopes = [repositoryScope('library/busybox')];
  assert.equal(await get(auth, r.host, 'library/busybox', scopes), 200);
  assert.equal(await get(auth, r.host, 'library/busybox', scopes), 200);
  assert.equal(r.issued(), 1, 'the cached token served the second request');
  assert.equal(r.tokenRequests[0]?.searchParams.get('service'), 'test-registry');
});

test('credentials are looked up once per host and sent to the realm as Basic', async (t) => {
  const r = await registry(t);
  const lookups: string[] = [];
  const auth = new Authorizer({ credentials: source({ username: 'alice', password: 'hunter22' }, lookups) });
  assert.equal(await get(auth, r.host, 'team/app', [repositoryScope('team/app')]), 200);
  assert.equal(await get(auth, r.host, 'team/other', [repositoryScope('team/other')]), 200);
  assert.deepEqual(lookups, [r.host]);
  assert.equal(r.tokenRequests[0]?.searchParams.get('account'), 'alice');
  assert.equal(r.issued(), 2, 'different scopes need different tokens');
});

test('scopes a challenge names are merged into the request’s scopes', async (t) => {
  const r = await registry(t);
  const auth = new Authorizer();
  // The caller asked for nothing useful; the registry's challenge says what it needs.
  const scopes: Scope[] = [repositoryScope('unrelated')];
  assert.equal(await get(auth, r.host, 'needed/repo', scopes), 200);
  assert.deepEqual(r.tokenRequests[0]?.searchParams.getAll('scope'), ['repository:needed/repo:pull', 'repository:unrelated:pull']);
});

test('wrong credentials fail at the realm with the registry’s words', async (t) => {
  const r = await registry(t);
  const auth = new Authorizer({ credentials: source({ username: 'alice', password: 'wrong' }) });
  await assert.rejects(get(auth, r.host, 'a/b', [repositoryScope('a/b')]), /unauthorized: bad credentials/);
});

test('Basic registries get the password with each request, and no retry loop without credentials', async (t) => {
  const r = await registry(t, 'basic');
  const withCreds = new Authorizer({ credentials: source({ username: 'alice', password: 'hunter22' }) });
  assert.equal(await get(withCreds, r.host, 'a/b', [repositoryScope('a/b')]), 200);
  const anonymous = new Authorizer();
  assert.equal(await get(anonymous, r.host, 'a/b', [repositoryScope('a/b')]), 401);
  const wrong = new Authorizer({ credentials: source({ username: 'alice', password: 'nope' }) });
  assert.equal(await get(wrong, r.host, 'a/b', [repositoryScope('a/b')]), 401);
  // The same refused header is never offered again as a "new" authorization.
  const refused = await wrong.authorization(r.host, []);
  assert.equal(await wrong.challenge(r.host, 'Basic realm="test"', [], refused === undefined ? {} : { previous: refused }), false);
});

test('a registry token from the config is sent as it is, without a realm round trip', async (t) => {
  const r = await registry(t);
  const auth = new Authorizer({ credentials: source({ registryToken: 'static-token' }) });
  const scopes = [repositoryScope('x')];
  await auth.challenge(r.host, `Bearer realm="http://${r.host}/token"`, scopes);
  assert.equal(await auth.authorization(r.host, scopes), 'Bearer static-token');
  assert.equal(r.issued(), 0);
});

test('parallel requests for a new scope share one token request', async (t) => {
  const r = await registry(t);
  const auth = new Authorizer();
  await auth.challenge(r.host, `Bearer realm="http://${r.host}/token",service="test-registry"`, [repositoryScope('first')]);
  assert.equal(r.issued(), 1);
  const scopes = [repositoryScope('library/busybox')];
  const all = await Promise.all([1, 2, 3].map(() => auth.authorization(r.host, scopes)));
  assert.equal(new Set(all).size, 1);
  assert.equal(r.issued(), 2, 'one realm request for the three parallel ones');
});
