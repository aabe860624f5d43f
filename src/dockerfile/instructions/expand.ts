/**
 * Variable expansion of typed instructions, done by the build engine once the variables in scope are
 * known. Which words expand follows BuildKit: ENV and LABEL keys and values, ARG names and defaults,
 * COPY/ADD sources, destination, `--chown`, `--chmod` (and ADD's `--checksum`), heredoc bodies whose
 * delimiter is unquoted, WORKDIR, USER, VOLUME, STOPSIGNAL, EXPOSE, RUN's mounts, FROM's base and
 * platform. Command lines are not expanded here: the shell does that when the command runs.
 */
import { expandArg } from './arg.js';
import { expandAdd, expandCopy } from './copy.js';
import { expandEnv, expandLabel } from './env-label.js';
import { expandExpose } from './expose.js';
import { expandFrom } from './from.js';
import type { Instruction } from './parse.js';
import { expandRun } from './run.js';
import { expandStopSignal } from './stopsignal.js';
import { InstructionError, type Expanders } from './types.js';
import { DockerfileSyntaxError } from '../errors.js';
import { expandUser, expandWorkdir } from './user-workdir.js';
import { expandVolume } from './volume.js';

/**
 * A copy of `instruction` with its expandable words passed through the expanders. Errors thrown by
 * an expander propagate; a RUN mount that is invalid once expanded throws a DockerfileSyntaxError.
 */
export function expandInstruction<T extends Instruction>(instruction: T, expanders: Expanders, options: { filename?: string } = {}): T {
  try {
    return expandUnchecked(instruction, expanders);
  } catch (err) {
    if (!(err instanceof InstructionError)) throw err;
    const { startLine, endLine } = instruction.location;
    const lines = startLine > 0 ? [{ start: startLine, end: Math.max(startLine, endLine) }] : [];
    throw new DockerfileSyntaxError(err.message, lines, { ...(options.filename === undefined ? {} : { filename: options.filename }), cause: err });
  }
}

function expandUnchecked<T extends Instruction>(instruction: T, expanders: Expanders): T {
  const c: Instruction = instruction;
  switch (c.kind) {
    case 'from':
      return expandFrom(c, expanders) as T;
    case 'env':
      return expandEnv(c, expanders) as T;
    case 'label':
      return expandLabel(c, expanders) as T;
    case 'arg':
      return expandArg(c, expanders) as T;
    case 'copy':
      return expandCopy(c, expanders) as T;
    case 'add':
      return expandAdd(c, expanders) as T;
    case 'workdir':
      return expandWorkdir(c, expanders) as T;
    case 'user':
      return expandUser(c, expanders) as T;
    case 'volume':
      return expandVolume(c, expanders) as T;
    case 'stopsignal':
      return expandStopSignal(c, expanders) as T;
    case 'expose':
      return expandExpose(c, expanders) as T;
    case 'run':
      return expandRun(c, expanders) as T;
    case 'cmd':
    case 'entrypoint':
    case 'healthcheck':
    case 'maintainer':
    case 'onbuild':
    case 'shell':
      return instruction;
  }
}
