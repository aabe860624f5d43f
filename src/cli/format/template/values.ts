/**
 * How plain JS values stand in for Go values inside a template.
 *
 * Go's text/template works on reflect.Value; we work on ordinary JS values and give each a Go kind:
 *
 * | JS value | Go kind | notes |
 * |---|---|---|
 * | `undefined` | invalid value (`<no value>`) | a missing map key, a nil interface taken out of a pipeline |
 * | `null` | nil | an untyped nil interface/pointer |
 * | boolean | bool | |
 * | integral number, bigint | int / int64 | |
 * | non-integral number, {@link GoFloat} | float64 | `GoFloat` boxes float constants such as `2.0` |
 * | string | string | |
 * | Array | slice (`[]interface {}`) | |
 * | Map, plain object | map | keys sorted when ranged over, printed or JSON-encoded, as Go does |
 * | object marked with {@link goStruct}, class instance, Date | struct | fields in declaration order; prototype functions are methods |
 * | function, {@link GoFunc} | func | |
 */

/** A float64 whose value may be integral (a template constant like `2.0`): keeps %v/%f/%T honest. */
export class GoFloat {
  constructor(readonly value: number) {}
}

/** Marks a plain object as a Go struct of the given type name (for error texts and field order). */
export const GO_TYPE: unique symbol = Symbol.for('gantry.goType');

/** Returns `fields` marked as a struct of Go type `typeName`; field order is kept for JSON. */
export function goStruct<T extends object>(typeName: string, fields: T): T {
  Object.defineProperty(fields, GO_TYPE, { value: typeName, enumerable: false });
  return fields;
}

/** The declared type of a function parameter, as far as template argument checking needs it. */
export type ParamType =
  | 'any' // interface{}: any value, nil allowed
  | 'value' // reflect.Value: anything, including the invalid value
  | 'string'
  | 'int'
  | 'bool'
  | 'float64';

/**
 * A function callable from a template with a Go signature. The signature drives Go's argument
 * checks and their error texts (`wrong number of args for lower: want 1 got 2`, `wrong type for
 * value; expected string; got int`). `fn` throws an Error to report a Go `error` result.
 */
export interface GoFunc {
  readonly goFunc: true;
  readonly params: readonly ParamType[];
  /** Element type of a trailing variadic parameter. */
  readonly variadic?: ParamType;
  readonly fn: (...args: unknown[]) => unknown;
  /** Go type text for %T and error texts, e.g. `func(string) string`. */
  readonly typeName?: string;
}

export function goFunc(
  params: readonly ParamType[],
  fn: (...args: unknown[]) => unknown,
  variadic?: ParamType,
): GoFunc {
  return variadic === undefined ? { goFunc: true, params, fn } : { goFunc: true, params, fn, variadic };
}

export function isGoFunc(v: unknown): v is GoFunc {
  return typeof v === 'object' && v !== null && (v as GoFunc).goFunc === true;
}

/** A JS function as a Go func: its declared arity is its parameter count, each `interface{}`. */
export function asGoFunc(v: GoFunc | ((...args: never[]) => unknown)): GoFunc {
  if (isGoFunc(v)) return v;
  const f = v as (...args: unknown[]) => unknown;
  return { goFunc: true, params: new Array<ParamType>(f.length).fill('any'), fn: f };
}

export type Kind = 'invalid' | 'nil' | 'bool' | 'int' | 'float' | 'string' | 'slice' | 'map' | 'struct' | 'func';

export function kindOf(v: unknown): Kind {
  switch (typeof v) {
    case 'undefined':
      return 'invalid';
    case 'boolean':
      return 'bool';
    case 'number':
      // Integral numbers beyond 2^53 are floats in all but name: keep them float64.
      return Number.isSafeInteger(v) ? 'int' : 'float';
    case 'bigint':
      return 'int';
    case 'string':
      return 'string';
    case 'function':
      return 'func';
    case 'symbol':
      return 'invalid';
    default:
      break;
  }
  if (v === null) return 'nil';
  if (v instanceof GoFloat) return 'float';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Map) return 'map';
  if (isGoFunc(v)) return 'func';
  if (isStruct(v as object)) return 'struct';
  return 'map';
}

export function isStruct(o: object): boolean {
  if (Object.prototype.hasOwnProperty.call(o, GO_TYPE)) return true;
  if (o instanceof Date) return true;
  const proto: unknown = Object.getPrototypeOf(o);
  return proto !== null && proto !== Object.prototype;
}

/** Go's type text for a value, as %T and template errors print it. */
export function typeName(v: unknown): string {
  switch (kindOf(v)) {
    case 'invalid':
      return '<nil>';
    case 'nil':
      return '<nil>';
    case 'bool':
      return 'bool';
    case 'int':
      return typeof v === 'bigint' ? 'int64' : 'int';
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'slice':
      return '[]interface {}';
    case 'map':
      return 'map[string]interface {}';
    case 'func':
      return isGoFunc(v) ? (v.typeName ?? 'func(...)') : 'func(...)';
    case 'struct': {
      const o = v as Record<PropertyKey, unknown>;
      const t = o[GO_TYPE];
      if (typeof t === 'string') return t;
      if (v instanceof Date) return 'time.Time';
      const ctor = (o as { constructor?: { goType?: unknown; name?: string } }).constructor;
      if (typeof ctor?.goType === 'string') return ctor.goType;
      return ctor?.name ?? 'struct {}';
    }
  }
}

/** The number inside an int/float value (bigint narrowed). */
export function numberOf(v: unknown): number {
  if (v instanceof GoFloat) return v.value;
  if (typeof v === 'bigint') return Number(v);
  return v as number;
}

/** Entries of a map value, keys sorted as Go's fmtsort does (numbers numerically, strings bytewise). */
export function mapEntries(v: unknown): Array<[unknown, unknown]> {
  let entries: Array<[unknown, unknown]>;
  if (v instanceof Map) entries = [...v.entries()];
  else entries = Object.entries(v as Record<string, unknown>);
  return entries.sort((a, b) => compareKeys(a[0], b[0]));
}

function compareKeys(a: unknown, b: unknown): number {
  if ((typeof a === 'number' || typeof a === 'bigint') && (typeof b === 'number' || typeof b === 'bigint')) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const sa = String(a);
  const sb = String(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

export function mapSize(v: unknown): number {
  if (v instanceof Map) return v.size;
  return Object.keys(v as object).length;
}

/** Looks a key up in a map value; `undefined` when absent. */
export function mapGet(v: unknown, key: unknown): unknown {
  if (v instanceof Map) return v.get(key);
  if (typeof key !== 'string') return undefined;
  return Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string, unknown>)[key] : undefined;
}

/** The struct's fields in declaration order: own enumerable string keys. */
export function structFields(v: object): Array<[string, unknown]> {
  if (v instanceof Date) return [];
  return Object.keys(v).map((k) => [k, (v as Record<string, unknown>)[k]]);
}

/**
 * A struct member by name: a method (prototype function), a getter, or a field. Names must start
 * with an upper-case letter, as only exported members are visible to templates.
 */
export type Member = { kind: 'method'; fn: GoFunc; self: object } | { kind: 'field'; value: unknown } | undefined;

export function structMember(v: object, name: string): Member {
  if (Object.prototype.hasOwnProperty.call(v, name)) {
    return { kind: 'field', value: (v as Record<string, unknown>)[name] };
  }
  const m = protoMember(Object.getPrototypeOf(v) as object | null, name);
  if (m === undefined) return undefined;
  return m.kind === 'getter' ? { kind: 'field', value: m.get.call(v) } : { kind: 'method', fn: m.fn, self: v };
}

/** A member a class declares: a getter or a method, found on the prototype chain. */
export type ProtoMember = { kind: 'getter'; get: () => unknown } | { kind: 'method'; fn: GoFunc };

/**
 * What `name` is on the prototype chain from `proto` (up to, not including, Object.prototype): the
 * first prototype that has it decides. Undefined when none has it or it is neither a getter nor a
 * method (a data property, or `constructor`).
 */
export function protoMember(proto: object | null, name: string): ProtoMember | undefined {
  for (let p = proto; p !== null && p !== Object.prototype; p = Object.getPrototypeOf(p) as object | null) {
    const d = Object.getOwnPropertyDescriptor(p, name);
    if (d === undefined) continue;
    if (d.get !== undefined) return { kind: 'getter', get: d.get };
    if (typeof d.value === 'function' && name !== 'constructor') {
      const f = d.value as (...args: unknown[]) => unknown;
      return { kind: 'method', fn: (f as { goSignature?: GoFunc }).goSignature ?? asGoFunc(f) };
    }
    return undefined;
  }
  return undefined;
}

/** What {@link coerceArg} returns for a value a parameter does not take. */
export const REJECT: unique symbol = Symbol('reject');

/**
 * Go's check of an argument against a parameter type, without its errors: the value the parameter
 * gets (`any` turns the invalid value into nil), or {@link REJECT}.
 */
export function coerceArg(value: unknown, typ: ParamType): unknown {
  if (value === undefined) {
    if (typ === 'value') return undefined;
    if (typ === 'any') return null;
    return REJECT;
  }
  switch (typ) {
    case 'any':
    case 'value':
      return value;
    case 'string':
      return typeof value === 'string' ? value : REJECT;
    default: {
      const k = kindOf(value);
      if (typ === 'int' && k === 'int') return value;
      if (typ === 'bool' && k === 'bool') return value;
      if (typ === 'float64' && k === 'float') return value;
      return REJECT;
    }
  }
}

/** Go's truth: false, 0, nil, empty string/slice/map are false; structs are true. */
export function isTrue(v: unknown): { truth: boolean; ok: boolean } {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return { truth: false, ok: true };
    case 'bool':
      return { truth: v as boolean, ok: true };
    case 'int':
    case 'float':
      return { truth: numberOf(v) !== 0, ok: true };
    case 'string':
      return { truth: (v as string).length > 0, ok: true };
    case 'slice':
      return { truth: (v as unknown[]).length > 0, ok: true };
    case 'map':
      return { truth: mapSize(v) > 0, ok: true };
    case 'func':
    case 'struct':
      return { truth: true, ok: true };
  }
}
