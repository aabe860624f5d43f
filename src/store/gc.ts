/**
 * Garbage collection: a pure mark over a graph of typed nodes, and a sweep that runs the mark and
 * deletes rows in one immediate transaction.
 *
 * Nodes are `type:id` keys: `image:<id>`, `content:<digest>`, `layer:<chainID>`, `snapshot:<key>`,
 * `container:<id>`, `cache:<id>`, `lease:<id>`, `ingest:<ref>`.
 * Roots: every image record (named or dangling: only rmi/prune remove images), every container,
 * every build-cache record, every lease that has not expired.
 * Edges: image → its manifest, config and layer blobs, and its layers' chainIDs; layer → the
 * snapshot named by its chainID (unpacked layers are named so, as in containerd); container → its
 * snapshot; snapshot → its parent; cache record and lease → their resources.
 *
 * Why garbage blobs are moved aside *inside* the transaction: a writer that finds a blob already
 * stored takes it as stored. If the sweep unlinked after commit, a writer could find the blob in the
 * gap, record an image, and then lose the blob. Moving it to `tmp/gc-<id>/` (one rename, as cheap as
 * an unlink) while the write lock is held makes "gone" and "not referenced" change together; the
 * slow removal of the moved files happens after commit. A crash in between leaves only a
 * `tmp/gc-*` directory, which the next collection removes.
 */
import { mkdirSync, readdirSync, renameSync, statSync, unlinkSync, rmSync } from 'node:fs';
import { readdir, rm, stat } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { isDigest } from '../oci/index.js';
import { errnoCode } from '../errors.js';
import type { MetadataDb } from './db.js';
import type { StoreLayout } from './paths.js';
import type { IngestLocker } from './ingest-lock.js';
import { isMountedUnder } from './_mounts.js';

export type NodeKey = string;

/**
 * Marks every node reachable from `roots`. Pure: `refsOf` answers a node's outgoing edges.
 * Iterative (no recursion limit), each node visited once, cycles harmless.
 */
export function mark(roots: Iterable<NodeKey>, refsOf: (node: NodeKey) => Iterable<NodeKey>): Set<NodeKey> {
  const marked = new Set<NodeKey>();
  const stack: NodeKey[] = [];
  for (const r of roots) {
    if (!marked.has(r)) {
      marked.add(r);
      stack.push(r);
    }
  }
  while (stack.length > 0) {
    const node = stack.pop()!;
    for (const ref of refsOf(node)) {
      if (!marked.has(ref)) {
        marked.add(ref);
        stack.push(ref);
      }
    }
  }
  return marked;
}

export interface CollectOptions {
  /** `tmp/` entries and rowless snapshot dirs younger than this are left alone. Default one day. */
  graceMs?: number;
  /** The clock (ms since the epoch), for tests. */
  now?: number;
  /** Report what would go, change nothing. */
  dryRun?: boolean;
}

export interface GcReport {
  blobs: { digest: string; size: number }[];
  snapshots: { id: number; key: string }[];
  leases: string[];
  /** Removed `tmp/` entries (ingests, leftovers of crashed collections) and rowless snapshot dirs. */
  tmp: string[];
  /** Bytes freed: removed blobs and `tmp/` entries (snapshot dirs not counted until measured). */
  reclaimed: number;
}

export const DEFAULT_GRACE_MS = 24 * 60 * 60 * 1000;

export interface GcContext {
  db: MetadataDb;
  layout: StoreLayout;
  locker: IngestLocker;
}

/** Builds the graph from the DB (call inside a transaction for a consistent view). */
export function loadGraph(db: MetadataDb, now: number): { roots: NodeKey[]; refsOf: (n: NodeKey) => NodeKey[]; expiredLeases: string[] } {
  const s = db.sqlite;
  const edges = new Map<NodeKey, NodeKey[]>();
  const add = (from: NodeKey, to: NodeKey): void => {
    let l = edges.get(from);
    if (l === undefined) edges.set(from, (l = []));
    l.push(to);
  };
  const roots: NodeKey[] = [];
  for (const r of s.prepare('SELECT id, manifest_digest FROM images').all() as { id: string; manifest_digest: string }[]) {
    roots.push(`image:${r.id}`);
    add(`image:${r.id}`, `content:${r.id}`);
    add(`image:${r.id}`, `content:${r.manifest_digest}`);
  }
  for (const r of s.prepare('SELECT image_id, chain_id, digest FROM image_layers').all() as { image_id: string; chain_id: string; digest: string }[]) {
    add(`image:${r.image_id}`, `content:${r.digest}`);
    add(`image:${r.image_id}`, `layer:${r.chain_id}`);
  }
  for (const r of s.prepare('SELECT chain_id, parent_chain_id FROM layers').all() as { chain_id: string; parent_chain_id: string | null }[]) {
    add(`layer:${r.chain_id}`, `snapshot:${r.chain_id}`);
    if (r.parent_chain_id !== null) add(`layer:${r.chain_id}`, `layer:${r.parent_chain_id}`);
  }
  for (const r of s.prepare('SELECT id, snapshot_key FROM containers').all() as { id: string; snapshot_key: string | null }[]) {
    roots.push(`container:${r.id}`);
    if (r.snapshot_key !== null) add(`container:${r.id}`, `snapshot:${r.snapshot_key}`);
  }
  for (const r of s.prepare('SELECT key, parent FROM snapshots WHERE parent IS NOT NULL').all() as { key: string; parent: string }[]) {
    add(`snapshot:${r.key}`, `snapshot:${r.parent}`);
  }
  for (const r of s.prepare('SELECT id FROM build_cache').all() as { id: string }[]) roots.push(`cache:${r.id}`);
  for (const r of s.prepare('SELECT record_id, type, resource_id FROM build_cache_resources').all() as {
    record_id: string;
    type: string;
    resource_id: string;
  }[]) {
    add(`cache:${r.record_id}`, `${r.type}:${r.resource_id}`);
  }
  const expiredLeases: string[] = [];
  for (const r of s.prepare('SELECT id, expires_at FROM leases').all() as { id: string; expires_at: number | null }[]) {
    if (r.expires_at !== null && r.expires_at <= now) expiredLeases.push(r.id);
    else roots.push(`lease:${r.id}`);
  }
  for (const r of s.prepare('SELECT lease_id, type, resource_id FROM lease_resources').all() as {
    lease_id: string;
    type: string;
    resource_id: string;
  }[]) {
    add(`lease:${r.lease_id}`, `${r.type}:${r.resource_id}`);
  }
  return { roots, refsOf: (n) => edges.get(n) ?? [], expiredLeases };
}

/** The blob files on disk (valid digest names only), with sizes. Synchronous: runs inside a transaction. */
export function listBlobFiles(layout: StoreLayout): { digest: string; path: string; size: number }[] {
  const out: { digest: string; path: string; size: number }[] = [];
  for (const alg of ['sha256', 'sha512']) {
    let names: string[];
    try {
      names = readdirSync(join(layout.blobs, alg));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue;
      throw err;
    }
    for (const n of names) {
      const digest = `${alg}:${n}`;
      if (!isDigest(digest)) continue;
      const path = join(layout.blobs, alg, n);
      try {
        out.push({ digest, path, size: statSync(path).size });
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

/**
 * Marks from the DB's roots and removes the rest: expired leases, unreferenced layer and snapshot
 * rows, blob files and snapshot dirs nothing refers to, and stale `tmp/` entries. Safe to run
 * while other processes write: see the module doc.
 */
export async function collect(ctx: GcContext, options: CollectOptions = {}): Promise<GcReport> {
  const now = options.now ?? Date.now();
  const grace = options.graceMs ?? DEFAULT_GRACE_MS;
  const report: GcReport = { blobs: [], snapshots: [], leases: [], tmp: [], reclaimed: 0 };
  const trash = join(ctx.layout.tmp, `gc-${now.toString(36)}-${randomBytes(4).toString('hex')}`);
  let moved = false;
  const sweep = (): void => {
    const s = ctx.db.sqlite;
    const graph = loadGraph(ctx.db, now);
    report.leases = graph.expiredLeases;
    if (!options.dryRun) for (const id of graph.expiredLeases) s.prepare('DELETE FROM leases WHERE id = ?').run(id);
    const marked = mark(graph.roots, graph.refsOf);
    // Layer rows nobody links (left by an interrupted older gantry; removal keeps them in step).
    if (!options.dryRun) s.prepare('DELETE FROM layers WHERE chain_id NOT IN (SELECT chain_id FROM image_layers)').run();
    const snapshots = s.prepare('SELECT id, key FROM snapshots').all() as { id: number; key: string }[];
    for (const snap of snapshots) {
      if (marked.has(`snapshot:${snap.key}`)) continue;
      const dir = join(ctx.layout.snapshots, String(snap.id));
      if (isMountedUnder(dir)) continue; // in use by a process we cannot see: never pull a mount from under it
      report.snapshots.push(snap);
      if (options.dryRun) continue;
      s.prepare('DELETE FROM snapshots WHERE id = ?').run(snap.id);
      moveAside(dir, join(trash, `snapshot-${snap.id}`));
    }
    for (const blob of listBlobFiles(ctx.layout)) {
      if (marked.has(`content:${blob.digest}`)) continue;
      report.blobs.push({ digest: blob.digest, size: blob.size });
      report.reclaimed += blob.size;
      if (options.dryRun) continue;
      if (!moved) {
        mkdirSync(trash, { recursive: true });
        moved = true;
      }
      moveAside(blob.path, join(trash, blob.digest.replace(':', '-')));
    }
    if (report.snapshots.length > 0) moved = true;
  };
  if (options.dryRun) ctx.db.read(sweep);
  else {
    mkdirSync(ctx.layout.tmp, { recursive: true });
    ctx.db.write(sweep);
  }
  if (moved) await rm(trash, { recursive: true, force: true });
  await sweepTmp(ctx, now, grace, options.dryRun === true, report, trash);
  await sweepSnapshotDirs(ctx, now, grace, options.dryRun === true, report);
  return report;
}

/** Snapshot dirs without a row (a snapshotter that died between mkdir and its transaction). */
async function sweepSnapshotDirs(ctx: GcContext, now: number, grace: number, dryRun: boolean, report: GcReport): Promise<void> {
  const ids = new Set((ctx.db.sqlite.prepare('SELECT id FROM snapshots').all() as { id: number }[]).map((r) => String(r.id)));
  for (const name of await readdir(ctx.layout.snapshots).catch(() => [] as string[])) {
    if (ids.has(name)) continue;
    const path = join(ctx.layout.snapshots, name);
    const st = await stat(path).catch(() => undefined);
    if (st === undefined || now - st.mtimeMs < grace || isMountedUnder(path)) continue;
    report.tmp.push(path);
    report.reclaimed += await du(path);
    if (!dryRun) await rm(path, { recursive: true, force: true });
  }
}

function moveAside(from: string, to: string): void {
  try {
    mkdirSync(join(to, '..'), { recursive: true });
    renameSync(from, to);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return;
    if (code === 'EXDEV') {
      // tmp/ on another filesystem than blobs/ (an unusual mount): remove in place instead.
      try {
        unlinkSync(from);
      } catch {
        rmSync(from, { recursive: true, force: true });
      }
      return;
    }
    throw err;
  }
}

async function sweepTmp(ctx: GcContext, now: number, grace: number, dryRun: boolean, report: GcReport, currentTrash: string): Promise<void> {
  const leasedIngests = new Set(
    (
      ctx.db.sqlite
        .prepare("SELECT r.resource_id FROM lease_resources r JOIN leases l ON l.id = r.lease_id WHERE r.type = 'ingest' AND (l.expires_at IS NULL OR l.expires_at > ?)")
        .all(now) as { resource_id: string }[]
    ).map((r) => r.resource_id),
  );
  let entries: string[];
  try {
    entries = await readdir(ctx.layout.tmp);
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(ctx.layout.tmp, name);
    if (path === currentTrash) continue;
    if (name === 'ingest') {
      for (const ing of await readdir(path).catch(() => [] as string[])) {
        const dir = join(path, ing);
        const ref = await readFileOr(join(dir, 'ref'));
        if (ref !== undefined && (leasedIngests.has(ref) || ctx.locker.isHeld(ref))) continue;
        const age = now - (await newestMtime(dir));
        if (age < grace) continue;
        // A writer creates the directory before its `ref` file: one without a ref may be that
        // writer's, mid-creation, whatever the grace the caller asked for.
        if (ref === undefined && age < 60_000) continue;
        const size = await du(dir);
        if (!dryRun) {
          try {
            await rm(dir, { recursive: true, force: true });
          } catch (err) {
            if (errnoCode(err) === 'ENOTEMPTY') continue; // a writer is filling it now: not garbage
            throw err;
          }
        }
        report.tmp.push(dir);
        report.reclaimed += size;
      }
      continue;
    }
    // Leftovers of a crashed collection are garbage by construction; anything else waits out the grace.
    const st = await stat(path).catch(() => undefined);
    if (st === undefined) continue;
    if (!name.startsWith('gc-') && now - st.mtimeMs < grace) continue;
    if (isMountedUnder(path)) continue;
    report.tmp.push(path);
    report.reclaimed += await du(path);
    if (!dryRun) await rm(path, { recursive: true, force: true });
  }
}

async function readFileOr(path: string): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path, 'utf8').catch(() => undefined);
}

async function newestMtime(dir: string): Promise<number> {
  let newest = 0;
  for (const n of await readdir(dir).catch(() => [] as string[])) {
    const st = await stat(join(dir, n)).catch(() => undefined);
    if (st !== undefined) newest = Math.max(newest, st.mtimeMs);
  }
  if (newest === 0) newest = (await stat(dir).catch(() => undefined))?.mtimeMs ?? 0;
  return newest;
}

/** Bytes under a path (files only; for reports). */
export async function du(path: string): Promise<number> {
  const st = await stat(path).catch(() => undefined);
  if (st === undefined) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const n of await readdir(path).catch(() => [] as string[])) total += await du(join(path, n));
  return total;
}
