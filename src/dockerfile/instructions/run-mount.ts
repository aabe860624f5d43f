/**
 * `RUN --mount=type=bind|cache|tmpfs|secret|ssh,…`: what a RUN command sees besides its root.
 *
 * BuildKit reads a mount twice. When the Dockerfile is parsed, only `from` is taken (it names a
 * stage the RUN depends on, so it may not use variables); when the step runs, every value is
 * expanded and the whole mount is checked. `parseMount(spec)` is the first reading,
 * `parseMount(spec, expand)` the second.
 */
import { goQuote } from '../../go-compat.js';
import { goLower, parseGoBool, parseGoInt, withSuggestion } from '../_go.js';
import { csvFields } from './_csv.js';
import { InstructionError } from './types.js';

export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
export type CacheSharing = 'shared' | 'private' | 'locked';

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING_MODES: readonly CacheSharing[] = ['shared', 'private', 'locked'];
const ALL_KEYS = [
  'type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode', 'uid', 'gid',
  'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env',
];

export interface RunMount {
  type: MountType;
  /** Stage or image the mount's source comes from; empty for the build context (bind) or nothing. */
  from: string;
  source: string;
  target: string;
  readOnly: boolean;
  /** tmpfs size in bytes; 0 when not limited. */
  sizeLimit: number;
  /** Cache id, or secret id. */
  id: string;
  /** Cache sharing; empty when not given (the engine's default is `shared`). */
  sharing: CacheSharing | '';
  /** Secret/ssh mounts: fail when the secret is not provided. */
  required: boolean;
  /** Secret mounts: expose the secret as this environment variable. */
  env?: string;
  mode?: number;
  uid?: number;
  gid?: number;
}

/** Go's units.RAMInBytes: `64m`, `1.5GiB`, `512k`, `1024` (binary multiples). */
export function ramInBytes(value: string): number {
  const m = /^(\d+(\.\d+)*) ?([kmgtp])?i?b?$/i.exec(value);
  if (m === null) throw new Error(`invalid size: '${value}'`);
  const n = Number(m[1]);
  if (!Number.isFinite(n)) throw new Error(`strconv.ParseFloat: parsing ${goQuote(m[1]!)}: invalid syntax`);
  const mul: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };
  return Math.trunc(n * (mul[(m[3] ?? '').toLowerCase()] ?? 1));
}

/**
 * Parses one `--mount` value. Without `expand`, only `from` is read and checked (BuildKit's
 * parse-time reading); with it, every value is expanded and the mount fully validated.
 * Throws InstructionError with BuildKit's messages.
 */
export function parseMount(spec: string, expand?: (word: string) => string): RunMount {
  let fields: string[];
  try {
    fields = csvFields(spec);
  } catch (e) {
    throw new InstructionError(`failed to parse csv mounts: ${(e as Error).message}`);
  }
  const m: RunMount = {
    type: 'bind', from: '', source: '', target: '', readOnly: false, sizeLimit: 0, id: '', sharing: '', required: false,
  };
  let roAuto = true;
  const invalid = (key: string, value: string): InstructionError => new InstructionError(`invalid value for ${key}: ${value}`);
  const unexpected = (key: string): InstructionError => new InstructionError(`unexpected key '${key}' for mount type '${m.type}'`);

  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = goLower(eq < 0 ? field : field.slice(0, eq));
    let value = eq < 0 ? '' : field.slice(eq + 1);
    if (eq < 0) {
      if (expand === undefined) continue; // read when the step runs
      switch (key) {
        case 'readonly':
        case 'ro':
          m.readOnly = true;
          roAuto = false;
          continue;
        case 'readwrite':
        case 'rw':
          m.readOnly = false;
          roAuto = false;
          continue;
        case 'required':
          if (m.type === 'secret' || m.type === 'ssh') {
            m.required = true;
            continue;
          }
          throw unexpected(key);
        default:
          throw new InstructionError(`invalid field '${field}' must be a key=value pair`);
      }
    }
    if (expand !== undefined) value = expand(value);
    else if (key === 'from') {
      const dollar = value.indexOf('$');
      if (dollar !== -1 && dollar !== value.length - 1) {
        throw new InstructionError(`'${key}' doesn't support variable expansion, define alias stage instead`);
      }
    } else continue;

    switch (key) {
      case 'type': {
        const t = goLower(value);
        if (!(MOUNT_TYPES as readonly string[]).includes(t)) {
          throw new InstructionError(withSuggestion(`unsupported mount type ${goQuote(value)}`, value, MOUNT_TYPES, true));
        }
        m.type = t as MountType;
        break;
      }
      case 'from':
        m.from = value;
        break;
      case 'source':
      case 'src':
        m.source = value;
        break;
      case 'target':
      case 'dst':
      case 'destination':
        m.target = value;
        break;
      case 'readonly':
      case 'ro': {
        const b = parseGoBool(value);
        if (b === undefined) throw invalid(key, value);
        m.readOnly = b;
        roAuto = false;
        break;
      }
      case 'readwrite':
      case 'rw': {
        const b = parseGoBool(value);
        if (b === undefined) throw invalid(key, value);
        m.readOnly = !b;
        roAuto = false;
        break;
      }
      case 'required': {
        if (m.type !== 'secret' && m.type !== 'ssh') throw unexpected(key);
        const b = parseGoBool(value);
        if (b === undefined) throw invalid(key, value);
        m.required = b;
        break;
      }
      case 'size':
        if (m.type !== 'tmpfs') throw unexpected(key);
        try {
          m.sizeLimit = ramInBytes(value);
        } catch {
          throw invalid(key, value);
        }
        break;
      case 'id':
        m.id = value;
        break;
      case 'sharing': {
        const s = goLower(value);
        if (!(SHARING_MODES as readonly string[]).includes(s)) {
          throw new InstructionError(withSuggestion(`unsupported sharing value ${goQuote(value)}`, value, SHARING_MODES, true));
        }
        m.sharing = s as CacheSharing;
        break;
      }
      case 'mode':
        m.mode = parseUint(value, 8, 'mode');
        break;
      case 'uid':
        m.uid = parseUint(value, 10, 'uid');
        break;
      case 'gid':
        m.gid = parseUint(value, 10, 'gid');
        break;
      case 'env':
        m.env = value;
        break;
      default:
        throw new InstructionError(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ALL_KEYS, true));
    }
  }

  const fileInfoAllowed = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  if (!fileInfoAllowed) {
    if (m.mode !== undefined) throw new InstructionError(`mode not allowed for ${goQuote(m.type)} type mounts`);
    if (m.uid !== undefined) throw new InstructionError(`uid not allowed for ${goQuote(m.type)} type mounts`);
    if (m.gid !== undefined) throw new InstructionError(`gid not allowed for ${goQuote(m.type)} type mounts`);
  }
  if (roAuto) m.readOnly = !(m.type === 'cache' || m.type === 'tmpfs');
  if (m.type === 'secret') {
    if (m.from !== '') throw new InstructionError('secret mount should not have a from');
    if (m.sharing !== '') throw new InstructionError('secret mount should not define sharing');
    if (m.source === '' && m.target === '' && m.id === '') throw new InstructionError('invalid secret mount. one of source, target required');
    if (m.source !== '' && m.id !== '') throw new InstructionError("both source and id can't be set");
  }
  if (m.sharing !== '' && m.type !== 'cache') throw new InstructionError(`invalid cache sharing set for ${m.type} mount`);
  return m;
}

// Go's strconv.ParseUint(value, base, 32); base 8 takes `0755` and `755` alike.
function parseUint(value: string, base: number, what: string): number {
  try {
    return Number(parseGoInt(value, base, 32, 'ParseUint'));
  } catch {
    throw new InstructionError(`invalid value ${value} for ${what}`);
  }
}
