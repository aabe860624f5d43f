/**
 * Writing responses. Every error a handler throws reaches the client here: a {@link RegistryError}
 * becomes the spec's JSON body with its status; anything else becomes `UNKNOWN` 500 with no detail
 * (the log line has the cause; the client never sees host paths or stacks).
 */
import type { ServerResponse } from 'node:http';
import { RegistryError } from './errcodes.js';
import { findGantryError } from '../../errors.js';

export type Headers = Record<string, string | number>;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const text = Buffer.from(JSON.stringify(body));
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': text.length, ...headers });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Headers = {}): void {
  res.writeHead(status, { 'Content-Length': 0, ...headers });
  res.end();
}

/** Maps any error to a registry error; internal faults keep their cause for the log only. */
export function toRegistryError(err: unknown): RegistryError {
  if (err instanceof RegistryError) return err;
  const g = findGantryError(err);
  if (g?.kind === 'not-found') return new RegistryError('NAME_UNKNOWN');
  if (g?.kind === 'unavailable') return new RegistryError('UNAVAILABLE');
  return new RegistryError('UNKNOWN');
}

export function sendError(res: ServerResponse, err: RegistryError): void {
  if (res.headersSent) {
    // Too late for a status: cut the connection so the client sees a failed transfer, not a short one.
    res.destroy();
    return;
  }
  sendJson(res, err.status, err.toJSON(), err.headers);
}
