import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { digestOf, MediaType } from '../oci/index.js';
import { openDatabase, schemaVersion } from './db.js';
import { MIGRATIONS } from './migrations.js';
import { openStore } from './store.js';

function root(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-dist-md-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a compressed form is remembered per diffID and media type, and a newer one replaces it', (t) => {
  const store = openStore({ root: root(t) });
  t.after(() => store.close());
  const diffId = digestOf('tar');
  assert.equal(store.distribution.compressed(diffId, MediaType.OciLayerGzip), undefined);
  const gz = { mediaType: MediaType.OciLayerGzip, digest: digestOf('gz'), size: 2 };
  store.distribution.recordCompressed(diffId, gz);
  assert.deepEqual(store.distribution.compressed(diffId, MediaType.OciLayerGzip), gz);
  assert.equal(store.distribution.compressed(diffId, MediaType.DockerLayerGzip), undefined);
  const again = { mediaType: MediaType.OciLayerGzip, digest: digestOf('gz2'), size: 3 };
  store.distribution.recordCompressed(diffId, again);
  assert.deepEqual(store.distribution.compressed(diffId, MediaType.OciLayerGzip), again);
});

test('blob sources are per registry, most recently seen first', async (t) => {
  const store = openStore({ root: root(t) });
  t.after(() => store.close());
  const blob = digestOf('blob');
  store.distribution.recordSources([blob], { domain: 'reg:5000', repository: 'a/app' });
  await new Promise((r) => setTimeout(r, 5));
  store.distribution.recordSources([blob, digestOf('other')], { domain: 'reg:5000', repository: 'b/app' });
  store.distribution.recordSources([blob], { domain: 'docker.io', repository: 'library/x' });
  assert.deepEqual(store.distribution.sources(blob, 'reg:5000'), ['b/app', 'a/app']);
  assert.deepEqual(store.distribution.sources(blob, 'docker.io'), ['library/x']);
  assert.deepEqual(store.distribution.sources(digestOf('none'), 'reg:5000'), []);
});

test('a version-1 database (before uncompressed local layers) migrates and keeps its images', (t) => {
  const path = join(root(t), 'gantry.db');
  // The database as the previous gantry left it: migration 1 only.
  const old = new Database(path);
  old.exec('CREATE TABLE schema_version (version INTEGER NOT NULL)');
  MIGRATIONS[0]!.up(old);
  old.prepare('INSERT INTO schema_version (version) VALUES (1)').run();
  old.prepare(`INSERT INTO images (id, manifest_digest, manifest_type, manifest_size, config_type, config_size, architecture, os, added_at)
    VALUES ('sha256:${'a'.repeat(64)}', 'sha256:${'b'.repeat(64)}', '${MediaType.OciManifest}', 1, '${MediaType.OciConfig}', 1, 'amd64', 'linux', 0)`).run();
  old.close();
  const db = openDatabase(path);
  t.after(() => db.close());
  assert.equal(schemaVersion(db), MIGRATIONS.length);
  assert.equal((db.sqlite.prepare('SELECT COUNT(*) AS n FROM images').get() as { n: number }).n, 1);
  assert.equal((db.sqlite.prepare('SELECT COUNT(*) AS n FROM layer_compressions').get() as { n: number }).n, 0);
});
