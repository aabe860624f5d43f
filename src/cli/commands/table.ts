/**
 * Which command module defines which words, and which modules a command line needs. Data only (no
 * imports of the modules themselves): `index.ts` loads the modules, and `bin/gantry`'s launcher
 * (`../launch.ts`) reads this table to pick the bundle that holds what a command line needs, before
 * any of gantry's own code is loaded.
 *
 * Start-up: only the modules that define the command word being run are registered (`gantry images`
 * registers image-views alone; `gantry --version` none). For a word that is a group (`image`,
 * `container`, …) followed by a subcommand, only the modules that define that subcommand:
 * `gantry image ls` needs image-views, not the eight other modules that add to `image`. Defining
 * every command with commander and loading the code that does it cost a no-op start-up more than
 * the rest of gantry's own work together. `--help`, a bare `gantry`, `help`, an unknown word, or a
 * group without a known subcommand (`gantry image`, `gantry image --help`) still register everything
 * the word needs, so help and commander's errors and suggestions see what they would see with all.
 */

/** The command groups a module may add to (docker's management commands). */
export const GROUP_NAMES = ['image', 'container', 'system', 'builder', 'registry', 'dockerfile'] as const;
export type GroupName = (typeof GROUP_NAMES)[number];

export interface CommandEntry {
  /** The module's file name in this folder, without `.ts`. */
  readonly name: string;
  /** The top-level words it registers: its commands and aliases, and the groups it adds to. */
  readonly words: readonly string[];
  /** For each group in `words`: the subcommands (names and aliases) it registers there. */
  readonly sub?: { readonly [G in GroupName]?: readonly string[] };
  /**
   * Built as a bundle of its own (the program with this module and nothing else), which the launcher
   * runs for command lines that need only this module: commands whose start-up is measured and
   * should not pay for reading the whole CLI.
   */
  readonly alone?: boolean;
}

// In registration order (the order of `--help`). The test beside index.ts checks `words` and `sub`
// against what each module really registers.
export const COMMANDS: readonly CommandEntry[] = [
  { name: 'version', words: ['version'] },
  { name: 'registry', words: ['registry'], sub: { registry: ['serve', 'gc'] } },
  { name: 'dockerfile-parse', words: ['dockerfile'], sub: { dockerfile: ['parse'] } },
  { name: 'image-tag', words: ['image', 'tag'], sub: { image: ['tag'] } },
  { name: 'image-rm', words: ['image', 'rmi'], sub: { image: ['rm', 'remove', 'rmi'] } },
  { name: 'image-prune', words: ['image'], sub: { image: ['prune'] } },
  { name: 'system', words: ['system'], sub: { system: ['df', 'prune', 'check'] } },
  { name: 'system-info', words: ['system', 'info'], sub: { system: ['info'] } },
  { name: 'build', words: ['build', 'image', 'builder'], sub: { image: ['build'], builder: ['build'] }, alone: true },
  { name: 'image-import', words: ['image', 'import'], sub: { image: ['import', 'bootstrap'] } },
  {
    name: 'image-views',
    words: ['image', 'images', 'history'],
    sub: { image: ['ls', 'list', 'history', 'inspect'] },
    alone: true,
  },
  { name: 'inspect', words: ['inspect'] },
  { name: 'run', words: ['run', 'create', 'container'], sub: { container: ['run', 'create'] } },
  { name: 'image-archive', words: ['image', 'save', 'load'], sub: { image: ['save', 'load'] } },
  {
    name: 'container',
    words: ['ps', 'container', 'start', 'stop', 'kill', 'rm', 'logs', 'commit', 'diff', 'exec', 'export', 'cp'],
    sub: {
      container: ['ls', 'list', 'ps', 'start', 'stop', 'kill', 'rm', 'remove', 'logs', 'commit', 'exec', 'diff', 'export', 'cp', 'inspect', 'prune'],
    },
  },
  {
    name: 'container-state',
    words: ['container', 'attach', 'wait', 'restart', 'pause', 'unpause', 'stats', 'top', 'update', 'rename'],
    sub: { container: ['attach', 'wait', 'restart', 'pause', 'unpause', 'stats', 'top', 'update', 'rename'] },
  },
  { name: 'pull', words: ['image', 'pull'], sub: { image: ['pull'] } },
  { name: 'push', words: ['image', 'push'], sub: { image: ['push'] } },
  { name: 'login', words: ['login', 'logout'] },
  { name: 'builder-prune', words: ['builder'], sub: { builder: ['prune'] } },
];

/** Global options that take a value: the word after them is not a command. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(['--root', '--storage-driver', '--runtime']);

export interface CommandWords {
  /** The first command word, after the global options. */
  word?: string;
  /** The word right after it, when it is not an option (a group's subcommand). */
  sub?: string;
  /** The command line asks for the version and nothing else. */
  versionOnly: boolean;
}

/** What the command line asks for, as far as choosing modules goes. */
export function commandWord(argv: readonly string[]): CommandWords {
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--') break;
    if (!a.startsWith('-') || a === '-') {
      const next = argv[i + 1];
      return next === undefined || next.startsWith('-') ? { word: a, versionOnly: false } : { word: a, sub: next, versionOnly: false };
    }
    if (a === '-h' || a === '--help') help = true;
    else if (a === '-v' || a === '--version') version = true;
    else if (GLOBAL_OPTIONS_WITH_VALUE.has(a)) i++;
  }
  return { versionOnly: version && !help };
}

function isGroup(word: string): word is GroupName {
  return (GROUP_NAMES as readonly string[]).includes(word);
}

/** The modules `argv` needs, in registration order. */
export function modulesFor<E extends CommandEntry>(argv: readonly string[], all: readonly E[]): E[] {
  const { word, sub, versionOnly } = commandWord(argv);
  if (word === undefined) return versionOnly ? [] : [...all];
  const defining = all.filter((m) => m.words.includes(word));
  if (defining.length === 0) return [...all]; // unknown (or `help`): commander needs everything
  if (sub !== undefined && isGroup(word)) {
    const narrowed = defining.filter((m) => m.sub?.[word]?.includes(sub) === true);
    if (narrowed.length > 0) return narrowed;
  }
  return defining;
}
