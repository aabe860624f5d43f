/**
 * Keeps secrets out of messages and logs. Every URL, header or text that can reach an error
 * message or a log line passes through here first: passwords, tokens and signed-URL signatures never
 * leave the process in clear.
 *
 * Three tools:
 * - `redactUrl(url)`: drops user info and masks the values of query parameters that carry secrets
 *   (`token`, `access_token`, S3/GCS/Azure signatures, …). Registries redirect blob downloads to
 *   signed URLs, which would otherwise end up in error messages.
 * - `redactHeaders(headers)`: masks `Authorization`, `Proxy-Authorization`, cookies and `X-Registry-Auth`.
 * - `SecretSet`: remembers secret values as they are learned (a password read from a helper, a token
 *   fetched from a realm) and masks them, and their base64 forms, in any text.
 */

/** What a masked value looks like. */
export const REDACTED = '***';

// Query parameters whose values are secrets or signatures (matched case-insensitively, whole name).
// Covers OAuth (`access_token`, `refresh_token`, `code`), S3 (`X-Amz-Signature`, `X-Amz-Security-Token`,
// `X-Amz-Credential`), GCS (`X-Goog-Signature`) and Azure SAS (`sig`).
const SECRET_PARAM = /^(?:.*(?:token|secret|password|signature|credential).*|passwd|sig|code|key|api[-_]?key|auth|authorization|assertion)$/i;

/** The URL with its user info removed and its secret query values masked. Unparseable input is masked whole. */
export function redactUrl(url: string | URL): string {
  let u: URL;
  try {
    u = new URL(String(url));
  } catch {
    return redactBareCredentials(String(url));
  }
  if (u.username !== '' || u.password !== '') {
    u.username = '';
    u.password = '';
  }
  const names = [...new Set(u.searchParams.keys())];
  for (const name of names) {
    if (SECRET_PARAM.test(name)) {
      const count = u.searchParams.getAll(name).length;
      u.searchParams.delete(name);
      for (let i = 0; i < count; i++) u.searchParams.append(name, REDACTED);
    }
  }
  // URLSearchParams encodes `*`; keep the mask readable.
  return u.toString().replaceAll('%2A%2A%2A', REDACTED);
}

/** `user:pass@host` inside text that is not a full URL. */
function redactBareCredentials(text: string): string {
  return text.replace(/\/\/[^/@\s]*:[^/@\s]*@/g, '//');
}

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-registry-auth', 'x-amz-security-token']);

/** A plain copy of the headers with secret values masked (`Authorization: Bearer ***`). */
export function redactHeaders(headers: Headers | Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries: Array<[string, string]> =
    headers instanceof Headers
      ? [...headers.entries()]
      : Object.entries(headers).flatMap(([k, v]) => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v] as [string, string]]));
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    if (!SECRET_HEADERS.has(lower)) {
      out[name] = value;
    } else if (lower === 'authorization' || lower === 'proxy-authorization') {
      const scheme = /^\s*(\S+)\s/.exec(value)?.[1];
      out[name] = scheme === undefined ? REDACTED : `${scheme} ${REDACTED}`;
    } else {
      out[name] = REDACTED;
    }
  }
  return out;
}

/**
 * Secret values known to this process, masked wherever they appear in text. Add each secret as
 * soon as it is read; short values (under 4 characters) are not added, since masking them would
 * garble ordinary text and they protect nothing.
 */
export class SecretSet {
  readonly #secrets = new Set<string>();

  add(...values: Array<string | undefined>): this {
    for (const v of values) {
      if (v === undefined || v.length < 4) continue;
      this.#secrets.add(v);
      // Secrets also travel base64-encoded (Basic auth, config.json `auth`).
      this.#secrets.add(Buffer.from(v).toString('base64').replace(/=+$/, ''));
    }
    return this;
  }

  /** Adds a username:password pair, including the base64 `auth` form docker stores. */
  addCredentials(username: string | undefined, password: string | undefined): this {
    this.add(password);
    if (password !== undefined && password !== '') this.add(`${username ?? ''}:${password}`);
    return this;
  }

  get size(): number {
    return this.#secrets.size;
  }

  /** `text` with every known secret masked, and URLs in it redacted. */
  redact(text: string): string {
    let out = text;
    // Longest first, so that a secret containing another is masked whole.
    for (const s of [...this.#secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(REDACTED);
    return redactUrlsIn(out);
  }
}

/** Every http(s) URL inside free text, redacted. */
export function redactUrlsIn(text: string): string {
  return text.replace(/\bhttps?:\/\/[^\s"'<>`]+/g, (u) => redactUrl(u));
}
