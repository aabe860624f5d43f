/**
 * Container records: what exists, from which image, in which state. The container part (run,
 * commit) owns their life; the store keeps them so that `rmi` can refuse to delete an image a
 * container uses, and so that garbage collection keeps a container's snapshot.
 */
import { randomBytes } from 'node:crypto';
import type { Digest } from '../oci/index.js';
import type { MetadataDb } from './db.js';
import { ContainerNameConflictError, ContainerNotFoundError } from './errors.js';
import type { ContainerRecord, ContainerState, ContainerUpdate, NewContainer } from './types.js';

interface Row {
  id: string;
  name: string;
  image_id: string;
  image_ref: string;
  snapshot_key: string | null;
  state: string;
  pid: number | null;
  exit_code: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  size_rw: number | null;
  config: string;
  labels: string;
}

export class ContainerStore {
  readonly #db: MetadataDb;
  constructor(db: MetadataDb) {
    this.#db = db;
  }

  /**
   * Records a new container. Without a name it is called `gantry_<12 hex of its ID>`; names are
   * unique.
   * @throws {ContainerNameConflictError}
   */
  create(c: NewContainer): ContainerRecord {
    const id = c.id ?? randomBytes(32).toString('hex');
    const name = c.name ?? `gantry_${id.slice(0, 12)}`;
    const now = Date.now();
    this.#db.write(() => {
      const holder = this.#db.sqlite.prepare('SELECT id FROM containers WHERE name = ?').get(name) as { id: string } | undefined;
      if (holder !== undefined) throw new ContainerNameConflictError(name, holder.id);
      this.#db.sqlite
        .prepare(
          `INSERT INTO containers (id, name, image_id, image_ref, snapshot_key, state, created_at, config, labels)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, name, c.imageId, c.imageRef, c.snapshotKey ?? null, c.state ?? 'created', now, JSON.stringify(c.config ?? {}), JSON.stringify(c.labels ?? {}));
    });
    return this.get(id);
  }

  /** By full ID. @throws {ContainerNotFoundError} */
  get(id: string): ContainerRecord {
    const row = this.#db.sqlite.prepare('SELECT * FROM containers WHERE id = ?').get(id) as Row | undefined;
    if (row === undefined) throw new ContainerNotFoundError(id);
    return fromRow(row);
  }

  /** By name, full ID or unique ID prefix (docker's order). @throws {ContainerNotFoundError} */
  resolve(reference: string): ContainerRecord {
    const s = this.#db.sqlite;
    const name = reference.startsWith('/') ? reference.slice(1) : reference;
    const byName = s.prepare('SELECT * FROM containers WHERE id = ? OR name = ?').get(reference, name) as Row | undefined;
    if (byName !== undefined) return fromRow(byName);
    if (/^[a-f0-9]+$/.test(reference)) {
      const rows = s.prepare('SELECT * FROM containers WHERE id LIKE ? LIMIT 2').all(`${reference}%`) as Row[];
      if (rows.length === 1) return fromRow(rows[0]!);
    }
    throw new ContainerNotFoundError(reference);
  }

  list(): ContainerRecord[] {
    return (this.#db.sqlite.prepare('SELECT * FROM containers ORDER BY created_at DESC, id').all() as Row[]).map(fromRow);
  }

  /** @throws {ContainerNotFoundError} */
  update(id: string, u: ContainerUpdate): ContainerRecord {
    const cols: string[] = [];
    const vals: unknown[] = [];
    const set = (col: string, v: unknown): void => {
      cols.push(`${col} = ?`);
      vals.push(v);
    };
    if (u.state !== undefined) set('state', u.state);
    if (u.pid !== undefined) set('pid', u.pid);
    if (u.exitCode !== undefined) set('exit_code', u.exitCode);
    if (u.startedAt !== undefined) set('started_at', u.startedAt);
    if (u.finishedAt !== undefined) set('finished_at', u.finishedAt);
    if (u.sizeRw !== undefined) set('size_rw', u.sizeRw);
    if (u.snapshotKey !== undefined) set('snapshot_key', u.snapshotKey);
    if (u.config !== undefined) set('config', JSON.stringify(u.config));
    if (u.labels !== undefined) set('labels', JSON.stringify(u.labels));
    if (cols.length > 0) {
      this.#db.write(() => {
        const r = this.#db.sqlite.prepare(`UPDATE containers SET ${cols.join(', ')} WHERE id = ?`).run(...vals, id);
        if (r.changes === 0) throw new ContainerNotFoundError(id);
      });
    }
    return this.get(id);
  }

  /**
   * Gives the container another name, in one transaction with the check that no other has it.
   * @throws {ContainerNameConflictError} {ContainerNotFoundError}
   */
  rename(id: string, name: string): ContainerRecord {
    this.#db.write(() => {
      const holder = this.#db.sqlite.prepare('SELECT id FROM containers WHERE name = ?').get(name) as { id: string } | undefined;
      if (holder !== undefined) throw new ContainerNameConflictError(name, holder.id);
      const r = this.#db.sqlite.prepare('UPDATE containers SET name = ? WHERE id = ?').run(name, id);
      if (r.changes === 0) throw new ContainerNotFoundError(id);
    });
    return this.get(id);
  }

  /** Deletes the record (its snapshot becomes garbage). Idempotent. */
  remove(id: string): void {
    this.#db.write(() => {
      this.#db.sqlite.prepare('DELETE FROM containers WHERE id = ?').run(id);
    });
  }
}

function fromRow(r: Row): ContainerRecord {
  const c: ContainerRecord = {
    id: r.id,
    name: r.name,
    imageId: r.image_id as Digest,
    imageRef: r.image_ref,
    state: r.state as ContainerState,
    createdAt: r.created_at,
    config: JSON.parse(r.config) as Record<string, unknown>,
    labels: JSON.parse(r.labels) as Record<string, string>,
  };
  if (r.snapshot_key !== null) c.snapshotKey = r.snapshot_key;
  if (r.pid !== null) c.pid = r.pid;
  if (r.exit_code !== null) c.exitCode = r.exit_code;
  if (r.started_at !== null) c.startedAt = r.started_at;
  if (r.finished_at !== null) c.finishedAt = r.finished_at;
  if (r.size_rw !== null) c.sizeRw = r.size_rw;
  return c;
}
