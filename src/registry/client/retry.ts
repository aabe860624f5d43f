/**
 * Retrying registry operations with exponential back-off. Only transient failures are retried:
 * errors of kind `unavailable` (which RegistryResponseError gives 429 and 5xx), and dropped or refused
 * connections. A 404, a 401 or a digest mismatch fails at once: trying again cannot help and would
 * only delay the user's error.
 *
 * @example
 * ```ts
 * const manifest = await retry(() => fetchManifest(ref, { signal }), { signal, onRetry: (e, n, ms) => log(…) });
 * ```
 */
import { CanceledError, errnoCode, findGantryError, isKind } from '../../errors.js';

export interface RetryOptions {
  /** Attempts in all, the first included (default 5, as docker's push/pull). */
  maxAttempts?: number;
  /** The first delay in milliseconds (default 200). */
  minTimeout?: number;
  /** The longest delay in milliseconds (default 10 000); a server's Retry-After may ask for more, up to 60 s. */
  maxTimeout?: number;
  /** Each delay is the previous one times this (default 2). */
  multiplier?: number;
  /** Random spread of each delay, 0..1 (default 0.2: ±20 %), so that parallel transfers do not retry in step. */
  jitter?: number;
  /** Which errors are worth another attempt (default isTransient). */
  isRetriable?: (err: unknown) => boolean;
  /** Called before each wait: the error, the attempt that failed (1-based) and the delay. */
  onRetry?: (err: unknown, attempt: number, delayMs: number) => void;
  signal?: AbortSignal;
  /** The wait (tests pass a recording one). Must reject with the signal's reason when aborted. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Random numbers in [0, 1) for the jitter (tests pass a fixed one). */
  random?: () => number;
}

// Socket-level failures of a connection that may work when tried again.
const TRANSIENT_ERRNO = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * True for failures that another attempt may cure: kind `unavailable` (429, 5xx), and dropped,
 * reset, refused or timed-out connections (also when fetch wraps them as `TypeError: fetch failed`).
 * Cancellation is never transient.
 */
export function isTransient(err: unknown): boolean {
  if (isCanceled(err)) return false;
  const gantry = findGantryError(err);
  // A registry that could not be reached says itself whether its cause may pass (a DNS miss will not).
  if (gantry !== undefined) return isKind(err, 'unavailable') && (gantry as { transient?: unknown }).transient !== false;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const code = errnoCode(e);
    if (code !== undefined && TRANSIENT_ERRNO.has(code)) return true;
    if (e.name === 'SocketError' || /other side closed|socket hang up/i.test(e.message)) return true;
  }
  return false;
}

function isCanceled(err: unknown): boolean {
  return (err instanceof Error && err.name === 'AbortError') || isKind(err, 'canceled');
}

/** The reason to reject with when `signal` is aborted. */
function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new CanceledError('CANCELED', 'Cannot continue: the operation was canceled');
}

/** Waits `ms`, or rejects with the signal's reason as soon as it is aborted. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal as AbortSignal));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The longest wait a server's Retry-After may impose. */
const MAX_RETRY_AFTER_MS = 60_000;

/** The delay before attempt `attempt + 1`, without jitter. */
export function backoffDelay(attempt: number, opts: Pick<RetryOptions, 'minTimeout' | 'maxTimeout' | 'multiplier'> = {}): number {
  const min = opts.minTimeout ?? 200;
  const max = opts.maxTimeout ?? 10_000;
  const multiplier = opts.multiplier ?? 2;
  return Math.min(max, min * multiplier ** (attempt - 1));
}

/**
 * Runs `fn` until it succeeds, fails with an error that is not retriable, or has run `maxAttempts`
 * times; then throws the last error as it is (its kind and message stay the caller's).
 * A server's `retryAfterMs` (from Retry-After) is honoured when it asks for a longer wait.
 * @throws the last error, or the signal's reason once aborted
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 5);
  const isRetriable = opts.isRetriable ?? isTransient;
  const wait = opts.sleep ?? sleep;
  const random = opts.random ?? Math.random;
  const jitter = Math.min(1, Math.max(0, opts.jitter ?? 0.2));
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= maxAttempts || !isRetriable(err) || opts.signal?.aborted) throw err;
      let delay = backoffDelay(attempt, opts);
      delay = Math.round(delay * (1 - jitter + 2 * jitter * random()));
      const retryAfter = (err as { retryAfterMs?: unknown }).retryAfterMs;
      if (typeof retryAfter === 'number' && retryAfter > delay) delay = Math.min(retryAfter, MAX_RETRY_AFTER_MS);
      opts.onRetry?.(err, attempt, delay);
      await wait(delay, opts.signal);
    }
  }
}
