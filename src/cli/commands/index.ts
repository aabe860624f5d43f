/**
 * Every command gantry has. Each module registers itself (and its docker aliases, like `images` for
 * `image ls`) under the groups below; its heavy dependencies load only when it runs.
 *
 * Which module defines which words, and which of them a command line needs, is `table.ts`: only
 * those are imported and registered (see there). The launcher may also run a bundle that holds only
 * some of the modules (`scripts/build.mjs`, `../launch.ts`): it picks one that holds every module
 * `modulesFor` chooses here.
 */
import type { Command } from 'commander';
import type { Cli } from '../context.js';
import { COMMANDS, modulesFor as chooseModules, type CommandEntry } from './table.js';

export { commandWord, GROUP_NAMES, type GroupName } from './table.js';

/** The command groups a module may add to: top level, and docker's management commands. */
export interface Groups {
  program: Command;
  image: Command;
  container: Command;
  system: Command;
  builder: Command;
  registry: Command;
  dockerfile: Command;
  /**
   * The command line being run (the arguments after the script), for a module that defines only
   * the one of its commands the line runs (image-views does); undefined: define them all.
   */
  argv?: readonly string[];
}

type Register = (groups: Groups, cli: Cli) => void;

export interface CommandModule extends CommandEntry {
  load: () => Promise<{ register: Register }>;
}

// One `import()` per module of `table.ts`, by name (the bundle build replaces those a partial bundle
// leaves out: keep each a plain `import('./<name>.js')`).
const LOADERS: Record<string, CommandModule['load']> = {
  version: () => import('./version.js'),
  registry: () => import('./registry.js'),
  'dockerfile-parse': () => import('./dockerfile-parse.js'),
  'image-tag': () => import('./image-tag.js'),
  'image-rm': () => import('./image-rm.js'),
  'image-prune': () => import('./image-prune.js'),
  system: () => import('./system.js'),
  'system-info': () => import('./system-info.js'),
  build: () => import('./build.js'),
  'image-import': () => import('./image-import.js'),
  'image-views': () => import('./image-views.js'),
  inspect: () => import('./inspect.js'),
  run: () => import('./run.js'),
  'image-archive': () => import('./image-archive.js'),
  container: () => import('./container.js'),
  'container-state': () => import('./container-state.js'),
  pull: () => import('./pull.js'),
  push: () => import('./push.js'),
  login: () => import('./login.js'),
  'builder-prune': () => import('./builder-prune.js'),
};

const modules: CommandModule[] = COMMANDS.map((entry) => {
  const load = LOADERS[entry.name];
  if (load === undefined) throw new Error(`commands/index.ts: no loader for command module "${entry.name}"`);
  return { ...entry, load };
});

/** The modules `argv` needs, in registration order. */
export function modulesFor(argv: readonly string[]): CommandModule[] {
  return chooseModules(argv, modules);
}

/** Registers the modules `argv` needs (all of them when `argv` is not given). */
export async function registerAll(program: Command, cli: Cli, argv?: readonly string[]): Promise<void> {
  const groups: Groups = {
    program,
    image: program.command('image').description('Manage images'),
    container: program.command('container').description('Manage containers'),
    system: program.command('system').description('Manage gantry'),
    builder: program.command('builder').description('Manage builds'),
    registry: program.command('registry').description('Run and maintain a registry server'),
    dockerfile: program.command('dockerfile').description('Inspect Dockerfiles'),
    ...(argv === undefined ? {} : { argv }),
  };
  const chosen = argv === undefined ? modules : modulesFor(argv);
  const loaded = await Promise.all(chosen.map((m) => m.load()));
  for (const m of loaded) m.register(groups, cli);
}

/** Every module, for the test that checks `words` and `sub` against what the modules register. */
export const COMMAND_MODULES: readonly CommandModule[] = modules;

/** The loaders' names, for the test that checks them against `table.ts`. */
export const LOADER_NAMES: readonly string[] = Object.keys(LOADERS);
