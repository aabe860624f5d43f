/** `RUN --device=name[,required[=bool]]`: a CDI device made available to the command. */
import { goLower, parseGoBool, withSuggestion } from '../_go.js';
import { csvFields } from './_csv.js';
import { InstructionError } from './types.js';

export interface RunDevice {
  /** The CDI device name (`vendor.com/class=name`). */
  name: string;
  required: boolean;
}

/** Parses one `--device` value. Throws InstructionError with BuildKit's messages. */
export function parseDevice(value: string): RunDevice {
  let fields: string[];
  try {
    fields = csvFields(value);
  } catch (e) {
    throw new InstructionError(`failed to parse csv devices: ${(e as Error).message}`);
  }
  const d: RunDevice = { name: '', required: false };
  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = goLower(eq < 0 ? field : field.slice(0, eq));
    const val = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (key === 'required') {
        d.required = true;
        continue;
      }
      if (d.name === '') {
        d.name = field;
        continue;
      }
      throw new InstructionError(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'name':
        if (d.name !== '') throw new InstructionError(`device name already set to ${d.name}`);
        d.name = val;
        break;
      case 'required': {
        const b = parseGoBool(val);
        if (b === undefined) throw new InstructionError(`invalid value for ${key}: ${val}`);
        d.required = b;
        break;
      }
      default:
        // A CDI name holds `=` itself (`vendor.com/device=foo`): the first such field is the name.
        if (d.name === '') {
          d.name = field;
          continue;
        }
        throw new InstructionError(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ['name', 'required'], true));
    }
  }
  return d;
}
