/**
 * Every command gantry has. Each module registers itself (and its docker aliases, like `images` for
 * `image ls`) under the groups below; its heavy dependencies load only when it runs.
 *
 * Start-up: the modules are imported on demand, and only those that define the command word being
 * run are registered (`gantry image ls` loads the modules that add to `image`; `gantry --version`
 * loads none). Defining every command with commander and parsing the code that does it cost a
 * no-op start-up more than the rest of gantry's own work together. `--help`, a bare `gantry`, an
 * unknown word and a module missing from `WORDS` still register everything, so help and commander's
 * errors and suggestions see the whole program.
 */
import type { Command } from 'commander';
import type { Cli } from '../context.js';

/** The command groups a module may add to: top level, and docker's management commands. */
export interface Groups {
  program: Command;
  image: Command;
  container: Command;
  system: Command;
  builder: Command;
  registry: Command;
  dockerfile: Command;
}

type Register = (groups: Groups, cli: Cli) => void;

interface CommandModule {
  /** The top-level words it registers: its commands and aliases, and the groups it adds to. */
  words?: readonly string[];
  load: () => Promise<{ register: Register }>;
}

// In registration order (the order of `--help`). A module without `words` is always registered;
// `words` must list everything the module adds at the top level (the test beside this file checks).
const modules: CommandModule[] = [
  { words: ['version'], load: () => import('./version.js') },
  { words: ['registry'], load: () => import('./registry.js') },
  { words: ['dockerfile'], load: () => import('./dockerfile-parse.js') },
  { words: ['image', 'tag'], load: () => import('./image-tag.js') },
  { words: ['image', 'rmi'], load: () => import('./image-rm.js') },
  { words: ['image'], load: () => import('./image-prune.js') },
  { words: ['system'], load: () => import('./system.js') },
  { words: ['build', 'image', 'builder'], load: () => import('./build.js') },
  { words: ['image', 'import'], load: () => import('./image-import.js') },
  { words: ['image', 'images', 'history', 'inspect'], load: () => import('./image-views.js') },
  { words: ['run', 'container'], load: () => import('./run.js') },
  { words: ['image', 'save', 'load'], load: () => import('./image-archive.js') },
  { words: ['ps', 'container', 'start', 'stop', 'kill', 'rm', 'logs', 'commit', 'diff', 'exec', 'export'], load: () => import('./container.js') },
  { words: ['image', 'pull'], load: () => import('./pull.js') },
  { words: ['image', 'push'], load: () => import('./push.js') },
  { words: ['login', 'logout'], load: () => import('./login.js') },
  { words: ['builder'], load: () => import('./builder-prune.js') },
];

/** Global options that take a value: the word after them is not a command. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--root', '--storage-driver', '--runtime']);

/**
 * What the command line asks for, as far as choosing modules goes: the first command word (after
 * the global options), or whether it only asks for the version.
 */
export function commandWord(argv: readonly string[]): { word?: string; versionOnly: boolean } {
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (!a.startsWith('-') || a === '-') return { word: a, versionOnly: false };
    if (a === '-h' || a === '--help') help = true;
    else if (a === '-v' || a === '--version') version = true;
    else if (GLOBAL_OPTIONS_WITH_VALUE.has(a)) i++;
  }
  return { versionOnly: version && !help };
}

/** The modules `argv` needs, in registration order. */
export function modulesFor(argv: readonly string[], all: readonly CommandModule[] = modules): CommandModule[] {
  const { word, versionOnly } = commandWord(argv);
  if (word === undefined) return versionOnly ? all.filter((m) => m.words === undefined) : [...all];
  if (!all.some((m) => m.words?.includes(word) === true)) return [...all]; // unknown (or `help`): commander needs everything
  return all.filter((m) => m.words === undefined || m.words.includes(word));
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
  };
  const chosen = argv === undefined ? modules : modulesFor(argv);
  const loaded = await Promise.all(chosen.map((m) => m.load()));
  for (const m of loaded) m.register(groups, cli);
}

/** Every module, for the test that checks `words` against what the modules register. */
export const COMMAND_MODULES: readonly CommandModule[] = modules;
