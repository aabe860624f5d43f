/**
 * The local snapshotter: records in the store's `snapshots` table, trees under `snapshots/<id>/`.
 *
 * Two drivers share it:
 * - `overlay` (default): a committed snapshot's `fs/` holds only its own layer (with overlay
 *   whiteouts); an active snapshot mounts its parents' `fs/` dirs as lowerdirs with its own `fs/` as
 *   the upperdir. Preparing is O(1), and the diff of a step reads only the upperdir.
 * - `vfs`: every snapshot's `fs/` is a full copy of its parent's tree; a step's diff compares the
 *   two trees. Slow, but it needs nothing from the kernel (for filesystems where overlay cannot sit).
 *
 * Metadata first, files second (containerd's order): a row and its directory are created in one
 * write transaction; removal deletes the row, then the directory after the commit. A directory
 * without a row is an orphan that `system check` reports and `collect()` removes.
 *
 * Nothing syncs a committed tree: the layer blob it was made from or diffed into is the durable
 * copy (the content store fsyncs it), and writing back a step's whole upper directory cost seconds
 * of every build (a 1 GiB RUN writes it twice otherwise). A crash can only lose unsynced pages when
 * the machine goes down, after which it boots with a new boot id; so every commit records the boot
 * it happened in, and a committed tree from an earlier boot is extracted again from its blob before
 * it is used (`needsRenewal`, then `commit` of the new extraction, from `unpackLayers`). A process killed mid-write leaves its
 * pages in the page cache: nothing to redo then.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isMountedUnder as isMounted, type Store } from '../store/index.js';
import { SnapshotExistsError, SnapshotInUseError, SnapshotNotFoundError } from './errors.js';
import type { DiffSource, Mount, PrepareOptions, SnapshotInfo, SnapshotKind, Snapshotter } from './snapshotter.js';

const run = promisify(execFile);

/** The label that records the boot a committed tree was written in (see the file comment). */
export const WRITTEN_BOOT_LABEL = 'gantry.written-boot';

let currentBoot: string | undefined;
/** This boot's id (random per boot, from the kernel). */
export function bootId(): string {
  return (currentBoot ??= readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim());
}

/** Where a renewed snapshot's old tree goes until it is deleted (inside its snapshot dir). */
const STALE_TREE = 'fs.stale-';

interface Row {
  id: number;
  key: string;
  parent: string | null;
  kind: SnapshotKind;
  created_at: number;
  labels: string;
}

// One page holds the mount options; past this, lowerdirs are given relative to snapshots/.
const MAX_ABSOLUTE_OPTIONS = 3500;

// Overlay features that would store changes outside plain upperdir entries (redirect xattrs,
// metadata-only copy-ups) and so hide them from a diff that reads only the upperdir.
const OVERLAY_SAFETY = ['redirect_dir=off', 'metacopy=off', 'index=off'];

export class LocalSnapshotter implements Snapshotter {
  readonly driver: 'overlay' | 'vfs';
  readonly #store: Pick<Store, 'db' | 'layout' | 'leases'>;

  constructor(store: Pick<Store, 'db' | 'layout' | 'leases'>, driver: 'overlay' | 'vfs' = 'overlay') {
    this.#store = store;
    this.driver = driver;
  }

  #row(key: string): Row | undefined {
    return this.#store.db.sqlite.prepare('SELECT * FROM snapshots WHERE key = ?').get(key) as Row | undefined;
  }

  #dir(id: number): string {
    return join(this.#store.layout.snapshots, String(id));
  }

  stat(key: string): SnapshotInfo | undefined {
    const r = this.#row(key);
    return r === undefined ? undefined : toInfo(r);
  }

  list(): SnapshotInfo[] {
    return (this.#store.db.sqlite.prepare('SELECT * FROM snapshots ORDER BY id').all() as Row[]).map(toInfo);
  }

  prepare(key: string, parent?: string, options: PrepareOptions = {}): Promise<Mount[]> {
    return this.#create(key, parent, 'active', options);
  }

  view(key: string, parent?: string, options: PrepareOptions = {}): Promise<Mount[]> {
    return this.#create(key, parent, 'view', options);
  }

  async #create(key: string, parent: string | undefined, kind: 'active' | 'view', options: PrepareOptions): Promise<Mount[]> {
    const now = Date.now();
    const id = this.#store.db.write(() => {
      if (this.#row(key) !== undefined) throw new SnapshotExistsError(key);
      if (parent !== undefined) {
        const p = this.#row(parent);
        if (p === undefined || p.kind !== 'committed') throw new SnapshotNotFoundError(parent, 'parent snapshot');
      }
      const r = this.#store.db.sqlite
        .prepare('INSERT INTO snapshots (key, parent, kind, created_at, updated_at, labels) VALUES (?, ?, ?, ?, ?, ?)')
        .run(key, parent ?? null, kind, now, now, JSON.stringify(options.labels ?? {}));
      const newId = Number(r.lastInsertRowid);
      if (options.lease !== undefined) this.#store.leases.addResource(options.lease, { type: 'snapshot', id: key });
      // Inside the transaction: a failure here rolls the row back (a crash leaves an orphan dir).
      const dir = this.#dir(newId);
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(join(dir, 'fs'), { recursive: true, mode: 0o755 });
      if (this.driver === 'overlay' && kind === 'active') mkdirSync(join(dir, 'work'));
      return newId;
    });
    if (this.driver === 'vfs' && parent !== undefined) {
      const parentRow = this.#row(parent);
      if (parentRow !== undefined) {
        // cp -a keeps owners, modes, xattrs, devices and hardlinks; nothing in Node does all of it.
        await run('cp', ['-a', '--', `${join(this.#dir(parentRow.id), 'fs')}/.`, join(this.#dir(id), 'fs')]);
      }
    }
    return this.mounts(key);
  }

  mounts(key: string): Mount[] {
    const r = this.#row(key);
    if (r === undefined) throw new SnapshotNotFoundError(key);
    const own = join(this.#dir(r.id), 'fs');
    const ro = r.kind !== 'active';
    if (this.driver === 'vfs' || r.parent === null) return [{ type: 'bind', source: own, options: ro ? ['rbind', 'ro'] : ['rbind', 'rw'] }];
    const lowerIds = this.#chain(r.parent).map((p) => p.id);
    if (r.kind !== 'active') {
      // A view: the parent chain alone. One layer is a read-only bind; overlay needs two lowers.
      if (lowerIds.length === 1) return [{ type: 'bind', source: join(this.#dir(lowerIds[0] ?? 0), 'fs'), options: ['rbind', 'ro'] }];
      return [this.#overlay(lowerIds, undefined)];
    }
    return [this.#overlay(lowerIds, r.id)];
  }

  #overlay(lowerIds: number[], upperId: number | undefined): Mount {
    const build = (path: (id: number) => string): string[] => {
      const opts = [`lowerdir=${lowerIds.map((id) => path(id)).join(':')}`];
      if (upperId !== undefined) opts.push(`upperdir=${path(upperId)}`, `workdir=${path(upperId).replace(/fs$/, 'work')}`);
      return [...opts, ...OVERLAY_SAFETY];
    };
    const absolute = build((id) => join(this.#dir(id), 'fs'));
    if (absolute.join(',').length <= MAX_ABSOLUTE_OPTIONS) return { type: 'overlay', source: 'overlay', options: absolute };
    return { type: 'overlay', source: 'overlay', options: build((id) => `${id}/fs`), cwd: this.#store.layout.snapshots };
  }

  /** The committed chain from `key` down to the base, top first. */
  #chain(key: string): Row[] {
    const out: Row[] = [];
    for (let k: string | null = key; k !== null; ) {
      const r = this.#row(k);
      if (r === undefined) throw new SnapshotNotFoundError(k, 'parent snapshot');
      out.push(r);
      k = r.parent;
      if (out.length > 4096) throw new SnapshotNotFoundError(key, 'snapshot chain (cycle)');
    }
    return out;
  }

  upperDir(key: string): string {
    const r = this.#row(key);
    if (r === undefined) throw new SnapshotNotFoundError(key);
    return join(this.#dir(r.id), 'fs');
  }

  lowerDirs(key: string): string[] {
    const r = this.#row(key);
    if (r === undefined) throw new SnapshotNotFoundError(key);
    if (r.parent === null) return [];
    return this.#chain(r.parent).map((p) => join(this.#dir(p.id), 'fs'));
  }

  diffSource(key: string): DiffSource {
    const upper = this.upperDir(key);
    if (this.driver === 'overlay') return { kind: 'overlay', upper, lowers: this.lowerDirs(key) };
    const parent = this.lowerDirs(key)[0];
    return parent === undefined ? { kind: 'tree', root: upper } : { kind: 'compare', lower: parent, upper };
  }

  async commit(name: string, key: string, options: { labels?: Record<string, string> } = {}): Promise<void> {
    const now = Date.now();
    const discard = this.#store.db.write(() => {
      const r = this.#row(key);
      if (r === undefined) throw new SnapshotNotFoundError(key);
      if (r.kind !== 'active') throw new SnapshotInUseError(key, `it is a ${r.kind} snapshot, not an active one`);
      const existing = this.#row(name);
      if (existing !== undefined) {
        // Someone committed the same content first (two unpacks of one layer): keep theirs, unless
        // theirs is a tree this boot cannot trust, which ours replaces.
        this.#store.db.sqlite.prepare('DELETE FROM snapshots WHERE id = ?').run(r.id);
        this.#handOver(key, name);
        if (existing.kind === 'committed' && this.#untrusted(existing)) this.#swapIn(existing, r.id);
        return r.id;
      }
      const labels = JSON.stringify({ ...JSON.parse(r.labels), ...options.labels, [WRITTEN_BOOT_LABEL]: bootId() });
      this.#store.db.sqlite
        .prepare("UPDATE snapshots SET key = ?, kind = 'committed', updated_at = ?, labels = ? WHERE id = ?")
        .run(name, now, labels, r.id);
      this.#handOver(key, name);
      return undefined;
    });
    if (discard !== undefined) await this.#removeLeftovers(discard, name);
    else await rm(join(this.#dir(this.#row(name)?.id ?? 0), 'work'), { recursive: true, force: true });
  }

  /** Leases that held the active `key` now hold the committed `name`. */
  #handOver(key: string, name: string): void {
    this.#store.db.sqlite.prepare("UPDATE OR IGNORE lease_resources SET resource_id = ? WHERE type = 'snapshot' AND resource_id = ?").run(name, key);
    this.#store.db.sqlite.prepare("DELETE FROM lease_resources WHERE type = 'snapshot' AND resource_id = ?").run(key);
  }

  /**
   * Inside a write transaction: the tree of snapshot row `freshId` becomes `target`'s, and
   * `target` is marked as written in this boot. Two swaps never interleave (the transaction holds
   * the DB's write lock); if the process dies in one, the row keeps its old boot or the tree is
   * missing, and either way it is renewed again on next use.
   */
  #swapIn(target: Row, freshId: number): void {
    const dir = this.#dir(target.id);
    try {
      renameSync(join(dir, 'fs'), join(dir, `${STALE_TREE}${freshId}`));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    renameSync(join(this.#dir(freshId), 'fs'), join(dir, 'fs'));
    const labels = JSON.stringify({ ...JSON.parse(target.labels), [WRITTEN_BOOT_LABEL]: bootId() });
    this.#store.db.sqlite.prepare('UPDATE snapshots SET labels = ?, updated_at = ? WHERE id = ?').run(labels, Date.now(), target.id);
  }

  /** Deletes a discarded snapshot's directory and the old trees a swap left in `name`'s. */
  async #removeLeftovers(discardedId: number, name: string): Promise<void> {
    await rm(this.#dir(discardedId), { recursive: true, force: true });
    const target = this.#row(name);
    if (target === undefined) return;
    const dir = this.#dir(target.id);
    for (const old of readdirSync(dir).filter((n) => n.startsWith(STALE_TREE))) await rm(join(dir, old), { recursive: true, force: true });
  }

  needsRenewal(name: string): boolean {
    const r = this.#row(name);
    return r !== undefined && r.kind === 'committed' && this.#untrusted(r);
  }

  #untrusted(r: Row): boolean {
    const boot = (JSON.parse(r.labels) as Record<string, string>)[WRITTEN_BOOT_LABEL];
    // Rows from before boots were recorded carry no label: trusted as they were.
    return (boot !== undefined && boot !== bootId()) || !existsSync(join(this.#dir(r.id), 'fs'));
  }

  async remove(key: string): Promise<void> {
    const id = this.#store.db.write(() => {
      const r = this.#row(key);
      if (r === undefined) return undefined;
      const child = this.#store.db.sqlite.prepare('SELECT key FROM snapshots WHERE parent = ? LIMIT 1').get(key) as { key: string } | undefined;
      if (child !== undefined) throw new SnapshotInUseError(key, `snapshot "${child.key}" is built on it`);
      if (isMounted(this.#dir(r.id))) throw new SnapshotInUseError(key, 'it is mounted');
      this.#store.db.sqlite.prepare('DELETE FROM snapshots WHERE id = ?').run(r.id);
      return r.id;
    });
    if (id !== undefined) await rm(this.#dir(id), { recursive: true, force: true });
  }

  async usage(key: string): Promise<{ size: number; inodes: number }> {
    const r = this.#row(key);
    if (r === undefined) throw new SnapshotNotFoundError(key);
    let size = 0;
    let inodes = 0;
    const seen = new Set<number>();
    const walk = async (dir: string): Promise<void> => {
      for (const name of await readdir(dir).catch(() => [] as string[])) {
        const p = join(dir, name);
        const st = await lstat(p);
        if (seen.has(st.ino)) continue;
        seen.add(st.ino);
        inodes++;
        size += st.isDirectory() ? 0 : st.size;
        if (st.isDirectory()) await walk(p);
      }
    };
    await walk(join(this.#dir(r.id), 'fs'));
    return { size, inodes };
  }
}

function toInfo(r: Row): SnapshotInfo {
  const info: SnapshotInfo = { id: r.id, key: r.key, kind: r.kind, createdAt: r.created_at, labels: JSON.parse(r.labels) as Record<string, string> };
  if (r.parent !== null) info.parent = r.parent;
  return info;
}
