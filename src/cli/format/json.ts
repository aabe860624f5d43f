/**
 * Go's encoding/json over the template value model (see template/values.ts): maps with sorted
 * keys, structs in field order (or their `toJSON()`), Go's string escaping without HTML escaping
 * (docker's `json` template function calls `SetEscapeHTML(false)`), and Go's float spelling.
 */
import { goRFC3339NanoUTC } from './go-time.js';
import { GoFloat, kindOf, mapEntries, numberOf, structFields, typeName } from './template/values.js';

export class JSONUnsupportedError extends Error {}

/**
 * Go's `json.Marshaler`: `marshalJSON()` returns the value's compact JSON text, which must be what
 * goJSON makes of its `toJSON()` (the fast form of a value encoded many times, like a row).
 */
export interface JSONMarshaler {
  marshalJSON(): string;
}

// Strings that encode as themselves between quotes: printable ASCII without `"` and `\\` (and,
// when HTML is escaped, without `<`, `>` and `&`). Nearly every string a listing prints.
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;
const PLAIN_HTML = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7e]*$/;

/** Go's JSON string encoding (`\u00XX` lower-case, U+2028/U+2029 escaped, lone surrogates → U+FFFD). */
export function goJSONString(s: string, escapeHTML = false): string {
  if ((escapeHTML ? PLAIN_HTML : PLAIN).test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i] as string;
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        out += ch + (s[i + 1] as string);
        i++;
      } else {
        out += '\\ufffd';
      }
      continue;
    }
    if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\\ufffd';
      continue;
    }
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
    }
    if (c < 0x20 || (escapeHTML && (ch === '<' || ch === '>' || ch === '&')) || c === 0x2028 || c === 0x2029) {
      out += `\\u${c.toString(16).padStart(4, '0')}`;
      continue;
    }
    out += ch;
  }
  return `${out}"`;
}

function floatJSON(f: number): string {
  if (!Number.isFinite(f)) throw new JSONUnsupportedError(`json: unsupported value: ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`);
  return String(f); // ES number-to-string has Go's cut-offs (1e-6, 1e21) and spelling
}

/** Encodes `v` compactly, as Go's json.Marshal would. */
export function goJSON(v: unknown, indent = '', prefix = ''): string {
  const nl = indent === '' ? '' : `\n${prefix}`;
  const inner = prefix + indent;
  const nlInner = indent === '' ? '' : `\n${inner}`;
  const colon = indent === '' ? ':' : ': ';
  // Go's json.Marshaler: a value that writes its own compact JSON (indented output takes its toJSON).
  if (indent === '' && v !== null && typeof v === 'object' && typeof (v as Partial<JSONMarshaler>).marshalJSON === 'function') {
    return (v as JSONMarshaler).marshalJSON();
  }
  if (v !== null && typeof v === 'object' && !(v instanceof GoFloat) && typeof (v as { toJSON?: unknown }).toJSON === 'function' && !(v instanceof Date)) {
    return goJSON((v as { toJSON: () => unknown }).toJSON(), indent, prefix);
  }
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return 'null';
    case 'bool':
      return String(v);
    case 'int':
      return String(v);
    case 'float':
      return floatJSON(numberOf(v));
    case 'string':
      return goJSONString(v as string);
    case 'slice': {
      const a = v as unknown[];
      if (a.length === 0) return '[]';
      return `[${nlInner}${a.map((e) => goJSON(e, indent, inner)).join(`,${nlInner}`)}${nl}]`;
    }
    case 'map': {
      if (!(v instanceof Map)) return objectJSON(v as Record<string, unknown>, indent, prefix);
      const e = mapEntries(v);
      return membersJSON(
        e.map(([k]) => String(k)),
        (i) => (e[i] as [unknown, unknown])[1],
        indent,
        prefix,
      );
    }
    case 'struct': {
      if (v instanceof Date) return goJSONString(goRFC3339NanoUTC(v));
      const f = structFields(v as object).filter(([, x]) => x !== undefined);
      if (f.length === 0) return '{}';
      return `{${nlInner}${f.map(([k, x]) => `${goJSONString(k)}${colon}${goJSON(x, indent, inner)}`).join(`,${nlInner}`)}${nl}}`;
    }
    case 'func':
      throw new JSONUnsupportedError(`json: unsupported type: ${typeName(v)}`);
  }
}

/**
 * A plain object as a Go map: keys sorted (Go's bytewise order, which for JS strings is the order
 * of UTF-16 code units, as `sort()` compares them — the order mapEntries gives), without the
 * entry arrays mapEntries builds.
 */
function objectJSON(o: Record<string, unknown>, indent: string, prefix: string): string {
  const keys = Object.keys(o);
  if (keys.length === 0) return '{}';
  let sorted = true;
  for (let i = 1; i < keys.length; i++) {
    if ((keys[i - 1] as string) > (keys[i] as string)) {
      sorted = false;
      break;
    }
  }
  if (!sorted) keys.sort();
  return membersJSON(keys, (i) => o[keys[i] as string], indent, prefix);
}

/**
 * A Go map's members, keys in the order given: `{"k":v,…}`, or indented as goJSON indents. Built
 * in one pass without entry strings: `{{json .}}` encodes one object per row.
 */
function membersJSON(keys: readonly string[], value: (i: number) => unknown, indent: string, prefix: string): string {
  if (keys.length === 0) return '{}';
  const inner = prefix + indent;
  const nlInner = indent === '' ? '' : `\n${inner}`;
  const colon = indent === '' ? ':' : ': ';
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    out += `${i === 0 ? '' : ','}${nlInner}${goJSONString(keys[i] as string)}${colon}${goJSON(value(i), indent, inner)}`;
  }
  return `${out}${indent === '' ? '' : `\n${prefix}`}}`;
}
