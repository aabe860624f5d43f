/** SHELL: the shell that runs shell-form commands; JSON form only. */
import { base, errAtLeastOneArgument, handleJSONArgs, InstructionError, type InstructionBase, type ParseRequest } from './types.js';

export interface ShellInstruction extends InstructionBase {
  kind: 'shell';
  shell: string[];
}

export function parseShell(req: ParseRequest): ShellInstruction {
  req.flags.parse();
  const shell = handleJSONArgs(req.args, req.json);
  if (shell.length === 0) throw errAtLeastOneArgument('SHELL');
  if (!req.json) {
    throw new InstructionError("SHELL requires the arguments to be in JSON form");
  }
  return { kind: 'shell', ...base(req), shell };
}
