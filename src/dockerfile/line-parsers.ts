/**
 * Turning one logical instruction line into a node: splitting the keyword and builder flags off,
 * then reading the arguments by the rules of each instruction (BuildKit's dispatch table).
 *
 * | rule                 | instructions                   | arguments become                                 |
 * |----------------------|--------------------------------|--------------------------------------------------|
 * | maybe JSON           | RUN CMD ENTRYPOINT SHELL       | one string, or the JSON array's strings          |
 * | maybe JSON to list   | ADD COPY VOLUME                | whitespace-split words, or the JSON strings      |
 * | whitespace-delimited | FROM EXPOSE                    | whitespace-split words                           |
 * | name/value           | ENV LABEL                      | `key value sep` triples (sep `=` or `` legacy)   |
 * | name or name=value   | ARG                            | quote-aware words                                |
 * | string               | MAINTAINER USER WORKDIR STOPSIGNAL | the rest of the line                         |
 * | health config        | HEALTHCHECK                    | the type word, then maybe JSON                   |
 * | sub-command          | ONBUILD                        | a node whose child is the inner instruction      |
 * | ignore               | anything else                  | one empty argument                               |
 */
import { goQuote } from '../go-compat.js';
import { decodeBytes, goLower, isSpace, isSpaceByte, splitWhitespace, trimLeftSpace, trimSpace } from './_go.js';
import { argNode, chain, makeNode, type Node } from './node.js';

/** The parser state a line parser needs: the escape character (`\` or a backtick). */
export interface LineDirectives {
  escapeToken: string;
}

/** Thrown by line parsers; the parser adds the line range. */
export class LineParseError extends Error {}

export const ERR_NOT_STRING_ARRAY = 'when using JSON array syntax, arrays must be comprised of strings only';

type LineParser = (rest: string, d: LineDirectives) => { node: Node | null; json?: boolean };

/**
 * Splits `line` into keyword, builder flags and the argument text (BuildKit's splitCommand).
 */
export function splitCommand(line: string, d: LineDirectives): { cmd: string; flags: string[]; args: string } {
  const parts = splitWhitespace(trimSpace(line), 2);
  let args = '';
  let flags: string[] = [];
  if (parts.length === 2) ({ rest: args, flags } = extractBuilderFlags(parts[1]!, d));
  return { cmd: parts[0]!, flags, args: trimSpace(args) };
}

/**
 * Leading `--flag[=value]` words, quote-aware, up to the first word that does not start with `--`
 * (or a bare `--`). BuildKit scans this part byte by byte, treating each byte as a character; we do
 * the same so that non-ASCII flag values come out exactly as BuildKit stores them.
 */
export function extractBuilderFlags(line: string, d: LineDirectives): { rest: string; flags: string[] } {
  // Fast path: no flags. Only ASCII bytes can be blanks or '-', and a non-ASCII character's first
  // UTF-8 byte is neither, so scanning UTF-16 units gives the same answer here.
  let i = 0;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c !== 0x20 && (c < 0x09 || c > 0x0d)) break;
    i++;
  }
  if (line.charCodeAt(i) !== 0x2d || line.charCodeAt(i + 1) !== 0x2d) return { rest: i === line.length ? '' : line.slice(i), flags: [] };
  const b = Buffer.from(line, 'utf8');
  const esc = d.escapeToken.charCodeAt(0);
  const words: string[] = [];
  const IN_SPACES = 0;
  const IN_WORD = 1;
  const IN_QUOTE = 2;
  let phase = IN_SPACES;
  let word = '';
  let quote = 0;
  let blankOK = false;
  let ch = 0;
  const restAt = (pos: number): string => b.subarray(pos).toString('utf8');
  for (let pos = 0; pos <= b.length; pos++) {
    if (pos !== b.length) ch = b[pos]!;
    if (phase === IN_SPACES) {
      if (pos === b.length) break;
      if (isSpaceByte(ch)) continue;
      if (ch !== 0x2d || pos + 1 === b.length || b[pos + 1] !== 0x2d) return { rest: restAt(pos), flags: words };
      phase = IN_WORD;
    }
    if ((phase === IN_WORD || phase === IN_QUOTE) && pos === b.length) {
      if (word !== '--' && (blankOK || word.length > 0)) words.push(word);
      break;
    }
    if (phase === IN_WORD) {
      if (isSpaceByte(ch)) {
        phase = IN_SPACES;
        if (word === '--') return { rest: restAt(pos), flags: words };
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOK = true;
        phase = IN_QUOTE;
        continue;
      }
      if (ch === esc) {
        if (pos + 1 === b.length) continue;
        pos++;
        ch = b[pos]!;
      }
      word += String.fromCharCode(ch);
      continue;
    }
    // IN_QUOTE
    if (ch === quote) {
      phase = IN_WORD;
      continue;
    }
    if (ch === esc) {
      if (pos + 1 === b.length) {
        phase = IN_WORD;
        continue;
      }
      pos++;
      ch = b[pos]!;
    }
    word += String.fromCharCode(ch);
  }
  return { rest: '', flags: words };
}

/**
 * Splits on whitespace outside quotes, keeping quotes and escapes in the words (ENV, LABEL, ARG).
 */
export function parseWords(rest: string, d: LineDirectives): string[] {
  const cps = Array.from(rest, (c) => c.codePointAt(0)!);
  const esc = d.escapeToken.codePointAt(0)!;
  const words: string[] = [];
  const IN_SPACES = 0;
  const IN_WORD = 1;
  const IN_QUOTE = 2;
  let phase = IN_SPACES;
  let quote = 0;
  let blankOK = false;
  let word = '';
  let ch = 0;
  const n = cps.length;
  for (let pos = 0; pos <= n; pos++) {
    if (pos !== n) ch = cps[pos]!;
    if (phase === IN_SPACES) {
      if (pos === n) break;
      if (isSpace(ch)) continue;
      phase = IN_WORD;
    }
    if ((phase === IN_WORD || phase === IN_QUOTE) && pos === n) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === IN_WORD) {
      if (isSpace(ch)) {
        phase = IN_SPACES;
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOK = true;
        phase = IN_QUOTE;
      }
      if (ch === esc) {
        if (pos + 1 === n) continue;
        word += String.fromCodePoint(ch);
        pos++;
        ch = cps[pos]!;
      }
      word += String.fromCodePoint(ch);
      continue;
    }
    // IN_QUOTE
    if (ch === quote) phase = IN_WORD;
    if (ch === esc && quote !== 0x27) {
      if (pos + 1 === n) {
        phase = IN_WORD;
        continue;
      }
      pos++;
      word += String.fromCodePoint(ch);
      ch = cps[pos]!;
    }
    word += String.fromCodePoint(ch);
  }
  return words;
}

function keyValue(key: string, value: string, sep: string): Node {
  return argNode(key, argNode(value, argNode(sep)));
}

/** `KEY name value` (legacy) or `KEY a=b c=d` (ENV, LABEL) as `key value sep` triples. */
export function parseNameVal(rest: string, key: string, d: LineDirectives): Node | null {
  const words = parseWords(rest, d);
  if (words.length === 0) return null;
  if (!words[0]!.includes('=')) {
    const parts = splitWhitespace(rest, 2);
    if (parts.length < 2) throw new LineParseError(`${key} must have two arguments`);
    return keyValue(parts[0]!, parts[1]!, '');
  }
  const values: string[] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0) throw new LineParseError(`Syntax error - can't find = in ${goQuote(w)}. Must be of the form: name=value`);
    values.push(w.slice(0, eq), w.slice(eq + 1), '=');
  }
  return chain(values);
}

function parseNameOrNameVal(rest: string, d: LineDirectives): { node: Node | null } {
  return { node: chain(parseWords(rest, d)) };
}

function parseStringsWhitespaceDelimited(rest: string): { node: Node | null } {
  if (rest === '') return { node: null };
  return { node: chain(splitWhitespace(rest, -1)) };
}

function parseString(rest: string): { node: Node | null } {
  return { node: rest === '' ? null : argNode(rest) };
}

// Go's JSON decoder turns an unpaired \ud800-style escape into U+FFFD.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

class NotStringArray extends Error {}

/**
 * An exec-form JSON array of strings; undefined when the text is not a JSON array (then it is
 * shell form); throws NotStringArray for an array holding anything but strings. Mirrors Go's
 * encoding/json: numbers that overflow a float64 make the document invalid, and lone UTF-16
 * surrogates decode to U+FFFD. Not-JSON is the common case, so it is a return value, not an exception.
 */
function tryJSONArray(rest: string): string[] | undefined {
  const text = trimLeftSpace(rest);
  if (!text.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const out: string[] = [];
  for (const v of parsed) {
    if (typeof v === 'string') {
      out.push(v.replace(LONE_SURROGATE, '\ufffd'));
      continue;
    }
    // Go's decoder fails outright (so the text is shell form) on nesting deeper than 10,000 and on
    // numbers beyond float64; only a document it decodes can be "not strings". Checked here, on
    // the error path, to keep the common case cheap.
    if (jsonNestingDepth(text) > 10_000 || hasNonFiniteNumber(parsed)) return undefined;
    throw new NotStringArray(ERR_NOT_STRING_ARRAY);
  }
  return out;
}

/** The deepest nesting of arrays and objects in JSON text. */
function jsonNestingDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) max = Math.max(max, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

/** True when a decoded JSON value holds a number that overflowed to ±Infinity (iterative: it may be deep). */
function hasNonFiniteNumber(value: unknown): boolean {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (v !== null && typeof v === 'object') {
      for (const x of Object.values(v)) stack.push(x);
    }
  }
  return false;
}

/** An exec-form JSON array of strings. Throws when the text is not one (`not a JSON array`, or the string-array message). */
export function parseJSONArray(rest: string): string[] {
  const out = tryJSONArray(rest);
  if (out === undefined) throw new Error('not a JSON array');
  return out;
}

function parseMaybeJSON(rest: string): { node: Node | null; json?: boolean } {
  if (rest === '') return { node: null };
  const arr = jsonOrFail(rest);
  if (arr !== undefined) return { node: chain(arr), json: true };
  return { node: argNode(rest) };
}

function jsonOrFail(rest: string): string[] | undefined {
  try {
    return tryJSONArray(rest);
  } catch (err) {
    if (err instanceof NotStringArray) throw new LineParseError(err.message);
    throw err;
  }
}

function parseMaybeJSONToList(rest: string): { node: Node | null; json?: boolean } {
  const arr = jsonOrFail(rest);
  if (arr !== undefined) return { node: chain(arr), json: true };
  return parseStringsWhitespaceDelimited(rest);
}

function parseHealthConfig(rest: string): { node: Node | null; json?: boolean } {
  // BuildKit finds the type word byte by byte (a UTF-8 byte 0x85 or 0xA0 counts as a space), so it
  // can cut a character in two; decodeBytes keeps the stray bytes as BuildKit's tree has them.
  const b = Buffer.from(rest, 'utf8');
  let sep = 0;
  while (sep < b.length && !isSpaceByte(b[sep]!)) sep++;
  let next = sep;
  while (next < b.length && isSpaceByte(b[next]!)) next++;
  if (sep === 0) return { node: null };
  const typ = decodeBytes(b.subarray(0, sep));
  const cmd = parseMaybeJSON(decodeBytes(b.subarray(next)));
  const out: { node: Node | null; json?: boolean } = { node: argNode(typ, cmd.node) };
  if (cmd.json === true) out.json = true;
  return out;
}

function parseSubCommand(rest: string, d: LineDirectives): { node: Node | null } {
  if (rest === '') return { node: null };
  const child = nodeFromLine(rest, d, []);
  return { node: makeNode({ children: [child] }) };
}

const DISPATCH: Record<string, LineParser> = {
  add: parseMaybeJSONToList,
  arg: parseNameOrNameVal,
  cmd: parseMaybeJSON,
  copy: parseMaybeJSONToList,
  entrypoint: parseMaybeJSON,
  env: (rest, d) => ({ node: parseNameVal(rest, 'ENV', d) }),
  expose: parseStringsWhitespaceDelimited,
  from: parseStringsWhitespaceDelimited,
  healthcheck: parseHealthConfig,
  label: (rest, d) => ({ node: parseNameVal(rest, 'LABEL', d) }),
  maintainer: parseString,
  onbuild: parseSubCommand,
  run: parseMaybeJSON,
  shell: parseMaybeJSON,
  stopsignal: parseString,
  user: parseString,
  volume: parseMaybeJSONToList,
  workdir: parseString,
};

/** The instructions BuildKit knows, lower-case. */
export const INSTRUCTION_NAMES: readonly string[] = Object.keys(DISPATCH);

/**
 * One logical line as a node. Unknown keywords parse (with one empty argument) so that the
 * instruction layer can report them with a suggestion, as BuildKit does.
 */
export function nodeFromLine(line: string, d: LineDirectives, comments: string[]): Node {
  const { cmd, flags, args } = splitCommand(line, d);
  const fn = DISPATCH[goLower(cmd)];
  const { node: next, json } = fn === undefined ? { node: argNode(''), json: undefined } : fn(args, d);
  return makeNode({
    value: cmd,
    original: line,
    flags,
    next,
    attributes: json === true ? { json: true } : {},
    prevComment: comments,
  });
}
