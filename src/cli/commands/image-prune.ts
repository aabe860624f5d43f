/**
 * `gantry image prune [-a] [-f] [--filter until=… label=… label!=…]`: docker's prompt and output
 * (`Deleted Images:`, lower-case `untagged:`/`deleted:` lines, `Total reclaimed space: …`).
 * Reclaimed space is what left the disk: blobs (and snapshots) no other image shares.
 */
import type { Groups } from './index.js';
import type { Cli, Handler } from '../context.js';
import { collect as collectFlag } from '../context.js';
import { write } from '../io.js';
import type { ImageDeleteRecord } from '../../store/index.js';

interface Options {
  all?: boolean;
  force?: boolean;
  filter?: string[];
  dryRun?: boolean;
}

export const DANGLING_WARNING = 'WARNING! This will remove all dangling images.';
export const ALL_WARNING = 'WARNING! This will remove all images without at least one container associated to them.';

/** The `Deleted Images:` block (empty when nothing went), as docker prints it. */
export function deletedImagesBlock(records: readonly ImageDeleteRecord[]): string {
  if (records.length === 0) return '';
  let out = 'Deleted Images:\n';
  for (const r of records) out += r.untagged !== undefined ? `untagged: ${r.untagged}\n` : `deleted: ${r.deleted}\n`;
  return `${out}\n`;
}

const handler: Handler<Options> = async (_args, opts, io, globals) => {
  const { parseFilterFlags, compilePruneFilters } = await import('../format/filters.js');
  const { humanSize } = await import('../format/units.js');
  const filters = compilePruneFilters(parseFilterFlags(opts.filter ?? []), new Date());
  const all = opts.all === true || filters.all === true;
  if (opts.force !== true) {
    const { confirm } = await import('./_store.js');
    if (!(await confirm(io, `${all ? ALL_WARNING : DANGLING_WARNING}\nAre you sure you want to continue?`))) {
      await write(io.stdout, 'Total reclaimed space: 0B\n');
      return 0;
    }
  }
  const { openCliStore } = await import('./_store.js');
  const store = await openCliStore(globals, io);
  try {
    const prune: Parameters<typeof store.images.prune>[0] = { all, labels: filters.labels, notLabels: filters.notLabels, dryRun: opts.dryRun === true };
    if (filters.until !== undefined) prune.until = filters.until;
    const report = await store.images.prune(prune);
    await write(io.stdout, `${deletedImagesBlock(report.records)}Total reclaimed space: ${humanSize(report.reclaimed)}\n`);
  } finally {
    store.close();
  }
  return 0;
};

export function register({ image }: Groups, cli: Cli): void {
  image
    .command('prune')
    .description('Remove unused images')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collectFlag)
    .option('--dry-run', 'Show what would be removed, and remove nothing')
    .action(cli.action(handler));
}
