/**
 * What the container commands share: opening the store with the container part (snapshotter and
 * OCI runtime) from the global options. Loaded lazily by the handlers. Other store commands use the
 * helpers below so that container records are current (gantry has no daemon to keep them so).
 */
import type { CommandIO, GlobalOptions } from '../io.js';
import { write } from '../io.js';
import type { Containers } from '../../container/index.js';
import type { Store } from '../../store/index.js';
import { openCliStore } from './_store.js';

/** The container part over an open store. */
export async function containersFor(store: Store, globals: GlobalOptions, io: CommandIO): Promise<Containers> {
  const { openContainers } = await import('../../container/index.js');
  return openContainers(store, {
    ...(globals.runtime === undefined ? {} : { runtime: globals.runtime }),
    ...(globals.storageDriver === undefined ? {} : { driver: globals.storageDriver }),
    warn: (m) => void write(io.stderr, `WARNING: ${m}\n`),
  });
}

/** Runs `fn` with the container part open; the store is closed afterwards. */
export async function withContainers<T>(globals: GlobalOptions, io: CommandIO, fn: (c: Containers) => Promise<T>): Promise<T> {
  const store = await openCliStore(globals, io);
  try {
    return await fn(await containersFor(store, globals, io));
  } finally {
    store.close();
  }
}

/** docker's line for a failure its daemon reports. */
export async function writeDaemonError(io: CommandIO, err: unknown): Promise<void> {
  await write(io.stderr, `Error response from daemon: ${err instanceof Error ? err.message : String(err)}\n`);
}

/**
 * docker prints, per container, the name as given (or what `fn` answers: `wait`'s exit code), or
 * the error, and exits 1 when any failed.
 */
export async function each(io: CommandIO, names: string[], fn: (name: string) => Promise<string | void>): Promise<number> {
  let failed = false;
  for (const n of names) {
    try {
      const shown = await fn(n);
      await write(io.stdout, `${shown ?? n}\n`);
    } catch (err) {
      failed = true;
      await writeDaemonError(io, err);
    }
  }
  return failed ? 1 : 0;
}

const LIVE = new Set(['running', 'paused', 'restarting']);

/**
 * Brings records that say running up to date (a detached container may have exited since), so
 * that `rmi` and prune judge by the truth. Opens the runtime only when some record says running.
 */
export async function syncContainerRecords(store: Store, globals: GlobalOptions, io: CommandIO): Promise<void> {
  const live = store.containers.list().filter((c) => LIVE.has(c.state));
  if (live.length === 0) return;
  const c = await containersFor(store, globals, io);
  for (const rec of live) await c.sync(rec);
}

/** Removes every stopped container (record, snapshot, mount, bundle); returns their IDs and bytes. */
export async function removeStoppedContainers(store: Store, globals: GlobalOptions, io: CommandIO): Promise<{ ids: string[]; reclaimed: number }> {
  if (store.containers.list().length === 0) return { ids: [], reclaimed: 0 };
  const c = await containersFor(store, globals, io);
  const ids: string[] = [];
  let reclaimed = 0;
  for (const rec of await c.list()) {
    if (LIVE.has(rec.state)) continue;
    if (rec.snapshotKey !== undefined && c.snapshots.stat(rec.snapshotKey) !== undefined) {
      reclaimed += (await c.snapshots.usage(rec.snapshotKey).catch(() => ({ size: 0 }))).size;
    }
    await c.remove(rec);
    ids.push(rec.id);
  }
  return { ids, reclaimed };
}

/**
 * Container root filesystems still mounted under the root although no container runs on them (a
 * gantry killed mid-run, a detached container that exited): unmounted with `repair`.
 */
export async function strayContainerMounts(store: Store, globals: GlobalOptions, io: CommandIO, repair: boolean): Promise<string[]> {
  const { readFile } = await import('node:fs/promises');
  const { join, sep } = await import('node:path');
  const base = join(store.root, 'containers') + sep;
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const mounted = info
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined)
    .map((m) => m.replace(/\\([0-7]{3})/g, (_x, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((m) => m.startsWith(base));
  if (mounted.length === 0) return [];
  const c = await containersFor(store, globals, io);
  const stray: string[] = [];
  for (const m of new Set(mounted)) {
    const id = m.slice(base.length).split(sep)[0] ?? '';
    let live = false;
    try {
      live = LIVE.has((await c.sync(store.containers.get(id))).state);
    } catch {
      live = false;
    }
    if (live) continue;
    stray.push(m);
    if (repair) {
      const { unmount } = await import('../../snapshot/index.js');
      await unmount(m);
    }
  }
  return stray;
}
