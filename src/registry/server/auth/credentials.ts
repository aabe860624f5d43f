/** Reading `Authorization` headers. The values never reach a log or an error message. */
import type { IncomingMessage } from 'node:http';

export function basicCredentials(req: IncomingMessage): { user: string; password: string } | undefined {
  const h = req.headers.authorization;
  if (h === undefined || !/^basic /i.test(h)) return undefined;
  const text = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return { user: text.slice(0, colon), password: text.slice(colon + 1) };
}

export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined || !/^bearer /i.test(h)) return undefined;
  return h.slice(7).trim();
}

/** A quoted-string for a challenge parameter (RFC 7235). */
export function quoted(v: string): string {
  return `"${v.replace(/["\\]/g, '\\$&')}"`;
}
