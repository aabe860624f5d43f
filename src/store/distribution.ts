/**
 * Distribution metadata, after moby's `distribution/metadata`: what a push learned, kept so the next
 * push does less.
 *
 * - Compressed forms: a layer stored uncompressed (every layer gantry makes) is gzip-compressed
 *   while it is pushed and the compressed bytes are not kept. Its diffID → compressed digest, size
 *   and media type are remembered here; the next push of that layer asks the registry for the
 *   digest first (HEAD) and compresses nothing when it is there.
 * - Sources: which repositories of which registry hold a blob (pushed there, found there, mounted
 *   there), so a push to another repository of the same registry can mount it instead of uploading.
 *
 * Rows are hints, never references: nothing here keeps content alive, and a registry is always
 * asked before a hint is trusted.
 */
import type { Descriptor, Digest } from '../oci/index.js';
import type { MetadataDb } from './db.js';

/** Where a blob was seen: a repository of a registry. */
export interface BlobSource {
  domain: string;
  repository: string;
}

export class DistributionStore {
  readonly #db: MetadataDb;
  constructor(db: MetadataDb) {
    this.#db = db;
  }

  /** The compressed form of the layer `diffId` with `mediaType`, if a push made one. */
  compressed(diffId: Digest, mediaType: string): Descriptor | undefined {
    const row = this.#db.sqlite.prepare('SELECT digest, size FROM layer_compressions WHERE diff_id = ? AND media_type = ?').get(diffId, mediaType) as
      | { digest: Digest; size: number }
      | undefined;
    return row === undefined ? undefined : { mediaType, digest: row.digest, size: row.size };
  }

  /** Remembers `desc` as the compressed form of the layer `diffId` (replacing an older one). */
  recordCompressed(diffId: Digest, desc: Descriptor): void {
    this.#db.write(() => {
      this.#db.sqlite
        .prepare(
          `INSERT INTO layer_compressions (diff_id, media_type, digest, size, created_at) VALUES (?, ?, ?, ?, ?)
           ON CONFLICT(diff_id, media_type) DO UPDATE SET digest = excluded.digest, size = excluded.size, created_at = excluded.created_at`,
        )
        .run(diffId, desc.mediaType, desc.digest, desc.size, Date.now());
    });
  }

  /** Repositories of `domain` known to hold `digest`, most recently seen first. */
  sources(digest: Digest, domain: string): string[] {
    return (this.#db.sqlite.prepare('SELECT repository FROM blob_sources WHERE digest = ? AND domain = ? ORDER BY seen_at DESC, repository').all(digest, domain) as { repository: string }[]).map(
      (r) => r.repository,
    );
  }

  /** Remembers that `source` holds each of `digests`. */
  recordSources(digests: readonly Digest[], source: BlobSource): void {
    if (digests.length === 0) return;
    this.#db.write(() => {
      const put = this.#db.sqlite.prepare(
        `INSERT INTO blob_sources (digest, domain, repository, seen_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(digest, domain, repository) DO UPDATE SET seen_at = excluded.seen_at`,
      );
      const now = Date.now();
      for (const d of digests) put.run(d, source.domain, source.repository, now);
    });
  }
}
