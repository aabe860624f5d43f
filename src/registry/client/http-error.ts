/**
 * Registry error responses as typed errors. A distribution registry answers a failed request with a
 * status and a JSON body `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"…","detail":…}]}`; this
 * turns both into a `RegistryResponseError` whose kind follows the status (404 → not-found, 401 →
 * unauthorized, 429 and 5xx → unavailable, …), whose `registryMessage` is the text docker prints
 * (`manifest unknown: manifest unknown`), and whose URL is redacted.
 */
import { GantryError, type ErrorKind } from '../../errors.js';
import { redactUrl, redactUrlsIn, type SecretSet } from './redact.js';

/** One entry of a distribution error body. */
export interface RegistryErrorEntry {
  code: string;
  message: string;
  detail?: unknown;
}

export interface RegistryResponseErrorInit {
  status: number;
  statusText?: string;
  method: string;
  url: string | URL;
  errors?: RegistryErrorEntry[];
  /** What gantry was doing, for the message: `pull localhost:5000/app:1`. */
  action?: string;
  /** From `Retry-After`, in milliseconds. */
  retryAfterMs?: number;
  /** The raw `WWW-Authenticate` header of a 401, for the authorizer. */
  wwwAuthenticate?: string;
  /** Body text when it was not a distribution error document (trimmed, redacted). */
  body?: string;
}

/** The error kind a registry status means. */
export function kindForStatus(status: number): ErrorKind {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'permission-denied';
  if (status === 404) return 'not-found';
  if (status === 405 || status === 501) return 'not-implemented';
  if (status === 409) return 'conflict';
  if (status === 412) return 'failed-precondition';
  if (status === 413) return 'resource-exhausted';
  // 429 and 5xx are transient: retry.ts retries unavailable errors.
  if (status === 429 || status >= 500) return 'unavailable';
  return 'invalid-argument';
}

function hostOf(url: string | URL): string {
  try {
    return new URL(String(url)).host;
  } catch {
    return '<registry>';
  }
}

/** distribution's text for an error code: `MANIFEST_UNKNOWN` → `manifest unknown`. */
export function codeText(code: string): string {
  return code.replaceAll('_', ' ').toLowerCase();
}

/** A failed registry request. The message names the action, the registry's words and the request. */
export class RegistryResponseError extends GantryError {
  readonly status: number;
  readonly statusText: string;
  readonly method: string;
  /** The request URL, redacted. */
  readonly url: string;
  readonly errors: RegistryErrorEntry[];
  readonly retryAfterMs?: number;
  readonly wwwAuthenticate?: string;
  /** What docker prints for this response: `manifest unknown: manifest unknown`, or `404 Not Found`. */
  readonly registryMessage: string;

  constructor(init: RegistryResponseErrorInit) {
    const errors = init.errors ?? [];
    const statusText = init.statusText ?? '';
    const url = redactUrl(init.url);
    const registryMessage =
      errors.length > 0
        ? errors.map((e) => (e.message === '' ? codeText(e.code) : `${codeText(e.code)}: ${e.message}`)).join('; ')
        : init.body
          ? `${init.status} ${statusText}: ${init.body}`.replace(/ +:/, ':')
          : `${init.status} ${statusText}`.trim();
    const code = errors[0] !== undefined ? `REGISTRY_${errors[0].code.toUpperCase()}` : `REGISTRY_HTTP_${init.status}`;
    const hint =
      init.status === 401 || init.status === 403
        ? `Log in with \`gantry login ${hostOf(init.url)}\` if the repository needs credentials`
        : undefined;
    super(
      kindForStatus(init.status),
      code,
      `${init.action === undefined ? '' : `Cannot ${init.action}: `}${registryMessage} (${init.method} ${url})`,
      hint === undefined ? {} : { hint },
    );
    this.status = init.status;
    this.statusText = statusText;
    this.method = init.method;
    this.url = url;
    this.errors = errors;
    this.registryMessage = registryMessage;
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.wwwAuthenticate !== undefined) this.wwwAuthenticate = init.wwwAuthenticate;
  }

  /** The distribution codes, e.g. `['MANIFEST_UNKNOWN']`. */
  get codes(): string[] {
    return this.errors.map((e) => e.code);
  }
}

/**
 * Parses a distribution error body; undefined when it is not one. Tolerates the shapes seen in the
 * wild: `{errors:[…]}`, a bare `[…]`, and a single `{code, message}` object.
 */
export function parseErrorBody(text: string): RegistryErrorEntry[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  const list = Array.isArray(doc)
    ? doc
    : typeof doc === 'object' && doc !== null && Array.isArray((doc as { errors?: unknown }).errors)
      ? (doc as { errors: unknown[] }).errors
      : typeof doc === 'object' && doc !== null && typeof (doc as { code?: unknown }).code === 'string'
        ? [doc]
        : undefined;
  if (list === undefined) return undefined;
  const out: RegistryErrorEntry[] = [];
  for (const e of list) {
    if (typeof e !== 'object' || e === null) continue;
    const { code, message, detail } = e as { code?: unknown; message?: unknown; detail?: unknown };
    if (typeof code !== 'string') continue;
    const entry: RegistryErrorEntry = { code, message: typeof message === 'string' ? message : '' };
    if (detail !== undefined) entry.detail = detail;
    out.push(entry);
  }
  return out.length > 0 ? out : undefined;
}

/** `Retry-After` (seconds or an HTTP date) in milliseconds from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The most of an error body that is read: error documents are small, and a hostile one must not fill memory. */
export const MAX_ERROR_BODY_BYTES = 64 * 1024;

export interface FromResponseOptions {
  method: string;
  url?: string | URL;
  action?: string;
  /** Secrets to mask in the body text. */
  secrets?: SecretSet;
  signal?: AbortSignal;
}

/**
 * Builds the error for a failed response, reading at most MAX_ERROR_BODY_BYTES of its body.
 * @example
 * ```ts
 * if (!res.ok) throw await registryErrorFromResponse(res, { method: 'GET', action: `pull ${ref}` });
 * ```
 */
export async function registryErrorFromResponse(res: Response, opts: FromResponseOptions): Promise<RegistryResponseError> {
  const text = await readLimited(res, MAX_ERROR_BODY_BYTES);
  const errors = text === '' ? undefined : parseErrorBody(text);
  let body: string | undefined;
  if (errors === undefined && text.trim() !== '') {
    // An HTML error page or plain text: keep a short, single-line, redacted excerpt.
    const line = text.replace(/\s+/g, ' ').trim();
    body = line.length > 200 ? `${line.slice(0, 200)}…` : line;
    body = opts.secrets ? opts.secrets.redact(body) : redactUrlsIn(body);
  }
  const init: RegistryResponseErrorInit = {
    status: res.status,
    statusText: res.statusText,
    method: opts.method,
    url: opts.url ?? res.url,
  };
  if (opts.action !== undefined) init.action = opts.action;
  if (errors !== undefined) {
    init.errors = opts.secrets
      ? errors.map((e) => ({ ...e, message: (opts.secrets as SecretSet).redact(e.message) }))
      : errors.map((e) => ({ ...e, message: redactUrlsIn(e.message) }));
  }
  if (body !== undefined) init.body = body;
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  if (retryAfter !== undefined) init.retryAfterMs = retryAfter;
  const challenge = res.headers.get('www-authenticate');
  if (challenge !== null) init.wwwAuthenticate = challenge;
  return new RegistryResponseError(init);
}

async function readLimited(res: Response, limit: number): Promise<string> {
  if (res.body === null) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body that breaks off still leaves us the status; the error is about the status.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

/**
 * No endpoint of a registry answered: the connection failed before any HTTP status. The message is
 * docker's (`Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such
 * host`); `transient` says whether trying again may help (a refused or reset connection may, a name
 * that does not resolve will not).
 */
export class RegistryUnreachableError extends GantryError {
  readonly url: string;
  readonly transient: boolean;

  constructor(url: string, cause: unknown, transient: boolean) {
    super('unavailable', 'REGISTRY_UNREACHABLE', `Get "${redactUrl(url)}": ${dialText(url, cause)}`, { cause });
    this.url = redactUrl(url);
    this.transient = transient;
  }
}

/** Go's words for a failed dial, as docker prints them. */
function dialText(url: string, cause: unknown): string {
  const host = hostOf(url);
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `dial tcp: lookup ${host.replace(/:\d+$/, '')}: no such host`;
  if (code === 'ECONNREFUSED') return `dial tcp ${host}: connect: connection refused`;
  if (code === 'ETIMEDOUT') return `dial tcp ${host}: i/o timeout`;
  return cause instanceof Error ? cause.message : String(cause);
}
