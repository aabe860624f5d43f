/**
 * Typed errors shared by every part of gantry. This module imports nothing, so any part may use it.
 *
 * An error has a machine code (`ERR_IMAGE_NOT_FOUND`), a message that states the fact in words a user
 * can act on, an optional hint that says what to do, and a kind from containerd's fixed set. The CLI
 * maps the kind to an exit code and prints `Error: <message>`; the registry server maps it to an HTTP
 * status. Domain conditions that callers catch get a subclass (`ImageNotFoundError extends NotFoundError`).
 *
 * @example
 * ```ts
 * throw new NotFoundError('IMAGE_NOT_FOUND', `No such image: ${ref}`);
 * if (isKind(err, 'not-found')) { … }
 * ```
 */

/** The fixed set of error kinds (containerd's errdefs, in our spelling). */
export type ErrorKind =
  | 'not-found'
  | 'already-exists'
  | 'invalid-argument'
  | 'failed-precondition'
  | 'conflict'
  | 'unavailable'
  | 'unauthorized'
  | 'permission-denied'
  | 'data-loss'
  | 'canceled'
  | 'resource-exhausted'
  | 'not-implemented'
  | 'internal';

export interface GantryErrorOptions {
  /** What the user can do about it; printed on its own line after the message. */
  hint?: string;
  cause?: unknown;
}

export class GantryError extends Error {
  /** Normalized machine code, always prefixed `ERR_`. */
  readonly code: string;
  readonly kind: ErrorKind;
  readonly hint?: string;

  constructor(kind: ErrorKind, code: string, message: string, options: GantryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.kind = kind;
    this.code = code.startsWith('ERR_') ? code : `ERR_${code}`;
    if (options.hint !== undefined) this.hint = options.hint;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

export class NotFoundError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('not-found', code, message, options);
  }
}
export class AlreadyExistsError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('already-exists', code, message, options);
  }
}
export class InvalidArgumentError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('invalid-argument', code, message, options);
  }
}
export class FailedPreconditionError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('failed-precondition', code, message, options);
  }
}
export class ConflictError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('conflict', code, message, options);
  }
}
export class UnavailableError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('unavailable', code, message, options);
  }
}
export class UnauthorizedError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('unauthorized', code, message, options);
  }
}
export class PermissionDeniedError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('permission-denied', code, message, options);
  }
}
export class DataLossError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('data-loss', code, message, options);
  }
}
export class CanceledError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('canceled', code, message, options);
  }
}
export class ResourceExhaustedError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('resource-exhausted', code, message, options);
  }
}
export class NotImplementedError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('not-implemented', code, message, options);
  }
}
export class InternalError extends GantryError {
  constructor(code: string, message: string, options?: GantryErrorOptions) {
    super('internal', code, message, options);
  }
}

/** True when `err`, or any error in its `cause` chain, is a GantryError of `kind`. */
export function isKind(err: unknown, kind: ErrorKind): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 32; e = e.cause, depth++) {
    if (e instanceof GantryError && e.kind === kind) return true;
  }
  return false;
}

/** The first GantryError in `err`'s cause chain, if any. */
export function findGantryError(err: unknown): GantryError | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 32; e = e.cause, depth++) {
    if (e instanceof GantryError) return e;
  }
  return undefined;
}

/** A Node system error code (`ENOENT`, `ENOSPC`, …) of `err`, if it has one. */
export function errnoCode(err: unknown): string | undefined {
  if (err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string') {
    return (err as NodeJS.ErrnoException).code;
  }
  return undefined;
}
