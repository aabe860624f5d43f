/**
 * `gantry image save IMAGE… [-o FILE]` (also `save`) and `gantry image load [-i FILE] [-q]` (also
 * `load`): images as files, in docker's flags, output and exit codes.
 */
import type { Command } from 'commander';
import type { Groups } from './index.js';
import type { Cli, Handler } from '../context.js';
import { ArgumentCountError, UsageError } from '../errors.js';
import { write } from '../io.js';

interface SaveFlags {
  output?: string;
  platform?: string[];
}

const saveHandler: Handler<SaveFlags> = async (args, opts, io, globals) => {
  if (args.length < 1) throw new ArgumentCountError('at least 1 argument', 'gantry image save');
  if (opts.output === undefined && io.stdout.isTTY === true) {
    const { InvalidArgumentError } = await import('../../errors.js');
    throw new InvalidArgumentError('SAVE_TO_TERMINAL', 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
  }
  const { openCliStore } = await import('./_store.js');
  const store = await openCliStore(globals, io);
  try {
    const { resolveSaveItems, saveArchive, selectSavePlatforms } = await import('../../archive/index.js');
    const items = selectSavePlatforms(resolveSaveItems(store, args), await parsePlatforms(opts.platform));
    const { pipeline } = await import('node:stream/promises');
    const { Readable } = await import('node:stream');
    const tar = Readable.from(saveArchive(store, items, { signal: io.signal }), { objectMode: false });
    if (opts.output === undefined) {
      await pipeline(tar, io.stdout, { end: false });
      return 0;
    }
    // Written beside the target and renamed into place: a failed save leaves no half archive
    // under the name the user gave (and does not clobber an earlier one).
    const { createWriteStream } = await import('node:fs');
    const { rename, rm } = await import('node:fs/promises');
    const { dirname, basename, join } = await import('node:path');
    const tmp = join(dirname(opts.output), `.${basename(opts.output)}.gantry-${process.pid}.tmp`);
    try {
      await pipeline(tar, createWriteStream(tmp, { mode: 0o644 }), { signal: io.signal });
      await rename(tmp, opts.output);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return 0;
  } finally {
    store.close();
  }
};

interface LoadFlags {
  input?: string;
  quiet?: boolean;
  platform?: string[];
}

const loadHandler: Handler<LoadFlags> = async (args, opts, io, globals) => {
  if (args.length > 0) throw new UsageError('"gantry image load" accepts no arguments.', 'gantry image load');
  const input = opts.input;
  if (input === undefined && io.stdin.isTTY === true) {
    // docker's text: reading a tar from a terminal is never what the user meant.
    const { InvalidArgumentError } = await import('../../errors.js');
    throw new InvalidArgumentError('LOAD_FROM_TERMINAL', 'requested load from stdin, but stdin is empty');
  }
  const { openCliStore } = await import('./_store.js');
  const store = await openCliStore(globals, io);
  try {
    const archive = await import('../../archive/index.js');
    const { stat } = await import('node:fs/promises');
    const platforms = await parsePlatforms(opts.platform);
    const options = { signal: io.signal, ...(platforms.length === 0 ? {} : { platforms }) };
    let loaded;
    if (input !== undefined && (await stat(input).catch(() => undefined))?.isDirectory() === true) {
      loaded = await archive.loadDirectory(store, input, options);
    } else {
      const { createReadStream } = await import('node:fs');
      const source = input === undefined ? (io.stdin as AsyncIterable<Uint8Array>) : createReadStream(input, { highWaterMark: 1 << 20 });
      loaded = await archive.loadArchive(store, source, options);
    }
    // docker prints these even with -q (quiet only hides the progress bars).
    for (const l of loaded) {
      if (l.names.length === 0) await write(io.stdout, `Loaded image ID: ${l.record.id}\n`);
      for (const n of l.names) {
        // As moby's tarexport: the notice for a name taken from another image, then the name's line.
        const r = l.renamed.find((x) => x.name === n);
        if (r !== undefined) await write(io.stdout, `The image ${n} already exists, renaming the old one with ID ${r.previous} to empty string\n`);
        await write(io.stdout, `Loaded image: ${n}\n`);
      }
    }
    return 0;
  } finally {
    store.close();
  }
};

/** `--platform` values (docker's `os[/arch[/variant]]`), parsed as containerd does; none → []. */
async function parsePlatforms(values: string[] | undefined): Promise<import('../../oci/index.js').Platform[]> {
  const list = (values ?? []).map((v) => v.trim()).filter((v) => v !== '');
  if (list.length === 0) return [];
  const { parsePlatform } = await import('../../oci/index.js');
  return list.map(parsePlatform);
}

function collectList(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',')];
}

function defineSave(cmd: Command, cli: Cli): void {
  cmd
    .description('Save one or more images to a tar archive (streamed to STDOUT by default)')
    .usage('[OPTIONS] IMAGE [IMAGE...]')
    .argument('[images...]', 'IMAGE [IMAGE...]')
    .option('-o, --output <file>', 'Write to a file, instead of STDOUT')
    .option('--platform <platform>', 'Save only the given platform(s) (os[/arch[/variant]]); an image for another platform is refused', collectList)
    .action(cli.action(saveHandler));
}

function defineLoad(cmd: Command, cli: Cli): void {
  cmd
    .description('Load an image from a tar archive or STDIN')
    .argument('[args...]')
    .option('-i, --input <file>', 'Read from tar archive file (or OCI layout directory), instead of STDIN')
    .option('-q, --quiet', 'Suppress the load output')
    .option('--platform <platform>', 'Load only the given platform(s) (os[/arch[/variant]]); default: this machine\'s from a multi-platform index', collectList)
    .action(cli.action(loadHandler));
}

export function register({ program, image }: Groups, cli: Cli): void {
  defineSave(image.command('save'), cli);
  defineSave(program.command('save'), cli);
  defineLoad(image.command('load'), cli);
  defineLoad(program.command('load'), cli);
}
