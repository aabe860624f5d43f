/** `gantry image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]` (also `gantry tag`). */
import type { Command } from 'commander';
import type { Groups } from './index.js';
import type { Cli, Handler } from '../context.js';
import { ArgumentCountError } from '../errors.js';

const handler: Handler = async (args, _opts, io, globals) => {
  if (args.length !== 2) {
    throw new ArgumentCountError('exactly 2 arguments', 'gantry image tag');
  }
  const { openCliStore } = await import('./_store.js');
  const store = await openCliStore(globals, io);
  try {
    store.images.tag(args[0]!, args[1]!);
  } finally {
    store.close();
  }
  return 0;
};

function define(cmd: Command, cli: Cli): void {
  cmd.description('Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE').usage('SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]').argument('[images...]').action(cli.action(handler));
}

export function register({ program, image }: Groups, cli: Cli): void {
  define(image.command('tag'), cli);
  define(program.command('tag'), cli);
}
