/** ARG: build arguments, several per line, each with or without a default. */
import { base, docComment, errAtLeastOneArgument, errBlankCommandNames, type ArgDefinition, type Expanders, type InstructionBase, type ParseRequest } from './types.js';

export interface ArgInstruction extends InstructionBase {
  kind: 'arg';
  args: ArgDefinition[];
}

export function parseArg(req: ParseRequest): ArgInstruction {
  if (req.args.length < 1) throw errAtLeastOneArgument('ARG');
  // BuildKit does not check ARG's flags: `ARG --x y` is accepted and the flag ignored.
  const args = req.args.map((word): ArgDefinition => {
    const eq = word.indexOf('=');
    if (eq < 0) return { key: word, value: undefined, docComment: docComment(req.comments, word) };
    const key = word.slice(0, eq);
    if (key.length === 0) throw errBlankCommandNames('ARG');
    return { key, value: word.slice(eq + 1), docComment: docComment(req.comments, key) };
  });
  return { kind: 'arg', ...base(req), args };
}

/** Names and defaults expanded (the build engine expands a default when the ARG is reached). */
export function expandArg(c: ArgInstruction, ex: Expanders): ArgInstruction {
  return {
    ...c,
    args: c.args.map((a) => ({ ...a, key: ex.word(a.key), value: a.value === undefined ? undefined : ex.word(a.value) })),
  };
}
