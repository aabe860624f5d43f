/**
 * What a command module needs to wire itself into the program: the action wrapper that turns a
 * handler's result or error into an exit code, and the IO it should use.
 *
 * A command module exports `register(program, cli)`. It defines its flags with commander and passes a
 * handler to `cli.action(...)`. Handlers import heavy parts (the store, the build engine) lazily with
 * `await import(...)` so that `gantry --version` does not pay for them.
 */
import type { Command } from 'commander';
import type { CommandIO, GlobalOptions } from './io.js';

/** A command's body: returns the exit code (0 on success). */
export type Handler<O = Record<string, unknown>> = (
  args: string[],
  opts: O,
  io: CommandIO,
  globals: GlobalOptions,
) => Promise<number | void>;

export interface Cli {
  io: CommandIO;
  /** Wraps a handler as a commander action: collects positional args, runs it, records the exit code. */
  action<O>(handler: Handler<O>): (...raw: unknown[]) => Promise<void>;
}

/** `--label KEY[=VALUE]` flags as labels (docker's: no `=` means an empty value; a later key wins). */
export function labelsFromFlags(flags: readonly string[] | undefined): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const l of flags ?? []) {
    const eq = l.indexOf('=');
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
  }
  return labels;
}

/** Accumulates a repeatable flag (`--filter a --filter b`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** Defines a subcommand under `parent` and returns it, for modules that register aliases. */
export function sub(parent: Command, nameAndArgs: string, description: string, aliases: string[] = []): Command {
  const cmd = parent.command(nameAndArgs).description(description);
  for (const a of aliases) cmd.alias(a);
  return cmd;
}

/** The resource flags `run`, `create` and `update` share (docker's names and texts). */
export function resourceOptions(cmd: Command): Command {
  return cmd
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .option('--memory-reservation <bytes>', 'Memory soft limit')
    .option('--cpus <decimal>', 'Number of CPUs')
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)');
}
