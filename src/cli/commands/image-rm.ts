/**
 * `gantry image rm [-f] [--no-prune] [--dry-run] IMAGE...` (also `image remove`, `rmi`): docker's
 * rules. Records print as they come (`Untagged: …`, `Deleted: sha256:…`); errors are collected and
 * printed at the end, one `Error: …` line each. Exit 1 when any failed, except that with `-f`
 * "No such image" alone is only reported.
 */
import type { Command } from 'commander';
import type { Groups } from './index.js';
import type { Cli, Handler } from '../context.js';
import { ArgumentCountError } from '../errors.js';
import { write } from '../io.js';

interface Options {
  force?: boolean;
  prune?: boolean;
  dryRun?: boolean;
}

const handler: Handler<Options> = async (args, opts, io, globals) => {
  if (args.length === 0) {
    throw new ArgumentCountError('at least 1 argument', 'gantry image rm');
  }
  const { openCliStore } = await import('./_store.js');
  const { isKind } = await import('../../errors.js');
  const store = await openCliStore(globals, io);
  const errors: string[] = [];
  let fatal = false;
  try {
    // Records of detached containers that have exited since must not block (nor a stale one pass).
    await (await import('./_containers.js')).syncContainerRecords(store, globals, io);
    for (const ref of args) {
      try {
        const records = await store.images.remove(ref, { force: opts.force === true, noPrune: opts.prune === false, dryRun: opts.dryRun === true });
        for (const r of records) await write(io.stdout, r.untagged !== undefined ? `Untagged: ${r.untagged}\n` : `Deleted: ${r.deleted}\n`);
      } catch (err) {
        if (!isKind(err, 'not-found')) fatal = true;
        errors.push(`Error: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  } finally {
    store.close();
  }
  if (errors.length > 0) await write(io.stderr, `${errors.join('\n')}\n`);
  return errors.length > 0 && (opts.force !== true || fatal) ? 1 : 0;
};

function define(cmd: Command, cli: Cli): void {
  cmd
    .description('Remove one or more images')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('[images...]')
    .option('-f, --force', 'Force removal of the image')
    .option('--no-prune', 'Do not delete untagged parents')
    .option('--dry-run', 'Show what would be removed, and remove nothing')
    .action(cli.action(handler));
}

export function register({ program, image }: Groups, cli: Cli): void {
  define(image.command('rm').alias('remove').alias('rmi'), cli);
  define(program.command('rmi'), cli);
}
