import { GantryError, type ErrorKind } from '../errors.js';

/**
 * A `cp` failure with the line docker prints for it. docker's client prints its own refusals bare
 * (`no such directory`), the daemon's with `Error response from daemon: `, and a missing container
 * or path as `Error: No such container:path: …`; `line` is that whole line, `message` the text.
 */
export class CopyError extends GantryError {
  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    readonly line: string,
  ) {
    super(kind, code, message);
  }
}

/** docker's 404 for a missing container or a missing path in it (one message for both). */
export function noSuchContainerPath(container: string, path: string): CopyError {
  const text = `No such container:path: ${container}:${path}`;
  return new CopyError('not-found', 'CP_NO_SUCH_PATH', text, `Error: ${text}`);
}

/** A refusal docker's client makes itself (printed bare). */
export function copyRefused(message: string, kind: ErrorKind = 'invalid-argument'): CopyError {
  return new CopyError(kind, 'CP_REFUSED', message, message);
}

/** A refusal docker's daemon makes (the container side). */
export function copyDaemonError(message: string, kind: ErrorKind = 'invalid-argument'): CopyError {
  return new CopyError(kind, 'CP_CONTAINER', message, `Error response from daemon: ${message}`);
}
