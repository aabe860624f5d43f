/**
 * The Dockerfile parser: text in, BuildKit's parse tree out.
 *
 * It reads line by line as BuildKit does: parser directives at the top, comments and blank lines
 * skipped, an escape character at the end of a line joining the next one (comment lines and empty
 * lines inside a continuation are dropped, the latter with a warning), the keyword and `--flags`
 * split off, arguments read per instruction, and heredoc bodies collected after a RUN, COPY or ADD
 * line that opens them. A line of 64 KiB or more is refused, as BuildKit's line scanner refuses it.
 *
 * @example
 * ```ts
 * const { ast, warnings } = parse('FROM busybox\nRUN echo hi\n');
 * ast.children[1].value; // 'RUN'
 * ```
 */
import { goLower, isSpace, trimLeftSpace, trimSpace } from './_go.js';
import { DirectiveParser, DuplicateDirectiveError, type Directive } from './directives.js';
import { syntaxError } from './errors.js';
import { heredocsFromLine } from './heredoc.js';
import { LineParseError, nodeFromLine, type LineDirectives } from './line-parsers.js';
import { makeNode, type Heredoc, type Node, type Warning } from './node.js';

export interface ParseResult {
  /** The root node; its `children` are the instructions. */
  ast: Node;
  /** The escape character in force (`\` or a backtick). */
  escapeToken: string;
  /** The parser directives found at the top, in order. */
  directives: Directive[];
  warnings: Warning[];
}

export interface ParseOptions {
  /** The name errors show (`Dockerfile:3: …`); `Dockerfile` by default. */
  filename?: string;
}

/** bufio.MaxScanTokenSize: BuildKit cannot read a longer line. */
const MAX_LINE_BYTES = 64 * 1024;

const EMPTY_CONTINUATION_URL = 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/';

/** Lines with their endings, stopping (like Go's bufio.Scanner) at a line too long to buffer. */
class LineScanner {
  readonly #text: string;
  #pos = 0;
  line = '';
  tooLong = false;

  constructor(text: string) {
    this.#text = text;
  }

  scan(): boolean {
    if (this.tooLong || this.#pos >= this.#text.length) return false;
    const nl = this.#text.indexOf('\n', this.#pos);
    const end = nl < 0 ? this.#text.length : nl + 1;
    const contentLength = (nl < 0 ? end : nl) - this.#pos;
    // A UTF-8 byte count is needed only when the line could reach the limit (≤ 3 bytes per unit).
    if (contentLength * 3 >= MAX_LINE_BYTES) {
      const bytes = Buffer.byteLength(this.#text.slice(this.#pos, nl < 0 ? end : nl), 'utf8');
      if (bytes >= MAX_LINE_BYTES) {
        this.tooLong = true;
        return false;
      }
    }
    this.line = this.#text.slice(this.#pos, end);
    this.#pos = end;
    return true;
  }
}

/** Go's bytes.TrimRight(s, "\r\n"). */
function trimNewline(s: string): string {
  let j = s.length;
  while (j > 0) {
    const c = s.charCodeAt(j - 1);
    if (c !== 0x0a && c !== 0x0d) break;
    j--;
  }
  return j === s.length ? s : s.slice(0, j);
}

function isComment(line: string): boolean {
  const t = trimLeftSpace(line);
  return t.length > 0 && t.charCodeAt(0) === 0x23;
}

function continuationRegex(escape: string): RegExp {
  const e = escape === '`' ? '`' : '\\\\';
  return new RegExp(`([^${e}])${e}[ \\t]*$|^${e}[ \\t]*$`);
}

const HEREDOC_INSTRUCTIONS = new Set(['add', 'copy', 'run']);

function canContainHeredoc(node: Node): boolean {
  let n = node;
  if (goLower(n.value) === 'onbuild' && n.next !== null && n.next.children.length > 0) n = n.next.children[0]!;
  if (!HEREDOC_INSTRUCTIONS.has(goLower(n.value))) return false;
  return n.attributes.json !== true;
}

/**
 * Parses a Dockerfile into BuildKit's node tree.
 *
 * @throws {DockerfileSyntaxError} for what BuildKit's parser refuses: a bad or repeated directive,
 *   a non-string JSON array, `ENV name` without a value, an unterminated heredoc, a file with no
 *   instructions, a line of 64 KiB or more.
 */
export function parse(text: string, options: ParseOptions = {}): ParseResult {
  const filename = options.filename;
  const fail = (reason: string, start: number, end = start): never => {
    throw syntaxError(reason, start, end, filename);
  };
  const d: LineDirectives = { escapeToken: '\\' };
  let continuation = continuationRegex('\\');
  const directiveParser = new DirectiveParser();
  const directives: Directive[] = [];
  const warnings: Warning[] = [];
  const root = makeNode({ startLine: -1 });
  const src = new LineScanner(text);
  let currentLine = 0;
  let comments: string[] = [];

  // Returns the line without its ending, comment lines emptied; applies directives as it meets them.
  const processLine = (raw: string, stripLeft: boolean, lineNo: number): { text: string; directive: boolean } => {
    let token = trimNewline(raw);
    if (stripLeft) token = trimLeftSpace(token);
    let directive = false;
    if (!directiveParser.done) {
      let found: Directive | undefined;
      try {
        found = directiveParser.parseLine(token);
      } catch (err) {
        if (err instanceof DuplicateDirectiveError) fail(err.message, lineNo);
        throw err;
      }
      if (found !== undefined) {
        if (found.name === 'escape') {
          if (found.value !== '`' && found.value !== '\\') {
            fail(`invalid escape token '${found.value}' does not match \` or \\`, lineNo);
          }
          d.escapeToken = found.value;
          continuation = continuationRegex(found.value);
        }
        directives.push(found);
        directive = true;
      }
    }
    return { text: isComment(token) ? '' : token, directive };
  };

  const trimContinuation = (line: string): { text: string; endOfLine: boolean } => {
    if (continuation.test(line)) return { text: line.replace(continuation, '$1'), endOfLine: false };
    return { text: line, endOfLine: true };
  };

  while (src.scan()) {
    let raw = src.line;
    if (currentLine === 0 && raw.charCodeAt(0) === 0xfeff) raw = raw.slice(1);
    if (isComment(raw)) {
      // BuildKit drops the first byte, not the '#': an indented comment keeps its '#'.
      const comment = trimSpace(raw.slice(1));
      if (comment === '') comments = [];
      else comments = [...comments, comment];
    }
    const processed = processLine(raw, true, currentLine + 1);
    if (processed.directive) comments = comments.slice(0, -1);
    currentLine++;
    const startLine = currentLine;
    let { text: line, endOfLine } = trimContinuation(processed.text);
    if (endOfLine && line.length === 0) continue;

    let hasEmptyContinuationLine = false;
    while (!endOfLine && src.scan()) {
      const next = src.line;
      const p = processLine(next, false, currentLine + 1);
      currentLine++;
      if (isComment(next)) continue;
      if (isEmptyLine(p.text)) {
        hasEmptyContinuationLine = true;
        continue;
      }
      const t = trimContinuation(p.text);
      endOfLine = t.endOfLine;
      line += t.text;
    }

    if (hasEmptyContinuationLine) {
      warnings.push({
        short: 'Empty continuation line found in: ' + line,
        detail: ['Empty continuation lines will become errors in a future release'],
        url: EMPTY_CONTINUATION_URL,
        line: currentLine,
      });
    }

    let child: Node;
    try {
      child = nodeFromLine(line, d, comments);
    } catch (err) {
      if (err instanceof LineParseError) fail(err.message, startLine, currentLine);
      throw err;
    }

    if (canContainHeredoc(child) && line.includes('<<')) {
      let heredocs: Heredoc[] = [];
      try {
        heredocs = heredocsFromLine(line);
      } catch (err) {
        fail(err instanceof Error ? err.message : String(err), startLine, currentLine);
      }
      for (const heredoc of heredocs) {
        let terminated = false;
        let content = heredoc.content;
        while (src.scan()) {
          const body = src.line;
          currentLine++;
          let candidate = trimNewline(body);
          if (heredoc.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === heredoc.name) {
            terminated = true;
            break;
          }
          content += body;
        }
        if (!terminated) fail('unterminated heredoc', startLine, currentLine);
        child.heredocs.push({ ...heredoc, content });
      }
    }

    child.startLine = startLine;
    child.endLine = currentLine;
    if (root.startLine < 0) root.startLine = startLine;
    root.endLine = currentLine;
    root.children.push(child);
    comments = [];
  }

  if (root.startLine < 0) fail('file with no instructions', currentLine);
  if (src.tooLong) fail(`dockerfile line greater than max allowed size of ${MAX_LINE_BYTES - 1}`, currentLine);

  return { ast: root, escapeToken: d.escapeToken, directives, warnings };
}

function isEmptyLine(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (!isSpace(s.charCodeAt(i))) return false;
  return true;
}
