/**
 * Containers: an image's layers unpacked once (committed snapshots by chainID), an active snapshot on
 * top for the container's root filesystem, mounted at `<root>/containers/<id>/rootfs`, run under the
 * OCI runtime; the store's container record follows its life (created → running → exited).
 *
 * gantry has no daemon: a detached container keeps running after gantry exits, and whichever gantry
 * command next looks at it (`ps`, `rm`, `start`, …) asks the runtime for its state, records the exit
 * and unmounts its root filesystem (`sync`).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StdioOptions } from 'node:child_process';
import type { ImageConfig } from '../oci/index.js';
import {
  checkCommand, containerLogPath, containerState, resolveArgs, deleteContainer, killContainer, prepareContainer, runContainer, runOverridesFromFlags,
  stopContainerById, type DockerRunFlags, type RuntimeContext, type Spec,
} from '../runtime/index.js';
import {
  findMountStubs, mountAll, RUNTIME_MOUNT_TARGETS, unmount, unpackLayers, volatileMounts, type LocalSnapshotter,
} from '../snapshot/index.js';
import { isMountedUnder, readBlob, type ContainerRecord, type ImageRecord, type Store } from '../store/index.js';
import { ContainerNotRunningError, ContainerRunningError } from './errors.js';
import { traceLine } from '../trace.js';

/** What the container part keeps in the record's `config`. */
export interface StoredConfig {
  /** The process: `path` and `args` as docker's inspect shows them. */
  path: string;
  args: string[];
  /** The `run` flags and arguments after the image, to start the container again. */
  flags: DockerRunFlags & { tty?: boolean; interactive?: boolean };
  cmd: string[];
  autoRemove: boolean;
  /** Paths created only as mount points on the first start (left out of `commit` and `diff`). */
  stubs?: string[];
  /** The environment the process got (for inspect). */
  env?: string[];
  workingDir?: string;
  user?: string;
  hostname?: string;
}

export interface CreateOptions {
  image: string;
  name?: string;
  flags: StoredConfig['flags'];
  cmd: string[];
  autoRemove?: boolean;
  callerEnv: Readonly<Record<string, string | undefined>>;
  labels?: Record<string, string>;
  signal?: AbortSignal;
}

export interface StartOptions {
  detach?: boolean;
  stdio?: StdioOptions;
  forwardSignals?: boolean;
  consoleSize?: { rows: number; columns: number };
  callerEnv?: Readonly<Record<string, string | undefined>>;
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
}

const RUNNING = new Set(['running', 'paused', 'restarting']);

export function storedConfig(rec: ContainerRecord): StoredConfig {
  return rec.config as unknown as StoredConfig;
}

export function isRunning(rec: ContainerRecord): boolean {
  return RUNNING.has(rec.state);
}

/** The container operations over one store, snapshotter and runtime. */
export class Containers {
  constructor(
    readonly store: Store,
    readonly snapshots: LocalSnapshotter,
    readonly runtime: RuntimeContext,
  ) {}

  /** Where the container's root filesystem is mounted while it runs. */
  rootfs(id: string): string {
    return join(this.store.root, 'containers', id, 'rootfs');
  }

  /** The image's config blob. */
  async imageConfig(image: ImageRecord, signal?: AbortSignal): Promise<ImageConfig> {
    const bytes = await readBlob(this.store.content, image.config, signal === undefined ? {} : { signal });
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as ImageConfig;
  }

  /**
   * Creates a container from an image: unpacks the layers (once per layer, shared), prepares the
   * container's writable snapshot and records it (`created`).
   * @throws {ImageNotFoundError} {ContainerNameConflictError}
   */
  async create(o: CreateOptions): Promise<ContainerRecord> {
    const image = this.store.images.resolve(o.image);
    const config = await this.imageConfig(image, o.signal);
    traceLine('create: image resolved');
    const id = randomBytes(32).toString('hex');
    const key = `container-${id}`;
    // The lease holds the snapshots until the record does (a concurrent collect cannot take them).
    const lease = this.store.leases.create({ expiresAt: Date.now() + 3600_000 });
    try {
      const parent = await unpackLayers(this.store.content, this.snapshots, image.layers, {
        lease: lease.id,
        ...(o.signal === undefined ? {} : { signal: o.signal }),
      });
      traceLine('create: layers unpacked');
      await this.snapshots.prepare(key, parent, { lease: lease.id, labels: { 'gantry.container': id } });
      traceLine('create: snapshot prepared');
      const overrides = await runOverridesFromFlags(o.flags, o.cmd, { callerEnv: o.callerEnv });
      // docker's rules (an --entrypoint drops the image's Cmd; arguments replace the Cmd).
      const args = resolveArgs(config.config ?? {}, overrides);
      const stored: StoredConfig = {
        path: args[0] ?? '',
        args: args.slice(1),
        flags: o.flags,
        cmd: o.cmd,
        autoRemove: o.autoRemove === true,
      };
      try {
        const rec = this.store.containers.create({
          id,
          ...(o.name === undefined ? {} : { name: o.name }),
          imageId: image.id,
          imageRef: o.image,
          snapshotKey: key,
          state: 'created',
          config: stored as unknown as Record<string, unknown>,
          labels: { ...(config.config?.Labels ?? {}), ...(o.labels ?? {}) },
        });
        traceLine('create: record written');
        return rec;
      } catch (err) {
        await this.snapshots.remove(key).catch(() => {});
        throw err;
      }
    } finally {
      this.store.leases.delete(lease.id);
    }
  }

  /**
   * Mounts the container's root filesystem (idempotent). An `--rm` container's changes die with it,
   * so its overlay is volatile: unmounting it skips the syncfs of the whole upper filesystem.
   */
  async mount(rec: ContainerRecord, signal?: AbortSignal): Promise<string> {
    const target = this.rootfs(rec.id);
    if (isMountedUnder(target)) return target;
    mkdirSync(target, { recursive: true });
    const mounts = this.snapshots.mounts(snapshotKey(rec));
    await mountAll(storedConfig(rec).autoRemove ? volatileMounts(mounts) : mounts, target, signal === undefined ? {} : { signal });
    return target;
  }

  async unmount(rec: ContainerRecord): Promise<void> {
    const target = this.rootfs(rec.id);
    if (isMountedUnder(target)) await unmount(target);
  }

  /**
   * Starts a created or exited container. Foreground: resolves with the exit code once it has
   * exited (the record then says `exited`). Detached: resolves once it runs.
   * @throws {ContainerCommandError} (126/127) when the command cannot be run
   */
  async start(rec: ContainerRecord, o: StartOptions = {}): Promise<{ exitCode?: number; pid?: number; spec: Spec }> {
    rec = await this.sync(rec);
    if (isRunning(rec)) return { spec: {} as Spec };
    const stored = storedConfig(rec);
    const image = this.store.images.get(rec.imageId);
    const config = await this.imageConfig(image, o.signal);
    // The image's unpacked layers are this container's lower layers: one written before a crash of
    // the machine is extracted again first (snapshot/local.ts).
    if (image.layers.some((l) => this.snapshots.needsRenewal(l.chainId))) {
      const lease = this.store.leases.create({ expiresAt: Date.now() + 3600_000 });
      try {
        await unpackLayers(this.store.content, this.snapshots, image.layers, { lease: lease.id, ...(o.signal === undefined ? {} : { signal: o.signal }) });
      } finally {
        this.store.leases.delete(lease.id);
      }
    }
    const rootfs = await this.mount(rec, o.signal);
    traceLine('start: rootfs mounted');
    let spec: Spec;
    try {
      if (stored.stubs === undefined) {
        stored.stubs = findMountStubs(rootfs, [...RUNTIME_MOUNT_TARGETS, ...volumeTargets(stored.flags)]);
      }
      // A previous run's runtime state and bundle (an exited detached container) go first, but not
      // its log: docker appends each start's output to the same log, so it waits beside the rootfs.
      const log = containerLogPath(this.runtime, rec.id);
      const kept = join(this.store.root, 'containers', rec.id, 'container.log.kept');
      await rename(log, kept).catch(() => {});
      await deleteContainer(this.runtime, rec.id, { force: true }).catch(() => {});
      traceLine('start: stale runtime state checked');
      const overrides = await runOverridesFromFlags(stored.flags, stored.cmd, { callerEnv: o.callerEnv ?? {} });
      if (o.consoleSize !== undefined) overrides.consoleSize = o.consoleSize;
      const prepared = await prepareContainer(this.runtime, { id: rec.id, rootfs, image: config, overrides });
      await rename(kept, log).catch(() => {});
      for (const w of prepared.warnings) o.onWarning?.(w);
      spec = prepared.spec;
      await checkCommand(rootfs, spec);
      traceLine('start: spec and bundle written');
      stored.env = spec.process.env ?? [];
      stored.workingDir = spec.process.cwd;
      stored.hostname = spec.hostname ?? '';
      stored.user = stored.flags.user ?? config.config?.User ?? '';
    } catch (err) {
      await deleteContainer(this.runtime, rec.id, { force: true }).catch(() => {});
      await this.unmount(rec).catch(() => {});
      throw err;
    }
    const startedAt = Date.now();
    if (o.detach === true) {
      const { pid } = await runContainer(this.runtime, { id: rec.id, detach: true, ...(o.signal === undefined ? {} : { signal: o.signal }) });
      this.store.containers.update(rec.id, { state: 'running', startedAt, ...(pid === undefined ? {} : { pid }), config: stored as unknown as Record<string, unknown> });
      return { ...(pid === undefined ? {} : { pid }), spec };
    }
    this.store.containers.update(rec.id, { state: 'running', startedAt, config: stored as unknown as Record<string, unknown> });
    traceLine('start: record running');
    let exitCode: number | undefined;
    try {
      const r = await runContainer(this.runtime, {
        id: rec.id,
        ...(o.stdio === undefined ? {} : { stdio: o.stdio }),
        ...(o.forwardSignals === undefined ? {} : { forwardSignals: o.forwardSignals }),
        ...(o.signal === undefined ? {} : { signal: o.signal }),
        onStart: (p) => {
          traceLine('run: runtime spawned');
          const pid = (p as { pid?: number }).pid;
          if (typeof pid === 'number') this.store.containers.update(rec.id, { pid });
        },
      });
      exitCode = r.exitCode;
      traceLine('run: runtime exited, bundle removed');
    } finally {
      await this.finish(this.store.containers.get(rec.id), exitCode ?? 125);
    }
    return { exitCode: exitCode ?? 125, spec };
  }

  /** Records the exit, unmounts the root filesystem, and removes an `--rm` container. */
  async finish(rec: ContainerRecord, exitCode: number): Promise<void> {
    this.store.containers.update(rec.id, { state: 'exited', exitCode, finishedAt: Date.now(), pid: 0 });
    traceLine('finish: exit recorded');
    // runc's own state goes; the bundle (a detached container's log) stays until `rm`.
    await this.runtime.runtime.delete(rec.id, { force: true }).catch(() => {});
    traceLine('finish: runtime state deleted');
    await this.unmount(rec);
    traceLine('finish: rootfs unmounted');
    if (storedConfig(rec).autoRemove) await this.remove(this.store.containers.get(rec.id), {});
  }

  /**
   * Brings the record up to date with the runtime: a running container that has exited since
   * (detached, or its gantry was killed) is recorded as exited and unmounted.
   */
  async sync(rec: ContainerRecord): Promise<ContainerRecord> {
    if (!isRunning(rec)) return rec;
    const st = await containerState(this.runtime, rec.id);
    if (st.status === 'running' || st.status === 'paused' || st.status === 'created') {
      const state = st.status === 'created' ? 'running' : st.status;
      if (state !== rec.state) return this.store.containers.update(rec.id, { state });
      return rec;
    }
    // A foreground run's record with a live gantry still shows running: its pid tells.
    if (st.status === 'unknown' && rec.pid !== undefined && rec.pid > 0 && processAlive(rec.pid)) return rec;
    await this.finish(rec, st.exitCode ?? 255);
    try {
      return this.store.containers.get(rec.id);
    } catch {
      return { ...rec, state: 'exited', exitCode: st.exitCode ?? 255 };
    }
  }

  /** Every record, synced. */
  async list(): Promise<ContainerRecord[]> {
    const out: ContainerRecord[] = [];
    for (const rec of this.store.containers.list()) {
      const r = await this.sync(rec);
      if (this.exists(r.id)) out.push(this.store.containers.get(r.id));
    }
    return out;
  }

  exists(id: string): boolean {
    try {
      this.store.containers.get(id);
      return true;
    } catch {
      return false;
    }
  }

  /** The record by name, ID or ID prefix, synced. @throws {ContainerNotFoundError} */
  async resolve(reference: string): Promise<ContainerRecord> {
    return this.sync(this.store.containers.resolve(reference));
  }

  /** `stop`: SIGTERM (or the image's stop signal), SIGKILL after `timeoutSeconds` (default 10). */
  async stop(rec: ContainerRecord, o: { timeoutSeconds?: number; signal?: string } = {}): Promise<void> {
    rec = await this.sync(rec);
    if (!isRunning(rec)) return;
    await stopContainerById(this.runtime, rec.id, {
      ...(o.timeoutSeconds === undefined ? {} : { timeoutSeconds: o.timeoutSeconds }),
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    });
    await this.sync(this.store.containers.get(rec.id));
  }

  /** `kill`: a signal (default SIGKILL) to a running container. @throws {ContainerNotRunningError} */
  async kill(rec: ContainerRecord, signal = 'SIGKILL'): Promise<void> {
    rec = await this.sync(rec);
    if (!isRunning(rec)) throw new ContainerNotRunningError(rec.id);
    await killContainer(this.runtime, rec.id, signal);
  }

  /**
   * `rm`: the record, its snapshot, mount and bundle. A running container needs `force` (it is
   * killed first). @throws {ContainerRunningError}
   */
  async remove(rec: ContainerRecord, o: { force?: boolean } = {}): Promise<void> {
    rec = isRunning(rec) ? await this.sync(rec) : rec;
    if (!this.exists(rec.id)) return;
    if (isRunning(rec)) {
      if (o.force !== true) throw new ContainerRunningError(rec.id, 'remove');
      await killContainer(this.runtime, rec.id, 'SIGKILL').catch(() => {});
    }
    this.store.containers.update(rec.id, { state: 'removing' });
    await deleteContainer(this.runtime, rec.id, { force: true });
    traceLine('remove: runtime state and bundle deleted');
    await this.unmount(rec);
    // Independent trees: removed side by side (each removal is a chain of thread-pool calls).
    await Promise.all([
      rec.snapshotKey === undefined ? undefined : this.snapshots.remove(rec.snapshotKey),
      rm(join(this.store.root, 'containers', rec.id), { recursive: true, force: true }),
    ]);
    traceLine('remove: snapshot and rootfs dir removed');
    this.store.containers.remove(rec.id);
    traceLine('remove: record removed');
  }
}

export function snapshotKey(rec: ContainerRecord): string {
  return rec.snapshotKey ?? `container-${rec.id}`;
}

function volumeTargets(flags: DockerRunFlags): string[] {
  const out: string[] = [];
  for (const v of (flags as { volume?: string[] }).volume ?? []) {
    const parts = v.split(':');
    const target = parts.length >= 2 ? parts[1] : parts[0];
    if (target !== undefined && target.startsWith('/')) out.push(target);
  }
  for (const t of (flags as { tmpfs?: string[] }).tmpfs ?? []) {
    const target = t.split(':')[0];
    if (target !== undefined && target.startsWith('/')) out.push(target);
  }
  return out;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
