import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { ChunkedDecoder, RawGetClient } from './raw-get.js';

async function listen(server: net.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as AddressInfo).port;
}

async function collect(client: RawGetClient, url: string, slow = false): Promise<{ status: number; body: Buffer }> {
  const res = await client.get(new URL(url), { headers: {}, idleMs: 10_000 });
  const parts: Buffer[] = [];
  await res.body.pipeTo(async (chunk) => {
    parts.push(Buffer.from(chunk));
    if (slow) await new Promise((r) => setTimeout(r, 2));
  });
  return { status: res.status, body: Buffer.concat(parts) };
}

test('Content-Length, chunked and close-framed bodies arrive whole, also through a slow consumer', async (t) => {
  const data = randomBytes(5 * 1024 * 1024 + 17);
  const server = http.createServer((req, res) => {
    if (req.url === '/chunked') {
      // No Content-Length: node sends the chunked coding, in uneven pieces.
      for (let o = 0; o < data.length; o += 300_001) res.write(data.subarray(o, o + 300_001));
      res.end();
    } else {
      res.setHeader('content-length', data.length);
      res.end(data);
    }
  });
  const port = await listen(server);
  const client = new RawGetClient(() => ({}));
  t.after(() => (client.close(), server.close()));
  for (const path of ['/length', '/chunked']) {
    for (const slow of [false, true]) {
      const r = await collect(client, `http://127.0.0.1:${port}${path}`, slow);
      assert.equal(r.status, 200);
      assert.ok(r.body.equals(data), `${path} slow=${slow}`);
    }
  }
  const closeFramed = net.createServer((s) => {
    s.once('data', () => s.end(Buffer.concat([Buffer.from('HTTP/1.0 200 OK\r\nX-A: b\r\n\r\n'), data])));
  });
  const p2 = await listen(closeFramed);
  t.after(() => closeFramed.close());
  const r = await collect(client, `http://127.0.0.1:${p2}/x`);
  assert.ok(r.body.equals(data), 'a body framed by the connection end');
});

test('keep-alive: sequential GETs share one connection; a connection the server closed is replaced', async (t) => {
  let connections = 0;
  const server = http.createServer((_req, res) => res.end('ok'));
  server.on('connection', () => connections++);
  server.keepAliveTimeout = 60_000;
  const port = await listen(server);
  const client = new RawGetClient(() => ({}));
  t.after(() => (client.close(), server.close()));
  for (let i = 0; i < 3; i++) assert.equal((await collect(client, `http://127.0.0.1:${port}/`)).body.toString(), 'ok');
  assert.equal(connections, 1);
  server.closeIdleConnections();
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await collect(client, `http://127.0.0.1:${port}/`)).body.toString(), 'ok');
  assert.equal(connections, 2);
});

test('a connection dropped mid-body delivers every byte received, then fails with a transient code', async (t) => {
  const part = randomBytes(300_000);
  const server = net.createServer((s) => {
    s.once('data', () => {
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${1 << 20}\r\n\r\n`);
      s.write(part, () => setTimeout(() => s.destroy(), 50));
    });
  });
  const port = await listen(server);
  const client = new RawGetClient(() => ({}));
  t.after(() => (client.close(), server.close()));
  const res = await client.get(new URL(`http://127.0.0.1:${port}/`), { headers: {}, idleMs: 10_000 });
  const parts: Buffer[] = [];
  await assert.rejects(
    res.body.pipeTo((c) => {
      parts.push(Buffer.from(c));
    }),
    (err: NodeJS.ErrnoException) => err.code === 'ECONNRESET',
  );
  assert.ok(Buffer.concat(parts).equals(part));
});

test('an error status body is read whole; a consumer error fails the transfer with that error', async (t) => {
  const server = http.createServer((req, res) => {
    if (req.url === '/missing') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}');
    } else res.end(randomBytes(3 << 20));
  });
  const port = await listen(server);
  const client = new RawGetClient(() => ({}));
  t.after(() => (client.close(), server.close()));
  const missing = await client.get(new URL(`http://127.0.0.1:${port}/missing`), { headers: {}, idleMs: 10_000 });
  assert.equal(missing.status, 404);
  assert.match((await missing.body.readAll()).toString(), /BLOB_UNKNOWN/);
  const res = await client.get(new URL(`http://127.0.0.1:${port}/big`), { headers: {}, idleMs: 10_000 });
  const boom = new Error('disk full');
  await assert.rejects(res.body.pipeTo(() => Promise.reject(boom)), (err) => err === boom);
});

test('the chunked decoder finds the data however the bytes are split, skipping extensions and trailers', () => {
  const wire = Buffer.from('5;ext=1\r\nhello\r\nB\r\n, chunked!!\r\n0\r\nX-Trailer: 1\r\n\r\n');
  for (const step of [1, 2, 3, 7, wire.length]) {
    const d = new ChunkedDecoder();
    let out = '';
    for (let o = 0; o < wire.length; o += step) {
      const ranges = d.feed(wire, o, Math.min(wire.length, o + step));
      for (let i = 0; i < ranges.length; i += 2) out += wire.subarray(ranges[i], ranges[i + 1]).toString();
    }
    assert.equal(out, 'hello, chunked!!', `step ${step}`);
    assert.equal(d.done, true);
  }
  assert.throws(() => new ChunkedDecoder().feed(Buffer.from('zz\r\n'), 0, 4), /malformed chunk size/);
});

test('over TLS: the certificate is verified against the CA given, and a body arrives whole', async (t) => {
  const { execFileSync } = await import('node:child_process');
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const https = await import('node:https');
  const dir = mkdtempSync(join(tmpdir(), 'gantry-rawtls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'k'), '-out', join(dir, 'c'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'c'), 'utf8');
  const data = randomBytes(2 << 20);
  const server = https.createServer({ cert, key: readFileSync(join(dir, 'k')) }, (_q, r) => r.end(data));
  const port = await listen(server);
  const secureContext = (await import('node:tls')).createSecureContext({ ca: [cert] });
  const trusting = new RawGetClient(() => ({ secureContext }));
  const strict = new RawGetClient(() => ({}));
  t.after(() => (trusting.close(), strict.close(), server.close()));
  assert.ok((await collect(trusting, `https://127.0.0.1:${port}/`)).body.equals(data));
  await assert.rejects(strict.get(new URL(`https://127.0.0.1:${port}/`), { headers: {}, idleMs: 10_000 }), /self.signed|certificate/i);
});
