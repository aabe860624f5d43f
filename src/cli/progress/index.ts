/**
 * Choosing a progress renderer for `--progress auto|tty|plain|quiet` (and `BUILDKIT_PROGRESS`), as
 * BuildKit does: auto is tty on a terminal and plain otherwise; `tty` on a non-terminal is refused.
 */
import type { ProgressSink } from '../../progress.js';
import { discardProgress } from '../../progress.js';
import { InvalidArgumentError } from '../../errors.js';
import { PlainProgress } from './plain.js';
import { TtyProgress, type TtyStream } from './tty.js';

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'quiet';

export interface ProgressRenderer extends ProgressSink {
  /** Paints the final state and releases timers. Safe to call twice. */
  close(): void;
}

export function parseProgressMode(value: string | undefined): ProgressMode {
  const v = value ?? 'auto';
  if (v === 'auto' || v === 'tty' || v === 'plain' || v === 'quiet') return v;
  if (v === 'rawjson') {
    throw new InvalidArgumentError('INVALID_PROGRESS', `Cannot use progress mode "${v}": not supported, use auto, tty, plain or quiet`);
  }
  throw new InvalidArgumentError('INVALID_PROGRESS', `invalid progress mode "${v}": use auto, tty, plain or quiet`);
}

/**
 * @param env the caller's environment: `NO_COLOR` (any non-empty value) turns the TTY view's colours off
 */
export function createProgress(mode: ProgressMode, out: TtyStream & { isTTY?: boolean }, title?: string, env: Record<string, string | undefined> = {}): ProgressRenderer {
  const isTTY = out.isTTY === true;
  if (mode === 'quiet') return { ...discardProgress, close() {} };
  if (mode === 'tty' && !isTTY) {
    throw new InvalidArgumentError('NOT_A_TERMINAL', 'Cannot use --progress tty: output is not a terminal');
  }
  if (mode === 'tty' || (mode === 'auto' && isTTY)) {
    const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
    return new TtyProgress(out, { ...(title === undefined ? {} : { title }), color: !noColor });
  }
  const plain = new PlainProgress(out);
  return { emit: (e) => plain.emit(e), close() {} };
}

export { PlainProgress } from './plain.js';
export { TtyProgress } from './tty.js';
