/**
 * One writer per ingest ref, across processes. The lock is a row in the metadata DB's `ingest_locks`
 * table, taken in an immediate transaction, so two processes cannot both win. A row whose process has
 * died (the pid is gone, or was reused: its start time differs) is stale and taken over, so a
 * `kill -9` never wedges a ref.
 */
import { readFileSync } from 'node:fs';
import type { MetadataDb } from './db.js';
import { IngestLockedError } from './errors.js';

export interface IngestLock {
  readonly ref: string;
  /** Safe to call twice. */
  release(): void;
}

/** The role the content store needs: take a ref's lock, or fail fast. */
export interface IngestLocker {
  /** @throws {IngestLockedError} when a live writer holds `ref` */
  acquire(ref: string): IngestLock;
  /** True when a live writer holds `ref` now. */
  isHeld(ref: string): boolean;
}

/** The start time of a process (clock ticks after boot, from /proc), or '' when unknown. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19]; // field 22 overall
  } catch {
    return undefined;
  }
}

/** True when process `pid` runs and started at `start` (so a reused pid does not count). */
export function processAlive(pid: number, start: string): boolean {
  const now = processStartTime(pid);
  if (now !== undefined) return start === '' || now === start;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SELF_START = processStartTime(process.pid) ?? '';

/** Records `ref` as held by this process; call inside a write transaction that checked it was free. */
export function insertOwnLock(db: MetadataDb, ref: string, now = Date.now()): void {
  db.sqlite.prepare('INSERT OR REPLACE INTO ingest_locks (ref, pid, pid_start, locked_at) VALUES (?, ?, ?, ?)').run(ref, process.pid, SELF_START, now);
}

/** A function that deletes this process's row of `ref`, once; it never throws. */
export function ownLockReleaser(db: MetadataDb, ref: string): () => void {
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      db.write(() => {
        db.sqlite.prepare('DELETE FROM ingest_locks WHERE ref = ? AND pid = ? AND pid_start = ?').run(ref, process.pid, SELF_START);
      });
    } catch {
      // Releasing runs in `finally` blocks: it must not hide the error that got us there (a full
      // disk, say). A row left behind names this process, and is stale as soon as it exits.
    }
  };
}

export class DbIngestLocker implements IngestLocker {
  readonly #db: MetadataDb;
  constructor(db: MetadataDb) {
    this.#db = db;
  }

  acquire(ref: string): IngestLock {
    const now = Date.now();
    this.#db.write(() => {
      const row = this.#db.sqlite.prepare('SELECT pid, pid_start, locked_at FROM ingest_locks WHERE ref = ?').get(ref) as
        | { pid: number; pid_start: string; locked_at: number }
        | undefined;
      if (row !== undefined && processAlive(row.pid, row.pid_start)) {
        throw new IngestLockedError(ref, row.pid, now - row.locked_at);
      }
      insertOwnLock(this.#db, ref, now);
    });
    return { ref, release: ownLockReleaser(this.#db, ref) };
  }

  isHeld(ref: string): boolean {
    const row = this.#db.sqlite.prepare('SELECT pid, pid_start FROM ingest_locks WHERE ref = ?').get(ref) as
      | { pid: number; pid_start: string }
      | undefined;
    return row !== undefined && processAlive(row.pid, row.pid_start);
  }
}
