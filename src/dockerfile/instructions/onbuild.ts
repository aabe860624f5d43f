/**
 * ONBUILD: an instruction stored in the image and run when another build uses it as a base.
 * It may not be FROM, MAINTAINER or another ONBUILD. The trigger is kept as source text (with its
 * heredoc bodies) because the later build parses it again.
 */
import { goUpper, trimSpace } from '../_go.js';
import { base, errAtLeastOneArgument, InstructionError, type InstructionBase, type ParseRequest } from './types.js';

export interface OnbuildInstruction extends InstructionBase {
  kind: 'onbuild';
  /** The trigger's source, e.g. `RUN echo hi`. */
  expression: string;
}

export function parseOnbuild(req: ParseRequest): OnbuildInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('ONBUILD');
  req.flags.parse();
  const trigger = goUpper(trimSpace(req.args[0]!));
  if (trigger === 'ONBUILD') throw new InstructionError('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new InstructionError(`${trigger} isn't allowed as an ONBUILD trigger`);
  let expression = req.original.replace(/^[\t\n\f\r ]*[Oo][Nn][Bb][Uu][Ii][Ll][Dd][\t\n\f\r ]*/, '');
  for (const h of req.heredocs) expression += '\n' + h.content + h.name;
  return { kind: 'onbuild', ...base(req), expression };
}
