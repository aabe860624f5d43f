/**
 * Leases protect work in flight from garbage collection, after containerd's `leases` package. A
 * build or a pull creates a lease, writes blobs and snapshots under it (each is added as a resource
 * before it becomes visible), records the image, then deletes the lease. With no daemon to notice a
 * crashed client, every lease carries an expiry: once `expiresAt` passes it protects nothing and the
 * next collection removes it. Long work renews its lease.
 *
 * @example
 * ```ts
 * await withLease(store.leases, async (lease) => {
 *   const w = await store.content.writer(ref, { lease: lease.id, expected });
 *   …
 *   store.images.put({ … });
 * });
 * ```
 */
import { randomBytes } from 'node:crypto';
import type { MetadataDb } from './db.js';
import { LeaseNotFoundError } from './errors.js';
import type { Lease, Resource, ResourceType } from './types.js';

/** The role the content store (and the snapshotter) need: add a resource to a lease. */
export interface LeaseRecorder {
  /** Idempotent. @throws {LeaseNotFoundError} */
  addResource(leaseId: string, resource: Resource): void;
}

export interface CreateLeaseOptions {
  id?: string;
  /** Absolute expiry (ms since the epoch). */
  expiresAt?: number;
  /** Relative expiry; ignored when `expiresAt` is given. Default: one hour. */
  ttlMs?: number;
  labels?: Record<string, string>;
}

/** Default lifetime of a lease: long enough for a big pull, short enough that a crash is forgotten. */
export const DEFAULT_LEASE_TTL_MS = 60 * 60 * 1000;

const RESOURCE_TYPES: readonly ResourceType[] = ['content', 'ingest', 'snapshot'];

export class LeaseManager implements LeaseRecorder {
  readonly #db: MetadataDb;
  constructor(db: MetadataDb) {
    this.#db = db;
  }

  create(options: CreateLeaseOptions = {}): Lease {
    const now = Date.now();
    const lease: Lease = {
      id: options.id ?? `gantry-${now.toString(36)}-${randomBytes(6).toString('hex')}`,
      createdAt: now,
      expiresAt: options.expiresAt ?? now + (options.ttlMs ?? DEFAULT_LEASE_TTL_MS),
      labels: options.labels ?? {},
    };
    this.#db.write(() => {
      this.#db.sqlite
        .prepare('INSERT INTO leases (id, created_at, expires_at, labels) VALUES (?, ?, ?, ?)')
        .run(lease.id, lease.createdAt, lease.expiresAt ?? null, JSON.stringify(lease.labels));
    });
    return lease;
  }

  /** @throws {LeaseNotFoundError} */
  get(id: string): Lease {
    const row = this.#db.sqlite.prepare('SELECT * FROM leases WHERE id = ?').get(id) as LeaseRow | undefined;
    if (row === undefined) throw new LeaseNotFoundError(id);
    return fromRow(row);
  }

  list(): Lease[] {
    return (this.#db.sqlite.prepare('SELECT * FROM leases ORDER BY created_at').all() as LeaseRow[]).map(fromRow);
  }

  /** Pushes the expiry out (long builds call this now and then). @throws {LeaseNotFoundError} */
  renew(id: string, expiresAt: number): void {
    this.#db.write(() => {
      const r = this.#db.sqlite.prepare('UPDATE leases SET expires_at = ? WHERE id = ?').run(expiresAt, id);
      if (r.changes === 0) throw new LeaseNotFoundError(id);
    });
  }

  /** Ends a lease: what it held is garbage unless something else refers to it. Idempotent. */
  delete(id: string): void {
    this.#db.write(() => {
      this.#db.sqlite.prepare('DELETE FROM leases WHERE id = ?').run(id);
    });
  }

  addResource(leaseId: string, resource: Resource): void {
    if (!RESOURCE_TYPES.includes(resource.type)) throw new TypeError(`unknown resource type "${resource.type}"`);
    this.#db.write(() => {
      const exists = this.#db.sqlite.prepare('SELECT 1 FROM leases WHERE id = ?').get(leaseId);
      if (exists === undefined) throw new LeaseNotFoundError(leaseId);
      this.#db.sqlite
        .prepare('INSERT OR IGNORE INTO lease_resources (lease_id, type, resource_id) VALUES (?, ?, ?)')
        .run(leaseId, resource.type, resource.id);
    });
  }

  deleteResource(leaseId: string, resource: Resource): void {
    this.#db.write(() => {
      this.#db.sqlite
        .prepare('DELETE FROM lease_resources WHERE lease_id = ? AND type = ? AND resource_id = ?')
        .run(leaseId, resource.type, resource.id);
    });
  }

  listResources(leaseId: string): Resource[] {
    return (
      this.#db.sqlite.prepare('SELECT type, resource_id FROM lease_resources WHERE lease_id = ? ORDER BY type, resource_id').all(leaseId) as {
        type: ResourceType;
        resource_id: string;
      }[]
    ).map((r) => ({ type: r.type, id: r.resource_id }));
  }
}

/**
 * Creates a lease, runs `fn` under it, and deletes it afterwards, whatever happens. While `fn` runs,
 * the lease is renewed every half TTL, so long work stays protected and a crash is forgotten one
 * TTL later.
 */
export async function withLease<T>(leases: LeaseManager, fn: (lease: Lease) => Promise<T>, options: CreateLeaseOptions = {}): Promise<T> {
  const ttl = options.ttlMs ?? DEFAULT_LEASE_TTL_MS;
  const lease = leases.create(options);
  const timer =
    options.expiresAt === undefined
      ? setInterval(() => {
          try {
            leases.renew(lease.id, Date.now() + ttl);
          } catch {
            // A failed renewal (a busy or full disk) leaves the old expiry: the lease still holds
            // until then, and the next tick tries again.
          }
        }, Math.max(1000, ttl / 2))
      : undefined;
  timer?.unref();
  try {
    return await fn(lease);
  } finally {
    if (timer !== undefined) clearInterval(timer);
    leases.delete(lease.id);
  }
}

interface LeaseRow {
  id: string;
  created_at: number;
  expires_at: number | null;
  labels: string;
}

function fromRow(row: LeaseRow): Lease {
  const l: Lease = { id: row.id, createdAt: row.created_at, labels: JSON.parse(row.labels) as Record<string, string> };
  if (row.expires_at !== null) l.expiresAt = row.expires_at;
  return l;
}
