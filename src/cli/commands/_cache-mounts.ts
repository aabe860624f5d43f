/**
 * `RUN --mount=type=cache` directories (`<root>/cache-mounts/<id hash>`, made by build/run-step.ts)
 * as build cache records of BuildKit's type `exec.cachemount`, so that `system df` counts them and
 * `builder prune` / `system prune` remove them as docker does. BuildKit keeps them as mutable cache
 * records; gantry keeps them as plain directories, so their size and last use are read from disk.
 *
 * Pruning follows BuildKit's cache manager: an unused cache mount is a candidate with or without
 * `--all` (only internal, frontend and shared records are kept without it).
 */
import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { BuildCacheRecord, MountLocks } from '../../store/index.js';

export const CACHE_MOUNT_TYPE = 'exec.cachemount';

export interface CacheMount {
  id: string;
  path: string;
  /** Bytes on disk (allocated blocks, as du counts). */
  size: number;
  createdAt: number;
  /** The newest change inside it: when a build last wrote to it. */
  lastUsedAt: number;
}

/** The cache mount directories of the store at `root` (none when the folder does not exist). */
export async function listCacheMounts(root: string): Promise<CacheMount[]> {
  const dir = join(root, 'cache-mounts');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const out: CacheMount[] = [];
  for (const id of names.sort()) {
    const path = join(dir, id);
    const st = await lstat(path).catch(() => undefined);
    if (st === undefined || !st.isDirectory()) continue;
    const { size, newest } = await treeUsage(path);
    out.push({ id, path, size, createdAt: st.birthtimeMs > 0 ? st.birthtimeMs : st.ctimeMs, lastUsedAt: newest });
  }
  return out;
}

/** A cache mount in the shape `system df` prints (never shared; in use while a RUN has it mounted). */
export function cacheMountRecord(m: CacheMount, locks: MountLocks): BuildCacheRecord {
  return {
    id: m.id,
    type: CACHE_MOUNT_TYPE,
    description: 'cache mount',
    parents: [],
    size: m.size,
    inUse: locks.inUse(m.id),
    shared: false,
    createdAt: m.createdAt,
    lastUsedAt: m.lastUsedAt,
    usageCount: 1,
    resources: [],
  };
}

/**
 * Removes the cache mounts no running build uses (one that a RUN holds now is left alone);
 * returns those removed and the bytes freed.
 */
export async function removeCacheMounts(mounts: readonly CacheMount[], locks: MountLocks): Promise<{ removed: CacheMount[]; freed: number }> {
  const removed: CacheMount[] = [];
  let freed = 0;
  for (const m of mounts) {
    const release = locks.tryRemove(m.id);
    if (release === undefined) continue;
    try {
      await rm(m.path, { recursive: true, force: true });
    } finally {
      release();
    }
    removed.push(m);
    freed += m.size;
  }
  return { removed, freed };
}

async function treeUsage(p: string): Promise<{ size: number; newest: number }> {
  const st = await lstat(p);
  let size = st.blocks * 512;
  let newest = st.mtimeMs;
  if (st.isDirectory()) {
    for (const c of await readdir(p)) {
      const u = await treeUsage(join(p, c));
      size += u.size;
      newest = Math.max(newest, u.newest);
    }
  }
  return { size, newest };
}
