/** distribution's registry (`docker-registry`) for tests, on a random loopback port. */
import type { TestContext } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import { join } from 'node:path';
import { tempDir } from '../helpers/paths.js';
import { freePort } from '../helpers/net.js';
import { selfSignedCert, htpasswdFile } from './tls.js';

export interface Registry {
  host: string;
  data: string;
  certsDir?: string;
}

/** distribution's registry on a random loopback port; TLS and htpasswd (alice/hunter22) on request. */
export async function startDistribution(t: TestContext, opts: { tls?: boolean; auth?: boolean } = {}): Promise<Registry> {
  const dir = tempDir(t, 'gantry-dist-');
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const lines = ['version: 0.1', 'log: {level: error}', 'storage:', `  filesystem: {rootdirectory: ${join(dir, 'data')}}`, '  delete: {enabled: true}', 'http:', `  addr: ${host}`, '  secret: test'];
  let certsDir: string | undefined;
  if (opts.tls === true) {
    const { cert, key } = selfSignedCert(dir);
    lines.push('  tls:', `    certificate: ${cert}`, `    key: ${key}`);
    certsDir = join(dir, 'certs.d');
    mkdirSync(join(certsDir, host), { recursive: true });
    copyFileSync(cert, join(certsDir, host, 'ca.crt'));
  }
  if (opts.auth === true) {
    htpasswdFile(join(dir, 'htpasswd'), 'alice', 'hunter22');
    lines.push('auth:', '  htpasswd:', '    realm: test-realm', `    path: ${join(dir, 'htpasswd')}`);
  }
  writeFileSync(join(dir, 'config.yml'), `${lines.join('\n')}\n`);
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = new Promise((resolve) => child.once('close', resolve));
      child.kill('SIGTERM');
      await closed;
    }
  });
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited: ${stderr}`);
    const ok = await new Promise<boolean>((resolve) => {
      const sock = net.connect(port, '127.0.0.1');
      sock.once('connect', () => (sock.destroy(), resolve(true)));
      sock.once('error', () => resolve(false));
    });
    if (ok) break;
    if (i > 100) throw new Error(`docker-registry did not listen: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { host, data: join(dir, 'data'), ...(certsDir !== undefined ? { certsDir } : {}) };
}
