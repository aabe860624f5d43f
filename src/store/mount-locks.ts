/**
 * Who uses which mounted directory, across processes: so that `builder prune` and `system prune`
 * never delete a `RUN --mount=type=cache` directory under a running build (DESIGN's "a build and a
 * prune" invariant), so that `sharing=locked` holds between concurrent builds, as it does between
 * BuildKit's builds in one daemon, and so that a container's root filesystem mounted for `cp` is
 * unmounted by the last copy using it, not under another. With no daemon, the marks are rows of the
 * metadata DB's process-lock table (the one content writers lock their ingest refs with): each
 * names its process and that process's start time, so the marks of a killed process are stale at
 * once and never wedge a mount.
 *
 * Refs, by kind (`cache-mount`, `container-rootfs`) and name:
 *   <kind>-use:<name>:<token>   one per user (any number)
 *   <kind>-lock:<name>          the one `sharing=locked` holder
 *   <kind>-remove:<name>        a prune deleting it
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

export class MountLocks {
  readonly #db: MetadataDb;
  /** The same table's single-holder check (a live pid with the same start time). */
  readonly #locker: IngestLocker;
  readonly #kind: string;
  constructor(db: MetadataDb, locker: IngestLocker, kind = 'cache-mount') {
    this.#db = db;
    this.#locker = locker;
    this.#kind = kind;
  }

  /** Marks `name` in use until released; waits while a prune is deleting it. */
  async use(name: string, options: { signal?: AbortSignal } = {}): Promise<Release> {
    const ref = `${this.#kind}-use:${name}:${randomBytes(6).toString('hex')}`;
    await this.#until(() => (this.#locker.isHeld(`${this.#kind}-remove:${name}`) ? false : (insertOwnLock(this.#db, ref), true)), options.signal);
    return ownLockReleaser(this.#db, ref);
  }

  /** Holds `name` alone among `sharing=locked` users (of any process) until released; waits for it. */
  async lock(name: string, options: { signal?: AbortSignal } = {}): Promise<Release> {
    const ref = `${this.#kind}-lock:${name}`;
    await this.#until(() => (this.#locker.isHeld(ref) ? false : (insertOwnLock(this.#db, ref), true)), options.signal);
    return ownLockReleaser(this.#db, ref);
  }

  /**
   * Claims `name` for deletion when no live process uses it: until released, `use` waits.
   * @returns undefined when it is in use (the caller leaves it alone)
   */
  tryRemove(name: string): Release | undefined {
    const ref = `${this.#kind}-remove:${name}`;
    const claimed = this.#db.write(() => {
      if (this.inUse(name) || this.#locker.isHeld(ref)) return false;
      insertOwnLock(this.#db, ref);
      return true;
    });
    return claimed ? ownLockReleaser(this.#db, ref) : undefined;
  }

  /** True when a live process uses `name` (has it mounted in a RUN, copies through it). */
  inUse(name: string): boolean {
    const rows = this.#db.sqlite
      .prepare("SELECT ref, pid, pid_start FROM ingest_locks WHERE ref >= ? AND ref < ?")
      .all(`${this.#kind}-use:${name}:`, `${this.#kind}-use:${name};`) as LockRow[];
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
