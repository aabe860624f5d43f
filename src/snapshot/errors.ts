/** Errors of the snapshot part. */
import { AlreadyExistsError, FailedPreconditionError, InternalError, NotFoundError } from '../errors.js';

export class SnapshotNotFoundError extends NotFoundError {
  constructor(readonly key: string, what = 'snapshot') {
    super('SNAPSHOT_NOT_FOUND', `${what} "${key}" does not exist`);
  }
}

export class SnapshotExistsError extends AlreadyExistsError {
  constructor(readonly key: string) {
    super('SNAPSHOT_EXISTS', `snapshot "${key}" already exists`);
  }
}

export class SnapshotInUseError extends FailedPreconditionError {
  constructor(readonly key: string, reason: string) {
    super('SNAPSHOT_IN_USE', `Cannot remove snapshot "${key}": ${reason}`);
  }
}

export class MountError extends InternalError {
  constructor(target: string, detail: string, options?: { cause?: unknown }) {
    super('MOUNT_FAILED', `Cannot mount "${target}": ${detail}`, options);
  }
}
