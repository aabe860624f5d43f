import { ConflictError, FailedPreconditionError } from '../errors.js';

/** docker's texts for acting on a container in the wrong state. */
export class ContainerRunningError extends ConflictError {
  constructor(id: string, action: string) {
    super('CONTAINER_RUNNING', `cannot ${action} container ${id}: container is running: stop the container before removing or force remove`);
  }
}

export class ContainerNotRunningError extends FailedPreconditionError {
  constructor(id: string) {
    super('CONTAINER_NOT_RUNNING', `container ${id} is not running`);
  }
}

/**
 * A container in the wrong state for `pause`/`unpause`, or a `rename` docker refuses, in the
 * daemon's words (`Container <id> is not running`, `… is already paused`, `… is not paused`).
 */
export class ContainerStateError extends FailedPreconditionError {
  constructor(message: string) {
    super('CONTAINER_STATE', message);
  }
}
