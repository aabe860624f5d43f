/**
 * The registry client's auth and credential parts against real programs: distribution's registry
 * (`docker-registry`, htpasswd auth on loopback) and skopeo, which reads and writes the same
 * config.json format. Credentials skopeo writes must work for gantry, and credentials gantry writes
 * must work for skopeo.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePath, tempDir } from '../helpers/paths.js';
import { Authorizer } from '../../src/registry/client/authorizer.js';
import { repositoryScope, type Scope } from '../../src/registry/client/auth-challenge.js';
import { DockerConfig } from '../../src/registry/client/credentials.js';
import { registryErrorFromResponse } from '../../src/registry/client/http-error.js';
import { SecretSet } from '../../src/registry/client/redact.js';
import { parseManifest } from '../../src/oci/validate.js';
import { MediaType } from '../../src/oci/media-types.js';
import { digestOf } from '../../src/oci/digest.js';
import { startDistribution } from './distribution.js';

const have = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const missing = ['docker-registry', 'htpasswd', 'skopeo'].filter((c) => !have(c));
const skip = missing.length > 0 ? `missing ${missing.join(', ')}` : false;


/** distribution's registry with htpasswd auth (alice / hunter22) on loopback. */
async function startRegistry(t: TestContext): Promise<string> {
  return (await startDistribution(t, { auth: true })).host;
}

/** One request with the challenge/retry dance the pull layer uses. */
async function authorizedGet(auth: Authorizer, url: string, host: string, scopes: Scope[], accept?: string): Promise<Response> {
  const headers = (authorization?: string): Record<string, string> => ({
    ...(accept === undefined ? {} : { accept }),
    ...(authorization === undefined ? {} : { authorization }),
  });
  const first = await auth.authorization(host, scopes);
  const res = await fetch(url, { headers: headers(first) });
  if (res.status !== 401) return res;
  if (!(await auth.challenge(host, res.headers.get('www-authenticate'), scopes, first === undefined ? {} : { previous: first }))) return res;
  await res.arrayBuffer();
  return fetch(url, { headers: headers(await auth.authorization(host, scopes)) });
}

test('credentials written by skopeo login authorize gantry’s requests', { skip }, async (t) => {
  const host = await startRegistry(t);
  const configDir = tempDir(t);
  const login = spawnSync(
    'skopeo',
    ['login', '--tls-verify=false', '--authfile', join(configDir, 'config.json'), '-u', 'alice', '--password-stdin', host],
    { input: 'hunter22', encoding: 'utf8' },
  );
  assert.equal(login.status, 0, login.stderr);

  const anonymous = await authorizedGet(new Authorizer(), `http://${host}/v2/`, host, []);
  assert.equal(anonymous.status, 401);
  const err = await registryErrorFromResponse(anonymous, { method: 'GET', url: `http://${host}/v2/`, action: `reach ${host}` });
  assert.equal(err.registryMessage, 'unauthorized: authentication required');
  assert.equal(err.kind, 'unauthorized');

  const secrets = new SecretSet();
  const config = await DockerConfig.load({ dir: configDir, env: {}, secrets });
  const auth = new Authorizer({ credentials: config, secrets });
  const res = await authorizedGet(auth, `http://${host}/v2/`, host, []);
  assert.equal(res.status, 200);
  assert.equal(secrets.redact('hunter22'), '***');
});

test('credentials gantry stores let skopeo push, and gantry then reads the manifest back', { skip }, async (t) => {
  const layout = conformancePath('go-containerregistry', 'pkg', 'v1', 'layout', 'testdata', 'test_index_one_image');
  if (layout === undefined || !existsSync(layout)) return t.skip('go-containerregistry fixtures are absent');
  const host = await startRegistry(t);
  const configDir = tempDir(t);
  const config = await DockerConfig.load({ dir: configDir, env: {} });
  await config.store(host, { username: 'alice', password: 'hunter22' });

  const copy = spawnSync(
    'skopeo',
    ['copy', '--quiet', '--dest-tls-verify=false', '--dest-authfile', join(configDir, 'config.json'), `oci:${layout}`, `docker://${host}/team/app:1`],
    { encoding: 'utf8' },
  );
  assert.equal(copy.status, 0, copy.stderr);

  const auth = new Authorizer({ credentials: await DockerConfig.load({ dir: configDir, env: {} }) });
  const scopes = [repositoryScope('team/app')];
  const res = await authorizedGet(auth, `http://${host}/v2/team/app/manifests/1`, host, scopes, MediaType.OciManifest);
  assert.equal(res.status, 200);
  const bytes = new Uint8Array(await res.arrayBuffer());
  assert.equal(digestOf(bytes), res.headers.get('docker-content-digest'));
  const manifest = parseManifest(bytes, { image: true });
  assert.ok(manifest.layers.length > 0);

  const missingTag = await authorizedGet(auth, `http://${host}/v2/team/app/manifests/nope`, host, scopes, MediaType.OciManifest);
  const notFound = await registryErrorFromResponse(missingTag, {
    method: 'GET',
    url: `http://${host}/v2/team/app/manifests/nope`,
    action: `pull ${host}/team/app:nope`,
  });
  assert.equal(notFound.kind, 'not-found');
  assert.deepEqual(notFound.codes, ['MANIFEST_UNKNOWN']);
});

test('verifyLogin() accepts the right password and relays distribution’s refusal of a wrong one', { skip }, async (t) => {
  const { verifyLogin } = await import('../../src/registry/client/login.js');
  const host = await startRegistry(t);
  const ok = await verifyLogin({ domain: host, credentials: { username: 'alice', password: 'hunter22' } });
  assert.equal(ok.endpoint.baseUrl, `http://${host}`);
  await assert.rejects(verifyLogin({ domain: host, credentials: { username: 'alice', password: 'bad-password' } }), (err: unknown) => {
    assert.equal((err as { kind?: string }).kind, 'unauthorized');
    assert.match((err as Error).message, /unauthorized: authentication required/);
    assert.ok(!(err as Error).message.includes('bad-password'));
    return true;
  });
});
