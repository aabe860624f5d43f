import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redactHeaders, redactUrl, redactUrlsIn, SecretSet } from './redact.js';

test('redactUrl() drops user info and masks secret query values', () => {
  assert.equal(redactUrl('https://alice:s3cret@registry.example/v2/'), 'https://registry.example/v2/');
  assert.equal(
    redactUrl('https://bucket.s3.amazonaws.com/blob?X-Amz-Algorithm=AWS4&X-Amz-Credential=AKIA&X-Amz-Signature=abcd&X-Amz-Security-Token=zz'),
    'https://bucket.s3.amazonaws.com/blob?X-Amz-Algorithm=AWS4&X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Security-Token=***',
  );
  assert.equal(redactUrl('https://auth.example/token?service=reg&scope=repository%3Aa%3Apull&access_token=t0k3n'), 'https://auth.example/token?service=reg&scope=repository%3Aa%3Apull&access_token=***');
  assert.equal(redactUrl('https://x.blob.core.windows.net/c/b?sv=2020&sig=SIGNATURE'), 'https://x.blob.core.windows.net/c/b?sv=2020&sig=***');
  assert.equal(redactUrl('not a url //bob:pw@host'), 'not a url //host');
});

test('redactHeaders() keeps the scheme of Authorization and masks the rest', () => {
  const h = new Headers({ Authorization: 'Bearer eyJhbGciOi', Accept: 'application/json', Cookie: 'session=1' });
  assert.deepEqual(redactHeaders(h), { accept: 'application/json', authorization: 'Bearer ***', cookie: '***' });
  assert.deepEqual(redactHeaders({ 'X-Registry-Auth': 'abc', 'proxy-authorization': 'Basic Zm9vOmJhcg==' }), {
    'X-Registry-Auth': '***',
    'proxy-authorization': 'Basic ***',
  });
});

test('SecretSet masks known secrets, their base64 forms and URLs in free text', () => {
  const secrets = new SecretSet().addCredentials('alice', 'hunter22').add('tok-123456', 'abc');
  const basic = Buffer.from('alice:hunter22').toString('base64');
  const text = `login failed for alice with hunter22 (Basic ${basic}); token tok-123456 at https://u:p@r.example/v2/?token=x; abc stays`;
  const out = secrets.redact(text);
  assert.ok(!out.includes('hunter22'));
  assert.ok(!out.includes(basic.replace(/=+$/, '')));
  assert.ok(!out.includes('tok-123456'));
  assert.ok(out.includes('https://r.example/v2/?token=***'));
  assert.ok(out.endsWith('abc stays'), 'values under 4 characters are not masked');
  assert.equal(redactUrlsIn('see http://a:b@h/x'), 'see http://h/x');
});
