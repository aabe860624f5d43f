import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatScope, mergeScopes, parseAuthChallenges, parseScope, parseScopes, pickChallenge, repositoryScope } from './auth-challenge.js';

test('parses a Bearer challenge with realm, service and scope', () => {
  assert.deepEqual(
    parseAuthChallenges('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"'),
    [{ scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:samalba/my-app:pull,push' } }],
  );
});

test('parses several challenges, unquoted values, spaces and escapes', () => {
  const header = 'Basic realm="Registry Realm", Bearer realm=https://a/token, service=reg , error="insufficient_scope" ,Negotiate';
  assert.deepEqual(parseAuthChallenges(header), [
    { scheme: 'basic', params: { realm: 'Registry Realm' } },
    { scheme: 'bearer', params: { realm: 'https://a/token', service: 'reg', error: 'insufficient_scope' } },
    { scheme: 'negotiate', params: {} },
  ]);
  assert.deepEqual(parseAuthChallenges('BASIC Realm="say \\"hi\\""'), [{ scheme: 'basic', params: { realm: 'say "hi"' } }]);
  assert.deepEqual(parseAuthChallenges('Negotiate abc/def==, Basic realm="x"'), [
    { scheme: 'negotiate', params: {}, token68: 'abc/def==' },
    { scheme: 'basic', params: { realm: 'x' } },
  ]);
});

test('malformed headers give what could be read, never throw', () => {
  assert.deepEqual(parseAuthChallenges(''), []);
  assert.deepEqual(parseAuthChallenges(null), []);
  assert.deepEqual(parseAuthChallenges('Bearer realm="unterminated'), [{ scheme: 'bearer', params: {} }]);
  assert.deepEqual(parseAuthChallenges('  ,, Basic'), [{ scheme: 'basic', params: {} }]);
});

test('pickChallenge() prefers Bearer with a realm over Basic', () => {
  const both = parseAuthChallenges('Basic realm="r", Bearer realm="https://a/t"');
  assert.equal(pickChallenge(both)?.scheme, 'bearer');
  assert.equal(pickChallenge(parseAuthChallenges('Bearer service="x", Basic realm="r"'))?.scheme, 'basic');
  assert.equal(pickChallenge(parseAuthChallenges('Digest realm="r"')), undefined);
});

test('scopes parse, merge and format deterministically', () => {
  assert.deepEqual(parseScope('repository:library/debian:pull,push'), { type: 'repository', name: 'library/debian', actions: ['pull', 'push'] });
  assert.deepEqual(parseScope('repository(plugin):vieux/sshfs:pull'), { type: 'repository(plugin)', name: 'vieux/sshfs', actions: ['pull'] });
  assert.equal(parseScope('nonsense'), undefined);
  assert.deepEqual(parseScopes('registry:catalog:* repository:a:pull').map(formatScope), ['registry:catalog:*', 'repository:a:pull']);
  const merged = mergeScopes([repositoryScope('b', 'push'), repositoryScope('a'), repositoryScope('b', 'pull'), repositoryScope('b', 'delete', 'push')]);
  assert.deepEqual(merged.map(formatScope), ['repository:a:pull', 'repository:b:pull,push,delete']);
});
