import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRegistryConfig, InvalidGantryConfigError } from './config.js';
import { mapLimit } from './limit.js';
import { certsFor } from './transport.js';

test('the registry config file gives insecure registries, mirrors and limits; absent means defaults', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  assert.deepEqual(loadRegistryConfig({ GANTRY_CONFIG: join(dir, 'absent.json') }), {
    insecureRegistries: [],
    registryMirrors: [],
    maxConcurrentDownloads: 3,
    maxConcurrentUploads: 5,
    maxDownloadAttempts: 5,
  });
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify({ 'insecure-registries': ['reg.local:5000', '10.0.0.0/8'], 'registry-mirrors': ['https://m.example'], 'max-concurrent-downloads': 6 }));
  const c = loadRegistryConfig({ GANTRY_CONFIG: file });
  assert.deepEqual(c.insecureRegistries, ['reg.local:5000', '10.0.0.0/8']);
  assert.deepEqual(c.registryMirrors, ['https://m.example']);
  assert.equal(c.maxConcurrentDownloads, 6);
  writeFileSync(file, '{"insecure-registries": "reg.local"}');
  assert.throws(() => loadRegistryConfig({ GANTRY_CONFIG: file }), InvalidGantryConfigError);
  writeFileSync(file, '{nope');
  assert.throws(() => loadRegistryConfig({ GANTRY_CONFIG: file }), /Cannot read .*config\.json: not valid JSON/);
});

test('mapLimit keeps order, never runs more than the limit at once, and reports the first failure', async () => {
  let running = 0;
  let peak = 0;
  const out = await mapLimit([5, 1, 4, 2, 3], 2, async (n) => {
    running++;
    peak = Math.max(peak, running);
    await new Promise((r) => setTimeout(r, n));
    running--;
    return n * 10;
  });
  assert.deepEqual(out, [50, 10, 40, 20, 30]);
  assert.equal(peak, 2);
  await assert.rejects(mapLimit([1, 2, 3], 2, async (n) => { if (n === 2) throw new Error('two'); return n; }), /two/);
});

test('certsFor reads docker certs.d: *.crt as CAs, a *.cert with its *.key as the client pair', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-certs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const host = join(dir, 'reg.local:5000');
  mkdirSync(host);
  writeFileSync(join(host, 'ca.crt'), 'CA');
  writeFileSync(join(host, 'client.cert'), 'CERT');
  writeFileSync(join(host, 'client.key'), 'KEY');
  assert.deepEqual(certsFor(dir, 'reg.local:5000'), { ca: ['CA'], cert: 'CERT', key: 'KEY' });
  assert.deepEqual(certsFor(dir, 'other:5000'), {});
});
