/**
 * Errors of the archive part. An archive whose bytes are not what its own documents say (a blob
 * with the wrong digest, a missing file, a truncated tar) is `data-loss`; an archive that is well
 * formed but not something we can load (no manifest.json and no OCI layout, an ambiguous bundle)
 * is `invalid-argument`.
 */
import { DataLossError, InvalidArgumentError, NotFoundError, type GantryErrorOptions } from '../errors.js';

export type ArchiveErrorCode =
  /** Neither manifest.json nor an OCI layout (oci-layout + index.json) is in the archive. */
  | 'ARCHIVE_UNKNOWN_FORMAT'
  /** manifest.json, index.json or a config is not a valid document. */
  | 'ARCHIVE_BAD_DOCUMENT'
  /** A file a document names is not in the archive. */
  | 'ARCHIVE_MISSING_FILE'
  /** An entry's path leaves the archive (`..`, a symlink loop or a link outside). */
  | 'ARCHIVE_BAD_PATH'
  /** A layer's diffID does not match the config's. */
  | 'ARCHIVE_DIFFID_MISMATCH'
  /** The archive holds several images and no tag picks one. */
  | 'ARCHIVE_AMBIGUOUS'
  /** No image in the archive has the tag asked for. */
  | 'ARCHIVE_NO_SUCH_TAG'
  /** The archive names layers that are not in it (foreign layers) and we do not fetch them. */
  | 'ARCHIVE_FOREIGN_LAYER'
  /** `--platform` asks for a platform no image in the archive (or the store) is for. */
  | 'ARCHIVE_NO_SUCH_PLATFORM';

/** The archive's bytes contradict themselves or are incomplete. */
export class ArchiveDataError extends DataLossError {
  constructor(code: ArchiveErrorCode, message: string, options?: GantryErrorOptions) {
    super(code, message, options);
  }
}

/** The archive is readable but not loadable as asked. */
export class ArchiveFormatError extends InvalidArgumentError {
  constructor(code: ArchiveErrorCode, message: string, options?: GantryErrorOptions) {
    super(code, message, options);
  }
}

/** `save --platform` of an image that is for another platform (moby's text for a platform mismatch). */
export class ImagePlatformMismatchError extends NotFoundError {
  constructor(reference: string, wanted: string, actual: string) {
    super('ARCHIVE_NO_SUCH_PLATFORM', `image with reference ${reference} was found but does not match the specified platform: wanted ${wanted}, actual: ${actual}`);
  }
}
