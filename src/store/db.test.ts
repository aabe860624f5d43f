import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '../../test/helpers/paths.js';
import { migrate, openDatabase, schemaVersion } from './db.js';
import { MIGRATIONS, SCHEMA_VERSION, type Migration } from './migrations.js';
import { SchemaTooNewError } from './errors.js';

test('openDatabase() creates the schema at the current version, in WAL mode with foreign keys on', (t) => {
  const db = openDatabase(join(tempDir(t), 'gantry.db'));
  t.after(() => db.close());
  assert.equal(schemaVersion(db), SCHEMA_VERSION);
  assert.equal(db.sqlite.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.sqlite.pragma('foreign_keys', { simple: true }), 1);
  assert.ok(Number(db.sqlite.pragma('busy_timeout', { simple: true })) >= 1000);
  const tables = (db.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  for (const t of ['images', 'names', 'layers', 'image_layers', 'containers', 'build_cache', 'build_cache_resources', 'leases', 'lease_resources', 'snapshots', 'ingest_locks']) {
    assert.ok(tables.includes(t), t);
  }
});

test('migrate() applies only the missing migrations, keeps data, and is idempotent', (t) => {
  const path = join(tempDir(t), 'gantry.db');
  const db = openDatabase(path);
  db.sqlite.prepare("INSERT INTO leases (id, created_at) VALUES ('keep', 1)").run();
  let ran = 0;
  const extra: Migration = {
    version: MIGRATIONS.length + 1,
    description: 'test: a column added later',
    up(s) {
      ran++;
      s.exec("ALTER TABLE leases ADD COLUMN note TEXT NOT NULL DEFAULT 'x'");
    },
  };
  migrate(db, [...MIGRATIONS, extra]);
  migrate(db, [...MIGRATIONS, extra]);
  assert.equal(ran, 1);
  assert.equal(schemaVersion(db), MIGRATIONS.length + 1);
  assert.deepEqual(db.sqlite.prepare("SELECT id, note FROM leases").all(), [{ id: 'keep', note: 'x' }]);
  db.close();
  // This gantry does not know version N+1: it refuses rather than guess.
  assert.throws(() => openDatabase(path), SchemaTooNewError);
});

test('a failing migration leaves the DB at the previous whole version', (t) => {
  const db = openDatabase(join(tempDir(t), 'gantry.db'));
  t.after(() => db.close());
  const bad: Migration = {
    version: MIGRATIONS.length + 1,
    description: 'test: fails half-way',
    up(s) {
      s.exec('CREATE TABLE half (x INTEGER)');
      throw new Error('boom');
    },
  };
  assert.throws(() => migrate(db, [...MIGRATIONS, bad]), /boom/);
  assert.equal(schemaVersion(db), MIGRATIONS.length);
  assert.equal(db.sqlite.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get(), undefined);
});
