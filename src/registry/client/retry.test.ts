import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CanceledError, NotFoundError, UnavailableError } from '../../errors.js';
import { RegistryResponseError } from './http-error.js';
import { backoffDelay, isTransient, retry, sleep } from './retry.js';

function recorder(): { sleep: (ms: number, signal?: AbortSignal) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

function econnreset(): Error {
  const e = new Error('read ECONNRESET') as NodeJS.ErrnoException;
  e.code = 'ECONNRESET';
  return e;
}

test('retry() retries transient failures with exponential back-off, then succeeds', async () => {
  const r = recorder();
  let calls = 0;
  const value = await retry(
    async (attempt) => {
      calls++;
      if (attempt < 4) throw new UnavailableError('X', 'busy');
      return 'done';
    },
    { sleep: r.sleep, jitter: 0, minTimeout: 100, multiplier: 2 },
  );
  assert.equal(value, 'done');
  assert.equal(calls, 4);
  assert.deepEqual(r.delays, [100, 200, 400]);
});

test('retry() gives up after maxAttempts and throws the last error unchanged', async () => {
  const r = recorder();
  let calls = 0;
  const last = new UnavailableError('X', 'still busy');
  await assert.rejects(
    retry(
      async () => {
        calls++;
        throw calls === 3 ? last : new UnavailableError('X', 'busy');
      },
      { sleep: r.sleep, maxAttempts: 3, jitter: 0 },
    ),
    (err) => err === last,
  );
  assert.equal(calls, 3);
  assert.equal(r.delays.length, 2);
});

test('retry() does not retry what cannot get better', async () => {
  for (const err of [
    new NotFoundError('X', 'no such manifest'),
    new RegistryResponseError({ status: 401, method: 'GET', url: 'https://r/v2/' }),
    new TypeError('bad argument'),
  ]) {
    let calls = 0;
    await assert.rejects(
      retry(async () => {
        calls++;
        throw err;
      }, { sleep: recorder().sleep }),
      (e) => e === err,
    );
    assert.equal(calls, 1, err.message);
  }
});

test('isTransient() recognizes 429, 5xx and dropped connections, also wrapped by fetch', () => {
  assert.ok(isTransient(new RegistryResponseError({ status: 429, method: 'GET', url: 'https://r/' })));
  assert.ok(isTransient(new RegistryResponseError({ status: 503, method: 'GET', url: 'https://r/' })));
  assert.ok(!isTransient(new RegistryResponseError({ status: 501, method: 'GET', url: 'https://r/' })));
  assert.ok(isTransient(econnreset()));
  assert.ok(isTransient(new TypeError('fetch failed', { cause: econnreset() })));
  assert.ok(!isTransient(new CanceledError('X', 'stop')));
  const abort = new Error('aborted');
  abort.name = 'AbortError';
  assert.ok(!isTransient(abort));
});

test('retry() waits at least what Retry-After asks, up to a minute', async () => {
  const r = recorder();
  let calls = 0;
  await retry(
    async () => {
      if (++calls === 1) throw new RegistryResponseError({ status: 429, method: 'GET', url: 'https://r/', retryAfterMs: 5000 });
      if (calls === 2) throw new RegistryResponseError({ status: 429, method: 'GET', url: 'https://r/', retryAfterMs: 600_000 });
    },
    { sleep: r.sleep, jitter: 0 },
  );
  assert.deepEqual(r.delays, [5000, 60_000]);
});

test('jitter spreads delays within its bounds', async () => {
  assert.equal(backoffDelay(10, { minTimeout: 200, maxTimeout: 1000 }), 1000);
  const low = recorder();
  const high = recorder();
  const failTwice = (): ((a: number) => Promise<void>) => async (a) => {
    if (a < 3) throw new UnavailableError('X', 'busy');
  };
  await retry(failTwice(), { sleep: low.sleep, jitter: 0.5, random: () => 0, minTimeout: 100 });
  await retry(failTwice(), { sleep: high.sleep, jitter: 0.5, random: () => 0.999999, minTimeout: 100 });
  assert.deepEqual(low.delays, [50, 100]);
  assert.deepEqual(high.delays, [150, 300]);
});

test('an aborted signal stops retry() before the next attempt and during the wait', async () => {
  const before = new AbortController();
  before.abort(new CanceledError('CANCELED', 'stopped by user'));
  await assert.rejects(retry(async () => 'x', { signal: before.signal }), /stopped by user/);

  const during = new AbortController();
  let calls = 0;
  const pending = retry(
    async () => {
      calls++;
      throw new UnavailableError('X', 'busy');
    },
    { signal: during.signal, minTimeout: 60_000, jitter: 0 },
  );
  setImmediate(() => during.abort(new CanceledError('CANCELED', 'interrupted')));
  await assert.rejects(pending, /interrupted/);
  assert.equal(calls, 1);
  await assert.rejects(sleep(10, AbortSignal.abort()), { name: 'AbortError' });
});
