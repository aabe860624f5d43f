/**
 * Errors of the layer part. A layer that cannot be read is `data-loss` (the bytes are not what a
 * layer must be: truncated, corrupt, over a limit); an entry that would write outside the root is
 * `permission-denied`. Codes are declared here, next to the classes that carry them.
 */
import { DataLossError, PermissionDeniedError, type GantryErrorOptions } from '../errors.js';

export type LayerFormatCode =
  /** The stream ended inside a header, a PAX record set or an entry's body. */
  | 'LAYER_TRUNCATED'
  /** A header's checksum does not match its bytes. */
  | 'LAYER_BAD_CHECKSUM'
  /** A header field is not a number, or a required field is malformed. */
  | 'LAYER_BAD_HEADER'
  /** A PAX extended header is malformed. */
  | 'LAYER_BAD_PAX'
  /** An entry type gantry does not unpack (GNU sparse, multi-volume). */
  | 'LAYER_UNSUPPORTED_ENTRY'
  /** A configured limit was exceeded (meta size, entry count, path length, decompression ratio). */
  | 'LAYER_LIMIT_EXCEEDED'
  /** A body did not have the size its header declared (a file changed while it was being read). */
  | 'LAYER_SIZE_MISMATCH'
  /** The compressed stream is corrupt. */
  | 'LAYER_BAD_COMPRESSION'
  /** An entry's parent exists in the tree and is not a directory. */
  | 'LAYER_PATH_CONFLICT'
  /** A header value cannot be represented in the tar format. */
  | 'LAYER_UNREPRESENTABLE';

/** The bytes of a layer (or any tar) are not a valid archive, or exceed a limit. */
export class LayerFormatError extends DataLossError {
  constructor(code: LayerFormatCode, message: string, options?: GantryErrorOptions) {
    super(code, message, options);
  }
}

/** An entry would write outside the extraction root, or through something it must not follow. */
export class UnsafeEntryError extends PermissionDeniedError {
  readonly path: string;
  constructor(path: string, reason: string, options?: GantryErrorOptions) {
    super('LAYER_UNSAFE_ENTRY', `Cannot extract "${path}": ${reason}`, options);
    this.path = path;
  }
}

/** A recoverable problem with one entry; `strict` turns these into errors. */
export interface LayerWarning {
  code: 'LAYER_ENTRY_INVALID' | 'LAYER_ENTRY_IGNORED' | 'LAYER_MISSING_EOF';
  message: string;
  path?: string;
}
