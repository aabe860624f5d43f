/**
 * Which bundle runs a command line. `scripts/build.mjs` bundles the CLI several times: the whole
 * program (`gantry.cjs`), the program with no command module (`gantry-base.cjs`, for `--version`),
 * and the program with one module alone for the modules `commands/table.ts` marks `alone`
 * (`gantry-image-views.cjs`: `images`, `image ls`, `history`, `image inspect`). Each has its own V8 code
 * cache. `bin/gantry` asks `bundleFor` before loading any of them: start-up reads and deserializes
 * only what the command needs (the whole CLI is ~0.9 MB of code and ~0.5 MB of cache, which cost a
 * no-op command ~40 ms).
 *
 * Every bundle is the same `main.ts` and the same commander definitions; a partial bundle is only
 * chosen when `modulesFor` (what `main.ts` registers) needs no module it lacks, so a command behaves
 * the same whichever bundle runs it.
 */
import { COMMANDS, modulesFor } from './commands/table.js';

/** The bundle that holds everything. */
export const FULL_BUNDLE = 'gantry';

export interface PartialBundle {
  /** File name under `dist/bundle/`, without `.cjs`. */
  name: string;
  /** The command modules it holds (`commands/table.ts` names). */
  modules: readonly string[];
}

/** The partial bundles the build makes. */
export function partialBundles(): PartialBundle[] {
  return [{ name: 'gantry-base', modules: [] }, ...COMMANDS.filter((c) => c.alone === true).map((c) => ({ name: `gantry-${c.name}`, modules: [c.name] }))];
}

/** The bundle (name under `dist/bundle/`, without `.cjs`) that runs `argv` (the arguments after the script). */
export function bundleFor(argv: readonly string[]): string {
  const chosen = modulesFor(argv, COMMANDS);
  if (chosen.length === 0) return 'gantry-base';
  const only = chosen.length === 1 ? chosen[0] : undefined;
  if (only?.alone === true) return `gantry-${only.name}`;
  return FULL_BUNDLE;
}
