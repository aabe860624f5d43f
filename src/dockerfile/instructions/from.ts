/** FROM: starts a stage from an image or an earlier stage, optionally named (`AS name`) and for a platform. */
import { goQuote } from '../../go-compat.js';
import { equalFold, goLower } from '../_go.js';
import { base, docComment, InstructionError, type Expanders, type InstructionBase, type ParseRequest } from './types.js';

export interface FromInstruction extends InstructionBase {
  kind: 'from';
  /** The image reference or stage name, unexpanded (`${BASE}`). */
  baseName: string;
  /** The stage name, lower-cased; empty when the stage has none. */
  stageName: string;
  /** `--platform`, unexpanded; empty when not given. */
  platform: string;
  /** The comment above documenting the stage (`# name does …`). */
  docComment: string;
}

// BuildKit lower-cases the name first, so any case is accepted: `AS Build` names stage `build`.
const VALID_STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

function stageNameOf(args: string[]): string {
  if (args.length === 3 && equalFold(args[1]!, 'as')) {
    const name = goLower(args[2]!);
    if (!VALID_STAGE_NAME.test(name)) {
      throw new InstructionError(`invalid name for build stage: ${goQuote(args[2]!)}, name can't start with a number or contain symbols`);
    }
    return name;
  }
  if (args.length !== 1) throw new InstructionError('FROM requires either one or three arguments');
  return '';
}

export function parseFrom(req: ParseRequest): FromInstruction {
  const stageName = stageNameOf(req.args);
  const platform = req.flags.addString('platform', '');
  req.flags.parse();
  return {
    kind: 'from',
    ...base(req),
    baseName: req.args[0]!,
    stageName,
    platform: platform.value,
    docComment: docComment(req.comments, stageName),
  };
}

/**
 * The base name and platform expanded (with the global ARGs in scope before the first FROM).
 * Either may not expand to nothing, as BuildKit checks when it sets up the stage.
 */
export function expandFrom(c: FromInstruction, ex: Expanders): FromInstruction {
  const baseName = ex.word(c.baseName);
  if (baseName === '') throw new InstructionError(`base name (${c.baseName}) should not be blank`);
  let platform = '';
  if (c.platform !== '') {
    platform = ex.word(c.platform);
    if (platform === '') throw new InstructionError(`empty platform value from expression ${c.platform}`);
  }
  return { ...c, baseName, platform };
}
