/**
 * `gantry run --rootfs DIR [OPTIONS] COMMAND [ARG...]` (also `gantry container run`): runs a command in a
 * new container on a root filesystem directory, with docker's `run` flags. Running an image by name
 * needs the container part (snapshots of the image's layers); until then `--rootfs` is required, as
 * with podman's `run --rootfs`.
 *
 * Networking: `host` is the default (docker's default is a bridge, which gantry does not have yet);
 * `--network none` isolates the container with only a loopback interface.
 * Exit codes follow docker: the container's own code; 125 when gantry cannot run it; 126 when the
 * command cannot be invoked; 127 when it is not found.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Groups } from './index.js';
import { collect, resourceOptions, type Cli, type Handler } from '../context.js';
import { ArgumentCountError, UsageError } from '../errors.js';
import { write } from '../io.js';
import type { DockerRunFlags } from '../../runtime/index.js';

/** The container-shaping flags are the runtime's `DockerRunFlags` (one list); these drive the command. */
export interface RunOptions extends DockerRunFlags {
  rootfs?: string;
  detach?: boolean;
  interactive?: boolean;
  rm?: boolean;
  name?: string;
  label?: string[];
}

const handler: Handler<RunOptions> = async (args, opts, io, globals) => {
  if (opts.rootfs === undefined) {
    if (args.length === 0) throw new ArgumentCountError('at least 1 argument', 'gantry run');
    // An image: the container part makes the root filesystem and the record.
    const { runImage } = await import('./_container-run.js');
    return runImage(args[0]!, args.slice(1), opts, io, globals);
  }
  if (args.length === 0) throw new UsageError('"gantry run" requires a command to run with --rootfs', 'gantry run');
  const rt = await import('../../runtime/index.js');
  const { resolveRoot } = await import('../../store/index.js');
  const { runFailureStatus, EXIT_CANNOT_RUN } = await import('./_container-run.js');
  const id = opts.name ?? randomBytes(32).toString('hex');
  const gantryRoot = resolveRoot({ ...(globals.root === undefined ? {} : { root: globals.root }), env: io.env });
  let ctx: import('../../runtime/index.js').RuntimeContext;
  let prepared: { spec: import('../../runtime/index.js').Spec; warnings: string[] };
  try {
    ctx = await rt.openRuntime({
      gantryRoot,
      ...(globals.runtime === undefined ? {} : { runtime: globals.runtime }),
      env: io.env,
      warn: (m) => void write(io.stderr, `WARNING: ${m}\n`),
    });
    const overrides = await rt.runOverridesFromFlags(opts, args, { callerEnv: io.env });
    // The TTY takes its size from our terminal; runc follows later changes (SIGWINCH).
    if (opts.tty === true && io.stdout.isTTY === true && io.stdout.columns !== undefined) {
      const rows = (io.stdout as { rows?: number }).rows;
      if (rows !== undefined) overrides.consoleSize = { rows, columns: io.stdout.columns };
    }
    const rootfs = resolve(opts.rootfs);
    prepared = await rt.prepareContainer(ctx, { id, rootfs, overrides });
    for (const w of prepared.warnings) await write(io.stderr, `WARNING: ${w}\n`);
    await rt.checkCommand(rootfs, prepared.spec).catch(async (err: unknown) => {
      await rt.deleteContainer(ctx, id, { force: true });
      throw err;
    });
  } catch (err) {
    return runFailureStatus(err, io, globals);
  }
  try {
    if (opts.detach === true) {
      await rt.runContainer(ctx, { id, detach: true, removeOnExit: opts.rm === true, signal: io.signal });
      await write(io.stdout, `${id}\n`);
      return 0;
    }
    const stdin = opts.interactive === true || opts.tty === true ? 'inherit' : 'ignore';
    const { exitCode } = await rt.runContainer(ctx, { id, forwardSignals: true, stdio: [stdin, 'inherit', 'inherit'] });
    return exitCode ?? EXIT_CANNOT_RUN;
  } catch (err) {
    await rt.deleteContainer(ctx, id, { force: true }).catch(() => undefined);
    await write(io.stderr, `gantry: Error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_CANNOT_RUN;
  }
};

/** `gantry create IMAGE [COMMAND] [ARG...]`: the container `run` would start, created only (docker's `create`); its ID printed. */
const createHandler: Handler<RunOptions> = async (args, opts, io, globals) => {
  if (args.length === 0) throw new ArgumentCountError('at least 1 argument', 'gantry create');
  const { createFromImage } = await import('./_container-run.js');
  return createFromImage(args[0]!, args.slice(1), opts, io, globals);
};

function define(cmd: Command, cli: Cli): void {
  cmd
    .description('Create and run a new container from an image (or a root filesystem directory with --rootfs)')
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .option('--rootfs <dir>', 'Root filesystem directory of the container')
    .option('-d, --detach', 'Run container in background and print container ID');
  containerOptions(cmd).action(cli.action(handler));
}

function defineCreate(cmd: Command, cli: Cli): void {
  cmd.description('Create a new container').usage('[OPTIONS] IMAGE [COMMAND] [ARG...]');
  containerOptions(cmd).action(cli.action(createHandler));
}

/** The flags `run` and `create` share: docker's container-shaping options. */
function containerOptions(cmd: Command): Command {
  return resourceOptions(cmd)
    .usage('[OPTIONS] IMAGE [COMMAND] [ARG...]')
    .helpOption('--help', 'Print usage')
    .argument('[command...]')
    .passThroughOptions()
    .option('-i, --interactive', 'Keep STDIN open')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('--rm', 'Automatically remove the container when it exits')
    .option('--name <name>', 'Assign a name to the container')
    .option('-l, --label <list>', 'Set meta data on a container', collect)
    .option('-e, --env <list>', 'Set environment variables', collect)
    .option('--env-file <list>', 'Read in a file of environment variables', collect)
    .option('-w, --workdir <string>', 'Working directory inside the container')
    .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('--group-add <list>', 'Add additional groups to join', collect)
    .option('-h, --hostname <string>', 'Container host name')
    .option('--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--cap-add <list>', 'Add Linux capabilities', collect)
    .option('--cap-drop <list>', 'Drop Linux capabilities', collect)
    .option('--security-opt <list>', 'Security Options', collect)
    .option('--privileged', 'Give extended privileges to this container')
    .option('--tmpfs <list>', 'Mount a tmpfs directory', collect)
    .option('-v, --volume <list>', 'Bind mount a volume', collect)
    .option('--ulimit <ulimit>', 'Ulimit options', collect)
    .option('--shm-size <bytes>', 'Size of /dev/shm')
    .option('--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)', collect)
    .option('--network <network>', 'Connect a container to a network: host (default) or none')
    .option('--init', 'Run an init inside the container that forwards signals and reaps processes')
    .option('--cgroup-parent <string>', 'Optional parent cgroup for the container');
}

export function register({ program, container }: Groups, cli: Cli): void {
  define(program.command('run'), cli);
  define(container.command('run'), cli);
  defineCreate(program.command('create'), cli);
  defineCreate(container.command('create'), cli);
}
