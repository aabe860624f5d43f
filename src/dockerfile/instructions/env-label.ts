/** ENV and LABEL: ordered `key=value` pairs (or one legacy `key value`). */
import {
  base,
  errAtLeastOneArgument,
  errBlankCommandNames,
  errTooManyArguments,
  type Expanders,
  type InstructionBase,
  type KeyValuePair,
  type ParseRequest,
} from './types.js';

export interface EnvInstruction extends InstructionBase {
  kind: 'env';
  env: KeyValuePair[];
}

export interface LabelInstruction extends InstructionBase {
  kind: 'label';
  labels: KeyValuePair[];
}

/** The parser's `key value sep` triples as pairs. */
function keyValuePairs(args: string[], command: string): KeyValuePair[] {
  if (args.length === 0) throw errAtLeastOneArgument(command);
  if (args.length % 3 !== 0) throw errTooManyArguments(command);
  const out: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    if (args[i]!.length === 0) throw errBlankCommandNames(command);
    out.push({ key: args[i]!, value: args[i + 1]!, noDelim: args[i + 2] === '' });
  }
  return out;
}

export function parseEnv(req: ParseRequest): EnvInstruction {
  req.flags.parse();
  return { kind: 'env', ...base(req), env: keyValuePairs(req.args, 'ENV') };
}

export function parseLabel(req: ParseRequest): LabelInstruction {
  req.flags.parse();
  return { kind: 'label', ...base(req), labels: keyValuePairs(req.args, 'LABEL') };
}

function expandPairs(pairs: KeyValuePair[], ex: Expanders): KeyValuePair[] {
  return pairs.map((p) => ({ key: ex.word(p.key), value: ex.word(p.value), noDelim: p.noDelim }));
}

export function expandEnv(c: EnvInstruction, ex: Expanders): EnvInstruction {
  return { ...c, env: expandPairs(c.env, ex) };
}

export function expandLabel(c: LabelInstruction, ex: Expanders): LabelInstruction {
  return { ...c, labels: expandPairs(c.labels, ex) };
}
