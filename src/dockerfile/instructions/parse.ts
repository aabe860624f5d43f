/**
 * From parse-tree node to typed instruction: BuildKit's `ParseInstruction`, with its messages.
 */
import { goLower, withSuggestion } from '../_go.js';
import { DockerfileSyntaxError } from '../errors.js';
import { INSTRUCTION_NAMES } from '../line-parsers.js';
import { nodeArgs, type Node } from '../node.js';
import { parseArg, type ArgInstruction } from './arg.js';
import { BuilderFlags } from './bflags.js';
import { parseCmd, parseEntrypoint, type CmdInstruction, type EntrypointInstruction } from './cmd-entrypoint.js';
import { parseAdd, parseCopy, type AddInstruction, type CopyInstruction } from './copy.js';
import { parseEnv, parseLabel, type EnvInstruction, type LabelInstruction } from './env-label.js';
import { parseExpose, type ExposeInstruction } from './expose.js';
import { parseFrom, type FromInstruction } from './from.js';
import { parseHealthcheck, type HealthcheckInstruction } from './healthcheck.js';
import { parseMaintainer, type MaintainerInstruction } from './maintainer.js';
import { parseOnbuild, type OnbuildInstruction } from './onbuild.js';
import { parseRun, type RunInstruction } from './run.js';
import { parseShell, type ShellInstruction } from './shell.js';
import { parseStopSignal, type StopSignalInstruction } from './stopsignal.js';
import type { ParseRequest } from './types.js';
import { parseUser, parseWorkdir, type UserInstruction, type WorkdirInstruction } from './user-workdir.js';
import { parseVolume, type VolumeInstruction } from './volume.js';

/** Every instruction but FROM: what a stage is made of. */
export type Command =
  | AddInstruction
  | ArgInstruction
  | CmdInstruction
  | CopyInstruction
  | EntrypointInstruction
  | EnvInstruction
  | ExposeInstruction
  | HealthcheckInstruction
  | LabelInstruction
  | MaintainerInstruction
  | OnbuildInstruction
  | RunInstruction
  | ShellInstruction
  | StopSignalInstruction
  | UserInstruction
  | VolumeInstruction
  | WorkdirInstruction;

export type Instruction = FromInstruction | Command;

export type InstructionKind = Instruction['kind'];

const PARSERS: Record<string, (req: ParseRequest) => Instruction> = {
  add: parseAdd,
  arg: parseArg,
  cmd: parseCmd,
  copy: parseCopy,
  entrypoint: parseEntrypoint,
  env: parseEnv,
  expose: parseExpose,
  from: parseFrom,
  healthcheck: parseHealthcheck,
  label: parseLabel,
  maintainer: parseMaintainer,
  onbuild: parseOnbuild,
  run: parseRun,
  shell: parseShell,
  stopsignal: parseStopSignal,
  user: parseUser,
  volume: parseVolume,
  workdir: parseWorkdir,
};

export interface ParseInstructionOptions {
  /** The file name errors show. */
  filename?: string;
}

/**
 * The typed instruction a node (a child of the parse tree's root) stands for.
 *
 * @throws {DockerfileSyntaxError} with BuildKit's message and the node's lines: unknown instruction
 *   (with a suggestion), wrong argument count, unknown or malformed flag, invalid value.
 */
export function parseInstruction(node: Node, options: ParseInstructionOptions = {}): Instruction {
  const location = { startLine: node.startLine, endLine: node.endLine };
  const fail = (reason: string, cause?: unknown): never => {
    const lines = node.startLine > 0 ? [{ start: node.startLine, end: Math.max(node.startLine, node.endLine) }] : [];
    throw new DockerfileSyntaxError(reason, lines, { ...(options.filename === undefined ? {} : { filename: options.filename }), cause });
  };
  const parser = PARSERS[goLower(node.value)];
  if (parser === undefined) {
    return fail(withSuggestion(`unknown instruction: ${node.value}`, node.value, INSTRUCTION_NAMES.map((n) => n.toUpperCase()), false));
  }
  const req: ParseRequest = {
    command: node.value,
    args: nodeArgs(node),
    heredocs: node.heredocs,
    json: node.attributes.json === true,
    flags: new BuilderFlags(node.flags),
    original: node.original,
    location,
    comments: node.prevComment,
  };
  try {
    return parser(req);
  } catch (err) {
    if (err instanceof DockerfileSyntaxError) throw err;
    // Instruction parsers throw plain Errors with BuildKit's text; anything else is a bug, not a syntax error.
    if (err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError) && !(err instanceof ReferenceError)) {
      return fail(err.message, err);
    }
    throw err;
  }
}
