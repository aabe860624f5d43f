import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../../errors.js';
import { codeText, kindForStatus, parseErrorBody, parseRetryAfter, registryErrorFromResponse, RegistryResponseError } from './http-error.js';
import { SecretSet } from './redact.js';

test('a distribution error body becomes codes, docker’s text and a kind', async () => {
  const res = new Response(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'x' } }] }), {
    status: 404,
    statusText: 'Not Found',
    headers: { 'content-type': 'application/json' },
  });
  const err = await registryErrorFromResponse(res, {
    method: 'GET',
    url: 'https://bob:pw@localhost:5000/v2/app/manifests/x',
    action: 'pull localhost:5000/app:x',
  });
  assert.ok(err instanceof RegistryResponseError);
  assert.deepEqual(err.codes, ['MANIFEST_UNKNOWN']);
  assert.equal(err.registryMessage, 'manifest unknown: manifest unknown');
  assert.equal(err.message, 'Cannot pull localhost:5000/app:x: manifest unknown: manifest unknown (GET https://localhost:5000/v2/app/manifests/x)');
  assert.equal(err.code, 'ERR_REGISTRY_MANIFEST_UNKNOWN');
  assert.ok(isKind(err, 'not-found'));
  assert.ok(!err.message.includes('pw'));
});

test('401 keeps the challenge and hints at login; 429 carries Retry-After', async () => {
  const unauthorized = await registryErrorFromResponse(
    new Response('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}', {
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="https://auth/token",service="reg"' },
    }),
    { method: 'GET', url: 'https://reg.example/v2/' },
  );
  assert.ok(isKind(unauthorized, 'unauthorized'));
  assert.equal(unauthorized.wwwAuthenticate, 'Bearer realm="https://auth/token",service="reg"');
  assert.match(unauthorized.hint ?? '', /gantry login reg\.example/);
  const limited = await registryErrorFromResponse(new Response('', { status: 429, headers: { 'retry-after': '7' } }), {
    method: 'HEAD',
    url: 'https://reg.example/v2/a/blobs/sha256:x',
  });
  assert.equal(limited.retryAfterMs, 7000);
  assert.ok(isKind(limited, 'unavailable'));
  assert.equal(limited.registryMessage, '429');
});

test('a non-JSON body is kept short, on one line, and redacted', async () => {
  const secrets = new SecretSet().add('hunter22');
  const html = `<html>\n<body>Bad gateway for hunter22 at https://x/?token=abc ${'y'.repeat(400)}</body></html>`;
  const err = await registryErrorFromResponse(new Response(html, { status: 502, statusText: 'Bad Gateway' }), {
    method: 'GET',
    url: 'https://reg.example/v2/',
    secrets,
  });
  assert.ok(isKind(err, 'unavailable'));
  assert.ok(!err.message.includes('hunter22'));
  assert.ok(!err.message.includes('\n'));
  assert.ok(err.registryMessage.startsWith('502 Bad Gateway: <html> <body>Bad gateway for *** at https://x/?token=***'));
  assert.ok(err.registryMessage.length < 260);
});

test('parseErrorBody() accepts the shapes registries send', () => {
  assert.deepEqual(parseErrorBody('{"errors":[{"code":"DENIED","message":"no"}]}'), [{ code: 'DENIED', message: 'no' }]);
  assert.deepEqual(parseErrorBody('[{"code":"NAME_UNKNOWN"}]'), [{ code: 'NAME_UNKNOWN', message: '' }]);
  assert.deepEqual(parseErrorBody('{"code":"UNSUPPORTED","message":"x"}'), [{ code: 'UNSUPPORTED', message: 'x' }]);
  assert.equal(parseErrorBody('{"errors":[]}'), undefined);
  assert.equal(parseErrorBody('nope'), undefined);
});

test('status kinds, code texts and Retry-After dates', () => {
  assert.deepEqual([400, 401, 403, 404, 405, 409, 429, 500, 501, 503].map(kindForStatus), [
    'invalid-argument', 'unauthorized', 'permission-denied', 'not-found', 'not-implemented', 'conflict', 'unavailable', 'unavailable', 'not-implemented', 'unavailable',
  ]);
  assert.equal(codeText('BLOB_UPLOAD_UNKNOWN'), 'blob upload unknown');
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now), 3000);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});
