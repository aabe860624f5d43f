import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOCKER_HUB_REGISTRY_HOST, endpointsFor, isInsecureRegistry, isLoopbackHost, registryHost } from './endpoint.js';

test('docker.io is served by registry-1.docker.io over HTTPS only', () => {
  assert.equal(registryHost('docker.io'), DOCKER_HUB_REGISTRY_HOST);
  assert.deepEqual(endpointsFor('docker.io'), [{ host: 'registry-1.docker.io', baseUrl: 'https://registry-1.docker.io', plainHttp: false }]);
});

test('loopback registries may fall back to plain HTTP, as docker’s default 127.0.0.0/8', () => {
  for (const h of ['localhost:5000', '127.0.0.1:5000', '127.1.2.3', '[::1]:5000', 'reg.localhost:80']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['10.0.0.1:5000', 'registry.example', '128.0.0.1']) assert.ok(!isLoopbackHost(h), h);
  assert.deepEqual(
    endpointsFor('localhost:5000').map((e) => e.baseUrl),
    ['https://localhost:5000', 'http://localhost:5000'],
  );
});

test('listed insecure registries match by host, host:port or IPv4 CIDR', () => {
  const opts = { insecureRegistries: ['reg.example:5000', 'plain.example', '10.0.0.0/8'] };
  assert.ok(isInsecureRegistry('reg.example:5000', opts));
  assert.ok(!isInsecureRegistry('reg.example:6000', opts));
  assert.ok(isInsecureRegistry('plain.example:1234', opts));
  assert.ok(isInsecureRegistry('10.20.30.40:5000', opts));
  assert.ok(!isInsecureRegistry('11.0.0.1:5000', opts));
  assert.equal(endpointsFor('10.1.1.1:5000', opts).length, 2);
  assert.equal(endpointsFor('registry.example').length, 1);
});
