/** STOPSIGNAL: the signal that stops the container (`SIGTERM`, `9`). */
import { base, errExactlyOneArgument, type Expanders, type InstructionBase, type ParseRequest } from './types.js';

export interface StopSignalInstruction extends InstructionBase {
  kind: 'stopsignal';
  signal: string;
}

export function parseStopSignal(req: ParseRequest): StopSignalInstruction {
  if (req.args.length !== 1) throw errExactlyOneArgument('STOPSIGNAL');
  // BuildKit does not check STOPSIGNAL's flags either.
  return { kind: 'stopsignal', ...base(req), signal: req.args[0]! };
}

export function expandStopSignal(c: StopSignalInstruction, ex: Expanders): StopSignalInstruction {
  return { ...c, signal: ex.word(c.signal) };
}
