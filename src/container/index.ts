/**
 * container/ — images run as containers: records in the store, root filesystems as snapshots
 * (overlay or vfs) mounted under `<root>/containers/<id>/rootfs`, processes under the OCI runtime,
 * `commit` of a container's changes as a new image layer, and `cp` of files in and out of its root.
 *
 * @example
 * ```ts
 * const c = await openContainers(store, { gantryRoot: store.root });
 * const rec = await c.create({ image: 'busybox', flags: {}, cmd: ['true'], callerEnv: process.env });
 * const { exitCode } = await c.start(rec);
 * const image = await commitContainer(c, c.store.containers.get(rec.id), { reference: 'mine' });
 * ```
 */
import { openRuntime } from '../runtime/index.js';
import { openSnapshotter } from '../snapshot/index.js';
import type { Store } from '../store/index.js';
import { Containers } from './containers.js';

export { Containers, isRunning, storedConfig, snapshotKey, type StoredConfig, type CreateOptions, type StartOptions } from './containers.js';
export { commitContainer, type CommitOptions } from './commit.js';
export { containerChanges, type Change } from './changes.js';
export { exportContainer } from './export.js';
export { execInContainer, type ExecOptions } from './exec.js';
export { pauseContainer, unpauseContainer, waitContainer, restartContainer, renameContainer, topContainer, attachContainer, updateContainer, type ProcessTable, type AttachOptions, type ResourceUpdate } from './lifecycle.js';
export { copyFromContainer, copyToContainer, type CopyFromOptions, type CopyToOptions } from './cp.js';
export { parseCpArg, planExtract, type CpArg } from './cp-paths.js';
export { CopyError } from './cp-errors.js';
export { containerFigures, hostCpuNs, type ContainerFigures, type StatsSample } from './stats.js';
export * from './errors.js';

/** The container operations on a store, with its snapshotter and the configured OCI runtime. */
export async function openContainers(store: Store, o: { runtime?: string; driver?: string; warn?: (m: string) => void; signal?: AbortSignal } = {}): Promise<Containers> {
  const runtime = await openRuntime({
    gantryRoot: store.root,
    ...(o.runtime === undefined ? {} : { runtime: o.runtime }),
    ...(o.warn === undefined ? {} : { warn: o.warn }),
    ...(o.signal === undefined ? {} : { signal: o.signal }),
  });
  return new Containers(store, openSnapshotter(store, o.driver === undefined ? {} : { driver: o.driver }), runtime);
}
