/** MAINTAINER (deprecated in favour of a label): the image's author. */
import { base, errExactlyOneArgument, type InstructionBase, type ParseRequest } from './types.js';

export interface MaintainerInstruction extends InstructionBase {
  kind: 'maintainer';
  maintainer: string;
}

export function parseMaintainer(req: ParseRequest): MaintainerInstruction {
  if (req.args.length !== 1) throw errExactlyOneArgument('MAINTAINER');
  req.flags.parse();
  return { kind: 'maintainer', ...base(req), maintainer: req.args[0]! };
}
