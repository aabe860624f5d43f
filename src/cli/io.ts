/**
 * The streams a command talks to. Commands write here instead of to `process.*`, so tests can run a
 * command with fake streams and read what it printed.
 */
import { writeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { errnoCode } from '../errors.js';

export interface CommandIO {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  stdin: Readable & { isTTY?: boolean };
  /** Environment the command sees (defaults to process.env). */
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM: long work stops and cleans up in `finally`. */
  signal: AbortSignal;
  /**
   * For the process's own streams: the file descriptor of stdout while nothing has taken `stdout`
   * yet, else undefined (see writeOut). Absent for other streams (tests).
   */
  stdoutFd?: () => number | undefined;
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
  let stdoutTaken = false;
  return {
    get stdout() {
      stdoutTaken = true;
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
    stdoutFd: () => (stdoutTaken ? undefined : 1),
  };
}

/**
 * Writes a command's output to its stdout. The process's own stdout, when nothing has used it yet,
 * is written directly (file descriptor 1, synchronously, as node writes to files, pipes and
 * terminals on Linux anyway): creating `process.stdout` loads node's stream machinery, which cost a
 * short command like `image ls` more than writing its table. A descriptor that would block goes
 * back to the stream, which waits for it; a reader that has gone (`gantry images | head`) ends the
 * output quietly, as docker's does (it dies of SIGPIPE).
 */
export async function writeOut(io: CommandIO, text: string): Promise<void> {
  const fd = io.stdoutFd?.();
  if (fd === undefined) return write(io.stdout, text);
  const bytes = Buffer.from(text, 'utf8');
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'EAGAIN') return write(io.stdout, bytes.subarray(at));
    if (code === 'EPIPE') return;
    throw err;
  }
}

/** Writes text, waiting for the stream to drain so large outputs keep back-pressure. */
export async function write(stream: Writable, text: string | Uint8Array): Promise<void> {
  if (!stream.write(text)) {
    await new Promise<void>((resolve) => stream.once('drain', resolve));
  }
}
