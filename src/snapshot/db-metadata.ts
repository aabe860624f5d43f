/**
 * `SnapshotMetadata` over the store's `snapshots` table (one row per snapshot; its id names the
 * directory `snapshots/<id>`). Each call is one immediate transaction, so two gantry processes
 * preparing or removing snapshots at once see a consistent table, and the store's garbage collector
 * (which keeps what containers, layers, cache records and leases use) sees every row.
 */
import { FailedPreconditionError } from '../errors.js';
import type { MetadataDb } from '../store/index.js';
import { SnapshotExistsError, SnapshotNotFoundError, type SnapshotInfo, type SnapshotKind, type SnapshotMetadata } from './metadata.js';

interface Row {
  id: number;
  key: string;
  parent: string | null;
  kind: SnapshotKind;
  created_at: number;
  labels: string;
}

function toInfo(r: Row): SnapshotInfo {
  const info: SnapshotInfo = { id: r.id, key: r.key, kind: r.kind, createdAt: r.created_at, labels: JSON.parse(r.labels) as Record<string, string> };
  if (r.parent !== null) info.parent = r.parent;
  return info;
}

export class DbSnapshotMetadata implements SnapshotMetadata {
  constructor(readonly db: MetadataDb) {}

  #get(key: string): Row | undefined {
    return this.db.sqlite.prepare('SELECT id, key, parent, kind, created_at, labels FROM snapshots WHERE key = ?').get(key) as Row | undefined;
  }

  async get(key: string): Promise<SnapshotInfo | undefined> {
    const r = this.db.read(() => this.#get(key));
    return r === undefined ? undefined : toInfo(r);
  }

  async create(record: { key: string; parent?: string; kind: 'active' | 'view'; labels?: Record<string, string> }): Promise<SnapshotInfo> {
    return this.db.write(() => {
      if (this.#get(record.key) !== undefined) throw new SnapshotExistsError(record.key);
      if (record.parent !== undefined) {
        const p = this.#get(record.parent);
        if (p === undefined) throw new SnapshotNotFoundError(record.parent);
        if (p.kind !== 'committed') throw new FailedPreconditionError('SNAPSHOT_PARENT_NOT_COMMITTED', `snapshot ${record.parent}: parent is not committed`);
      }
      const now = Date.now();
      this.db.sqlite
        .prepare('INSERT INTO snapshots (key, parent, kind, created_at, updated_at, labels) VALUES (?, ?, ?, ?, ?, ?)')
        .run(record.key, record.parent ?? null, record.kind, now, now, JSON.stringify(record.labels ?? {}));
      return toInfo(this.#get(record.key)!);
    });
  }

  async commit(key: string, name: string): Promise<SnapshotInfo> {
    return this.db.write(() => {
      const r = this.#get(key);
      if (r === undefined) throw new SnapshotNotFoundError(key);
      if (r.kind !== 'active') throw new FailedPreconditionError('SNAPSHOT_NOT_ACTIVE', `snapshot ${key}: is a ${r.kind} snapshot, not active`);
      if (this.#get(name) !== undefined) throw new SnapshotExistsError(name);
      this.db.sqlite.prepare("UPDATE snapshots SET key = ?, kind = 'committed', updated_at = ? WHERE id = ?").run(name, Date.now(), r.id);
      return toInfo(this.#get(name)!);
    });
  }

  async remove(key: string): Promise<SnapshotInfo> {
    return this.db.write(() => {
      const r = this.#get(key);
      if (r === undefined) throw new SnapshotNotFoundError(key);
      const child = this.db.sqlite.prepare('SELECT 1 FROM snapshots WHERE parent = ? LIMIT 1').get(key);
      if (child !== undefined) {
        throw new FailedPreconditionError('SNAPSHOT_HAS_CHILDREN', `snapshot ${key}: cannot remove, it is the parent of other snapshots`);
      }
      this.db.sqlite.prepare('DELETE FROM snapshots WHERE id = ?').run(r.id);
      return toInfo(r);
    });
  }

  async list(): Promise<SnapshotInfo[]> {
    const rows = this.db.read(() => this.db.sqlite.prepare('SELECT id, key, parent, kind, created_at, labels FROM snapshots ORDER BY id').all() as Row[]);
    return rows.map(toInfo);
  }
}
