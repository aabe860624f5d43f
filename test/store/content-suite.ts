/**
 * The content-store suite: every ContentStore implementation must pass it (containerd's
 * ContentSuite idea). `init` returns a fresh store and a cleanup.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf } from '../../src/oci/digest.js';
import {
  ContentNotFoundError,
  DigestMismatchError,
  IngestLockedError,
  SizeMismatchError,
  WriterClosedError,
  readBlob,
  writeBlob,
  verifiedStream,
  type ContentStore,
} from '../../src/store/index.js';
import { testBytes, chunks } from './_data.js';

export interface SuiteStore {
  store: ContentStore;
  /**
   * Leaves an interrupted ingest of `ref` behind, as a writer whose process died would: the first
   * half of `testBytes(seed, size)` written, expected digest and size given, no commit, no abort.
   */
  crashWriter(ref: string, seed: number, size: number): Promise<void>;
  cleanup(): void;
}

export function contentSuite(name: string, init: () => SuiteStore): void {
  const run = (title: string, fn: (s: ContentStore, h: SuiteStore) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const s = init();
      try {
        await fn(s.store, s);
      } finally {
        s.cleanup();
      }
    });
  };

  run('writer streams, hashes and commits a blob readers then see', async (store) => {
    const data = testBytes(1, 300_000);
    const w = await store.writer('w1', { expected: { digest: digestOf(data), size: data.length } });
    for await (const c of chunks(data)) await w.write(c);
    assert.equal(w.offset, data.length);
    assert.equal(w.digest(), digestOf(data));
    await assert.rejects(store.info(digestOf(data)), ContentNotFoundError, 'invisible before commit');
    const d = await w.commit(data.length, digestOf(data));
    assert.deepEqual({ digest: d.digest, size: d.size }, { digest: digestOf(data), size: data.length });
    assert.equal((await store.info(d.digest)).size, data.length);
    assert.deepEqual(Buffer.from(await readBlob(store, d)), data);
    assert.equal((await store.status('w1')), undefined, 'the ingest is gone after commit');
    await w.abort(); // abort after commit does nothing
    assert.equal((await store.info(d.digest)).size, data.length);
    await assert.rejects(w.write(Buffer.from('x')), WriterClosedError);
  });

  run('an interrupted ingest resumes at its offset under the same ref', async (store, h) => {
    const data = testBytes(2, 200_000);
    const expected = { digest: digestOf(data), size: data.length };
    await h.crashWriter('resume', 2, data.length);
    const st = await store.status('resume');
    assert.equal(st?.offset, 100_000);
    assert.equal(st?.expected, expected.digest);
    assert.equal(st?.total, expected.size);
    const w2 = await store.writer('resume', { expected });
    assert.equal(w2.offset, 100_000);
    assert.equal(w2.digest(), digestOf(data.subarray(0, 100_000)), 'the digest so far covers the resumed bytes');
    await w2.write(data.subarray(w2.offset));
    const d = await w2.commit();
    assert.equal(d.digest, expected.digest);
  });

  run('a ref reopened with other expectations starts over', async (store, h) => {
    await h.crashWriter('re', 3, 1000);
    const b = testBytes(4, 800);
    const w2 = await store.writer('re', { expected: { digest: digestOf(b), size: b.length } });
    assert.equal(w2.offset, 0);
    await w2.write(b);
    assert.equal((await w2.commit()).digest, digestOf(b));
  });

  run('committing content that exists is success (idempotent), the ingest is dropped', async (store) => {
    const data = testBytes(5, 5000);
    const d1 = await writeBlob(store, 'x1', data, { digest: digestOf(data), size: data.length });
    const w = await store.writer('x2');
    await w.write(data);
    const d2 = await w.commit(data.length, digestOf(data));
    assert.equal(d2.digest, d1.digest);
    assert.equal(await store.status('x2'), undefined);
    const d3 = await writeBlob(store, 'x3', data, { digest: digestOf(data), size: data.length });
    assert.equal(d3.digest, d1.digest);
  });

  run('a digest mismatch fails the commit, drops the ingest and stores nothing', async (store) => {
    const data = testBytes(6, 4000);
    const wrong = digestOf('something else');
    const w = await store.writer('bad-digest');
    await w.write(data);
    await assert.rejects(w.commit(data.length, wrong), (err: unknown) => {
      assert.ok(err instanceof DigestMismatchError);
      assert.equal(err.expected, wrong);
      assert.equal(err.actual, digestOf(data));
      return true;
    });
    await assert.rejects(store.info(digestOf(data)), ContentNotFoundError);
    await assert.rejects(store.info(wrong), ContentNotFoundError);
    assert.equal(await store.status('bad-digest'), undefined);
    await w.abort();
  });

  run('a size mismatch fails the commit and stores nothing', async (store) => {
    const data = testBytes(7, 4000);
    const w = await store.writer('bad-size', { expected: { digest: digestOf(data), size: 4001 } });
    await w.write(data);
    await assert.rejects(w.commit(), SizeMismatchError);
    await assert.rejects(store.info(digestOf(data)), ContentNotFoundError);
    await w.abort();
  });

  run('abort drops the ingest, is idempotent and frees the ref', async (store) => {
    const w = await store.writer('ab');
    await w.write(Buffer.from('partial'));
    await w.abort();
    await w.abort();
    assert.equal(await store.status('ab'), undefined);
    const w2 = await store.writer('ab');
    assert.equal(w2.offset, 0);
    await w2.abort();
  });

  run('a second writer on a held ref fails fast with IngestLockedError', async (store) => {
    const w = await store.writer('busy');
    await assert.rejects(store.writer('busy'), (err: unknown) => err instanceof IngestLockedError && /locked by process/.test(err.message));
    await w.abort();
    const w2 = await store.writer('busy');
    await w2.abort();
  });

  run('sha512 content is verified and stored under blobs/sha512', async (store) => {
    const data = testBytes(8, 3000);
    const d = await writeBlob(store, 's512', data, { digest: digestOf(data, 'sha512'), size: data.length });
    assert.ok(d.digest.startsWith('sha512:'));
    assert.deepEqual(Buffer.from(await readBlob(store, d)), data);
    const found: string[] = [];
    await store.walk((i) => void found.push(i.digest));
    assert.ok(found.includes(d.digest));
  });

  run('readers serve ranges; a wrong descriptor size is refused at open', async (store) => {
    const data = testBytes(9, 10_000);
    const d = await writeBlob(store, 'r', data, { digest: digestOf(data) });
    const r = await store.reader(d);
    assert.deepEqual(Buffer.from(await r.readAt(100, 50)), data.subarray(100, 150));
    assert.equal((await r.readAt(9990, 100)).length, 10);
    const parts: Buffer[] = [];
    for await (const c of r.stream({ start: 5000, end: 6000 })) parts.push(c as Buffer);
    assert.deepEqual(Buffer.concat(parts), data.subarray(5000, 6000));
    await r.close();
    await r.close();
    await assert.rejects(store.reader({ digest: d.digest, size: 9 }), SizeMismatchError);
  });

  run('verifiedStream refuses wrong digests, short and long content', async (store) => {
    const data = testBytes(10, 2000);
    const drain = async (src: AsyncIterable<Uint8Array>): Promise<void> => {
      for await (const _ of src) void _;
    };
    await drain(verifiedStream(chunks(data, 100), { digest: digestOf(data), size: data.length }));
    await assert.rejects(drain(verifiedStream(chunks(data, 100), { digest: digestOf('x'), size: data.length })), DigestMismatchError);
    await assert.rejects(drain(verifiedStream(chunks(data, 100), { digest: digestOf(data), size: data.length + 1 })), SizeMismatchError);
    await assert.rejects(drain(verifiedStream(chunks(data, 100), { digest: digestOf(data), size: data.length - 1 })), SizeMismatchError);
    await assert.rejects(drain(verifiedStream(chunks(data, 100), { digest: digestOf(data), size: -1 })), /invalid size/);
    void store;
  });

  run('delete removes a blob and is idempotent; walk lists committed blobs', async (store) => {
    const a = await writeBlob(store, 'a', 'aaa', { digest: digestOf('aaa') });
    const b = await writeBlob(store, 'b', 'bbb', { digest: digestOf('bbb') });
    const seen: string[] = [];
    await store.walk((i) => void seen.push(i.digest));
    assert.deepEqual(seen.sort(), [a.digest, b.digest].sort());
    await store.delete(a.digest);
    await store.delete(a.digest);
    await assert.rejects(store.info(a.digest), ContentNotFoundError);
  });
}

