/**
 * What the container commands share: opening the store with the container part (snapshotter and
 * OCI runtime) from the global options. Loaded lazily by the handlers.
 */
import type { CommandIO, GlobalOptions } from '../io.js';
import { write } from '../io.js';
import type { Containers } from '../../container/index.js';
import { openCliStore } from './_store.js';

/** Runs `fn` with the container part open; the store is closed afterwards. */
export async function withContainers<T>(globals: GlobalOptions, io: CommandIO, fn: (c: Containers) => Promise<T>): Promise<T> {
  const { openContainers } = await import('../../container/index.js');
  const store = await openCliStore(globals, io);
  try {
    const c = await openContainers(store, {
      ...(globals.runtime === undefined ? {} : { runtime: globals.runtime }),
      ...(globals.storageDriver === undefined ? {} : { driver: globals.storageDriver }),
      warn: (m) => void write(io.stderr, `WARNING: ${m}\n`),
    });
    return await fn(c);
  } finally {
    store.close();
  }
}
