/**
 * What the store's commands share: opening the store from the global options, and docker's y/N
 * confirmation prompt. Loaded lazily by the command handlers (the store pulls in SQLite).
 */
import { createInterface } from 'node:readline';
import type { CommandIO, GlobalOptions } from '../io.js';
import { write } from '../io.js';
// Static: this module is itself loaded only when a command runs, and every command that loads it
// opens the store (those asking `confirm` first too, unless the answer is no). An `import()` here
// made the bundles build the store's namespace object, a getter per export, on every open.
import { openExistingStore, openStore, type Store } from '../../store/index.js';

/** Opens the store at `--root`, `GANTRY_ROOT` or the default root. */
export async function openCliStore(globals: GlobalOptions, io: CommandIO): Promise<Store> {
  return openStore(rootOptions(globals, io));
}

/**
 * Opens the store like `openCliStore` when one exists; `undefined` (creating nothing) when none was
 * ever made at that root. For read-only commands: an empty store lists as empty.
 */
export async function openCliStoreIfExists(globals: GlobalOptions, io: CommandIO): Promise<Store | undefined> {
  return openExistingStore(rootOptions(globals, io));
}

function rootOptions(globals: GlobalOptions, io: CommandIO): { root?: string; env: Record<string, string | undefined> } {
  return globals.root === undefined ? { env: io.env } : { root: globals.root, env: io.env };
}

/**
 * docker's PromptForConfirmation: prints `<message> [y/N] ` and reads one line; only `y` or `Y`
 * agree. End of input (a closed or empty stdin) is a no.
 */
export async function confirm(io: CommandIO, message: string): Promise<boolean> {
  await write(io.stdout, `${message} [y/N] `);
  const rl = createInterface({ input: io.stdin, terminal: false });
  try {
    const answer = await new Promise<string>((resolve) => {
      rl.once('line', resolve);
      rl.once('close', () => resolve(''));
    });
    const a = answer.trim();
    return a === 'y' || a === 'Y';
  } finally {
    rl.close();
  }
}
