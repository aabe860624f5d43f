/**
 * What a snapshotter records about its snapshots, and the role interface it records it through. The
 * store's `snapshots` table (one row per snapshot, its numeric id naming the directory) implements
 * `SnapshotMetadata` in production; `MemorySnapshotMetadata` serves tests and one-shot tools.
 *
 * Glossary (containerd's): a snapshot is *active* (writable, named by a caller's `key`), a *view*
 * (read-only, named by `key`) or *committed* (immutable, named by `name`, usable as a `parent`).
 * Only committed snapshots can be parents. Directories are named by id, never by key.
 */
import { AlreadyExistsError, FailedPreconditionError, NotFoundError } from '../errors.js';

export type SnapshotKind = 'view' | 'active' | 'committed';

export interface SnapshotInfo {
  /** Numeric id: the directory `snapshots/<id>`. */
  id: number;
  /** The key (active, view) or name (committed). */
  key: string;
  /** Key of the committed parent, if any. */
  parent?: string;
  kind: SnapshotKind;
  createdAt: number;
  labels: Record<string, string>;
}

export class SnapshotNotFoundError extends NotFoundError {
  constructor(key: string) {
    super('SNAPSHOT_NOT_FOUND', `snapshot ${key}: not found`);
  }
}

export class SnapshotExistsError extends AlreadyExistsError {
  constructor(key: string) {
    super('SNAPSHOT_EXISTS', `snapshot ${key}: already exists`);
  }
}

/** The records of snapshots. Implementations make each call atomic. */
export interface SnapshotMetadata {
  get(key: string): Promise<SnapshotInfo | undefined>;
  /** Adds a snapshot with a fresh id. @throws {SnapshotExistsError} */
  create(record: { key: string; parent?: string; kind: 'active' | 'view'; labels?: Record<string, string> }): Promise<SnapshotInfo>;
  /** Turns active `key` into committed `name` (same id). @throws {SnapshotNotFoundError} {SnapshotExistsError} */
  commit(key: string, name: string): Promise<SnapshotInfo>;
  /** Deletes the record. @throws {SnapshotNotFoundError}, {FailedPreconditionError} when it has children */
  remove(key: string): Promise<SnapshotInfo>;
  list(): Promise<SnapshotInfo[]>;
}

/** An in-memory `SnapshotMetadata` (tests, tools that keep nothing). */
export class MemorySnapshotMetadata implements SnapshotMetadata {
  #rows = new Map<string, SnapshotInfo>();
  #nextId = 1;

  async get(key: string): Promise<SnapshotInfo | undefined> {
    const r = this.#rows.get(key);
    return r === undefined ? undefined : { ...r, labels: { ...r.labels } };
  }

  async create(record: { key: string; parent?: string; kind: 'active' | 'view'; labels?: Record<string, string> }): Promise<SnapshotInfo> {
    if (this.#rows.has(record.key)) throw new SnapshotExistsError(record.key);
    if (record.parent !== undefined) {
      const p = this.#rows.get(record.parent);
      if (p === undefined) throw new SnapshotNotFoundError(record.parent);
      if (p.kind !== 'committed') throw new FailedPreconditionError('SNAPSHOT_PARENT_NOT_COMMITTED', `snapshot ${record.parent}: parent is not committed`);
    }
    const info: SnapshotInfo = { id: this.#nextId++, key: record.key, kind: record.kind, createdAt: Date.now(), labels: { ...record.labels } };
    if (record.parent !== undefined) info.parent = record.parent;
    this.#rows.set(record.key, info);
    return { ...info };
  }

  async commit(key: string, name: string): Promise<SnapshotInfo> {
    const r = this.#rows.get(key);
    if (r === undefined) throw new SnapshotNotFoundError(key);
    if (r.kind !== 'active') throw new FailedPreconditionError('SNAPSHOT_NOT_ACTIVE', `snapshot ${key}: is a ${r.kind} snapshot, not active`);
    if (this.#rows.has(name)) throw new SnapshotExistsError(name);
    this.#rows.delete(key);
    const c: SnapshotInfo = { ...r, key: name, kind: 'committed' };
    this.#rows.set(name, c);
    return { ...c };
  }

  async remove(key: string): Promise<SnapshotInfo> {
    const r = this.#rows.get(key);
    if (r === undefined) throw new SnapshotNotFoundError(key);
    if ([...this.#rows.values()].some((x) => x.parent === key)) {
      throw new FailedPreconditionError('SNAPSHOT_HAS_CHILDREN', `snapshot ${key}: cannot remove, it is the parent of other snapshots`);
    }
    this.#rows.delete(key);
    return r;
  }

  async list(): Promise<SnapshotInfo[]> {
    return [...this.#rows.values()].map((r) => ({ ...r }));
  }
}
