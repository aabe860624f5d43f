import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { compilePattern, grant, parseAccessConfig } from './access-config.js';
import { covers, formatScope, parseScopes } from './scope.js';
import { ephemeralSigningKey, signingKeyFrom, signJwt, verifyJwt } from './jwt.js';
import { Htpasswd } from './htpasswd.js';

test('parseScopes() reads repository and registry scopes, several per parameter', () => {
  assert.deepEqual(parseScopes(['repository:a/b:pull,push registry:catalog:*', 'repository:c:delete']), [
    { type: 'repository', name: 'a/b', actions: ['pull', 'push'] },
    { type: 'registry', name: 'catalog', actions: ['*'] },
    { type: 'repository', name: 'c', actions: ['delete'] },
  ]);
  assert.equal(formatScope({ type: 'repository', name: 'x', actions: ['pull', 'push'] }), 'repository:x:pull,push');
  assert.ok(covers([{ type: 'repository', name: 'x', actions: ['*'] }], [{ type: 'repository', name: 'x', actions: ['delete'] }]));
  assert.ok(!covers([{ type: 'repository', name: 'x', actions: ['pull'] }], [{ type: 'repository', name: 'x', actions: ['pull', 'push'] }]));
});

test('compilePattern() keeps * inside a component and lets ** cross components', () => {
  assert.ok(compilePattern('team/*').test('team/app'));
  assert.ok(!compilePattern('team/*').test('team/app/sub'));
  assert.ok(compilePattern('team/**').test('team/app/sub'));
  assert.ok(!compilePattern('a.b').test('axb'));
});

test('grant() gives each account the union of matching rules, and anonymous only "" rules', () => {
  const cfg = parseAccessConfig(
    JSON.stringify({
      access: [
        { account: 'alice', repository: 'alice/**', actions: ['pull', 'push', 'delete'] },
        { account: '*', repository: '**', actions: ['pull'] },
        { account: '', repository: 'public/*', actions: ['pull'] },
        { account: 'admin', registry: 'catalog', actions: ['*'] },
      ],
    }),
    'test',
  );
  const want = [{ type: 'repository' as const, name: 'alice/app', actions: ['pull', 'push'] }];
  assert.deepEqual(grant(cfg.rules, 'alice', want), want);
  assert.deepEqual(grant(cfg.rules, 'bob', want), [{ type: 'repository', name: 'alice/app', actions: ['pull'] }]);
  assert.deepEqual(grant(cfg.rules, undefined, want), []);
  assert.deepEqual(grant(cfg.rules, undefined, [{ type: 'repository', name: 'public/x', actions: ['pull'] }]).length, 1);
  assert.deepEqual(grant(cfg.rules, 'admin', [{ type: 'registry', name: 'catalog', actions: ['*'] }]).length, 1);
  assert.deepEqual(grant(cfg.rules, 'bob', [{ type: 'registry', name: 'catalog', actions: ['*'] }]), []);
});

test('parseAccessConfig() refuses unknown actions and rules without a target', () => {
  assert.throws(() => parseAccessConfig('{"access":[{"account":"a","repository":"x","actions":["write"]}]}', 't'), /actions/);
  assert.throws(() => parseAccessConfig('{"access":[{"account":"a","actions":["pull"]}]}', 't'), /repository/);
  assert.throws(() => parseAccessConfig('[]', 't'), /object/);
});

test('signJwt()/verifyJwt() round-trip ES256 and RS256 and refuse tampering, expiry and other audiences', () => {
  const rsa = signingKeyFrom(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
  assert.equal(rsa.alg, 'RS256');
  for (const key of [ephemeralSigningKey(), rsa]) {
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt(key, { iss: 'i', aud: 's', exp: now + 60, sub: 'alice' });
    assert.deepEqual('claims' in verifyJwt(key, token, { issuer: 'i', audience: 's' }), true);
    assert.equal((verifyJwt(key, token, { issuer: 'i', audience: 'other' }) as { error: string }).error, 'unexpected audience');
    assert.equal((verifyJwt(key, token, { issuer: 'i', audience: 's', now: now + 3600 }) as { error: string }).error, 'token expired');
    const [h, b, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ iss: 'i', aud: 's', exp: now + 60, sub: 'root' })).toString('base64url');
    assert.equal((verifyJwt(key, `${h}.${forged}.${s}`, { issuer: 'i', audience: 's' }) as { error: string }).error, 'invalid signature');
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    assert.equal((verifyJwt(key, `${none}.${b}.`, { issuer: 'i', audience: 's' }) as { error: string }).error, 'unexpected signing algorithm');
  }
  // A token signed by another key of the same kind is refused.
  const other = ephemeralSigningKey();
  const t2 = signJwt(other, { iss: 'i', aud: 's', exp: Math.floor(Date.now() / 1000) + 60 });
  assert.equal((verifyJwt(ephemeralSigningKey(), t2, { issuer: 'i', audience: 's' }) as { error: string }).error, 'invalid signature');
});

test('Htpasswd verifies $2y$ bcrypt entries and refuses other hash schemes at load', async () => {
  const hash = bcrypt.hashSync('s3cret', 4).replace(/^\$2[ab]\$/, '$2y$');
  const file = new Htpasswd(`# users\nalice:${hash}\n`);
  assert.equal(await file.verify('alice', 's3cret'), true);
  assert.equal(await file.verify('alice', 's3cret'), true); // cached path
  assert.equal(await file.verify('alice', 'wrong'), false);
  assert.equal(await file.verify('bob', 's3cret'), false);
  assert.throws(() => new Htpasswd('alice:$apr1$abc$def\n'), /only bcrypt/);
});
