/**
 * `gantry system df [-v]`, `system prune [-a] [-f] [--filter …]` and `system check [--verify]
 * [--repair]`. df and prune print docker's tables and texts; gantry has no volumes or networks, so
 * their rows and sections stay empty.
 */
import type { Groups } from './index.js';
import type { Cli, Handler } from '../context.js';
import { collect as collectFlag } from '../context.js';
import { write } from '../io.js';
import type { CheckReport, ContainerRecord, DiskUsage } from '../../store/index.js';

type HumanSize = (n: number) => string;

/** docker's `system df` summary table (before column alignment: cells separated by tabs). */
export function dfSummary(u: DiskUsage, humanSize: HumanSize): string {
  const pct = (part: number, total: number): string => (total > 0 ? ` (${Math.floor((part * 100) / total)}%)` : '');
  const running = u.containers.filter((c) => ['running', 'paused', 'restarting'].includes(c.state));
  const ctrSize = u.containers.reduce((s, c) => s + (c.sizeRw ?? 0), 0);
  const ctrReclaimable = u.containers.filter((c) => !running.includes(c)).reduce((s, c) => s + (c.sizeRw ?? 0), 0);
  const cacheSize = u.buildCache.filter((b) => !b.shared).reduce((s, b) => s + b.size, 0);
  const cacheInUse = u.buildCache.filter((b) => b.inUse && !b.shared).reduce((s, b) => s + b.size, 0);
  const rows = [
    ['TYPE', 'TOTAL', 'ACTIVE', 'SIZE', 'RECLAIMABLE'],
    ['Images', String(u.images.length), String(u.activeImages), humanSize(u.layersSize), `${humanSize(u.imagesReclaimable)}${pct(u.imagesReclaimable, u.layersSize)}`],
    ['Containers', String(u.containers.length), String(running.length), humanSize(ctrSize), `${humanSize(ctrReclaimable)}${pct(ctrReclaimable, ctrSize)}`],
    ['Local Volumes', '0', '0', '0B', '0B'],
    ['Build Cache', String(u.buildCache.length), String(u.buildCache.filter((b) => b.inUse).length), humanSize(cacheSize), humanSize(cacheSize - cacheInUse)],
  ];
  return rows.map((r) => `${r.join('\t')}\n`).join('');
}

/** docker's `system df -v` sections (tab-separated; each section aligned on its own). */
export function dfVerbose(
  u: DiskUsage,
  humanSize: HumanSize,
  familiar: (full: string) => string,
  now: number,
  since: (ms: number, now: number) => string,
  duration: (ms: number) => string,
): string[] {
  const images = ['REPOSITORY\tTAG\tIMAGE ID\tCREATED\tSIZE\tSHARED SIZE\tUNIQUE SIZE\tCONTAINERS\n'];
  const sorted = [...u.images].sort((a, b) => (b.image.createdMs ?? 0) - (a.image.createdMs ?? 0));
  for (const { image, sharedSize, uniqueSize } of sorted) {
    let repo = '<none>';
    let tag = '<none>';
    const first = image.repoTags[0];
    if (first !== undefined) {
      const f = familiar(first);
      const colon = f.lastIndexOf(':');
      repo = f.slice(0, colon);
      tag = f.slice(colon + 1);
    }
    const created = image.createdMs === undefined ? 'N/A' : since(image.createdMs, now);
    images.push(
      `${repo}\t${tag}\t${image.id.slice(7, 19)}\t${created}\t${humanSize(image.size)}\t${humanSize(sharedSize)}\t${humanSize(uniqueSize)}\t${image.containers}\n`,
    );
  }
  const containers = ['CONTAINER ID\tIMAGE\tCOMMAND\tLOCAL VOLUMES\tSIZE\tCREATED\tSTATUS\tNAMES\n'];
  for (const c of u.containers) {
    containers.push(
      `${c.id.slice(0, 12)}\t${c.imageRef}\t${JSON.stringify(ellipsis(commandOf(c.config), 20))}\t0\t${humanSize(c.sizeRw ?? 0)}\t${since(c.createdAt, now)}\t${statusOf(c, now, duration)}\t${c.name}\n`,
    );
  }
  const cacheTotal = u.buildCache.reduce((s, b) => s + (b.shared ? 0 : b.size), 0);
  const cache = ['CACHE ID\tCACHE TYPE\tSIZE\tCREATED\tLAST USED\tUSAGE\tSHARED\n'];
  for (const b of u.buildCache) {
    cache.push(
      `${b.id.slice(0, 12)}\t${b.type}\t${humanSize(b.size)}\t${since(b.createdAt, now)}\t${b.lastUsedAt === undefined ? '' : since(b.lastUsedAt, now)}\t${b.usageCount}\t${b.shared}\n`,
    );
  }
  return [
    'Images space usage:\n\n',
    images.join(''),
    '\nContainers space usage:\n\n',
    containers.join(''),
    '\nLocal Volumes space usage:\n\n',
    'VOLUME NAME\tLINKS\tSIZE\n',
    `\nBuild cache usage: ${humanSize(cacheTotal)}\n\n`,
    cache.join(''),
  ];
}

/** The command a container runs, as `ps` shows it: entrypoint and cmd joined by spaces. */
function commandOf(config: Record<string, unknown>): string {
  const words = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return [...words(config.Entrypoint), ...words(config.Cmd)].join(' ');
}

/** docker's Ellipsis: cut to `max` display characters, the last one `…`, only when longer. */
function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** docker's container status words: `Created`, `Up 5 minutes`, `Exited (0) 2 hours ago`. */
function statusOf(c: ContainerRecord, now: number, duration: (ms: number) => string): string {
  switch (c.state) {
    case 'running':
      return `Up ${duration(now - (c.startedAt ?? c.createdAt))}`;
    case 'paused':
      return `Up ${duration(now - (c.startedAt ?? c.createdAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${c.exitCode ?? 0}) ${duration(now - (c.finishedAt ?? c.createdAt))} ago`;
    case 'exited':
      return c.finishedAt === undefined ? `Exited (${c.exitCode ?? 0})` : `Exited (${c.exitCode ?? 0}) ${duration(now - c.finishedAt)} ago`;
    case 'created':
      return 'Created';
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
  }
}

/** `system check`'s report: problems, then orphans, then a summary line. */
export function checkText(r: CheckReport): string {
  let out = '';
  for (const p of r.problems) out += `problem: ${p.message}\n`;
  for (const o of r.orphans) out += `orphan: ${o.message}\n`;
  if (r.repaired !== undefined) {
    const n = r.repaired.blobs.length + r.repaired.tmp.length + r.repaired.snapshots.length + r.repaired.leases.length + r.repaired.corrupt.length + r.repaired.foreign.length;
    out += `repaired: removed ${n} orphan${n === 1 ? '' : 's'} (${r.repaired.reclaimed} bytes)\n`;
  }
  out += `${r.blobsChecked} blob${r.blobsChecked === 1 ? '' : 's'} checked: ${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}, ${r.orphans.length} orphan${r.orphans.length === 1 ? '' : 's'}\n`;
  return out;
}

const df: Handler<{ verbose?: boolean }> = async (_args, opts, io, globals) => {
  const { openCliStore } = await import('./_store.js');
  const { diskUsage, familiarName } = await import('../../store/index.js');
  const { humanSize, createdSince, humanDuration } = await import('../format/units.js');
  const { alignTable } = await import('../format/tabwriter.js');
  const store = await openCliStore(globals, io);
  try {
    const { listCacheMounts, cacheMountRecord } = await import('./_cache-mounts.js');
    const stored = diskUsage(store);
    // RUN cache mounts are build cache too (BuildKit's exec.cachemount records).
    const u = { ...stored, buildCache: [...stored.buildCache, ...(await listCacheMounts(store.root)).map((m) => cacheMountRecord(m, store.cacheMounts))] };
    if (opts.verbose === true) {
      const parts = dfVerbose(u, humanSize, familiarName, Date.now(), (ms, now) => createdSince(new Date(ms), new Date(now)), humanDuration);
      await write(io.stdout, parts.map((p) => (p.includes('\t') ? alignTable(p) : p)).join(''));
    } else {
      await write(io.stdout, alignTable(dfSummary(u, humanSize)));
    }
  } finally {
    store.close();
  }
  return 0;
};

const SYSTEM_PRUNE_WARNING = [
  'WARNING! This will remove:',
  '  - all stopped containers',
  '  - all networks not used by at least one container',
];

const prune: Handler<{ all?: boolean; force?: boolean; filter?: string[] }> = async (_args, opts, io, globals) => {
  const { parseFilterFlags, compilePruneFilters } = await import('../format/filters.js');
  const { humanSize } = await import('../format/units.js');
  const filters = compilePruneFilters(parseFilterFlags(opts.filter ?? []), new Date());
  const all = opts.all === true;
  if (opts.force !== true) {
    const { confirm } = await import('./_store.js');
    const lines = [
      ...SYSTEM_PRUNE_WARNING,
      all ? '  - all images without at least one container associated to them' : '  - all dangling images',
      all ? '  - all build cache' : '  - all dangling build cache',
      '',
      'Are you sure you want to continue?',
    ];
    if (!(await confirm(io, lines.join('\n')))) return 0;
  }
  const { openCliStore } = await import('./_store.js');
  const { deletedImagesBlock } = await import('./image-prune.js');
  const store = await openCliStore(globals, io);
  try {
    let out = '';
    // Stopped containers go with their snapshots, mounts and runtime bundles.
    const { removeStoppedContainers } = await import('./_containers.js');
    const removed = await removeStoppedContainers(store, globals, io);
    const stopped = removed.ids.map((id) => ({ id }));
    let reclaimed = removed.reclaimed;
    if (stopped.length > 0) out += `Deleted Containers:\n${stopped.map((c) => `${c.id}\n`).join('')}\n`;
    const images: Parameters<typeof store.images.prune>[0] = { all: all || filters.all === true, labels: filters.labels, notLabels: filters.notLabels };
    if (filters.until !== undefined) images.until = filters.until;
    const report = await store.images.prune(images);
    out += deletedImagesBlock(report.records);
    reclaimed += report.reclaimed;
    // Build cache: unused records (all of them with -a; else those no other record builds on).
    const cache = store.buildCache.list();
    const records = cache.filter((b) => !b.inUse);
    const parents = new Set(cache.flatMap((b) => b.parents));
    const doomed = all ? records : records.filter((b) => !parents.has(b.id) && !b.shared);
    // Unused RUN cache mounts go with or without -a (BuildKit keeps only internal, frontend and shared records).
    const { listCacheMounts, removeCacheMounts } = await import('./_cache-mounts.js');
    const until = filters.until;
    const mounts = (await listCacheMounts(store.root)).filter((m) => until === undefined || m.lastUsedAt < until);
    store.buildCache.remove(doomed.map((b) => b.id));
    // One a running build has mounted stays (removeCacheMounts leaves it alone).
    const cacheMounts = await removeCacheMounts(mounts, store.cacheMounts);
    if (doomed.length > 0 || cacheMounts.removed.length > 0) {
      out += `Deleted build cache objects:\n${[...doomed, ...cacheMounts.removed].map((b) => `${b.id}\n`).join('')}\n`;
    }
    reclaimed += cacheMounts.freed;
    const gc = await store.collect();
    reclaimed += gc.reclaimed;
    out += `Total reclaimed space: ${humanSize(reclaimed)}\n`;
    await write(io.stdout, out);
  } finally {
    store.close();
  }
  return 0;
};

const check: Handler<{ verify?: boolean; repair?: boolean }> = async (_args, opts, io, globals) => {
  const { openCliStore } = await import('./_store.js');
  const { checkStore } = await import('../../store/index.js');
  const store = await openCliStore(globals, io);
  try {
    // Container root filesystems left mounted by a crashed gantry are found (and unmounted) first.
    const { strayContainerMounts } = await import('./_containers.js');
    const stray = await strayContainerMounts(store, globals, io, opts.repair === true);
    const report = await checkStore(store, { verify: opts.verify === true, repair: opts.repair === true, signal: io.signal });
    let mounts = '';
    for (const m of stray) mounts += opts.repair === true ? `unmounted stray container mount: ${m}\n` : `stray container mount: ${m}\n`;
    await write(io.stdout, mounts + checkText(report));
    return report.problems.length > 0 || (stray.length > 0 && opts.repair !== true) ? 1 : 0;
  } finally {
    store.close();
  }
};

export function register({ system }: Groups, cli: Cli): void {
  system.command('df').description('Show gantry disk usage').option('-v, --verbose', 'Show detailed information on space usage').action(cli.action(df));
  system
    .command('prune')
    .description('Remove unused data')
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (e.g. "label=<key>=<value>")', collectFlag)
    .action(cli.action(prune));
  system
    .command('check')
    .description('Check the store for consistency')
    .option('--verify', 'Hash every blob (slower; else sizes only)')
    .option('--repair', 'Remove orphans and damaged blobs')
    .action(cli.action(check));
}
