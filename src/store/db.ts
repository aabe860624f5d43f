/**
 * The metadata DB: one SQLite file (`gantry.db`) in WAL mode, shared by every gantry process on a
 * root. Writers take the lock up front (`BEGIN IMMEDIATE`), so two processes queue on `busy_timeout`
 * instead of failing with SQLITE_BUSY half-way through a transaction (a deferred transaction that
 * upgrades from read to write cannot wait: SQLite refuses it at once).
 *
 * better-sqlite3 is synchronous: a transaction's body must not await. Do the slow work (hashing,
 * copying) first, then record it in one short transaction.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import { errnoCode, UnavailableError } from '../errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import { NoSpaceError, SchemaTooNewError } from './errors.js';

export type { SqliteDatabase };

/** How long a writer waits for another process's transaction before giving up. */
export const BUSY_TIMEOUT_MS = 60_000;

export interface OpenDatabaseOptions {
  readonly?: boolean;
  busyTimeoutMs?: number;
}

/** The metadata DB with gantry's transaction discipline. */
export class MetadataDb {
  readonly sqlite: SqliteDatabase;
  readonly path: string;

  constructor(sqlite: SqliteDatabase, path: string) {
    this.sqlite = sqlite;
    this.path = path;
  }

  /**
   * Runs `fn` in a write transaction taken at once (`BEGIN IMMEDIATE`). Nested calls join the outer
   * transaction (as savepoints). Every change of references goes through here.
   */
  write<T>(fn: () => T): T {
    return this.#run(() => this.sqlite.transaction(fn).immediate());
  }

  /** Runs `fn` in a read transaction: a consistent snapshot across several queries. */
  read<T>(fn: () => T): T {
    return this.#run(() => this.sqlite.transaction(fn).deferred());
  }

  close(): void {
    if (this.sqlite.open) this.sqlite.close();
  }

  #run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw translateSqliteError(err, this.path);
    }
  }
}

/** Maps SQLite's full-disk and busy errors to gantry's kinds; others pass through unchanged. */
export function translateSqliteError(err: unknown, path: string): unknown {
  const code = (err as { code?: unknown }).code;
  if (code === 'SQLITE_FULL' || errnoCode(err) === 'ENOSPC') return new NoSpaceError('write the metadata DB', path, err);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
    return new UnavailableError('DB_BUSY', `Cannot write the metadata DB "${path}": another gantry process holds it`, {
      cause: err,
      hint: 'Another gantry process has been writing for a long time; try again when it is done.',
    });
  }
  return err;
}

type SqliteConstructor = new (
  path: string,
  options?: { readonly?: boolean; timeout?: number; fileMustExist?: boolean; nativeBinding?: string | object },
) => SqliteDatabase;

let sqliteCtor: SqliteConstructor | undefined;
/** The addon's exports, loaded by us (see loadSqlite); undefined when the package searches itself. */
let nativeBinding: object | undefined;

/**
 * Where better-sqlite3's addon is, without node's module resolution when it sits where a gantry
 * package keeps it: the bundles run from `<package>/dist/bundle/`, and the package's dependencies are
 * in `<package>/node_modules/` (node-gyp puts the addon in `build/Release/`). Anywhere else (the
 * transpiled modules the tests run, a hoisted install) the package is resolved as node would.
 */
function addonPath(): string | undefined {
  // import.meta.dirname is node ≥ 20.11's (and the bundles'): no URL to build on the way.
  const here = (import.meta.dirname as string | undefined) ?? dirname(fileURLToPath(import.meta.url));
  const beside = join(here, '../../node_modules/better-sqlite3/build/Release/better_sqlite3.node');
  if (existsSync(beside)) return beside;
  try {
    const resolved = createRequire(import.meta.url)
      .resolve('better-sqlite3/package.json').replace(/package\.json$/, 'build/Release/better_sqlite3.node');
    return existsSync(resolved) ? resolved : undefined;
  } catch {
    return undefined; // resolution failed: the installed package searches as it does by default
  }
}

function loadSqlite(): SqliteConstructor {
  if (sqliteCtor === undefined) {
    // Left to itself better-sqlite3 finds its addon with the `bindings` package, which walks a
    // stack trace and tries several build directories (failed requires included): ~10 ms of every
    // store open. The addon's place is fixed by node-gyp, so we load it (process.dlopen, as node's
    // loader does for a `.node` file, without its resolution, ~1–2 ms of a listing) and hand
    // better-sqlite3 its exports. Its JS is imported statically so that the CLI bundle holds it
    // (compiled into the bundle's code cache, instead of node's module loader resolving, reading
    // and compiling its ten files at every start); the addon itself loads on the first open, so
    // `gantry --version` does not pay it.
    const path = addonPath();
    if (path !== undefined) {
      const addon = { exports: {} as object };
      process.dlopen(addon, path);
      nativeBinding = addon.exports;
    }
    // Without a known addon, the installed package's own files and search (the bundled copy's
    // search would look beside the bundle).
    sqliteCtor =
      nativeBinding === undefined ? (createRequire(import.meta.url)('better-sqlite3') as SqliteConstructor) : (BetterSqlite3 as unknown as SqliteConstructor);
  }
  return sqliteCtor;
}

/**
 * Opens (creating if needed) the DB at `path`, sets its pragmas and brings its schema up to date.
 * @throws {SchemaTooNewError} when a newer gantry wrote the DB
 * @throws {NoSpaceError} when the disk is full
 */
export function openDatabase(path: string, options: OpenDatabaseOptions = {}): MetadataDb {
  const Sqlite = loadSqlite();
  let sqlite: SqliteDatabase;
  try {
    // `timeout` is SQLite's busy timeout (sqlite3_busy_timeout), set before anything below takes a lock.
    sqlite = new Sqlite(path, {
      readonly: options.readonly === true,
      timeout: options.busyTimeoutMs ?? BUSY_TIMEOUT_MS,
      ...(nativeBinding === undefined ? {} : { nativeBinding }),
    });
    // NORMAL in WAL mode: a power cut may lose the last transactions but never corrupts; losing an
    // image put leaves unreferenced blobs (garbage), never a reference to a missing blob.
    sqlite.exec('PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON');
  } catch (err) {
    throw translateSqliteError(err, path);
  }
  const db = new MetadataDb(sqlite, path);
  try {
    // Every command opens the store, most only to read: when the schema is already current (the
    // common case) a plain read says so, and the write transaction that migrating needs (a write
    // lock other processes queue behind) is skipped. WAL mode is a property of the file, set when
    // it is created (or brought up to date) and kept by every later connection.
    if (options.readonly === true) checkVersion(db);
    else if (schemaVersion(db) !== SCHEMA_VERSION) {
      sqlite.pragma('journal_mode = WAL');
      migrate(db);
    }
  } catch (err) {
    db.close();
    throw translateSqliteError(err, path);
  }
  return db;
}

/** The schema version recorded in the DB (0 for a new file). */
export function schemaVersion(db: MetadataDb): number {
  const table = db.sqlite.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'`).get();
  if (table === undefined) return 0;
  const row = db.sqlite.prepare('SELECT version FROM schema_version').get() as { version: number } | undefined;
  return row?.version ?? 0;
}

function checkVersion(db: MetadataDb): void {
  const v = schemaVersion(db);
  if (v > SCHEMA_VERSION) throw new SchemaTooNewError(v, SCHEMA_VERSION);
}

/** Applies the migrations the DB lacks, each in its own immediate transaction. */
export function migrate(db: MetadataDb, migrations = MIGRATIONS): void {
  for (;;) {
    const done = db.write(() => {
      // Two processes may open a new root at once: the immediate transaction makes one of them
      // create and migrate while the other waits, then finds the work done.
      db.sqlite.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)');
      if ((db.sqlite.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number }).n === 0) {
        db.sqlite.prepare('INSERT INTO schema_version (version) VALUES (0)').run();
      }
      const v = schemaVersion(db);
      if (v > migrations.length) throw new SchemaTooNewError(v, migrations.length);
      const next = migrations[v];
      if (next === undefined) return true;
      next.up(db.sqlite);
      db.sqlite.prepare('UPDATE schema_version SET version = ?').run(next.version);
      return false;
    });
    if (done) return;
  }
}
