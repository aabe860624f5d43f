/**
 * The read-only image commands with docker's flags and aliases:
 * `image ls` (`image list`, `images`), `image history` (`history`), `image inspect` (top-level
 * `inspect`, which serves containers too, is inspect.ts's). Their bodies live in `_image-views.ts`,
 * imported only when one of them runs.
 */
import type { Command } from 'commander';
import type { Groups } from './index.js';
import { commandWord } from './table.js';
import { collect, type Cli } from '../context.js';
import type { HistoryOpts, ImageLsOptions, InspectOpts } from './_image-views.js';

const FORMAT_HELP =
  'Format output using a custom template:\n' +
  "'table':            Print output in table format with column headers (default)\n" +
  "'table TEMPLATE':   Print output in table format using the given Go template\n" +
  "'json':             Print in JSON format\n" +
  "'TEMPLATE':         Print output using the given Go template";

function lsCommand(cmd: Command, cli: Cli, calledAs: string): void {
  cmd
    .description('List images')
    .argument('[REPOSITORY[:TAG]]')
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
    .option('--format <string>', FORMAT_HELP)
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .option('--tree', 'List images as docker\'s tree view (one row per tag, disk and content sizes)')
    .action(
      cli.action<ImageLsOptions>(async (args, opts, io, globals) => {
        const { runImageLs } = await import('./_image-views.js');
        return runImageLs(args, opts, io, globals, calledAs);
      }),
    );
}

function historyCommand(cmd: Command, cli: Cli, calledAs: string): void {
  cmd
    .description('Show the history of an image')
    .argument('<IMAGE>')
    .option('--format <string>', FORMAT_HELP)
    .option('-H, --human [bool]', 'Print sizes and dates in human readable format', parseBool, true)
    .option('--no-trunc', "Don't truncate output")
    .option('-q, --quiet', 'Only show image IDs')
    .action(
      cli.action<HistoryOpts>(async (args, opts, io, globals) => {
        const { runHistory } = await import('./_image-views.js');
        return runHistory(args, opts, io, globals, calledAs);
      }),
    );
}

/** `image inspect`'s description, arguments and flags; top-level `inspect` (inspect.ts) has the same. */
export function inspectFlags(cmd: Command): Command {
  return cmd
    .description('Display detailed information on one or more images')
    .argument('<IMAGE...>')
    .option('-f, --format <string>', "Format output using a custom template:\n'json':             Print in JSON format\n'TEMPLATE':         Print output using the given Go template");
}

function inspectCommand(cmd: Command, cli: Cli, calledAs: string): void {
  inspectFlags(cmd).action(
    cli.action<InspectOpts>(async (args, opts, io, globals) => {
      const { runInspect } = await import('./_image-views.js');
      return runInspect(args, opts, io, globals, calledAs);
    }),
  );
}

/** `-H=false`, `--human=false`, `-H false`: docker's boolean flag values. */
function parseBool(value: string | undefined): boolean {
  if (value === undefined) return true;
  const v = value.replace(/^=/, '').toLowerCase(); // `-H=false` reaches us as "=false"
  if (['1', 't', 'true'].includes(v)) return true;
  if (['0', 'f', 'false'].includes(v)) return false;
  throw new Error(`invalid argument "${value}" for "-H, --human" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

export function register({ program, image, argv }: Groups, cli: Cli): void {
  const wanted = commandsFor(argv);
  if (wanted('image ls')) lsCommand(image.command('ls').alias('list'), cli, 'image ls');
  if (wanted('images')) lsCommand(program.command('images'), cli, 'images');
  if (wanted('image history')) historyCommand(image.command('history'), cli, 'image history');
  if (wanted('history')) historyCommand(program.command('history'), cli, 'history');
  if (wanted('image inspect')) inspectCommand(image.command('inspect'), cli, 'image inspect');
}

/**
 * Which of this module's commands to define for a command line: the one it runs, when it runs one
 * of them (defining the five commands and their flags with commander was ~1–2 ms of a listing's
 * start-up), else all of them: no command line, any help (`--help` anywhere, `help`), `gantry image`
 * alone, a word this module does not define. Commander sees what it would see with every command for everything but the command
 * being run, which it parses and runs the same way.
 */
export function commandsFor(argv: readonly string[] | undefined): (path: string) => boolean {
  if (argv === undefined || argv.includes('--help') || argv.includes('-h')) return () => true;
  const { word, sub } = commandWord(argv);
  let path: string | undefined;
  if (word === 'images' || word === 'history') path = word;
  else if (word === 'image' && (sub === 'ls' || sub === 'list')) path = 'image ls';
  else if (word === 'image' && (sub === 'history' || sub === 'inspect')) path = `image ${sub}`;
  return path === undefined ? () => true : (p) => p === path;
}
