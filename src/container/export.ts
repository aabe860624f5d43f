/**
 * `container export`: the container's whole root filesystem (image layers plus its changes, as the
 * merged view shows it) as one tar stream, without the runtime's mount stubs' contents. The
 * snapshot is mounted for the export when the container is not running, and unmounted after.
 */
import { createLayer, type LayerSink } from '../layer/index.js';
import type { ContainerRecord } from '../store/index.js';
import { isRunning, type Containers } from './containers.js';

export async function exportContainer(c: Containers, rec: ContainerRecord, sink: LayerSink, options: { signal?: AbortSignal } = {}): Promise<void> {
  const wasMounted = isRunning(rec);
  const rootfs = await c.mount(rec, options.signal);
  try {
    // A tree diff of the merged view against nothing: every file, as a plain tar (real mtimes).
    await createLayer({ kind: 'tree', root: rootfs }, sink, {
      compression: 'none',
      sourceDateEpoch: null,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
  } finally {
    if (!wasMounted) await c.unmount(rec);
  }
}
