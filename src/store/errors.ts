/**
 * The store's error conditions. Each is a subclass of one of gantry's error kinds, so callers can
 * test `isKind(err, 'not-found')` or catch the precise class. Messages that docker users meet
 * (`No such image`, `conflict: unable to delete …`) keep docker's exact text.
 */
import {
  ConflictError,
  DataLossError,
  InvalidArgumentError,
  NotFoundError,
  ResourceExhaustedError,
  UnavailableError,
  FailedPreconditionError,
} from '../errors.js';

/** A blob is not in the content store. */
export class ContentNotFoundError extends NotFoundError {
  constructor(readonly digest: string) {
    super('CONTENT_NOT_FOUND', `content ${digest}: not found`);
  }
}

/** Written or read bytes do not hash to the digest they were expected to have. */
export class DigestMismatchError extends DataLossError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super('DIGEST_MISMATCH', `Cannot verify content: expected digest "${expected}", got "${actual}"`);
  }
}

/** Written or read bytes are not as many as the descriptor says. */
export class SizeMismatchError extends DataLossError {
  constructor(
    readonly digest: string | undefined,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      'SIZE_MISMATCH',
      `Cannot verify content${digest === undefined ? '' : ` "${digest}"`}: expected ${expected} bytes, got ${actual}`,
    );
  }
}

/** Another writer (in this or another process) holds the ingest ref. */
export class IngestLockedError extends UnavailableError {
  constructor(
    readonly ref: string,
    readonly pid: number,
    readonly heldForMs: number,
  ) {
    super(
      'INGEST_LOCKED',
      `Cannot open writer for "${ref}": locked by process ${pid} for ${Math.round(heldForMs / 1000)}s`,
      { hint: 'Another gantry process is writing the same content; wait for it or try again.' },
    );
  }
}

/** A ContentWriter was used after commit() or abort(). */
export class WriterClosedError extends FailedPreconditionError {
  constructor(readonly ref: string) {
    super('WRITER_CLOSED', `Cannot write to "${ref}": the writer is closed`);
  }
}

/** The disk (or the database) is full. */
export class NoSpaceError extends ResourceExhaustedError {
  constructor(action: string, where: string, cause?: unknown) {
    super('NO_SPACE', `Cannot ${action}: no space left on device "${where}"`, { cause });
  }
}

/** docker's `No such image: <ref>`. */
export class ImageNotFoundError extends NotFoundError {
  constructor(
    readonly reference: string,
    options?: { hint?: string },
  ) {
    super('IMAGE_NOT_FOUND', `No such image: ${reference}`, options);
  }
}

/**
 * An ID prefix that matches several images. docker reports it as `No such image`; so do we, with a
 * hint that says why.
 */
export class AmbiguousImageIdError extends ImageNotFoundError {
  constructor(
    reference: string,
    readonly matches: number,
  ) {
    super(reference, { hint: `The ID prefix "${reference}" matches ${matches} images; give more characters.` });
  }
}

/**
 * docker's deletion conflicts. `hard` ones (running container, dependent child images) hold even with
 * force; soft ones give way to it. The message is docker's, byte for byte.
 */
export class ImageDeleteConflictError extends ConflictError {
  constructor(
    readonly imageId: string,
    readonly hard: boolean,
    readonly reason: string,
    /** True when a container uses the image (docker's `used`). */
    readonly used: boolean,
  ) {
    super(
      'IMAGE_DELETE_CONFLICT',
      `conflict: unable to delete ${shortHex(imageId)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${reason}`,
    );
  }
}

/** docker's refusal to untag the last name of an image a container uses. */
export class ReferenceInUseError extends ConflictError {
  constructor(
    readonly reference: string,
    readonly containerId: string,
    readonly imageId: string,
  ) {
    super(
      'REFERENCE_IN_USE',
      `conflict: unable to remove repository reference "${reference}" (must force) - container ${shortHex(containerId)} is using its referenced image ${shortHex(imageId)}`,
    );
  }
}

/** Bad references: oci/reference's error, with docker's texts. */
export { InvalidReferenceError } from '../oci/index.js';

/** Tagging with a digest reference (`docker tag a b@sha256:…`). */
export class DigestTagError extends InvalidArgumentError {
  constructor() {
    super('DIGEST_TAG', 'refusing to create a tag with a digest reference');
  }
}

/** A container name or ID that is not in the store. */
export class ContainerNotFoundError extends NotFoundError {
  constructor(readonly reference: string) {
    super('CONTAINER_NOT_FOUND', `No such container: ${reference}`);
  }
}

/** A container name that is already taken. */
export class ContainerNameConflictError extends ConflictError {
  constructor(
    readonly containerName: string,
    readonly holder: string,
  ) {
    super(
      'CONTAINER_NAME_CONFLICT',
      `Conflict. The container name "/${containerName}" is already in use by container "${holder}". You have to remove (or rename) that container to be able to reuse that name.`,
    );
  }
}

/** A lease id that is not in the store. */
export class LeaseNotFoundError extends NotFoundError {
  constructor(readonly leaseId: string) {
    super('LEASE_NOT_FOUND', `lease "${leaseId}": not found`);
  }
}

/** An image put names blobs that are not in the content store. */
export class MissingContentError extends FailedPreconditionError {
  constructor(
    readonly digest: string,
    readonly role: string,
  ) {
    super('MISSING_CONTENT', `Cannot store image: ${role} ${digest} is not in the content store`);
  }
}

/** An image put whose layers do not match its config's `rootfs.diff_ids`. */
export class ImageConfigMismatchError extends InvalidArgumentError {
  constructor(
    readonly imageId: string,
    reason: string,
  ) {
    super('IMAGE_CONFIG_MISMATCH', `Cannot store image ${imageId}: ${reason}`);
  }
}

/** The store was written by a newer gantry with a schema this one does not know. */
export class SchemaTooNewError extends FailedPreconditionError {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super('SCHEMA_TOO_NEW', `Cannot open the store: its schema version ${found} is newer than this gantry knows (${known})`, {
      hint: 'Upgrade gantry, or use another --root.',
    });
  }
}

function shortHex(id: string): string {
  const hex = id.includes(':') ? id.slice(id.indexOf(':') + 1) : id;
  return hex.slice(0, 12);
}
