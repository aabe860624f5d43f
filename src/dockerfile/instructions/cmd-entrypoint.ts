/**
 * CMD and ENTRYPOINT (and RUN's command line): shell form (`CMD echo hi`, run by the stage's SHELL)
 * or exec form (`CMD ["echo", "hi"]`). Text that looks like JSON but is not valid JSON is shell form.
 */
import { base, handleJSONArgs, type CommandLine, type InstructionBase, type ParseRequest } from './types.js';

export interface CmdInstruction extends InstructionBase {
  kind: 'cmd';
  command: CommandLine;
}

export interface EntrypointInstruction extends InstructionBase {
  kind: 'entrypoint';
  /** `cmdLine` is empty for `ENTRYPOINT []`, which clears the entrypoint. */
  command: CommandLine;
}

/** The command line of RUN, CMD or ENTRYPOINT, with heredoc bodies as inline files. */
export function commandLine(req: ParseRequest): CommandLine {
  return {
    cmdLine: handleJSONArgs(req.args, req.json),
    files: req.heredocs.map((h) => ({ name: h.name, data: h.content, chomp: h.chomp })),
    prependShell: !req.json,
  };
}

export function parseCmd(req: ParseRequest): CmdInstruction {
  req.flags.parse();
  return { kind: 'cmd', ...base(req), command: commandLine(req) };
}

export function parseEntrypoint(req: ParseRequest): EntrypointInstruction {
  req.flags.parse();
  return { kind: 'entrypoint', ...base(req), command: commandLine(req) };
}
