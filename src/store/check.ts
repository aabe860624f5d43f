/**
 * `system check`: is the store consistent? Problems (exit non-zero): a blob the DB refers to is
 * missing, has the wrong size, or (with `verify`) does not hash to its name; the DB fails SQLite's
 * integrity or foreign-key checks; a record refers to a row that does not exist. Orphans (reported,
 * removed by `repair`): blobs nothing refers to, stale ingests, expired leases, leftovers of crashed
 * collections, snapshot dirs without a row, foreign files in `blobs/`. A snapshot row without its
 * directory is a problem too.
 */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { type Digest, digestAlgorithm, Digester, isDigest } from '../oci/index.js';
import type { Store } from './store.js';
import { collect, listBlobFiles, loadGraph, mark, type GcReport } from './gc.js';

export interface CheckIssue {
  /** `missing-blob`, `size-mismatch`, `digest-mismatch`, `db-integrity`, `dangling-reference`, `orphan-blob`, … */
  kind: string;
  subject: string;
  message: string;
}

export interface CheckReport {
  problems: CheckIssue[];
  orphans: CheckIssue[];
  /** What `repair` removed, when asked. */
  repaired?: GcReport & { corrupt: string[]; foreign: string[] };
  /** How many blobs were examined. */
  blobsChecked: number;
}

export interface CheckOptions {
  /** Hash every blob (else sizes only). */
  verify?: boolean;
  /** Remove orphans (and blobs whose content does not match their name). */
  repair?: boolean;
  signal?: AbortSignal;
  now?: number;
}

export async function checkStore(store: Store, options: CheckOptions = {}): Promise<CheckReport> {
  const now = options.now ?? Date.now();
  const problems: CheckIssue[] = [];
  const orphans: CheckIssue[] = [];
  const s = store.db.sqlite;

  const integrity = s.pragma('integrity_check') as { integrity_check: string }[];
  for (const r of integrity) if (r.integrity_check !== 'ok') problems.push({ kind: 'db-integrity', subject: store.layout.db, message: r.integrity_check });
  const fk = s.pragma('foreign_key_check') as { table: string; rowid: number; parent: string }[];
  for (const r of fk) {
    problems.push({ kind: 'dangling-reference', subject: `${r.table}#${r.rowid}`, message: `row in ${r.table} refers to a missing ${r.parent} row` });
  }

  // What the DB refers to, and the sizes it expects.
  const { referenced, marked } = store.db.read(() => {
    const referenced = new Map<string, { size: number; by: string }>();
    for (const r of s.prepare('SELECT id, config_size, manifest_digest, manifest_size FROM images').all() as {
      id: string;
      config_size: number;
      manifest_digest: string;
      manifest_size: number;
    }[]) {
      referenced.set(r.id, { size: r.config_size, by: `image ${r.id} config` });
      referenced.set(r.manifest_digest, { size: r.manifest_size, by: `image ${r.id} manifest` });
    }
    for (const r of s.prepare('SELECT image_id, position, digest, size FROM image_layers').all() as {
      image_id: string;
      position: number;
      digest: string;
      size: number;
    }[]) {
      referenced.set(r.digest, { size: r.size, by: `image ${r.image_id} layer ${r.position}` });
    }
    for (const r of s.prepare("SELECT record_id, resource_id FROM build_cache_resources WHERE type = 'content'").all() as {
      record_id: string;
      resource_id: string;
    }[]) {
      if (!referenced.has(r.resource_id)) referenced.set(r.resource_id, { size: -1, by: `build cache record ${r.record_id}` });
    }
    for (const r of s.prepare('SELECT l.chain_id, l.parent_chain_id FROM layers l WHERE parent_chain_id IS NOT NULL AND parent_chain_id NOT IN (SELECT chain_id FROM layers)').all() as {
      chain_id: string;
      parent_chain_id: string;
    }[]) {
      problems.push({ kind: 'dangling-reference', subject: r.chain_id, message: `layer ${r.chain_id} names a missing parent layer ${r.parent_chain_id}` });
    }
    for (const r of s.prepare('SELECT key, parent FROM snapshots WHERE parent IS NOT NULL AND parent NOT IN (SELECT key FROM snapshots)').all() as {
      key: string;
      parent: string;
    }[]) {
      problems.push({ kind: 'dangling-reference', subject: r.key, message: `snapshot "${r.key}" names a missing parent "${r.parent}"` });
    }
    for (const r of s.prepare('SELECT id, snapshot_key FROM containers WHERE snapshot_key IS NOT NULL AND snapshot_key NOT IN (SELECT key FROM snapshots)').all() as {
      id: string;
      snapshot_key: string;
    }[]) {
      problems.push({ kind: 'dangling-reference', subject: r.id, message: `container ${r.id.slice(0, 12)} names a missing snapshot "${r.snapshot_key}"` });
    }
    const g = loadGraph(store.db, now);
    for (const id of g.expiredLeases) orphans.push({ kind: 'expired-lease', subject: id, message: `lease "${id}" has expired` });
    return { referenced, marked: mark(g.roots, g.refsOf) };
  });

  const files = listBlobFiles(store.layout);
  const onDisk = new Map(files.map((f) => [f.digest, f]));
  const corrupt: string[] = [];
  for (const [digest, ref] of referenced) {
    const f = onDisk.get(digest);
    if (f === undefined) {
      problems.push({ kind: 'missing-blob', subject: digest, message: `${ref.by}: blob ${digest} is missing` });
    } else if (ref.size >= 0 && f.size !== ref.size) {
      problems.push({ kind: 'size-mismatch', subject: digest, message: `${ref.by}: blob ${digest} has ${f.size} bytes, expected ${ref.size}` });
      corrupt.push(digest);
    }
  }
  if (options.verify === true) {
    for (const f of files) {
      options.signal?.throwIfAborted();
      const actual = await hashFile(f.path, digestAlgorithm(f.digest as Digest), options.signal);
      if (actual !== f.digest) {
        const by = referenced.get(f.digest)?.by;
        const issue = { kind: 'digest-mismatch', subject: f.digest, message: `${by === undefined ? 'unreferenced ' : `${by}: `}blob ${f.digest} hashes to ${actual}` };
        if (by === undefined) orphans.push(issue);
        else problems.push(issue);
        if (!corrupt.includes(f.digest)) corrupt.push(f.digest);
      }
    }
  }
  for (const f of files) {
    if (!marked.has(`content:${f.digest}`)) orphans.push({ kind: 'orphan-blob', subject: f.digest, message: `blob ${f.digest} (${f.size} bytes) is not referenced` });
  }
  const foreign: string[] = [];
  for (const dir of await readdir(store.layout.blobs).catch(() => [] as string[])) {
    if (dir !== 'sha256' && dir !== 'sha512') {
      foreign.push(join(store.layout.blobs, dir));
      continue;
    }
    for (const n of await readdir(join(store.layout.blobs, dir)).catch(() => [] as string[])) {
      if (!isDigest(`${dir}:${n}`)) foreign.push(join(store.layout.blobs, dir, n));
    }
  }
  for (const p of foreign) orphans.push({ kind: 'foreign-file', subject: p, message: `${p} is not a blob` });

  const ingests = await store.content.listStatuses();
  for (const i of ingests) {
    if (!store.locker.isHeld(i.ref)) orphans.push({ kind: 'stale-ingest', subject: i.ref, message: `ingest "${i.ref}" (${i.offset} bytes) has no writer` });
  }
  const snapshotRows = s.prepare('SELECT id, key FROM snapshots').all() as { id: number; key: string }[];
  const rowIds = new Set(snapshotRows.map((r) => String(r.id)));
  const dirs = new Set(await readdir(store.layout.snapshots).catch(() => [] as string[]));
  for (const d of dirs) {
    if (!rowIds.has(d)) orphans.push({ kind: 'orphan-snapshot-dir', subject: d, message: `snapshot directory ${d} has no record` });
  }
  for (const r of snapshotRows) {
    if (!dirs.has(String(r.id))) {
      problems.push({ kind: 'missing-snapshot-dir', subject: r.key, message: `snapshot "${r.key}" (directory ${r.id}) is missing` });
    }
  }
  for (const d of await readdir(store.layout.tmp).catch(() => [] as string[])) {
    if (d.startsWith('gc-')) orphans.push({ kind: 'gc-leftover', subject: d, message: `tmp/${d} is left from an interrupted collection` });
  }

  const report: CheckReport = { problems, orphans, blobsChecked: files.length };
  if (options.repair === true) {
    // Corrupt blobs first: under their digest's name they would pass for good content on the next
    // pull ("already exists"), so the damage could never heal.
    for (const d of corrupt) await store.content.delete(d as Digest);
    for (const p of foreign) await rm(p, { recursive: true, force: true });
    const gc = await collect({ db: store.db, layout: store.layout, locker: store.locker }, { graceMs: 0, now });
    report.repaired = { ...gc, corrupt, foreign };
  }
  return report;
}

async function hashFile(path: string, algorithm: 'sha256' | 'sha512', signal?: AbortSignal): Promise<Digest> {
  const d = new Digester(algorithm);
  const opts: { highWaterMark: number; signal?: AbortSignal } = { highWaterMark: 1 << 20 };
  if (signal !== undefined) opts.signal = signal;
  for await (const chunk of createReadStream(path, opts)) d.update(chunk as Buffer);
  return d.digest();
}
