/**
 * Parser directives: `# syntax=…`, `# escape=…` and `# check=…` comment lines at the very top of a
 * Dockerfile. They are recognised only before the first instruction, blank line or ordinary comment;
 * names are case-insensitive; each may appear once.
 */
import { trimLeftSpace } from './_go.js';

/** The directives BuildKit knows; any other `# key=value` comment ends the directive block. */
export const DIRECTIVE_NAMES = ['syntax', 'escape', 'check'] as const;
export type DirectiveName = (typeof DIRECTIVE_NAMES)[number];

export interface Directive {
  /** Lower-cased name. */
  name: DirectiveName;
  value: string;
  /** 1-based line. */
  line: number;
}

const NAME = /^[a-zA-Z][a-zA-Z0-9]*/;

// Go's `\s`: [\t\n\f\r ].
function isGoRegexpSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d;
}

/**
 * BuildKit's directive pattern `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`, matched by hand: as a
 * backtracking JavaScript regexp it takes quadratic time on a long run of blanks, and a directive
 * line may be 64 KiB. Lines never hold `\n` here. A value of blanks only leaves the regexp one blank
 * to match `(.+?)`: the last one.
 */
function matchDirective(line: string): { name: string; value: string } | undefined {
  const name = NAME.exec(line)?.[0];
  if (name === undefined) return undefined;
  let i = name.length;
  while (i < line.length && isGoRegexpSpace(line.charCodeAt(i))) i++;
  if (line.charCodeAt(i) !== 0x3d /* = */) return undefined;
  i++;
  const afterEq = i;
  while (i < line.length && isGoRegexpSpace(line.charCodeAt(i))) i++;
  let end = line.length;
  while (end > i && isGoRegexpSpace(line.charCodeAt(end - 1))) end--;
  if (end > i) return { name, value: line.slice(i, end) };
  if (i > afterEq) return { name, value: line.slice(i - 1, i) };
  return undefined;
}

/** Thrown for a repeated directive; the caller adds the location. */
export class DuplicateDirectiveError extends Error {}

/**
 * Reads directives line by line until the first line that is not one (BuildKit's DirectiveParser).
 * Feed it every line in order; after the block ends it ignores everything.
 */
export class DirectiveParser {
  #line: number;
  #done = false;
  readonly #seen = new Set<string>();
  readonly #prefix: string;

  constructor(options: { prefix?: string; firstLine?: number } = {}) {
    this.#prefix = options.prefix ?? '#';
    this.#line = options.firstLine ?? 0;
  }

  get done(): boolean {
    return this.#done;
  }

  /** The directive on `line`, or undefined. Throws DuplicateDirectiveError on a repeated name. */
  parseLine(line: string): Directive | undefined {
    this.#line++;
    if (this.#done) return undefined;
    if (!line.startsWith(this.#prefix)) {
      this.#done = true;
      return undefined;
    }
    const m = matchDirective(trimLeftSpace(line.slice(this.#prefix.length)));
    if (m === undefined) {
      this.#done = true;
      return undefined;
    }
    const name = m.name.toLowerCase();
    if (!(DIRECTIVE_NAMES as readonly string[]).includes(name)) {
      this.#done = true;
      return undefined;
    }
    if (this.#seen.has(name)) throw new DuplicateDirectiveError(`only one ${name} parser directive can be used`);
    this.#seen.add(name);
    return { name: name as DirectiveName, value: m.value, line: this.#line };
  }

  /** All directives at the top of `text` (lines split like Go's bufio.ScanLines: `\r\n` or `\n`). */
  parseAll(text: string): Directive[] {
    const out: Directive[] = [];
    for (const line of scanLines(text)) {
      if (this.#done) break;
      let d: Directive | undefined;
      try {
        d = this.parseLine(line);
      } catch (err) {
        if (err instanceof DuplicateDirectiveError) return out;
        throw err;
      }
      if (d !== undefined) out.push(d);
    }
    return out;
  }
}

function scanLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
}

/** What `detectSyntax` and `parseDirective` find. */
export interface DirectiveLookup {
  /** The value up to its first space (the frontend reference for `syntax`). */
  value: string;
  /** The whole value, including options after the first space. */
  cmdline: string;
  /** 1-based line of the directive (0 for the JSON form). */
  line: number;
}

/**
 * The `syntax` directive of a Dockerfile, as BuildKit's `DetectSyntax` reads it: `# syntax=`, then
 * `// syntax=`, then a JSON object with a `syntax` key; a leading `#!` line is skipped.
 */
export function detectSyntax(text: string): DirectiveLookup | undefined {
  return lookupDirective('syntax', text, true);
}

/** One directive by name (`check`), in `#` form only, as BuildKit's `ParseDirective`. */
export function parseDirective(key: string, text: string): DirectiveLookup | undefined {
  return lookupDirective(key, text, false);
}

function lookupDirective(key: string, text: string, anyFormat: boolean): DirectiveLookup | undefined {
  let dt = text.startsWith('\ufeff') ? text.slice(1) : text;
  let firstLine = 0;
  const nl = dt.indexOf('\n');
  const head = nl < 0 ? dt : dt.slice(0, nl);
  if (head.startsWith('#!')) {
    dt = nl < 0 ? '' : dt.slice(nl + 1);
    firstLine = 1;
  }
  const found = (p: DirectiveParser): DirectiveLookup | undefined => {
    for (const d of p.parseAll(dt)) {
      if (d.name === key) {
        const sp = d.value.indexOf(' ');
        return { value: sp < 0 ? d.value : d.value.slice(0, sp), cmdline: d.value, line: d.line };
      }
    }
    return undefined;
  };
  const hash = found(new DirectiveParser({ firstLine }));
  if (hash !== undefined || !anyFormat) return hash;
  const slashes = found(new DirectiveParser({ prefix: '//', firstLine }));
  if (slashes !== undefined) return slashes;
  try {
    const obj: unknown = JSON.parse(dt);
    if (typeof obj === 'object' && obj !== null && !Array.isArray(obj)) {
      const v = (obj as Record<string, unknown>)[key];
      if (typeof v === 'string') return { value: v, cmdline: v, line: firstLine };
    }
  } catch {
    // not JSON: no directive
  }
  return undefined;
}
