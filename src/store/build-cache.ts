/**
 * Build-cache records: one per cached step result, holding the blobs and snapshots it produced
 * (resources), so garbage collection keeps them while the record lives. The build part decides
 * what a record means; the store keeps them consistent and counts them for `system df`.
 */
import type { MetadataDb } from './db.js';
import type { BuildCacheRecord, NewBuildCacheRecord, Resource, ResourceType } from './types.js';

interface Row {
  id: string;
  type: string;
  description: string;
  cache_key: string | null;
  parents: string;
  size: number;
  in_use: number;
  shared: number;
  created_at: number;
  last_used_at: number | null;
  usage_count: number;
}

export class BuildCacheStore {
  readonly #db: MetadataDb;
  constructor(db: MetadataDb) {
    this.#db = db;
  }

  /** Inserts or replaces a record and its resources, in one transaction. */
  put(r: NewBuildCacheRecord): BuildCacheRecord {
    this.#db.write(() => {
      const s = this.#db.sqlite;
      s.prepare(
        `INSERT INTO build_cache (id, type, description, cache_key, parents, size, in_use, shared, created_at, usage_count)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0)
         ON CONFLICT(id) DO UPDATE SET type = excluded.type, description = excluded.description, cache_key = excluded.cache_key,
           parents = excluded.parents, size = excluded.size, in_use = excluded.in_use, shared = excluded.shared`,
      ).run(r.id, r.type, r.description, r.cacheKey ?? null, JSON.stringify(r.parents ?? []), r.size, r.inUse === true ? 1 : 0, r.shared === true ? 1 : 0, Date.now());
      s.prepare('DELETE FROM build_cache_resources WHERE record_id = ?').run(r.id);
      const add = s.prepare('INSERT OR IGNORE INTO build_cache_resources (record_id, type, resource_id) VALUES (?, ?, ?)');
      for (const res of r.resources ?? []) add.run(r.id, res.type, res.id);
    });
    return this.get(r.id)!;
  }

  get(id: string): BuildCacheRecord | undefined {
    const row = this.#db.sqlite.prepare('SELECT * FROM build_cache WHERE id = ?').get(id) as Row | undefined;
    return row === undefined ? undefined : this.#fromRow(row);
  }

  /** Records with this cache key (most recently used first). */
  findByKey(cacheKey: string): BuildCacheRecord[] {
    return (this.#db.sqlite.prepare('SELECT * FROM build_cache WHERE cache_key = ? ORDER BY last_used_at DESC').all(cacheKey) as Row[]).map((r) =>
      this.#fromRow(r),
    );
  }

  list(): BuildCacheRecord[] {
    return (this.#db.sqlite.prepare('SELECT * FROM build_cache ORDER BY created_at, id').all() as Row[]).map((r) => this.#fromRow(r));
  }

  /** Notes a cache hit: last used now, one more use. */
  touch(id: string, inUse?: boolean): void {
    this.#db.write(() => {
      this.#db.sqlite
        .prepare('UPDATE build_cache SET last_used_at = ?, usage_count = usage_count + 1, in_use = COALESCE(?, in_use) WHERE id = ?')
        .run(Date.now(), inUse === undefined ? null : inUse ? 1 : 0, id);
    });
  }

  /** Deletes records (their resources become garbage unless held elsewhere). Returns how many went. */
  remove(ids: readonly string[]): number {
    return this.#db.write(() => {
      let n = 0;
      for (const id of ids) n += this.#db.sqlite.prepare('DELETE FROM build_cache WHERE id = ?').run(id).changes;
      return n;
    });
  }

  #fromRow(r: Row): BuildCacheRecord {
    const resources = (
      this.#db.sqlite.prepare('SELECT type, resource_id FROM build_cache_resources WHERE record_id = ? ORDER BY type, resource_id').all(r.id) as {
        type: ResourceType;
        resource_id: string;
      }[]
    ).map((x): Resource => ({ type: x.type, id: x.resource_id }));
    const rec: BuildCacheRecord = {
      id: r.id,
      type: r.type,
      description: r.description,
      parents: JSON.parse(r.parents) as string[],
      size: r.size,
      inUse: r.in_use === 1,
      shared: r.shared === 1,
      createdAt: r.created_at,
      usageCount: r.usage_count,
      resources,
    };
    if (r.cache_key !== null) rec.cacheKey = r.cache_key;
    if (r.last_used_at !== null) rec.lastUsedAt = r.last_used_at;
    return rec;
  }
}
