import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { extraCaCertificates, secureContextFor, trustedCas } from './tls-trust.js';

function certIn(dir: string, name: string): string {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.pem`), '-days', '1', '-subj', `/CN=${name}`], { stdio: 'ignore' });
  return readFileSync(join(dir, `${name}.pem`), 'latin1').trim();
}

test('without NODE_EXTRA_CA_CERTS or extra CAs, node default store serves (no ca list)', () => {
  assert.equal(trustedCas([], {}), undefined);
  assert.equal(trustedCas([], { NODE_EXTRA_CA_CERTS: '' }), undefined);
  assert.equal(secureContextFor({}, {}), undefined);
});

test('NODE_EXTRA_CA_CERTS: every certificate of the file joins node roots and the registry CAs', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-trust-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const a = certIn(dir, 'a');
  const b = certIn(dir, 'b');
  writeFileSync(join(dir, 'bundle.pem'), `# a comment\n${a}\n\n${b}\n`);
  const env = { NODE_EXTRA_CA_CERTS: join(dir, 'bundle.pem') };
  assert.deepEqual(extraCaCertificates(env), [a, b]);
  const cas = trustedCas(['REGISTRY-CA'], env);
  assert.deepEqual(cas, [...rootCertificates, a, b, 'REGISTRY-CA']);
  assert.ok(secureContextFor({ ca: [] }, env) !== undefined);
});

test('an unreadable NODE_EXTRA_CA_CERTS warns in node words and adds nothing', (t) => {
  const writes: string[] = [];
  const orig = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((c: string) => (writes.push(c), true)) as typeof process.stderr.write;
  t.after(() => (process.stderr.write = orig));
  assert.deepEqual(extraCaCertificates({ NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' }), []);
  process.stderr.write = orig;
  assert.equal(writes.length, 1);
  assert.match(writes[0]!, /^Warning: Ignoring extra certs from `\/nonexistent\/ca\.pem`, load failed: ENOENT/);
});
