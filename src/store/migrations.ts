/**
 * The metadata DB's schema, as an append-only list of migrations. `schema_version` holds the number
 * of migrations applied; `migrate()` applies the rest, each in its own immediate transaction, so a
 * crash leaves the DB at a whole version. Never edit a released migration: add a new one.
 *
 * Referential rules are in the schema (foreign keys are on):
 * - a name points at an image; an image's layers point at layer rows; a child blocks its parent
 *   (`parent … ON DELETE RESTRICT`: docker's "dependent child images" conflict, enforced twice);
 * - layer rows are refcounted through `image_layers` (a count, never a stored counter that can drift);
 * - containers keep `image_id` without a foreign key: a forced rmi may remove the image of a stopped
 *   container, as docker allows;
 * - lease and cache resources cascade with their owner.
 */
import type { Database } from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'images, names, layers, containers, build cache, leases, ingests, snapshots',
    up(db) {
      db.exec(`
        CREATE TABLE images (
          id               TEXT PRIMARY KEY,          -- config digest
          manifest_digest  TEXT NOT NULL,
          manifest_type    TEXT NOT NULL,
          manifest_size    INTEGER NOT NULL,
          config_type      TEXT NOT NULL,
          config_size      INTEGER NOT NULL,
          created          TEXT,                      -- the config's created, verbatim
          created_ms       INTEGER,
          labels           TEXT NOT NULL DEFAULT '{}',
          parent           TEXT REFERENCES images(id) ON DELETE RESTRICT,
          architecture     TEXT NOT NULL,
          os               TEXT NOT NULL,
          variant          TEXT,
          added_at         INTEGER NOT NULL,
          last_tag_time    INTEGER
        ) STRICT;
        CREATE INDEX images_parent ON images(parent);

        CREATE TABLE names (
          name        TEXT PRIMARY KEY,              -- docker.io/library/debian:latest | …@sha256:…
          repository  TEXT NOT NULL,                 -- docker.io/library/debian
          tag         TEXT,
          digest      TEXT,
          image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE RESTRICT,
          created_at  INTEGER NOT NULL,
          CHECK ((tag IS NULL) <> (digest IS NULL))
        ) STRICT;
        CREATE INDEX names_image ON names(image_id);

        CREATE TABLE layers (
          chain_id           TEXT PRIMARY KEY,
          diff_id            TEXT NOT NULL,
          parent_chain_id    TEXT,
          uncompressed_size  INTEGER
        ) STRICT;

        CREATE TABLE image_layers (
          image_id    TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
          position    INTEGER NOT NULL,
          chain_id    TEXT NOT NULL REFERENCES layers(chain_id) ON DELETE RESTRICT,
          digest      TEXT NOT NULL,                 -- the compressed blob as stored
          media_type  TEXT NOT NULL,
          size        INTEGER NOT NULL,
          PRIMARY KEY (image_id, position)
        ) STRICT;
        CREATE INDEX image_layers_chain ON image_layers(chain_id);
        CREATE INDEX image_layers_digest ON image_layers(digest);

        CREATE TABLE containers (
          id            TEXT PRIMARY KEY,
          name          TEXT NOT NULL UNIQUE,
          image_id      TEXT NOT NULL,
          image_ref     TEXT NOT NULL,
          snapshot_key  TEXT,
          state         TEXT NOT NULL,
          pid           INTEGER,
          exit_code     INTEGER,
          created_at    INTEGER NOT NULL,
          started_at    INTEGER,
          finished_at   INTEGER,
          size_rw       INTEGER,
          config        TEXT NOT NULL DEFAULT '{}',
          labels        TEXT NOT NULL DEFAULT '{}'
        ) STRICT;
        CREATE INDEX containers_image ON containers(image_id);

        CREATE TABLE build_cache (
          id            TEXT PRIMARY KEY,
          type          TEXT NOT NULL,
          description   TEXT NOT NULL,
          cache_key     TEXT,
          parents       TEXT NOT NULL DEFAULT '[]',
          size          INTEGER NOT NULL,
          in_use        INTEGER NOT NULL DEFAULT 0,
          shared        INTEGER NOT NULL DEFAULT 0,
          created_at    INTEGER NOT NULL,
          last_used_at  INTEGER,
          usage_count   INTEGER NOT NULL DEFAULT 0
        ) STRICT;
        CREATE INDEX build_cache_key ON build_cache(cache_key);
        CREATE TABLE build_cache_resources (
          record_id    TEXT NOT NULL REFERENCES build_cache(id) ON DELETE CASCADE,
          type         TEXT NOT NULL,
          resource_id  TEXT NOT NULL,
          PRIMARY KEY (record_id, type, resource_id)
        ) STRICT;

        CREATE TABLE leases (
          id          TEXT PRIMARY KEY,
          created_at  INTEGER NOT NULL,
          expires_at  INTEGER,
          labels      TEXT NOT NULL DEFAULT '{}'
        ) STRICT;
        CREATE TABLE lease_resources (
          lease_id     TEXT NOT NULL REFERENCES leases(id) ON DELETE CASCADE,
          type         TEXT NOT NULL,
          resource_id  TEXT NOT NULL,
          PRIMARY KEY (lease_id, type, resource_id)
        ) STRICT;
        CREATE INDEX lease_resources_resource ON lease_resources(type, resource_id);

        -- One row per held ingest ref: the cross-process lock of a ContentWriter.
        CREATE TABLE ingest_locks (
          ref         TEXT PRIMARY KEY,
          pid         INTEGER NOT NULL,
          pid_start   TEXT NOT NULL,                 -- /proc/<pid>/stat start time: survives pid reuse
          locked_at   INTEGER NOT NULL
        ) STRICT;

        -- Reserved for snapshot/: its directories are snapshots/<id>. The snapshot part owns the rows;
        -- gc.ts reads key/parent to keep what containers, layers, cache records and leases use.
        CREATE TABLE snapshots (
          id          INTEGER PRIMARY KEY AUTOINCREMENT,
          key         TEXT NOT NULL UNIQUE,
          parent      TEXT,
          kind        TEXT NOT NULL CHECK (kind IN ('view', 'active', 'committed')),
          created_at  INTEGER NOT NULL,
          updated_at  INTEGER NOT NULL,
          size        INTEGER,
          labels      TEXT NOT NULL DEFAULT '{}'
        ) STRICT;
        CREATE INDEX snapshots_parent ON snapshots(parent);
      `);
    },
  },
  {
    version: 2,
    description: 'distribution metadata: compressed forms of uncompressed local layers, and where blobs were pushed',
    up(db) {
      // Layers gantry makes are stored uncompressed and compressed only when pushed (see
      // ARCHITECTURE.md "Layers"). These rows remember the result, as moby's V2MetadataService
      // does, so a second push asks the registry for the known digest (HEAD) before compressing
      // again, and can mount the blob from another repository of the same registry. Nothing here
      // refers to local content: the compressed bytes are not kept, and a row outliving its
      // layer is harmless (it is only a hint, checked against the registry before use).
      db.exec(`
        CREATE TABLE layer_compressions (
          diff_id     TEXT NOT NULL,                 -- the uncompressed tar's digest (= the stored blob's)
          media_type  TEXT NOT NULL,                 -- the compressed layer's media type
          digest      TEXT NOT NULL,
          size        INTEGER NOT NULL,
          created_at  INTEGER NOT NULL,
          PRIMARY KEY (diff_id, media_type)
        ) STRICT;

        CREATE TABLE blob_sources (
          digest      TEXT NOT NULL,
          domain      TEXT NOT NULL,                 -- registry host[:port] as in a reference
          repository  TEXT NOT NULL,                 -- the path in that registry
          seen_at     INTEGER NOT NULL,
          PRIMARY KEY (digest, domain, repository)
        ) STRICT;
      `);
    },
  },
];

/** The schema version this gantry writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;
