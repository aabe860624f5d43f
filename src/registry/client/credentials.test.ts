import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isKind } from '../../errors.js';
import { tempDir } from '../../../test/helpers/paths.js';
import {
  authConfigKey,
  basicAuthorization,
  convertToHostname,
  CredentialHelperError,
  DOCKER_HUB_AUTH_KEY,
  DockerConfig,
  dockerConfigDir,
  helperGet,
  helperList,
  InvalidDockerConfigError,
} from './credentials.js';
import { SecretSet } from './redact.js';

const auth = (user: string, pass: string): string => Buffer.from(`${user}:${pass}`).toString('base64');

/**
 * A credential helper as a shell script: keeps each server's JSON in store/<hex of URL> beside
 * itself and logs every call to calls.log. `docker-credential-broken` fails loudly, echoing a secret.
 */
function installHelpers(dir: string): string {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'docker-credential-test'),
    `#!/bin/sh
here=$(dirname "$0")
mkdir -p "$here/store"
input=$(cat)
echo "$1 $input" >> "$here/calls.log"
hex() { printf '%s' "$1" | od -An -tx1 | tr -d ' \\n'; }
case "$1" in
  store)
    url=$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\\([^"]*\\)".*/\\1/p')
    printf '%s' "$input" > "$here/store/$(hex "$url")" ;;
  get)
    f="$here/store/$(hex "$input")"
    if [ -f "$f" ]; then cat "$f"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  erase)
    rm -f "$here/store/$(hex "$input")" ;;
  list)
    printf '{"https://index.docker.io/v1/":"alice"}' ;;
  *) echo "unknown command"; exit 2 ;;
esac
`,
  );
  writeFileSync(join(bin, 'docker-credential-broken'), '#!/bin/sh\ncat >/dev/null\necho "keychain locked for hunter22"\nexit 3\n');
  writeFileSync(join(bin, 'docker-credential-garbage'), '#!/bin/sh\ncat >/dev/null\necho "s3cr3t-not-json"\n');
  for (const f of ['docker-credential-test', 'docker-credential-broken', 'docker-credential-garbage']) chmodSync(join(bin, f), 0o755);
  return bin;
}

function envWith(bin: string, dir: string): NodeJS.ProcessEnv {
  return { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: dir };
}

test('docker’s keys: Docker Hub under https://index.docker.io/v1/, others by host[:port]', () => {
  assert.equal(authConfigKey('docker.io'), DOCKER_HUB_AUTH_KEY);
  assert.equal(authConfigKey('index.docker.io'), DOCKER_HUB_AUTH_KEY);
  assert.equal(authConfigKey('registry-1.docker.io'), DOCKER_HUB_AUTH_KEY);
  assert.equal(authConfigKey('localhost:5000'), 'localhost:5000');
  assert.equal(authConfigKey('https://registry.example:5000/v2/'), 'registry.example:5000');
  assert.equal(convertToHostname('https://index.docker.io/v1/'), 'index.docker.io');
  assert.equal(convertToHostname('reg.example/path'), 'reg.example');
  assert.equal(dockerConfigDir({ DOCKER_CONFIG: '/x/y' }), '/x/y');
  assert.equal(dockerConfigDir({ HOME: '/home/u' }), '/home/u/.docker');
});

test('reads base64 auth entries, legacy URL keys and DOCKER_AUTH_CONFIG first', async (t) => {
  const dir = tempDir(t);
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      auths: {
        [DOCKER_HUB_AUTH_KEY]: { auth: auth('alice', 'pa:ss\0') },
        'https://legacy.example:5000/v1/': { auth: auth('bob', 'b0bpass') },
        'tok.example': { identitytoken: 'refresh-abc' },
      },
      psFormat: 'keep me',
    }),
  );
  const secrets = new SecretSet();
  const config = await DockerConfig.load({ dir, env: {}, secrets });
  assert.deepEqual(await config.get('docker.io'), { username: 'alice', password: 'pa:ss' });
  assert.deepEqual(await config.get('legacy.example:5000'), { username: 'bob', password: 'b0bpass' });
  assert.deepEqual(await config.get('tok.example'), { identityToken: 'refresh-abc' });
  assert.equal(await config.get('other.example'), undefined);
  assert.equal(secrets.redact('b0bpass refresh-abc'), '*** ***');

  const fromEnv = await DockerConfig.load({
    dir,
    env: { DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { 'https://index.docker.io/v1/': { auth: auth('ci', 'cipass') } } }) },
  });
  assert.deepEqual(await fromEnv.get('docker.io'), { username: 'ci', password: 'cipass' });
  assert.deepEqual(await fromEnv.get('legacy.example:5000'), { username: 'bob', password: 'b0bpass' });
});

test('store() and erase() keep config.json’s other members and write it 0600', async (t) => {
  const dir = tempDir(t);
  const cfgDir = join(dir, 'docker');
  const config = await DockerConfig.load({ dir: cfgDir, env: {} });
  await config.store('localhost:5000', { username: 'u', password: 'p4ss' });
  const file = join(cfgDir, 'config.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const written = JSON.parse(readFileSync(file, 'utf8')) as { auths: Record<string, { auth: string }> };
  assert.equal(written.auths['localhost:5000']?.auth, auth('u', 'p4ss'));

  writeFileSync(file, JSON.stringify({ ...written, psFormat: 'table {{.ID}}' }));
  const again = await DockerConfig.load({ dir: cfgDir, env: {} });
  assert.deepEqual(await again.get('localhost:5000'), { username: 'u', password: 'p4ss' });
  assert.equal(await again.erase('localhost:5000'), true);
  assert.equal(await again.erase('localhost:5000'), false);
  const after = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(after, { auths: {}, psFormat: 'table {{.ID}}' });
});

test('a credsStore helper stores, gets and erases over stdin/stdout; config.json keeps no secret', async (t) => {
  const dir = tempDir(t);
  const bin = installHelpers(dir);
  const cfgDir = join(dir, 'cfg');
  mkdirSync(cfgDir);
  writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ credsStore: 'test', credHelpers: { 'other.example': 'broken' } }));
  const env = envWith(bin, dir);
  const config = await DockerConfig.load({ dir: cfgDir, env });
  assert.equal(await config.get('docker.io'), undefined, 'not found is not an error');
  await config.store('docker.io', { username: 'alice', password: 'hunter22' });
  await config.store('tokens.example', { identityToken: 'idtok-1' });
  assert.deepEqual(await config.get('docker.io'), { username: 'alice', password: 'hunter22' });
  assert.deepEqual(await config.get('tokens.example'), { identityToken: 'idtok-1' });
  const file = readFileSync(join(cfgDir, 'config.json'), 'utf8');
  assert.ok(!file.includes('hunter22') && !file.includes('idtok-1'));
  assert.deepEqual(JSON.parse(file).auths, { [DOCKER_HUB_AUTH_KEY]: {}, 'tokens.example': {} });
  const calls = readFileSync(join(bin, 'calls.log'), 'utf8');
  assert.match(calls, /^store \{"ServerURL":"https:\/\/index.docker.io\/v1\/","Username":"alice","Secret":"hunter22"\}$/m);
  assert.match(calls, /^store \{"ServerURL":"tokens.example","Username":"<token>","Secret":"idtok-1"\}$/m);
  assert.match(calls, /^get https:\/\/index.docker.io\/v1\/$/m);
  await config.erase('docker.io');
  assert.equal(await config.get('docker.io'), undefined);
  assert.deepEqual(await helperList('test', { env }), { [DOCKER_HUB_AUTH_KEY]: 'alice' });
});

test('a failing helper is an error whose message masks known secrets; a missing one says how to fix it', async (t) => {
  const dir = tempDir(t);
  const bin = installHelpers(dir);
  const cfgDir = join(dir, 'cfg');
  mkdirSync(cfgDir);
  writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ credHelpers: { 'other.example': 'broken', 'gone.example': 'nosuch', 'junk.example': 'garbage' } }));
  const secrets = new SecretSet().add('hunter22');
  const config = await DockerConfig.load({ dir: cfgDir, env: envWith(bin, dir), secrets });
  await assert.rejects(config.get('other.example'), (err: unknown) => {
    assert.ok(err instanceof CredentialHelperError);
    assert.ok(isKind(err, 'unavailable'));
    assert.equal(err.message, 'Cannot use docker-credential-broken: error getting credentials - exit status 3, out: `keychain locked for ***`');
    return true;
  });
  await assert.rejects(config.get('gone.example'), (err: unknown) => {
    assert.ok(isKind(err, 'failed-precondition'));
    assert.match((err as Error).message, /docker-credential-nosuch: executable file not found in \$PATH/);
    return true;
  });
  await assert.rejects(config.get('junk.example'), (err: unknown) => !(err as Error).message.includes('s3cr3t'));
  assert.equal(await helperGet('test', 'nothing.example', { env: envWith(bin, dir) }), undefined);
});

test('an unreadable config.json is an invalid-argument error naming the file', async (t) => {
  const dir = tempDir(t);
  writeFileSync(join(dir, 'config.json'), '{"auths": ');
  await assert.rejects(DockerConfig.load({ dir, env: {} }), (err: unknown) => err instanceof InvalidDockerConfigError && err.message.startsWith(`Cannot read ${join(dir, 'config.json')}: not valid JSON`));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { x: { auth: Buffer.from('nocolon').toString('base64') } } }));
  const config = await DockerConfig.load({ dir, env: {} });
  await assert.rejects(config.get('x'), /the "auth" of "x" is not base64 of "username:password"/);
  assert.equal(basicAuthorization({ username: 'a', password: 'b' }), `Basic ${auth('a', 'b')}`);
  assert.equal(basicAuthorization({ identityToken: 't' }), undefined);
});
