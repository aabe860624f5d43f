/**
 * How failures reach the user: one line `Error: <message>` (then the hint, if any), a non-zero exit
 * code, and no stack trace unless `--debug` is given.
 */
import { findGantryError, type ErrorKind, errnoCode } from '../errors.js';

/** docker's convention: 125 when the CLI itself refuses the invocation, 1 for a failed operation. */
export const EXIT_USAGE = 125;
export const EXIT_FAILURE = 1;

/** Thrown by commands for invocation mistakes: docker reports a bad flag or value with exit code 125. */
export class UsageError extends Error {
  constructor(
    message: string,
    readonly commandPath?: string,
    readonly exitCode: number = EXIT_USAGE,
  ) {
    super(message);
  }
}

/**
 * A command given too few or too many arguments: docker's CLI exits 1 for these, not 125, and says
 * `"docker tag" requires exactly 2 arguments.`, then where help is, then the command's usage.
 */
export class ArgumentCountError extends UsageError {
  /**
   * @param requirement what the command takes: `exactly 2 arguments`, `at least 1 argument`
   * @param commandPath the command as typed (`gantry tag` or `gantry image tag`); main.ts puts in
   *   the typed one when a command module throws this with its own name
   * @param usage docker's usage block: `gantry tag SOURCE_IMAGE[:TAG] …` and the description
   */
  constructor(
    readonly requirement: string,
    commandPath: string,
    readonly usage?: { line: string; description: string },
  ) {
    super(`"${commandPath}" requires ${requirement}.`, commandPath, EXIT_FAILURE);
  }
}

const EXIT_BY_KIND: Partial<Record<ErrorKind, number>> = {
  canceled: 130,
};

export function exitCodeFor(err: unknown): number {
  if (err instanceof UsageError) return err.exitCode;
  const g = findGantryError(err);
  if (g !== undefined) return EXIT_BY_KIND[g.kind] ?? EXIT_FAILURE;
  return EXIT_FAILURE;
}

/** The text printed for an error: `Error: …` lines, plus the stack and cause chain with `debug`. */
export function formatError(err: unknown, debug: boolean): string {
  if (err instanceof UsageError) {
    const see = err.commandPath === undefined ? '' : `\nSee '${err.commandPath} --help'.`;
    const usage = err instanceof ArgumentCountError && err.usage !== undefined ? `\n\nUsage:  ${err.usage.line}\n\n${err.usage.description}` : '';
    return `${err.message}${see}${usage}\n`;
  }
  const g = findGantryError(err);
  let message: string;
  if (g !== undefined) {
    message = g.message;
  } else if (err instanceof Error) {
    message = systemMessage(err);
  } else {
    message = String(err);
  }
  let out = `Error: ${message}\n`;
  if (g?.hint !== undefined) out += `${g.hint}\n`;
  if (debug && err instanceof Error) {
    for (let e: unknown = err, depth = 0; e instanceof Error && depth < 16; e = e.cause, depth++) {
      out += `${depth === 0 ? '' : 'Caused by: '}${e.stack ?? e.message}\n`;
    }
  }
  return out;
}

// System errors carry the syscall and path; say what happened in words instead of errno soup.
function systemMessage(err: Error): string {
  const code = errnoCode(err);
  const e = err as NodeJS.ErrnoException;
  const where = e.path === undefined ? '' : ` "${e.path}"`;
  switch (code) {
    case 'ENOSPC':
      return `No space left on device${where}`;
    case 'EACCES':
    case 'EPERM':
      return `Permission denied${where}`;
    case 'ENOENT':
      return `No such file or directory${where}`;
    case 'EDQUOT':
      return `Disk quota exceeded${where}`;
    default:
      return err.message;
  }
}
