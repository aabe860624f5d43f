/**
 * The one error the Dockerfile front end throws: text that BuildKit refuses, with where it is.
 *
 * `reason` is BuildKit's own message (`unknown instruction: FOO`, `ENV requires at least one argument`),
 * kept verbatim because users search for it; `message` prefixes the file and line the way
 * `docker build` points at them (`Dockerfile:12: unknown instruction: FOO`).
 */
import { InvalidArgumentError } from '../errors.js';

/** A 1-based, inclusive range of source lines. */
export interface LineRange {
  start: number;
  end: number;
}

export interface DockerfileSyntaxErrorOptions {
  /** The file name shown in the message; `Dockerfile` when not given. */
  filename?: string;
  cause?: unknown;
}

export class DockerfileSyntaxError extends InvalidArgumentError {
  /** BuildKit's message, without location. */
  readonly reason: string;
  /** The lines the error is about; empty when it concerns the file as a whole. */
  readonly lines: LineRange[];
  readonly filename: string;

  constructor(reason: string, lines: LineRange[] = [], options: DockerfileSyntaxErrorOptions = {}) {
    const filename = options.filename ?? 'Dockerfile';
    const first = lines[0];
    const where = first === undefined ? filename : `${filename}:${first.start === first.end ? first.start : `${first.start}-${first.end}`}`;
    super('DOCKERFILE_SYNTAX', `${where}: ${reason}`, options.cause === undefined ? {} : { cause: options.cause });
    this.reason = reason;
    this.lines = lines;
    this.filename = filename;
  }

  /** The first line the error points at, or 0 when it has none. */
  get line(): number {
    return this.lines[0]?.start ?? 0;
  }

  /** The same error reported against another file name (the CLI knows the path, the parser does not). */
  withFilename(filename: string): DockerfileSyntaxError {
    return new DockerfileSyntaxError(this.reason, this.lines, { filename, cause: this.cause });
  }
}

/** Raises a syntax error at `start..end` (BuildKit's `withLocation`; `end < start` means one line). */
export function syntaxError(reason: string, start: number, end = start, filename?: string): DockerfileSyntaxError {
  const lines = start > 0 ? [{ start, end: end < start ? start : end }] : [];
  return new DockerfileSyntaxError(reason, lines, filename === undefined ? {} : { filename });
}
