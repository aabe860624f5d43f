/**
 * `gantry save` / `gantry load` of the Debian bookworm minbase test image (~170 MB unpacked, one
 * gzip layer) beside the peers that run here: `podman save/load` (own vfs storage), `skopeo copy`
 * (docker-archive → oci dir, and back), and `docker save/load` when GANTRY_BENCH_DOCKER names a
 * daemon socket (docker's work happens in the daemon, so only its wall time is meaningful).
 *
 * Prints median wall and CPU (user + system of the command and its children) seconds: the machine
 * is shared, and CPU time is the figure the neighbours disturb least.
 * Run: `node dist/bench/archive.js [runs]` (default 3). Needs mmdebstrap or the cached tarball.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/index.js';
import { putDebianImage } from '../test/helpers/debian-image.js';
import { median } from './lib.js';

interface Sample {
  wall: number;
  cpu: number;
}

/** Runs `cmd` under bash's `time` (which counts children): wall, user + sys seconds. */
function timed(cmd: string, env: Record<string, string> = {}): Sample {
  const r = spawnSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; time ( ${cmd} ) >/dev/null`], { encoding: 'utf8', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  const line = r.stderr.trim().split('\n').at(-1) ?? '';
  const [wall, user, sys] = line.split(' ').map(Number);
  return { wall: wall ?? NaN, cpu: (user ?? 0) + (sys ?? 0) };
}

function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

const rows: { name: string; wall: number; cpu: number; note?: string }[] = [];

function measure(name: string, runs: number, run: () => Sample, before?: () => void, note?: string): void {
  const samples: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    samples.push(run());
  }
  rows.push({ name, wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)), ...(note === undefined ? {} : { note }) });
  console.error(`${name}: done`);
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 3);
  const work = mkdtempSync(join(tmpdir(), 'gantry-bench-archive-'));
  const gantry = `'${process.execPath}' '${join(import.meta.dirname, '../../bin/gantry')}'`;
  try {
    const root = join(work, 'root');
    const store = openStore({ root });
    const img = await putDebianImage(store, ['bench/debian:bookworm']);
    store.close();
    const archive = join(work, 'gantry.tar');
    measure('gantry save', runs, () => timed(`${gantry} --root '${root}' save -o '${archive}' bench/debian:bookworm`));
    const size = statSync(archive).size;
    const loadRoot = join(work, 'load-root');
    measure('gantry load', runs, () => timed(`${gantry} --root '${loadRoot}' load -i '${archive}'`), () => rmSync(loadRoot, { recursive: true, force: true }));

    if (have('skopeo')) {
      const oci = join(work, 'skopeo-oci');
      measure('skopeo copy docker-archive → oci', runs, () => timed(`skopeo copy -q docker-archive:'${archive}' oci:'${oci}':x`), () => rmSync(oci, { recursive: true, force: true }));
      const back = join(work, 'skopeo.tar');
      measure('skopeo copy oci → docker-archive', runs, () => timed(`skopeo copy -q oci:'${oci}':x docker-archive:'${back}':bench/debian:bookworm`), () => rmSync(back, { force: true }));
    }
    if (have('podman')) {
      const p = `podman --root '${join(work, 'podman/root')}' --runroot '${join(work, 'podman/run')}' --storage-driver vfs`;
      const reset = (): void => void spawnSync('bash', ['-c', `${p} rmi -af >/dev/null 2>&1; true`]);
      measure('podman load', runs, () => timed(`${p} load -q -i '${archive}'`), reset);
      const out = join(work, 'podman.tar');
      measure('podman save', runs, () => timed(`${p} save -q -o '${out}' ${img.id.slice(7)}`), () => rmSync(out, { force: true }));
      reset();
    }
    const dockerHost = process.env.GANTRY_BENCH_DOCKER;
    if (dockerHost !== undefined && have('docker')) {
      const d = `docker -H '${dockerHost}'`;
      const rm = (): void => void spawnSync('bash', ['-c', `${d} rmi -f bench/debian:bookworm >/dev/null 2>&1; true`]);
      const note = 'daemon CPU not counted';
      measure('docker load', runs, () => timed(`${d} load -q -i '${archive}'`), rm, note);
      const out = join(work, 'docker.tar');
      measure('docker save', runs, () => timed(`${d} save -o '${out}' bench/debian:bookworm`), () => rmSync(out, { force: true }), note);
      rm();
    }
    console.log(`image ${img.id.slice(7, 19)}: ${(img.layers.reduce((a, l) => a + l.size, 0) / 1e6).toFixed(1)} MB compressed, archive ${(size / 1e6).toFixed(1)} MB; medians of ${runs} runs`);
    console.log(`${'operation'.padEnd(36)}${'wall s'.padStart(9)}${'cpu s'.padStart(9)}`);
    for (const r of rows) console.log(`${r.name.padEnd(36)}${r.wall.toFixed(2).padStart(9)}${r.cpu.toFixed(2).padStart(9)}${r.note === undefined ? '' : `  (${r.note})`}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
