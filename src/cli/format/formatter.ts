/**
 * docker's `formatter.Context.Write`: runs a `--format` over a list of row contexts. Table
 * formats (`table …`) get a header row — the same template executed over a map of column
 * names with docker's header functions — and are aligned with docker's tabwriter; other formats
 * print one line per row. Errors read `template parsing error: <Go's error>` as docker's do.
 */
import { InvalidArgumentError } from '../../errors.js';
import { DOCKER_HEADER_FUNCS, isTableFormat, parseDockerTemplate, templateString } from './docker-template.js';
import { alignTable } from './tabwriter.js';
import { TemplateExecError, TemplateParseError, type Template } from './template/index.js';

/** A `--format` that does not parse or fails on a row; the message is docker's. */
export class FormatError extends InvalidArgumentError {
  constructor(cause: TemplateParseError | TemplateExecError) {
    super('FORMAT', `template parsing error: ${cause.message}`, { cause });
  }
}

/**
 * Parses a `--format` value into a template, as docker does before rendering anything.
 * @throws {FormatError}
 */
export function parseFormat(format: string): Template {
  try {
    return parseDockerTemplate(templateString(format));
  } catch (e) {
    if (e instanceof TemplateParseError) throw new FormatError(e);
    throw e;
  }
}

/** Executes `tmpl` over one row context. @throws {FormatError} */
export function executeRow(tmpl: Template, row: unknown): string {
  try {
    return tmpl.execute(row);
  } catch (e) {
    if (e instanceof TemplateExecError) throw new FormatError(e);
    throw e;
  }
}

/**
 * Renders `rows` with `format`. `header` maps field names to column titles (docker's
 * SubHeaderContext); it is used only for table formats.
 * @throws {FormatError}
 */
export function writeFormatted(format: string, header: Record<string, string>, rows: Iterable<unknown>): string {
  const tmpl = parseFormat(format);
  // The rows' texts joined once: appending each to one string would build a rope of two nodes per
  // row, to be flattened again when written.
  const lines: string[] = [];
  if (Array.isArray(rows)) {
    // Indexed for an array (a listing's rows): a for…of step allocates until V8 optimizes the loop.
    for (let i = 0; i < rows.length; i++) lines.push(executeRow(tmpl, rows[i]));
  } else {
    for (const row of rows) lines.push(executeRow(tmpl, row));
  }
  lines.push('');
  const buffer = lines.join('\n');
  if (!isTableFormat(format)) return buffer;
  // docker ignores header errors: whatever the header template printed before failing stays.
  const headerLine = tmpl.withFuncs(DOCKER_HEADER_FUNCS).executePartial(headerContext(header)).output;
  return alignTable(`${headerLine}\n${buffer}`);
}

/** docker's SubHeaderContext is a `map[string]string`; type name kept for error texts. */
function headerContext(header: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(header));
}
