/**
 * docker's top-level `inspect`: the containers a name or ID gives, or else the images (then as
 * `image inspect`, with its flags: image-views.ts). A module of its own because the container part
 * it reaches is not needed by the image listings, which start from a bundle without it
 * (commands/table.ts, ../launch.ts).
 */
import type { Groups } from './index.js';
import type { Cli } from '../context.js';
import type { InspectOpts } from './_image-views.js';
import { inspectFlags } from './image-views.js';

export function register({ program }: Groups, cli: Cli): void {
  inspectFlags(program.command('inspect')).action(
    cli.action<InspectOpts>(async (args, opts, io, globals) => {
      const { allContainers, runContainerInspect } = await import('./_container-inspect.js');
      if (await allContainers(args, io, globals)) return runContainerInspect(args, opts, io, globals);
      const { runInspect } = await import('./_image-views.js');
      return runInspect(args, opts, io, globals, 'inspect');
    }),
  );
}
