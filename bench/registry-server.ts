/**
 * Load benchmark: 50 concurrent pullers and 10 concurrent pushers against `gantry registry serve`
 * and against Debian's `docker-registry` (distribution 2.8), one after the other in the same run,
 * both on loopback with fresh temporary storage. Prints throughput and p50/p99 latency side by side.
 *
 *   npm run build && node dist/bench/registry-server.js
 *   BENCH_SECONDS=10 PULLERS=50 PUSHERS=10 LAYER_KB=1024 node dist/bench/registry-server.js
 *
 * A pull is: GET the manifest by tag, then GET its config and layers (bodies read and hashed, as a
 * client verifies them). A push is: a new random layer and config (POST + PUT monolithic each, one
 * layer chunked with PATCH), then PUT the manifest under a new tag. Bounded by time, not count.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const PULLERS = Number(process.env.PULLERS ?? 50);
const PUSHERS = Number(process.env.PUSHERS ?? 10);
const LAYER_BYTES = Number(process.env.LAYER_KB ?? 1024) * 1024;
const IMAGES = 4;
const LAYERS_PER_IMAGE = 3;

const repoRoot = (() => {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json'))) d = dirname(d);
  return d;
})();

const sha256 = (b: Uint8Array): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

interface HttpResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  bytes: number;
  body?: Buffer;
}

function http(agent: Agent, base: string, method: string, path: string, body?: Buffer, headers: Record<string, string | number> = {}, keep = false): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const url = path.startsWith('http') ? path : `${base}${path}`;
    const r = request(url, { method, agent, headers: { ...(body ? { 'Content-Length': body.length } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      const hash = createHash('sha256');
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        hash.update(c);
        if (keep) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, ...(keep ? { body: Buffer.concat(chunks) } : {}) }));
      res.on('error', reject);
    });
    r.on('error', reject);
    r.end(body);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(base: string): Promise<void> {
  const agent = new Agent();
  for (let i = 0; i < 100; i++) {
    try {
      if ((await http(agent, base, 'GET', '/v2/')).status === 200) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`registry at ${base} did not start`);
}

interface Target {
  name: string;
  base: string;
  child: ChildProcess;
  dir: string;
}

async function startGantry(): Promise<Target> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-gantry-'));
  const port = await freePort();
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'gantry'), 'registry', 'serve', '--addr', `127.0.0.1:${port}`, '--root', join(dir, 'root'), '--log-level', 'warn'], { stdio: 'ignore' });
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base);
  return { name: 'gantry', base, child, dir };
}

async function startDistribution(): Promise<Target | undefined> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-distribution-'));
  const port = await freePort();
  const config = join(dir, 'config.yml');
  writeFileSync(
    config,
    ['version: 0.1', 'log:', '  level: error', '  accesslog: {disabled: true}', 'storage:', `  filesystem: {rootdirectory: ${join(dir, 'root')}}`, '  delete: {enabled: true}', 'http:', `  addr: 127.0.0.1:${port}`, '  secret: bench-secret', ''].join('\n'),
  );
  let child: ChildProcess;
  try {
    child = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      setTimeout(resolve, 50);
    });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  const base = `http://127.0.0.1:${port}`;
  await waitReady(base);
  return { name: 'distribution 2.8', base, child, dir };
}

async function pushBlob(agent: Agent, base: string, repo: string, data: Buffer, chunked = false): Promise<void> {
  const start = await http(agent, base, 'POST', `/v2/${repo}/blobs/uploads/`);
  let loc = start.headers.location as string;
  if (chunked) {
    const half = Math.floor(data.length / 2);
    const p1 = await http(agent, base, 'PATCH', loc, data.subarray(0, half), { 'Content-Type': 'application/octet-stream', 'Content-Range': `0-${half - 1}` });
    loc = p1.headers.location as string;
    const p2 = await http(agent, base, 'PATCH', loc, data.subarray(half), { 'Content-Type': 'application/octet-stream', 'Content-Range': `${half}-${data.length - 1}` });
    loc = p2.headers.location as string;
    const put = await http(agent, base, 'PUT', `${loc}${loc.includes('?') ? '&' : '?'}digest=${sha256(data)}`);
    if (put.status !== 201) throw new Error(`chunked PUT ${put.status}`);
    return;
  }
  const put = await http(agent, base, 'PUT', `${loc}${loc.includes('?') ? '&' : '?'}digest=${sha256(data)}`, data, { 'Content-Type': 'application/octet-stream' });
  if (put.status !== 201) throw new Error(`PUT ${put.status}`);
}

async function pushImage(agent: Agent, base: string, repo: string, tag: string, layers: Buffer[]): Promise<void> {
  const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map(sha256) }, tag }));
  await pushBlob(agent, base, repo, cfg);
  for (const [i, l] of layers.entries()) await pushBlob(agent, base, repo, l, i === 0);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(cfg), size: cfg.length },
      layers: layers.map((l) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(l), size: l.length })),
    }),
  );
  const r = await http(agent, base, 'PUT', `/v2/${repo}/manifests/${tag}`, manifest, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' });
  if (r.status !== 201) throw new Error(`manifest PUT ${r.status}`);
}

async function pullImage(agent: Agent, base: string, repo: string, tag: string): Promise<number> {
  const m = await http(agent, base, 'GET', `/v2/${repo}/manifests/${tag}`, undefined, { Accept: 'application/vnd.oci.image.manifest.v1+json' }, true);
  if (m.status !== 200) throw new Error(`manifest GET ${m.status}`);
  const doc = JSON.parse(m.body!.toString()) as { config: { digest: string }; layers: { digest: string }[] };
  let bytes = m.bytes;
  for (const d of [doc.config.digest, ...doc.layers.map((l) => l.digest)]) {
    const b = await http(agent, base, 'GET', `/v2/${repo}/blobs/${d}`);
    if (b.status !== 200) throw new Error(`blob GET ${b.status}`);
    bytes += b.bytes;
  }
  return bytes;
}

function pct(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Result {
  name: string;
  pulls: number[];
  pushes: number[];
  pulledBytes: number;
  pushedBytes: number;
  errors: number;
  seconds: number;
}

async function load(t: Target): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: PULLERS + PUSHERS + 4 });
  for (let i = 0; i < IMAGES; i++) {
    await pushImage(agent, t.base, 'bench/pull', `img${i}`, Array.from({ length: LAYERS_PER_IMAGE }, () => randomBytes(LAYER_BYTES)));
  }
  const res: Result = { name: t.name, pulls: [], pushes: [], pulledBytes: 0, pushedBytes: 0, errors: 0, seconds: SECONDS };
  const deadline = Date.now() + SECONDS * 1000;
  const started = Date.now();
  const puller = async (id: number): Promise<void> => {
    for (let n = 0; Date.now() < deadline; n++) {
      const t0 = performance.now();
      try {
        const bytes = await pullImage(agent, t.base, 'bench/pull', `img${(id + n) % IMAGES}`);
        res.pulledBytes += bytes;
        res.pulls.push(performance.now() - t0);
      } catch {
        res.errors++;
      }
    }
  };
  const pusher = async (id: number): Promise<void> => {
    for (let n = 0; Date.now() < deadline; n++) {
      const layers = [randomBytes(LAYER_BYTES)];
      const t0 = performance.now();
      try {
        await pushImage(agent, t.base, `bench/push${id}`, `t${n}`, layers);
        res.pushes.push(performance.now() - t0);
        res.pushedBytes += LAYER_BYTES;
      } catch {
        res.errors++;
      }
    }
  };
  await Promise.all([...Array.from({ length: PULLERS }, (_, i) => puller(i)), ...Array.from({ length: PUSHERS }, (_, i) => pusher(i))]);
  res.seconds = (Date.now() - started) / 1000;
  agent.destroy();
  return res;
}

async function stop(t: Target): Promise<void> {
  const exited = new Promise((r) => t.child.once('exit', r));
  t.child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (t.child.exitCode === null) t.child.kill('SIGKILL');
  rmSync(t.dir, { recursive: true, force: true });
}

function row(label: string, values: string[]): string {
  return `${label.padEnd(24)}${values.map((v) => v.padStart(20)).join('')}`;
}

async function main(): Promise<void> {
  console.log(`registry load: ${PULLERS} pullers + ${PUSHERS} pushers for ${SECONDS}s each; images of ${LAYERS_PER_IMAGE} x ${LAYER_BYTES / 1024} KiB layers`);
  const results: Result[] = [];
  for (const start of [startGantry, startDistribution]) {
    const target = await start();
    if (target === undefined) {
      console.log('docker-registry not installed: skipping the distribution column');
      continue;
    }
    try {
      results.push(await load(target));
    } finally {
      await stop(target);
    }
  }
  const f = (x: number): string => (Number.isNaN(x) ? '-' : x.toFixed(1));
  const cols = results.map((r) => {
    const pulls = [...r.pulls].sort((a, b) => a - b);
    const pushes = [...r.pushes].sort((a, b) => a - b);
    return {
      name: r.name,
      pullRate: f(pulls.length / r.seconds),
      pullMBs: f(r.pulledBytes / r.seconds / 1e6),
      pullP50: f(pct(pulls, 50)),
      pullP99: f(pct(pulls, 99)),
      pushRate: f(pushes.length / r.seconds),
      pushMBs: f(r.pushedBytes / r.seconds / 1e6),
      pushP50: f(pct(pushes, 50)),
      pushP99: f(pct(pushes, 99)),
      errors: String(r.errors),
    };
  });
  console.log(row('', cols.map((c) => c.name)));
  for (const [label, key] of [
    ['pulls/s', 'pullRate'], ['pull MB/s', 'pullMBs'], ['pull p50 ms', 'pullP50'], ['pull p99 ms', 'pullP99'],
    ['pushes/s', 'pushRate'], ['push MB/s', 'pushMBs'], ['push p50 ms', 'pushP50'], ['push p99 ms', 'pushP99'], ['errors', 'errors'],
  ] as const) {
    console.log(row(label, cols.map((c) => c[key])));
  }
}

await main();
