/** VOLUME: mount points, as a JSON array or whitespace-separated words. */
import { trimSpace } from '../_go.js';
import { base, errAtLeastOneArgument, InstructionError, type Expanders, type InstructionBase, type ParseRequest } from './types.js';

export interface VolumeInstruction extends InstructionBase {
  kind: 'volume';
  volumes: string[];
}

export function parseVolume(req: ParseRequest): VolumeInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('VOLUME');
  req.flags.parse();
  const volumes = req.args.map((v) => {
    const t = trimSpace(v);
    if (t === '') throw new InstructionError('VOLUME specified can not be an empty string');
    return t;
  });
  return { kind: 'volume', ...base(req), volumes };
}

export function expandVolume(c: VolumeInstruction, ex: Expanders): VolumeInstruction {
  return { ...c, volumes: c.volumes.map((v) => ex.word(v)) };
}
