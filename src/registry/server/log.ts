/**
 * The server's log: leveled lines on a stream, one per request at `info`. Lines are logfmt
 * (`key=value`), values quoted when they hold spaces. Callers never pass credentials: the request
 * line carries the method, the path without its query, the status and the account name only.
 */
import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  readonly level: LogLevel;
  log(level: LogLevel, msg: string, fields?: Record<string, string | number | undefined>): void;
}

export function isLogLevel(s: string): s is LogLevel {
  return s in ORDER;
}

export function createLogger(stream: Writable, level: LogLevel): Logger {
  return {
    level,
    log(l, msg, fields = {}) {
      if (ORDER[l] < ORDER[level]) return;
      let line = `time=${new Date().toISOString()} level=${l} msg=${quote(msg)}`;
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) line += ` ${k}=${quote(String(v))}`;
      stream.write(`${line}\n`);
    },
  };
}

function quote(v: string): string {
  // Control characters from a client (a crafted path) must not forge log lines.
  const clean = v.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return /[\s"=]/.test(clean) || clean === '' ? JSON.stringify(clean) : clean;
}
