/**
 * `gantry builder prune [-a] [-f] [--filter until=…] [--keep-storage SIZE]`: removes build cache
 * records (the steps' results) and the unused RUN cache mounts under `cache-mounts/`; blobs
 * no image or remaining record holds go with the collection that follows. Output as docker's
 * `builder prune`: `Deleted build cache objects:` then `Total reclaimed space: …`.
 */
import type { Groups } from './index.js';
import type { Cli, Handler } from '../context.js';
import { collect as collectFlag } from '../context.js';
import { UsageError } from '../errors.js';
import { write } from '../io.js';

interface Options {
  all?: boolean;
  force?: boolean;
  filter?: string[];
  keepStorage?: string;
}

const DANGLING = 'WARNING! This will remove all dangling build cache.';
const ALL = 'WARNING! This will remove all build cache.';

const handler: Handler<Options> = async (_args, opts, io, globals) => {
  const { parseFilterFlags, untilCutoff } = await import('../format/filters.js');
  const { humanSize } = await import('../format/units.js');
  const args = parseFilterFlags(opts.filter ?? []);
  for (const k of args.keys()) if (!['until', 'type', 'type!', 'id', 'id!'].includes(k)) throw new UsageError(`invalid filter '${k}'`, 'gantry builder prune');
  // `type=exec.cachemount` / `type!=…` and `id=` / `id!=`: values of one key are alternatives, keys all apply.
  const wanted = (key: string, value: string): boolean => {
    const yes = args.get(key);
    const no = args.get(`${key}!`);
    return (yes === undefined || yes.has(value)) && !(no?.has(value) ?? false);
  };
  const until = untilCutoff(args, new Date())?.getTime();
  const keep = opts.keepStorage === undefined ? undefined : parseSize(opts.keepStorage);
  const all = opts.all === true;
  if (opts.force !== true) {
    const { confirm } = await import('./_store.js');
    if (!(await confirm(io, `${all ? ALL : DANGLING}\nAre you sure you want to continue?`))) {
      await write(io.stdout, 'Total reclaimed space: 0B\n');
      return 0;
    }
  }
  const { openCliStore } = await import('./_store.js');
  const store = await openCliStore(globals, io);
  try {
    const { listCacheMounts, removeCacheMounts, CACHE_MOUNT_TYPE } = await import('./_cache-mounts.js');
    const allMounts = await listCacheMounts(store.root);
    // A cache mount a running build has mounted is in use: never a candidate (its size still counts).
    const mounts = allMounts.filter((m) => !store.cacheMounts.inUse(m.id));
    const lastUse = (r: { lastUsedAt?: number; createdAt: number }): number => r.lastUsedAt ?? r.createdAt;
    const cache = store.buildCache.list();
    const records = cache.filter((r) => !r.inUse);
    // Without -a, only records no other record builds on (BuildKit's "dangling" view); cache mounts
    // are candidates either way, as in BuildKit (only internal, frontend and shared records stay).
    const parents = new Set(cache.flatMap((r) => r.parents));
    type Candidate = { id: string; type?: string; size: number; lastUsedAt?: number; createdAt: number; mount?: (typeof mounts)[number] };
    const listed: Candidate[] = [
      ...records.filter((r) => all || (!parents.has(r.id) && !r.shared)),
      ...mounts.map((m) => ({ id: m.id, size: m.size, lastUsedAt: m.lastUsedAt, createdAt: m.createdAt, mount: m })),
    ];
    let candidates = listed
      .filter((r) => until === undefined || lastUse(r) < until)
      .filter((r) => wanted('type', r.mount === undefined ? r.type ?? 'regular' : CACHE_MOUNT_TYPE) && wanted('id', r.id));
    // Oldest use first: --keep-storage keeps the most recently used.
    candidates.sort((a, b) => lastUse(a) - lastUse(b));
    if (keep !== undefined) {
      // As BuildKit's keep-bytes: the total counts what is in use too.
      let total = cache.reduce((s, r) => s + r.size, 0) + allMounts.reduce((s, m) => s + m.size, 0);
      const chosen = [];
      for (const r of candidates) {
        if (total <= keep) break;
        chosen.push(r);
        total -= r.size;
      }
      candidates = chosen;
    }
    store.buildCache.remove(candidates.filter((r) => r.mount === undefined).map((r) => r.id));
    // A build may have started to use a cache mount since the listing: that one stays.
    const { removed, freed } = await removeCacheMounts(candidates.flatMap((r) => (r.mount === undefined ? [] : [r.mount])), store.cacheMounts);
    const deleted = candidates.filter((r) => r.mount === undefined || removed.includes(r.mount));
    let out = '';
    if (deleted.length > 0) out += `Deleted build cache objects:\n${deleted.map((r) => `${r.id}\n`).join('')}\n`;
    let reclaimed = freed;
    const gc = await store.collect();
    reclaimed += gc.reclaimed;
    out += `Total reclaimed space: ${humanSize(reclaimed)}\n`;
    await write(io.stdout, out);
  } finally {
    store.close();
  }
  return 0;
};

function parseSize(s: string): number {
  const m = /^([0-9.]+)\s*([kmgt]?)i?b?$/i.exec(s.trim());
  if (m === null) throw new UsageError(`invalid size: '${s}'`, 'gantry builder prune');
  const mul: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.round(Number(m[1]) * (mul[(m[2] ?? '').toLowerCase()] ?? 1));
}

export function register({ builder }: Groups, cli: Cli): void {
  builder
    .command('prune')
    .description('Remove build cache')
    .option('-a, --all', 'Remove all unused build cache, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=24h", "type=exec.cachemount", "type!=exec.cachemount")', collectFlag)
    .option('--keep-storage <bytes>', 'Amount of disk space to keep for cache')
    .action(cli.action(handler));
}
