/**
 * `gantry run IMAGE [COMMAND] [ARG...]`: create a container from the image and start it, in the
 * foreground (exit code of the container) or detached (`-d`: its ID printed). docker's exit codes:
 * 125 when gantry cannot create or start it, 126 when the command cannot be invoked, 127 when it
 * is not found.
 */
import type { CommandIO, GlobalOptions } from '../io.js';
import { write } from '../io.js';
import { formatError } from '../errors.js';
import { findGantryError } from '../../errors.js';
import type { RunOptions } from './run.js';
import { withContainers } from './_containers.js';
import { labelsFromFlags } from '../context.js';

/** docker's exit code when the CLI or daemon cannot run the container. */
export const EXIT_CANNOT_RUN = 125;

export async function runImage(image: string, cmd: string[], opts: RunOptions, io: CommandIO, globals: GlobalOptions): Promise<number> {
  const { traceLine } = await import('../../trace.js');
  traceLine('cli: run handler loaded');
  // The container part's modules load (file reads, compiles) while the store opens; withContainers
  // imports the same module and gets this one.
  const containerPart = import('../../container/index.js');
  containerPart.catch(() => {});
  try {
    const code = await withContainers(globals, io, async (c) => {
      traceLine('cli: store and runtime opened');
      const { detach, rm } = opts;
      const rec = await c.create(createOptions(image, cmd, opts, io));
      let consoleSize: { rows: number; columns: number } | undefined;
      if (opts.tty === true && io.stdout.isTTY === true && io.stdout.columns !== undefined) {
        const rows = (io.stdout as { rows?: number }).rows;
        if (rows !== undefined) consoleSize = { rows, columns: io.stdout.columns };
      }
      const warn = (m: string): void => void write(io.stderr, `WARNING: ${m}\n`);
      try {
        if (detach === true) {
          await c.start(rec, { detach: true, callerEnv: io.env, onWarning: warn, signal: io.signal });
          await write(io.stdout, `${rec.id}\n`);
          return 0;
        }
        const stdin = opts.interactive === true || opts.tty === true ? 'inherit' : 'ignore';
        const { exitCode } = await c.start(rec, {
          stdio: [stdin, 'inherit', 'inherit'],
          forwardSignals: true,
          callerEnv: io.env,
          onWarning: warn,
          ...(consoleSize === undefined ? {} : { consoleSize }),
        });
        return exitCode ?? EXIT_CANNOT_RUN;
      } catch (err) {
        // The container exists (docker keeps it, state created); `--rm` removes it.
        if (rm === true) await c.remove(c.store.containers.get(rec.id), { force: true }).catch(() => {});
        throw err;
      }
    });
    traceLine('cli: store closed');
    return code;
  } catch (err) {
    return runFailureStatus(err, io, globals);
  }
}

/** `gantry create`: the container `run` would start, only created; prints its ID (exit 125 when it cannot be). */
export async function createFromImage(image: string, cmd: string[], opts: RunOptions, io: CommandIO, globals: GlobalOptions): Promise<number> {
  try {
    return await withContainers(globals, io, async (c) => {
      const rec = await c.create(createOptions(image, cmd, opts, io));
      await write(io.stdout, `${rec.id}\n`);
      return 0;
    });
  } catch (err) {
    return runFailureStatus(err, io, globals);
  }
}

/** What `run` and `create` ask the container part for. */
function createOptions(image: string, cmd: string[], opts: RunOptions, io: CommandIO): import('../../container/index.js').CreateOptions {
  const { rootfs: _r, detach: _d, rm, name, label, ...flags } = opts;
  void _r;
  void _d;
  return {
    image,
    ...(name === undefined ? {} : { name }),
    flags,
    cmd,
    autoRemove: rm === true,
    labels: labelsFromFlags(label),
    callerEnv: io.env,
    signal: io.signal,
  };
}

/**
 * docker's exit status for a run that failed: the command's own when it could not be executed
 * (126, 127), 125 when the container could not be created or started, whatever the reason. What is
 * not gantry's error is thrown on.
 */
export async function runFailureStatus(err: unknown, io: CommandIO, globals: GlobalOptions): Promise<number> {
  const { ContainerCommandError } = await import('../../runtime/index.js');
  if (err instanceof ContainerCommandError) {
    await write(io.stderr, `gantry: Error: ${err.message}\n`);
    return err.exitCode;
  }
  if (findGantryError(err) !== undefined) {
    await write(io.stderr, formatError(err, globals.debug === true));
    return EXIT_CANNOT_RUN;
  }
  throw err;
}
