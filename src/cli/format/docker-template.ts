/**
 * docker's layer over Go templates (docker/cli `templates` and `formatter.Format`): the extra
 * functions every `--format` gets (`json split join title lower upper pad truncate`), the no-op
 * variants used to render a table's header row, and how a `--format` value becomes a template
 * (`table` prefix, `json` shorthand, `\t`/`\n` escapes).
 */
import { goJSON } from './json.js';
import { sprintValue } from './template/fmt.js';
import { Template, goFunc, type FuncMap, type GoFunc } from './template/index.js';
import { kindOf, mapEntries } from './template/values.js';

const str = (params: Array<'string' | 'int' | 'any'>, fn: (...a: never[]) => unknown, typeName: string): GoFunc => ({
  ...goFunc(params, fn as (...a: unknown[]) => unknown),
  typeName,
});

/** strings.Title: upper-cases the first letter of each word. */
export function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const ch of s) {
    out += isSeparator(prev) ? goToUpper(ch) : ch;
    prev = ch;
  }
  return out;
}

function isSeparator(ch: string): boolean {
  const cp = ch.codePointAt(0) as number;
  if (cp <= 0x7f) {
    if (/[0-9a-zA-Z_]/.test(ch)) return false;
    return true;
  }
  if (/[\p{L}\p{Nd}]/u.test(ch)) return false;
  return /\s/u.test(ch);
}

function truncateBytes(source: string, length: number): string {
  const b = Buffer.from(source, 'utf8');
  if (b.length < length) return source;
  if (length < 0) throw new Error(`runtime error: slice bounds out of range [:${length}]`);
  return b.subarray(0, length).toString('utf8');
}

function repeat(n: number): string {
  if (n < 0) throw new Error('strings: negative Repeat count');
  return ' '.repeat(n);
}

/**
 * Go's strings.ToUpper/ToLower map rune by rune; JS applies special casing that can change the
 * length (`ß` → `SS`). Keep a rune whose JS mapping is not a single rune, as Go does.
 */
function mapRunes(s: string, f: (ch: string) => string): string {
  let out = '';
  for (const ch of s) {
    const m = f(ch);
    out += [...m].length === 1 ? m : ch;
  }
  return out;
}

export const goToUpper = (s: string): string => mapRunes(s, (c) => c.toUpperCase());
export const goToLower = (s: string): string => mapRunes(s, (c) => c.toLowerCase());

function join(elems: unknown, sep: string): string {
  switch (kindOf(elems)) {
    case 'invalid':
    case 'nil':
      return '';
    case 'slice':
      return (elems as unknown[]).map((e) => (typeof e === 'string' ? e : sprintValue(e))).join(sep);
    case 'map':
      return mapEntries(elems)
        .map(([, v]) => (typeof v === 'string' ? v : sprintValue(v)))
        .sort()
        .join(sep);
    default:
      throw new Error(`expected slice, got ${elemsType(elems)}`);
  }
}

function elemsType(v: unknown): string {
  switch (kindOf(v)) {
    case 'string':
      return 'string';
    case 'int':
      return 'int';
    case 'float':
      return 'float64';
    case 'bool':
      return 'bool';
    default:
      return typeof v === 'object' && v !== null ? (v.constructor?.name ?? 'struct') : typeof v;
  }
}

/** docker's `basicFunctions`, added to every `--format` template. */
export const DOCKER_FUNCS: FuncMap = {
  json: str(['any'], (v: unknown) => goJSON(v), 'func(interface {}) string'),
  split: str(['string', 'string'], (s: string, sep: string) => goSplit(s, sep), 'func(string, string) []string'),
  join: str(['any', 'string'], join as (...a: never[]) => unknown, 'func(interface {}, string) (string, error)'),
  title: str(['string'], goTitle, 'func(string) string'),
  lower: str(['string'], goToLower, 'func(string) string'),
  upper: str(['string'], goToUpper, 'func(string) string'),
  pad: str(
    ['string', 'int', 'int'],
    (s: string, prefix: number, suffix: number) => (s === '' ? s : repeat(prefix) + s + repeat(suffix)),
    'func(string, int, int) string',
  ),
  truncate: str(['string', 'int'], truncateBytes, 'func(string, int) string'),
};

/** docker's `HeaderFunctions`: a table header shows column names untouched (`pad` still pads). */
export const DOCKER_HEADER_FUNCS: FuncMap = {
  json: str(['string'], (v: string) => v, 'func(string) string'),
  split: str(['string', 'string'], (v: string) => v, 'func(string, string) string'),
  join: str(['string', 'string'], (v: string) => v, 'func(string, string) string'),
  title: str(['string'], (v: string) => v, 'func(string) string'),
  lower: str(['string'], (v: string) => v, 'func(string) string'),
  upper: str(['string'], (v: string) => v, 'func(string) string'),
  truncate: str(['string', 'int'], (v: string) => v, 'func(string, int) string'),
};

/** strings.Split: an empty separator splits into characters. */
export function goSplit(s: string, sep: string): string[] {
  if (sep === '') return [...s];
  return s.split(sep);
}

/** Parses a format with docker's functions and an empty template name, as `templates.Parse` does. */
export function parseDockerTemplate(format: string): Template {
  return Template.parse(format, { name: '', funcs: DOCKER_FUNCS });
}

/** A `--format` value as docker classifies it. */
export const TABLE_FORMAT_KEY = 'table';
export const RAW_FORMAT_KEY = 'raw';
export const JSON_FORMAT_KEY = 'json';

export function isTableFormat(format: string): boolean {
  return format.startsWith(TABLE_FORMAT_KEY);
}

/**
 * The template text docker executes for a format: `json` → `{{json .}}`, a `table` prefix
 * removed, surrounding spaces trimmed, and the two-character sequences `\t` and `\n` turned into
 * a tab and a newline (shells pass them literally).
 */
export function templateString(format: string): string {
  if (format === TABLE_FORMAT_KEY) return '';
  if (format === JSON_FORMAT_KEY) return '{{json .}}';
  let out = format;
  if (out.startsWith(TABLE_FORMAT_KEY)) out = out.slice(TABLE_FORMAT_KEY.length);
  out = out.replace(/^ +| +$/g, '');
  return out.replace(/\\t|\\n/g, (m) => (m === '\\t' ? '\t' : '\n'));
}
