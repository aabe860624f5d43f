/**
 * Who uses which `RUN --mount=type=cache` directory, across processes: so that `builder prune` and
 * `system prune` never delete one under a running build (DESIGN's "a build and a prune" invariant),
 * and so that `sharing=locked` holds between concurrent builds, as it does between BuildKit's builds
 * in one daemon. With no daemon, the marks are rows of the metadata DB's process-lock table (the one
 * content writers lock their ingest refs with): each names its process and that process's start time,
 * so the marks of a killed build are stale at once and never wedge a cache mount.
 *
 * Refs, by cache mount directory name:
 *   cache-mount-use:<name>:<token>   one per RUN that has it mounted (any number)
 *   cache-mount-lock:<name>          the one `sharing=locked` holder
 *   cache-mount-remove:<name>        a prune deleting it
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MetadataDb } from './db.js';
import { insertOwnLock, ownLockReleaser, processAlive, type IngestLocker } from './ingest-lock.js';

/** Ends a hold; safe to call twice. */
export type Release = () => void;

/** Polling between tries while another process holds what we wait for: short, then patient. */
const FIRST_WAIT_MS = 20;
const MAX_WAIT_MS = 250;

interface LockRow {
  ref: string;
  pid: number;
  pid_start: string;
}

export class CacheMountLocks {
  readonly #db: MetadataDb;
  /** The same table's single-holder check (a live pid with the same start time). */
  readonly #locker: IngestLocker;
  constructor(db: MetadataDb, locker: IngestLocker) {
    this.#db = db;
    this.#locker = locker;
  }

  /** Marks `name` in use until released; waits while a prune is deleting it. */
  async use(name: string, options: { signal?: AbortSignal } = {}): Promise<Release> {
    const ref = `cache-mount-use:${name}:${randomBytes(6).toString('hex')}`;
    await this.#until(() => (this.#locker.isHeld(`cache-mount-remove:${name}`) ? false : (insertOwnLock(this.#db, ref), true)), options.signal);
    return ownLockReleaser(this.#db, ref);
  }

  /** Holds `name` alone among `sharing=locked` users (of any process) until released; waits for it. */
  async lock(name: string, options: { signal?: AbortSignal } = {}): Promise<Release> {
    const ref = `cache-mount-lock:${name}`;
    await this.#until(() => (this.#locker.isHeld(ref) ? false : (insertOwnLock(this.#db, ref), true)), options.signal);
    return ownLockReleaser(this.#db, ref);
  }

  /**
   * Claims `name` for deletion when no live process uses it: until released, `use` waits.
   * @returns undefined when it is in use (the caller leaves it alone)
   */
  tryRemove(name: string): Release | undefined {
    const ref = `cache-mount-remove:${name}`;
    const claimed = this.#db.write(() => {
      if (this.inUse(name) || this.#locker.isHeld(ref)) return false;
      insertOwnLock(this.#db, ref);
      return true;
    });
    return claimed ? ownLockReleaser(this.#db, ref) : undefined;
  }

  /** True when a live process has `name` mounted in a RUN. */
  inUse(name: string): boolean {
    const rows = this.#db.sqlite
      .prepare("SELECT ref, pid, pid_start FROM ingest_locks WHERE ref >= ? AND ref < ?")
      .all(`cache-mount-use:${name}:`, `cache-mount-use:${name};`) as LockRow[];
    return rows.some((r) => processAlive(r.pid, r.pid_start));
  }

  /** Runs `tryOnce` in a write transaction until it returns true. */
  async #until(tryOnce: () => boolean, signal: AbortSignal | undefined): Promise<void> {
    let wait = FIRST_WAIT_MS;
    for (;;) {
      signal?.throwIfAborted();
      if (this.#db.write(tryOnce)) return;
      await sleep(wait, undefined, signal === undefined ? {} : { signal }).catch((err: unknown) => {
        signal?.throwIfAborted(); // the signal's own reason, not the timer's AbortError
        throw err;
      });
      wait = Math.min(MAX_WAIT_MS, wait * 2);
    }
  }
}
