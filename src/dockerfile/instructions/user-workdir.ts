/** USER and WORKDIR: one word each, expanded at build time. */
import { base, errExactlyOneArgument, type Expanders, type InstructionBase, type ParseRequest } from './types.js';

export interface UserInstruction extends InstructionBase {
  kind: 'user';
  /** `name`, `uid`, `name:group` or `uid:gid`. */
  user: string;
}

export interface WorkdirInstruction extends InstructionBase {
  kind: 'workdir';
  path: string;
}

export function parseUser(req: ParseRequest): UserInstruction {
  if (req.args.length !== 1) throw errExactlyOneArgument('USER');
  req.flags.parse();
  return { kind: 'user', ...base(req), user: req.args[0]! };
}

export function parseWorkdir(req: ParseRequest): WorkdirInstruction {
  if (req.args.length !== 1) throw errExactlyOneArgument('WORKDIR');
  req.flags.parse();
  return { kind: 'workdir', ...base(req), path: req.args[0]! };
}

export function expandUser(c: UserInstruction, ex: Expanders): UserInstruction {
  return { ...c, user: ex.word(c.user) };
}

export function expandWorkdir(c: WorkdirInstruction, ex: Expanders): WorkdirInstruction {
  return { ...c, path: ex.word(c.path) };
}
