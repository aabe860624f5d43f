/**
 * The streams a command talks to. Commands write here instead of to `process.*`, so tests can run a
 * command with fake streams and read what it printed.
 */
import type { Readable, Writable } from 'node:stream';

export interface CommandIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable & { isTTY?: boolean };
  /** Environment the command sees (defaults to process.env). */
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM: long work stops and cleans up in `finally`. */
  signal: AbortSignal;
}

/** The global options every command receives (`gantry --root DIR image ls`). */
export interface GlobalOptions {
  root?: string;
  debug?: boolean;
  storageDriver?: string;
  runtime?: string;
}

/**
 * The process's own streams. Each is taken on first use: node creates `process.stdin` (and the
 * stream, file and readline machinery behind it) when it is first read, which a command that never
 * reads its input (nearly all) should not pay for at start-up.
 */
export function processIO(signal: AbortSignal): CommandIO {
  return {
    get stdout() {
      return process.stdout;
    },
    get stderr() {
      return process.stderr;
    },
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    signal,
  };
}

/** Writes text, waiting for the stream to drain so large outputs keep back-pressure. */
export async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) {
    await new Promise<void>((resolve) => stream.once('drain', resolve));
  }
}
