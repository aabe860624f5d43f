/**
 * The distribution spec's error codes (v1.1, "Error Codes" table) with the HTTP status each one is
 * sent with. Handlers throw a {@link RegistryError}; `respond.ts` turns it into the spec's JSON body
 * `{"errors":[{"code","message","detail"}]}`. Messages are the spec's descriptions; `detail` carries
 * facts for the client (a digest, a range) and never a host path or a stack.
 */

export const ERRCODES = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'manifest references a manifest or blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown to registry' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'the operation is unsupported' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  // Not in the spec's table, but distribution sends it for server faults; clients retry on 5xx.
  UNKNOWN: { status: 500, message: 'unknown error' },
  UNAVAILABLE: { status: 503, message: 'service unavailable' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRCODES;

/** One error the registry answers with; `status` defaults to the code's own. */
export class RegistryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail?: unknown;
  /** Extra response headers (a `Range` for 416, a challenge for 401). */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, options: { detail?: unknown; status?: number; message?: string; headers?: Record<string, string> } = {}) {
    super(options.message ?? ERRCODES[code].message);
    this.code = code;
    this.status = options.status ?? ERRCODES[code].status;
    if (options.detail !== undefined) this.detail = options.detail;
    this.headers = options.headers ?? {};
  }

  override get name(): string {
    return 'RegistryError';
  }

  /** The spec's JSON error body. */
  toJSON(): { errors: { code: string; message: string; detail?: unknown }[] } {
    const e: { code: string; message: string; detail?: unknown } = { code: this.code, message: this.message };
    if (this.detail !== undefined) e.detail = this.detail;
    return { errors: [e] };
  }
}
