/**
 * The predefined functions of Go's text/template (`and or not len index slice print printf
 * println eq ne lt le gt ge html js urlquery call`), with Go's error texts. `and` and `or` are
 * evaluated lazily by the executor; they appear here only so the parser knows the names.
 */
import { sprint, sprintf, sprintln, sprintValue } from './fmt.js';
import { isPrintRune } from './runes.js';
import {
  asGoFunc,
  goFunc,
  isGoFunc,
  kindOf,
  mapGet,
  mapSize,
  numberOf,
  isTrue,
  typeName,
  type GoFunc,
} from './values.js';

export class GoError extends Error {}

const fail = (message: string): never => {
  throw new GoError(message);
};

/** nil interfaces become the invalid value, as `indirectInterface` does. */
const indirectInterface = (v: unknown): unknown => (v === null ? undefined : v);

function indexArg(index: unknown, cap: number): number {
  const k = kindOf(index);
  if (k === 'invalid' || k === 'nil') fail('cannot index slice/array with nil');
  if (k !== 'int') fail(`cannot index slice/array with type ${typeName(index)}`);
  const x = numberOf(index);
  if (x < 0 || x > cap) fail(`index out of range: ${x}`);
  return x;
}

function index(item0: unknown, ...indexes: unknown[]): unknown {
  let item = indirectInterface(item0);
  if (item === undefined) fail('index of untyped nil');
  for (const idx0 of indexes) {
    const idx = indirectInterface(idx0);
    if (item === null || item === undefined) fail('index of nil pointer');
    switch (kindOf(item)) {
      case 'slice': {
        const arr = item as unknown[];
        const x = indexArg(idx, arr.length);
        if (x === arr.length) fail('reflect: slice index out of range');
        item = arr[x];
        break;
      }
      case 'string': {
        const bytes = Buffer.from(item as string, 'utf8');
        const x = indexArg(idx, bytes.length);
        if (x === bytes.length) fail('reflect: string index out of range');
        item = bytes[x];
        break;
      }
      case 'map': {
        if (!(item instanceof Map) && kindOf(idx) !== 'string') {
          if (idx === undefined) fail('value is nil; should be of type string');
          fail(`value has type ${typeName(idx)}; should be string`);
        }
        item = mapGet(item, idx);
        break;
      }
      default:
        fail(`can't index item of type ${typeName(item)}`);
    }
  }
  return item;
}

function slice(item0: unknown, ...indexes: unknown[]): unknown {
  const item = indirectInterface(item0);
  if (item === undefined) fail('slice of untyped nil');
  if (indexes.length > 3) fail(`too many slice indexes: ${indexes.length}`);
  let len = 0;
  const k = kindOf(item);
  if (k === 'string') {
    if (indexes.length === 3) fail('cannot 3-index slice a string');
    len = Buffer.byteLength(item as string, 'utf8');
  } else if (k === 'slice') {
    len = (item as unknown[]).length;
  } else {
    fail(`can't slice item of type ${typeName(item)}`);
  }
  const idx = [0, len, len];
  indexes.forEach((x, i) => {
    idx[i] = indexArg(indirectInterface(x), len);
  });
  const [lo, hi] = idx as [number, number, number];
  if (lo > hi) fail(`invalid slice index: ${lo} > ${hi}`);
  if (indexes.length === 3 && hi > (idx[2] as number)) fail(`invalid slice index: ${hi} > ${idx[2]}`);
  if (k === 'string') return Buffer.from(item as string, 'utf8').subarray(lo, hi).toString('utf8');
  return (item as unknown[]).slice(lo, hi);
}

function length(item: unknown): number {
  if (item === null) fail('len of nil pointer');
  switch (kindOf(item)) {
    case 'invalid':
      return fail('reflect: call of reflect.Value.Type on zero Value');
    case 'string':
      return Buffer.byteLength(item as string, 'utf8');
    case 'slice':
      return (item as unknown[]).length;
    case 'map':
      return mapSize(item);
    default:
      return fail(`len of type ${typeName(item)}`);
  }
}

function call(fn0: unknown, ...args: unknown[]): unknown {
  const fn = indirectInterface(fn0);
  if (fn === undefined) fail('call of nil');
  if (kindOf(fn) !== 'func') fail(`non-function of type ${typeName(fn)}`);
  const f = asGoFunc(fn as GoFunc);
  const numIn = f.params.length;
  if (f.variadic !== undefined) {
    if (args.length < numIn) fail(`wrong number of args: got ${args.length} want at least ${numIn}`);
  } else if (args.length !== numIn) {
    fail(`wrong number of args: got ${args.length} want ${numIn}`);
  }
  return f.fn(...args.map(indirectInterface));
}

const truth = (v: unknown): boolean => isTrue(indirectInterface(v)).truth;

type BasicKind = 'invalid' | 'bool' | 'int' | 'float' | 'string';

function basicKind(v: unknown): BasicKind {
  const k = kindOf(v);
  return k === 'bool' || k === 'int' || k === 'float' || k === 'string' ? k : 'invalid';
}

const errBadComparisonType = 'invalid type for comparison';
const errBadComparison = 'incompatible types for comparison';
const errNoComparison = 'missing argument for comparison';

function basicValue(v: unknown): unknown {
  const k = kindOf(v);
  if (k === 'int' || k === 'float') return typeof v === 'bigint' ? v : numberOf(v);
  return v;
}

function eq(arg1_: unknown, ...arg2: unknown[]): boolean {
  const arg1 = indirectInterface(arg1_);
  if (arg2.length === 0) fail(errNoComparison);
  const k1 = basicKind(arg1);
  for (const a of arg2) {
    const arg = indirectInterface(a);
    const k2 = basicKind(arg);
    let t = false;
    if (k1 !== k2) {
      if (arg1 !== undefined && arg !== undefined) fail(errBadComparison);
    } else if (k1 === 'invalid') {
      const n1 = arg1 === undefined || arg1 === null;
      const n2 = arg === undefined || arg === null;
      if (n1 || n2) {
        t = n1 === n2;
      } else {
        const kk = kindOf(arg);
        if (kindOf(arg1) !== kk) fail(`non-comparable types ${sprintValue(arg1)}: ${typeName(arg1)}, ${typeName(arg)}: ${sprintValue(arg)}`);
        if (kk === 'slice' || kk === 'map' || kk === 'func') fail(`non-comparable type ${sprintValue(arg)}: ${typeName(arg)}`);
        t = arg1 === arg;
      }
    } else {
      // eslint-disable-next-line eqeqeq -- bigint and number compare by value
      t = basicValue(arg1) == basicValue(arg);
    }
    if (t) return true;
  }
  return false;
}

function lt(a1: unknown, a2: unknown): boolean {
  const arg1 = indirectInterface(a1);
  const k1 = basicKind(arg1);
  if (k1 === 'invalid') fail(errBadComparisonType);
  const arg2 = indirectInterface(a2);
  const k2 = basicKind(arg2);
  if (k2 === 'invalid') fail(errBadComparisonType);
  if (k1 !== k2) fail(errBadComparison);
  if (k1 === 'bool') fail(errBadComparisonType);
  if (k1 === 'string') return (arg1 as string) < (arg2 as string);
  return (basicValue(arg1) as number) < (basicValue(arg2) as number);
}

const le = (a: unknown, b: unknown): boolean => lt(a, b) || eq(a, b);

// --- escapers ----------------------------------------------------------------------------------

function evalArgs(args: unknown[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined || a === null ? '<no value>' : a)));
}

/** Go's `template.HTMLEscapeString`. */
export function htmlEscape(s: string): string {
  return s.replace(/[\0"'&<>]/g, (c) =>
    c === '\0' ? '\ufffd' : c === '"' ? '&#34;' : c === "'" ? '&#39;' : c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;',
  );
}

/** Go's `template.JSEscapeString`. */
export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    switch (ch) {
      case '\\':
        out += '\\\\';
        continue;
      case "'":
        out += "\\'";
        continue;
      case '"':
        out += '\\"';
        continue;
      case '<':
        out += '\\u003C';
        continue;
      case '>':
        out += '\\u003E';
        continue;
      case '&':
        out += '\\u0026';
        continue;
      case '=':
        out += '\\u003D';
        continue;
    }
    if (cp < 0x20) out += `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}`;
    else if (cp < 0x80) out += ch;
    else if (isPrintRune(ch)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

/** Go's `url.QueryEscape`. */
export function urlQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const unreachable = (): never => fail('unreachable');

/** The builtin function table. */
export const BUILTINS: ReadonlyMap<string, GoFunc> = new Map<string, GoFunc>([
  ['and', goFunc(['value'], unreachable, 'value')],
  ['or', goFunc(['value'], unreachable, 'value')],
  ['call', goFunc(['value'], call as (...a: unknown[]) => unknown, 'value')],
  ['html', goFunc([], (...a) => htmlEscape(evalArgs(a)), 'any')],
  ['index', goFunc(['value'], index as (...a: unknown[]) => unknown, 'value')],
  ['slice', goFunc(['value'], slice as (...a: unknown[]) => unknown, 'value')],
  ['js', goFunc([], (...a) => jsEscape(evalArgs(a)), 'any')],
  ['len', goFunc(['value'], (a) => length(a))],
  ['not', goFunc(['value'], (a) => !truth(a))],
  ['print', goFunc([], (...a) => sprint(a), 'any')],
  ['printf', goFunc(['string'], (f, ...a) => sprintf(f as string, a), 'any')],
  ['println', goFunc([], (...a) => sprintln(a), 'any')],
  ['urlquery', goFunc([], (...a) => urlQueryEscape(evalArgs(a)), 'any')],
  ['eq', goFunc(['value'], eq as (...a: unknown[]) => unknown, 'value')],
  ['ge', goFunc(['value', 'value'], (a, b) => !lt(a, b))],
  ['gt', goFunc(['value', 'value'], (a, b) => !le(a, b))],
  ['le', goFunc(['value', 'value'], (a, b) => le(a, b))],
  ['lt', goFunc(['value', 'value'], (a, b) => lt(a, b))],
  ['ne', goFunc(['value', 'value'], (a, b) => !eq(a, b))],
]);

export { isGoFunc, truth };
