/**
 * `image ls` over 1,000 image rows, gantry beside `docker images` and `buildah images` in the same
 * run (interleaved), plain and with a label filter plus a Go template.
 *
 *   node dist/bench/images.js [runs] [--images N] [--tags T] [--keep]
 *
 * gantry runs as a user runs it: the program bin/gantry (its #! line keeps NODE_EXTRA_CA_CERTS from
 * node's start-up, see src/tls-trust.ts); bare `node -e 0` runs in the same rounds, and without the
 * variable too when it is set (node parses that CA bundle at start-up, ~40 ms here).
 *
 * The same set in each tool: N distinct images (default 100; their configs differ by the labels
 * `environment=test|prod` (alternating) and `index=<i>`), each under T names (default 10),
 * `gantry-bench/img-<i>:t<k>`: N×T rows. They are made cheaply: gantry through the store API
 * (test/helpers/store-images.ts), docker through its HTTP API (commit of one busybox container with
 * `LABEL` changes, then tags), buildah with `config --label`/`commit`/`tag`. The peers are those of
 * /work/shared/bench/setup.sh (dockerd on $PEERS/docker.sock, c/storage under $PEERS); a peer that
 * is not there is left out with a notice. The peers' images are removed at the end unless --keep.
 *
 * docker's CPU column is the client's only: the listing itself runs in dockerd (compare wall time).
 * GANTRY_BEFORE=/path/to/other/bin/gantry adds that build's listings to the same rounds (before/after).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { bareNodeContenders, benchArgs, compare, printCaCertsNote, printTable, setupImageStore, type Contender } from './lib.js';

const execFileP = promisify(execFile);

const { argv, runs, flag } = benchArgs(15);
const nImages = flag('--images', 100);
const nTags = flag('--tags', 10);
const keep = argv.includes('--keep');

const PEERS = process.env.PEERS ?? '/tmp/peers';
const DOCKER_SOCK = join(PEERS, 'docker.sock');
const DOCKER = '/usr/bin/docker';
const peerEnv = {
  ...process.env,
  CONTAINERS_STORAGE_CONF: join(PEERS, 'storage.conf'),
  CONTAINERS_CONF: join(PEERS, 'containers.conf'),
  DOCKER_HOST: `unix://${DOCKER_SOCK}`,
};
const BASE = 'localhost/busybox:latest';
const repo = (i: number): string => `gantry-bench/img-${i}`;
const environment = (i: number): string => (i % 2 === 0 ? 'test' : 'prod');

const repoRoot = new URL('../..', import.meta.url).pathname;
const gantry = join(repoRoot, 'bin', 'gantry');

// ---- gantry ---------------------------------------------------------------------------------
function setupGantry(root: string): Promise<void> {
  return setupImageStore(root, nImages, nTags, { created: true });
}

// ---- docker (HTTP API over the daemon's socket: one request per image, no CLI start-up each) ---
function docker(method: string, path: string, body?: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = request(
      {
        socketPath: DOCKER_SOCK,
        method,
        path,
        headers: data ? { 'content-type': 'application/json', 'content-length': data.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if ((res.statusCode ?? 500) >= 300) reject(new Error(`docker ${method} ${path}: ${res.statusCode} ${text}`));
          else if (!String(res.headers['content-type'] ?? '').includes('json')) resolve(text);
          else {
            try {
              resolve(JSON.parse(text) as unknown);
            } catch (err) {
              reject(err as Error);
            }
          }
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

async function dockerAvailable(): Promise<boolean> {
  if (!existsSync(DOCKER_SOCK) || !existsSync(DOCKER)) return false;
  try {
    await docker('GET', '/_ping');
    await docker('GET', `/images/${encodeURIComponent(BASE)}/json`);
    return true;
  } catch {
    return false;
  }
}

/**
 * Commits the images into `ids` as it goes, so that a failed setup is still cleaned up. Other runs
 * share this dockerd and may prune stopped containers: a vanished source container is made again.
 */
async function setupDocker(ids: string[]): Promise<void> {
  const create = async (): Promise<string> => ((await docker('POST', '/containers/create', { Image: BASE, Cmd: ['true'] })) as { Id: string }).Id;
  let ctr = await create();
  try {
    for (let i = 0; i < nImages; i++) {
      const changes = [`LABEL environment=${environment(i)}`, `LABEL index=${i}`].map((c) => `changes=${encodeURIComponent(c)}`).join('&');
      const commit = async (): Promise<{ Id: string }> =>
        (await docker('POST', `/commit?container=${ctr}&repo=${encodeURIComponent(repo(i))}&tag=t0&${changes}`)) as { Id: string };
      let r: { Id: string };
      try {
        r = await commit();
      } catch (err) {
        if (!/No such container/.test((err as Error).message)) throw err;
        ctr = await create();
        r = await commit();
      }
      ids.push(r.Id);
      for (let k = 1; k < nTags; k++) {
        await docker('POST', `/images/${encodeURIComponent(r.Id)}/tag?repo=${encodeURIComponent(repo(i))}&tag=t${k}`);
      }
    }
  } finally {
    await docker('DELETE', `/containers/${ctr}?force=1`).catch(() => undefined);
  }
}

async function cleanupDocker(ids: string[]): Promise<void> {
  for (const id of ids) await docker('DELETE', `/images/${encodeURIComponent(id)}?force=1&noprune=0`).catch(() => undefined);
}

// ---- buildah --------------------------------------------------------------------------------
async function buildah(...args: string[]): Promise<string> {
  const { stdout } = await execFileP('buildah', args, { env: peerEnv, maxBuffer: 64 << 20 });
  return stdout.trim();
}

async function buildahAvailable(): Promise<boolean> {
  try {
    await buildah('inspect', '--type', 'image', BASE);
    return true;
  } catch {
    return false;
  }
}

/** As setupDocker. The working container has a name of its own: other runs use buildah too. */
async function setupBuildah(ids: string[]): Promise<void> {
  const ctr = await buildah('from', '--pull=never', '--quiet', '--name', `gantry-bench-images-${process.pid}`, BASE);
  try {
    for (let i = 0; i < nImages; i++) {
      await buildah('config', '--label', `environment=${environment(i)}`, '--label', `index=${i}`, ctr);
      const id = await buildah('commit', '--quiet', ctr, `${repo(i)}:t0`);
      ids.push(id);
      const more = Array.from({ length: nTags - 1 }, (_, k) => `${repo(i)}:t${k + 1}`);
      if (more.length > 0) await buildah('tag', id, ...more);
    }
  } finally {
    await buildah('rm', ctr);
  }
}

async function cleanupBuildah(ids: string[]): Promise<void> {
  if (ids.length > 0) await buildah('rmi', '--force', ...ids).catch(() => '');
}

// ---- run ------------------------------------------------------------------------------------
const root = mkdtempSync(join(tmpdir(), 'gantry-bench-images-'));
const [useDocker, useBuildah] = await Promise.all([dockerAvailable(), buildahAvailable()]);
if (!useDocker) console.log(`notice: no dockerd at ${DOCKER_SOCK} with ${BASE}: docker left out (see /work/shared/bench/setup.sh)`);
if (!useBuildah) console.log(`notice: buildah has no ${BASE} in ${PEERS}: buildah left out`);

const t0 = Date.now();
const dockerIds: string[] = [];
const buildahIds: string[] = [];
try {
  // Every setup runs to its end before a failure is reported, so that cleanup sees all it made.
  const setups = await Promise.allSettled([
    setupGantry(root),
    useDocker ? setupDocker(dockerIds) : Promise.resolve(),
    useBuildah ? setupBuildah(buildahIds) : Promise.resolve(),
  ]);
  for (const s of setups) if (s.status === 'rejected') throw s.reason;
  console.log(`set up ${nImages} images × ${nTags} names (${nImages * nTags} rows) in each tool in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

  const template = '{{.ID}} {{.Repository}}:{{.Tag}}';
  const plain: Contender[] = [{ name: 'gantry image ls', cmd: [gantry, '--root', root, 'image', 'ls'] }];
  const filtered: Contender[] = [
    {
      name: 'gantry image ls --filter --format',
      cmd: [gantry, '--root', root, 'image', 'ls', '--filter', 'label=environment=test', '--format', template],
    },
  ];
  const before = process.env.GANTRY_BEFORE;
  if (before !== undefined && before !== '') {
    plain.push({ name: 'gantry image ls (before)', cmd: [before, '--root', root, 'image', 'ls'] });
    filtered.push({
      name: 'gantry image ls --filter --format (before)',
      cmd: [before, '--root', root, 'image', 'ls', '--filter', 'label=environment=test', '--format', template],
    });
  }
  if (useDocker) {
    plain.push({ name: 'docker images', cmd: [DOCKER, 'images'], options: { env: peerEnv } });
    filtered.push({
      name: 'docker images --filter --format',
      cmd: [DOCKER, 'images', '--filter', 'label=environment=test', '--format', template],
      options: { env: peerEnv },
    });
  }
  if (useBuildah) {
    plain.push({ name: 'buildah images', cmd: ['buildah', 'images'], options: { env: peerEnv } });
    filtered.push({
      name: 'buildah images --filter --format',
      cmd: ['buildah', 'images', '--filter', 'label=environment=test', '--format', '{{.ID}} {{.Name}}:{{.Tag}}'],
      options: { env: peerEnv },
    });
  }
  // Bare node in the same rounds: the floor under any node program (see bareNodeContenders).
  plain.push(...bareNodeContenders());
  filtered.push(...bareNodeContenders());
  printCaCertsNote();
  const base = useDocker ? 'docker images' : undefined;
  printTable(`image ls, ${nImages * nTags} rows, ${runs} runs each (interleaved)`, compare(plain, runs), base);
  printTable(
    `image ls --filter label=environment=test --format '${template}', ${(nImages * nTags) / 2} of ${nImages * nTags} rows, ${runs} runs each (interleaved)`,
    compare(filtered, runs),
    useDocker ? 'docker images --filter --format' : undefined,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
  if (!keep) await Promise.all([cleanupDocker(dockerIds), cleanupBuildah(buildahIds)]);
}
