/**
 * The gantry command line: a thin face over the library. Parses flags with commander, dispatches to
 * command modules, and turns results and errors into docker-compatible output and exit codes.
 */
import { Command, CommanderError } from 'commander';
import { processIO, type GlobalOptions } from './io.js';
import type { Cli, Handler } from './context.js';
import { ArgumentCountError, exitCodeFor, formatError, UsageError } from './errors.js';
import { commandWord, registerAll } from './commands/index.js';
import { dockerHelp, dockerUsage } from './help.js';
import { VERSION } from '../version.js';

async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(130); // a second Ctrl-C does not wait for cleanup
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io = processIO(controller.signal);
  let exitCode = 0;
  let debug = argv.includes('--debug') || argv.includes('-D');

  const program = new Command('gantry');
  program
    .description('A daemonless, docker-compatible container image builder and image manager')
    .version(`gantry version ${VERSION}`, '-v, --version', 'Print version information and quit')
    .option('--root <dir>', 'Root of the image store (default /var/lib/gantry, or $GANTRY_ROOT)')
    .option('-D, --debug', 'Show stack traces and debug output')
    .option('--storage-driver <driver>', 'Snapshot driver: overlay or vfs')
    .option('--runtime <runtime>', 'OCI runtime: runc, crun or a path')
    .enablePositionalOptions()
    .showHelpAfterError(false)
    // docker's layout for --help, inherited by every command defined after this (help.ts).
    .configureHelp({ formatHelp: dockerHelp })
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: () => {}, // printed by our own handler below, in docker's words
    })
    .exitOverride();

  const cli: Cli = {
    io,
    action<O>(handler: Handler<O>) {
      return async (...raw: unknown[]): Promise<void> => {
        const cmd = raw[raw.length - 1] as Command;
        const opts = cmd.opts() as O;
        const globals = cmd.optsWithGlobals() as GlobalOptions;
        debug ||= globals.debug === true;
        const args = cmd.args;
        const code = await handler(args, opts, io, globals);
        exitCode = typeof code === 'number' ? code : 0;
      };
    },
  };
  // Only the modules this command line needs (commands/index.ts): start-up time.
  await registerAll(program, cli, argv);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        return 0;
      }
      // docker's CLI: an unknown command exits 1, with the group's help for an unknown subcommand.
      if (err.code === 'commander.unknownCommand') {
        const group = unknownIn(program, argv);
        io.stderr.write(group !== undefined ? group.helpInformation() : `gantry: '${/'([^']*)'/.exec(err.message)?.[1] ?? ''}' is not a gantry command.\nSee 'gantry --help'\n`);
        return 1;
      }
      // docker's CLI: a wrong number of arguments exits 1, a bad flag 125.
      const at = invoked(program, argv);
      const countError = err.code === 'commander.missingArgument' || err.code === 'commander.excessArguments';
      const counted = countError && at !== undefined ? argumentCountError(at) : undefined;
      const usage = counted ?? new UsageError(commanderMessage(err, argv), at?.path ?? 'gantry');
      io.stderr.write(formatError(usage, debug));
      return usage.exitCode;
    }
    // A command module's own count check names the command one way; say it as it was typed.
    const at = err instanceof ArgumentCountError ? invoked(program, argv) : undefined;
    const shown = err instanceof ArgumentCountError && at !== undefined ? countErrorAt(at, err.requirement) : err;
    io.stderr.write(formatError(shown, debug));
    return exitCodeFor(shown);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return exitCode;
}

/** `parent`'s subcommand called `name` (or aliased so). */
function named(parent: Command, name: string | undefined): Command | undefined {
  return parent.commands.find((x) => x.name() === name || x.aliases().includes(name ?? ''));
}

/** A command as `argv` names it: the command run, and its path as typed (docker's CommandPath: `gantry image ls`). */
interface Invoked {
  leaf: Command;
  path: string;
}

/** The command `argv` runs, if known. */
function invoked(program: Command, argv: string[]): Invoked | undefined {
  const { word, sub } = commandWord(argv);
  const top = named(program, word);
  if (top === undefined) return undefined;
  const leaf = top.commands.length > 0 ? named(top, sub) : top;
  if (leaf === undefined) return undefined;
  return { leaf, path: ['gantry', word, ...(leaf === top ? [] : [sub])].join(' ') };
}

/**
 * docker's words for a command given too few or too many arguments (its CLI's `cli/required.go`):
 * `"gantry history" requires exactly 1 argument.`, from the arguments the command declares.
 */
function argumentCountError(cmd: Invoked): ArgumentCountError {
  const declared = cmd.leaf.registeredArguments;
  const required = declared.filter((a) => a.required).length;
  const variadic = declared.at(-1)?.variadic === true;
  const n = (k: number): string => `${k} ${k === 1 ? 'argument' : 'arguments'}`;
  const what = variadic
    ? `at least ${n(required)}`
    : required === declared.length
      ? `exactly ${n(required)}`
      : required === 0
        ? `at most ${n(declared.length)}`
        : `at least ${required} and at most ${n(declared.length)}`;
  return countErrorAt(cmd, what);
}

/** The group whose subcommand `argv` names wrongly (`gantry image nosuch`), if it is one. */
function unknownIn(program: Command, argv: string[]): Command | undefined {
  const top = named(program, commandWord(argv).word);
  return top !== undefined && top.commands.length > 0 ? top : undefined;
}

/** The ArgumentCountError for `cmd` as typed, with docker's usage block. */
function countErrorAt(cmd: Invoked, requirement: string): ArgumentCountError {
  return new ArgumentCountError(requirement, cmd.path, { line: `${cmd.path} ${dockerUsage(cmd.leaf)}`, description: cmd.leaf.description() });
}

// commander's messages start with "error: " and name options its own way; docker's (pflag's) say
// "unknown flag: --x", "unknown shorthand flag: 'x' in -x", "flag needs an argument: --x" or
// "… 'x' in -x", after the form the user typed.
function commanderMessage(err: CommanderError, argv: readonly string[]): string {
  const m = err.message.replace(/^error: /, '');
  const unknownOption = /^unknown option '([^']+)'/.exec(m);
  if (unknownOption) {
    const flag = unknownOption[1] as string;
    return /^-[^-]$/.test(flag) ? `unknown shorthand flag: '${flag.slice(1)}' in ${flag}` : `unknown flag: ${flag.replace(/=.*/, '')}`;
  }
  const missing = /^option '(?:-(\w), )?(--[\w-]+)[^']*' argument missing/.exec(m);
  if (missing) {
    const [, short, long] = missing;
    return short !== undefined && !argv.includes(long as string) ? `flag needs an argument: '${short}' in -${short}` : `flag needs an argument: ${long}`;
  }
  return m;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(formatError(err, true));
    process.exitCode = 1;
  },
);
