/**
 * Push and pull of the W2 (many files), W3 (one big, half-compressible file) and a 500-layer image to and from
 * a local distribution registry (`docker-registry`, no blob-descriptor cache, fresh storage for each
 * push), for gantry beside skopeo, buildah and docker (when `DOCKER_HOST` answers), in one run.
 * Wall time and CPU time (user+sys of the command and its children) are printed per contender, since
 * the machine is shared.
 *
 *   npm run build && node dist/bench/registry.js
 *   W2_FILES=20000 W2_BYTES=209715200 W3_MIB=1024 LAYERS=500 RUNS=3 ONLY=w3|w2|l500 node dist/bench/registry.js
 *
 * Contenders run round-robin within each run, so machine noise hits them alike; each line carries
 * the 1-minute load average, and a summary per workload gives medians and minima over the runs.
 * docker pulls too when `DOCKER_HOST` answers (`/usr/bin/docker`; its CPU is the client's only).
 * `GANTRY_BEFORE=/path/to/other/bin/gantry` adds that build's pull to the same rounds (before/after).
 *
 * The images are equivalent, not identical, to what the Dockerfiles in /work/shared/bench/workloads
 * build: one gzip layer holding the W2 file tree (gen-w2.py) or W3's /big.bin (each MiB: 512 KiB
 * random + 512 KiB text), made with tar and pigz, then put in a gantry store (the layer streamed
 * in), an OCI layout (skopeo's source) and buildah's storage (buildah's source).
 * Pull: gantry into a fresh store; skopeo into containers-storage (overlay, fresh root) as the
 * target's baseline, and into an OCI directory for reference.
 * Push: gantry from a store holding the gzip layer (as pulled), and from one holding it uncompressed
 * (as gantry stores the layers it builds since issue 5: compressed while pushed).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, mkdirSync, rmSync, statSync, writeFileSync, existsSync, linkSync } from 'node:fs';
import { connect } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { digestOf, MediaType } from '../src/oci/index.js';
import { openStore, writeBlob, withLease } from '../src/store/index.js';
import { freePort } from '../test/helpers/net.js';

const RUNS = Number(process.env['RUNS'] ?? 1);
const W2_FILES = Number(process.env['W2_FILES'] ?? 20000);
const W2_BYTES = Number(process.env['W2_BYTES'] ?? 200 * 1024 * 1024);
const W3_MIB = Number(process.env['W3_MIB'] ?? 1024);
const ONLY = process.env['ONLY'];
const LAYERS = Number(process.env['LAYERS'] ?? 500);
const DOCKER = '/usr/bin/docker';
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');
const gantryBin = join(repoRoot, 'bin', 'gantry');
const genW2 = '/work/shared/bench/workloads/gen-w2.py';

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Runs a shell command line; wall time here, CPU time (children's user+sys) from bash's `times`. */
function timed(line: string, env: Record<string, string> = {}): Timing {
  const t0 = process.hrtime.bigint();
  const r = spawnSync('bash', ['-c', `${line} >/dev/null 2>/tmp/gantry-bench-err || { cat /tmp/gantry-bench-err >&2; exit 1; }; times`], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    maxBuffer: 1 << 26,
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${line} failed: ${r.stderr.slice(0, 600)}`);
  // `times` prints two lines: the shell's and its children's "XmY.YYYs XmY.YYYs".
  const lines = r.stdout.trim().split('\n');
  const child = lines[lines.length - 1] ?? '';
  const secs = [...child.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return { wallMs, cpuMs: ((secs[0] ?? 0) + (secs[1] ?? 0)) * 1000 };
}

function sh(line: string): void {
  const r = spawnSync('bash', ['-c', line], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${line}: ${r.stderr.slice(0, 600)}`);
}

let regCount = 0;


/** A fresh distribution registry; returns its host and a stop function. */
async function registry(work: string): Promise<{ host: string; stop: () => Promise<void> }> {
  const dir = join(work, `reg-${++regCount}`);
  mkdirSync(dir);
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  writeFileSync(join(dir, 'c.yml'), `version: 0.1\nlog: {level: error}\nstorage:\n  filesystem: {rootdirectory: ${dir}/data}\nhttp:\n  addr: ${host}\n  secret: b\n`);
  const child = spawn('docker-registry', ['serve', join(dir, 'c.yml')], { stdio: 'ignore' });
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), r(true)));
      s.once('error', () => r(false));
    });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host,
    stop: async () => {
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await closed;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Workload {
  name: string;
  layout: string;
  gantryRoot: string;
  /** A gantry store with the same image, its layers stored uncompressed (as built). */
  rawRoot: string;
  buildahRoot: string;
  layerBytes: number;
  layerCount: number;
}

/** `sha256:<hex>` of a file's bytes, by sha256sum(1). */
function sha256File(path: string): string {
  return `sha256:${spawnSync('sha256sum', [path], { encoding: 'utf8' }).stdout.split(' ')[0]}`;
}

/** Builds a workload's image from directory trees (one layer each): layers, config, manifest; three sources. */
async function prepare(work: string, name: string, trees: readonly string[]): Promise<Workload> {
  const layout = join(work, `${name}-oci`);
  mkdirSync(join(layout, 'blobs', 'sha256'), { recursive: true });
  const layers: { file: string; tar: string; digest: string; diffId: string; size: number; tarSize: number }[] = [];
  for (const [i, tree] of trees.entries()) {
    const file = join(work, `${name}-${i}.tar.gz`);
    const tar = join(work, `${name}-${i}.tar`);
    const tarCmd = `tar -C ${tree} --sort=name --mtime=@0 --owner=0 --group=0 -cf - .`;
    sh(`${tarCmd} > ${tar} && pigz -6 < ${tar} > ${file}`);
    const diffId = sha256File(tar);
    const digest = sha256File(file);
    const size = statSync(file).size;
    if (!existsSync(join(layout, 'blobs', 'sha256', digest.slice(7)))) linkSync(file, join(layout, 'blobs', 'sha256', digest.slice(7)));
    layers.push({ file, tar, digest, diffId, size, tarSize: statSync(tar).size });
  }
  const config = Buffer.from(
    JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/sh'] }, rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }),
  );
  const manifestOf = (layerType: string, descs: { digest: string; size: number }[]): Buffer =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MediaType.OciManifest,
        config: { mediaType: MediaType.OciConfig, digest: digestOf(config), size: config.length },
        layers: descs.map((d) => ({ mediaType: layerType, ...d })),
      }),
    );
  const manifest = manifestOf(MediaType.OciLayerGzip, layers.map((l) => ({ digest: l.digest, size: l.size })));
  for (const b of [config, manifest]) writeFileSync(join(layout, 'blobs', 'sha256', digestOf(b).slice(7)), b);
  writeFileSync(join(layout, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(layout, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.OciManifest, digest: digestOf(manifest), size: manifest.length }] }));
  const gantryRoot = join(work, `${name}-gantry`);
  await storeImage(gantryRoot, `bench/${name}:latest`, layers.map((l) => ({ file: l.file, digest: l.digest, size: l.size })), [config, manifest]);
  // The same image as gantry build stores it now: uncompressed layers (digest = diffID).
  const rawManifest = manifestOf(MediaType.OciLayer, layers.map((l) => ({ digest: l.diffId, size: l.tarSize })));
  const rawRoot = join(work, `${name}-gantry-raw`);
  await storeImage(rawRoot, `bench/${name}:latest`, layers.map((l) => ({ file: l.tar, digest: l.diffId, size: l.tarSize })), [config, rawManifest]);
  for (const l of layers) rmSync(l.tar, { force: true });
  const buildahRoot = join(work, `${name}-buildah`);
  sh(`buildah --root ${buildahRoot}/root --runroot ${buildahRoot}/run --storage-driver overlay pull -q oci:${layout} >/dev/null`);
  return { name, layout, gantryRoot, rawRoot, buildahRoot, layerBytes: layers.reduce((n, l) => n + l.size, 0), layerCount: layers.length };
}

function fmt(t: Timing): string {
  return `${(t.wallMs / 1000).toFixed(2).padStart(8)} s wall ${(t.cpuMs / 1000).toFixed(2).padStart(8)} s cpu  load ${loadavg()[0]!.toFixed(1)}`;
}

const results = new Map<string, Timing[]>();
function record(name: string, t: Timing): void {
  console.log(`${name.padEnd(36)} ${fmt(t)}`);
  results.set(name, [...(results.get(name) ?? []), t]);
}

function summary(): void {
  const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  console.log(`${'summary (median / min)'.padEnd(36)} ${'wall s'.padStart(15)} ${'cpu s'.padStart(15)}`);
  for (const [name, ts] of results) {
    const w = ts.map((t) => t.wallMs / 1000);
    const c = ts.map((t) => t.cpuMs / 1000);
    console.log(`${name.padEnd(36)} ${`${med(w).toFixed(2)} / ${Math.min(...w).toFixed(2)}`.padStart(15)} ${`${med(c).toFixed(2)} / ${Math.min(...c).toFixed(2)}`.padStart(15)}`);
  }
  results.clear();
}

function dockerAnswers(): boolean {
  return process.env['DOCKER_HOST'] !== undefined && existsSync(DOCKER) && spawnSync(DOCKER, ['version'], { stdio: 'ignore' }).status === 0;
}

async function bench(work: string, w: Workload): Promise<void> {
  console.log(`\n## ${w.name} (${w.layerCount} layer${w.layerCount === 1 ? '' : 's'}, ${(w.layerBytes / 1048576).toFixed(1)} MiB compressed)`);
  const env = { GANTRY_CONFIG: join(work, 'none.json'), DOCKER_CONFIG: join(work, 'docker') };
  mkdirSync(env.DOCKER_CONFIG, { recursive: true });
  writeFileSync(join(env.DOCKER_CONFIG, 'config.json'), '{}');
  const buildah = `buildah --root ${w.buildahRoot}/root --runroot ${w.buildahRoot}/run --storage-driver overlay`;
  const pushers: [string, (host: string) => string, ((host: string) => void)?][] = [
    [
      'gantry push',
      (h) => `GANTRY_ROOT=${w.gantryRoot} node ${gantryBin} push -q ${h}/b/${w.name}:1`,
      // Untimed: the name for this registry (its port changes per run).
      (h) => sh(`GANTRY_ROOT=${w.gantryRoot} node ${gantryBin} tag bench/${w.name} ${h}/b/${w.name}:1`),
    ],
    [
      'gantry push (stored uncompressed)',
      (h) => `GANTRY_ROOT=${w.rawRoot} node ${gantryBin} push -q ${h}/b/${w.name}:1`,
      (h) => sh(`GANTRY_ROOT=${w.rawRoot} node ${gantryBin} tag bench/${w.name} ${h}/b/${w.name}:1`),
    ],
    ['skopeo copy oci: → registry', (h) => `skopeo copy -q --dest-tls-verify=false oci:${w.layout} docker://${h}/b/${w.name}:1`],
    ['buildah push', (h) => `${buildah} push -q --tls-verify=false $(${buildah} images -q | head -1) docker://${h}/b/${w.name}:1`],
  ];
  const pullers: [string, (host: string, dir: string) => string, ((host: string) => void)?][] = [
    ['gantry pull (store)', (h, d) => `GANTRY_ROOT=${d}/g node ${gantryBin} pull -q ${h}/b/${w.name}:1`],
    ['skopeo copy → containers-storage', (h, d) => `skopeo copy -q --src-tls-verify=false docker://${h}/b/${w.name}:1 'containers-storage:[overlay@${d}/cs+${d}/csrun]b/${w.name}:1'`],
    ['skopeo copy → oci dir (download only)', (h, d) => `skopeo copy -q --src-tls-verify=false docker://${h}/b/${w.name}:1 oci:${d}/oci:x`],
  ];
  const before = process.env['GANTRY_BEFORE'];
  if (before !== undefined) {
    // Another build of gantry (e.g. the previous commit's bin/gantry) pulling in the same rounds.
    pullers.splice(1, 0, ['gantry pull (GANTRY_BEFORE)', (h, d) => `GANTRY_ROOT=${d}/g node ${before} pull -q ${h}/b/${w.name}:1`]);
  }
  const haveDocker = dockerAnswers();
  if (haveDocker) {
    // dockerd treats 127.0.0.0/8 as insecure; the image is removed after each (untimed).
    pullers.push(['docker pull', (h) => `${DOCKER} pull -q ${h}/b/${w.name}:1`, (h) => sh(`${DOCKER} rmi -f ${h}/b/${w.name}:1 >/dev/null 2>&1 || true`)]);
  }
  for (let run = 0; run < RUNS; run++) {
    for (const [name, cmd, prep] of pushers) {
      const reg = await registry(work);
      try {
        prep?.(reg.host);
        record(name, timed(cmd(reg.host), env));
      } finally {
        await reg.stop();
      }
    }
    const reg = await registry(work);
    try {
      sh(`skopeo copy -q --dest-tls-verify=false oci:${w.layout} docker://${reg.host}/b/${w.name}:1`);
      for (const [name, cmd, cleanup] of pullers) {
        const d = join(work, `pull-${++regCount}`);
        mkdirSync(d);
        try {
          record(name, timed(cmd(reg.host, d), env));
        } catch (err) {
          // A contender that cannot do it (docker refuses images deeper than 125 layers) is
          // reported and the others go on.
          console.log(`${name.padEnd(36)} failed: ${(err as Error).message.split('\n').filter((l) => l.trim() !== '').slice(-1)[0] ?? ''}`);
        } finally {
          cleanup?.(reg.host);
          sh(`rm -rf ${d} 2>/dev/null || (umount -R ${d}/cs/overlay 2>/dev/null; rm -rf ${d})`);
        }
      }
    } finally {
      await reg.stop();
    }
  }
  if (!haveDocker) console.log('docker: no dockerd here (DOCKER_HOST unset or not answering): skipped');
  summary();
}

async function main(): Promise<void> {
  // Lowercase on purpose: buildah names an image pulled from oci:PATH after the path.
  const work = join(process.env['BENCH_TMP'] ?? tmpdir(), `gantry-bench-registry-${process.pid}`);
  mkdirSync(work, { recursive: true });
  try {
    const w2tree = join(work, 'w2');
    mkdirSync(w2tree);
    if (ONLY !== 'w3') sh(`python3 ${genW2} ${w2tree} ${W2_FILES} ${W2_BYTES}`);
    const w3tree = join(work, 'w3');
    mkdirSync(w3tree);
    if (ONLY !== 'w2') sh(`yes 'The quick brown fox jumps over the lazy dog 0123456789 lorem ipsum dolor sit amet' | head -c 524288 > ${work}/t; for i in $(seq ${W3_MIB}); do head -c 524288 /dev/urandom; cat ${work}/t; done > ${w3tree}/big.bin`);
    console.log(`# registry push/pull: W2 ${W2_FILES} files ${(W2_BYTES / 1048576).toFixed(0)} MiB, W3 ${W3_MIB} MiB; runs ${RUNS}`);
    // 500 small layers (one file each, distinct contents): per-layer round trips, not bytes.
    const manyTrees: string[] = [];
    if (ONLY === undefined || ONLY === 'l500') {
      for (let i = 0; i < LAYERS; i++) {
        const t = join(work, 'l500', String(i));
        mkdirSync(join(t, 'layers'), { recursive: true });
        writeFileSync(join(t, 'layers', `l${String(i).padStart(3, '0')}`), `layer ${i}\n`);
        manyTrees.push(t);
      }
    }
    const workloads: [string, string[]][] = [
      ['w2', [w2tree]],
      ['w3', [w3tree]],
      ['l500', manyTrees],
    ];
    for (const [name, trees] of workloads.filter(([n]) => ONLY === undefined || ONLY === n)) {
      const w = await prepare(work, name, trees);
      for (const t of trees) rmSync(t, { recursive: true, force: true });
      await bench(work, w);
    }
  } finally {
    spawnSync('bash', ['-c', `for m in $(grep -o "${work}[^ ]*" /proc/mounts | sort -r); do umount $m; done; rm -rf ${work}`]);
    if (existsSync(work)) console.log(`left ${work} behind`);
  }
}

await main();

/** A gantry store at `root` holding one image: its layer files, then its config and manifest (last). */
async function storeImage(root: string, name: string, layers: { file: string; digest: string; size: number }[], [config, manifest]: [Buffer, Buffer]): Promise<void> {
  const store = openStore({ root });
  try {
    await withLease(store.leases, async (lease) => {
      for (const l of layers) {
        await writeBlob(store.content, `bench-${l.digest}`, createReadStream(l.file), { digest: l.digest as never, size: l.size }, { lease: lease.id });
      }
      for (const b of [config, manifest]) await writeBlob(store.content, `bench-${digestOf(b)}`, b, { digest: digestOf(b), size: b.length }, { lease: lease.id });
      await store.images.putManifest({ mediaType: MediaType.OciManifest, digest: digestOf(manifest), size: manifest.length }, { names: [name] });
    });
  } finally {
    store.close();
  }
}
