/**
 * runtime/ — runs a process in a container: the OCI runtime spec (config.json) built from an image
 * config and docker-style options, driving runc (or crun where it works), cgroup limits, namespaces,
 * network mode (`host` by default until gantry has a bridged network, or `none`), TTY, signals and exit
 * codes. It takes a root filesystem path; it knows nothing of images in the store, snapshots or
 * Dockerfiles.
 *
 * @example
 * ```ts
 * const ctx = await openRuntime({ gantryRoot: '/var/lib/gantry' });
 * const { spec } = await prepareContainer(ctx, { id, rootfs, image: imageConfig, overrides: { args: ['echo', 'hi'] } });
 * const { exitCode } = await runContainer(ctx, { id, spec, forwardSignals: true });
 * ```
 */
import { hostname as osHostname } from 'node:os';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { StdioOptions } from 'node:child_process';
import type { ImageConfig } from '../oci/index.js';
import {
  bundlePaths, checkContainerId, containerStatus, readLog, removeContainer, startDetached, startForeground, stopContainer,
  waitDetached, writeBundle, type ContainerStatus, type ExitStatus,
} from './container.js';
import { hostDevices } from './devices.js';
import { writeEtcFiles } from './etc-files.js';
import { hostInfo } from './host.js';
import { containerHostname, toRuntimeSpec, type RunOverrides } from './image-config.js';
import { staticInitPath } from './init.js';
import { OciRuntime } from './runc.js';
import { selectRuntime } from './runtime.js';
import type { Spec } from './spec-types.js';
import { loadUserDb } from './user.js';
import { FailedPreconditionError } from '../errors.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';

export * from './spec-types.js';
export * from './spec.js';
export * from './capabilities.js';
export * from './cgroups.js';
export * from './env.js';
export * from './flags.js';
export * from './units.js';
export * from './rlimits.js';
export * from './user.js';
export { toRuntimeSpec, resolveArgs, resolveCwd, containerHostname, type RunOverrides, type EtcFiles, type NetworkMode, type ToRuntimeSpecOptions, type RuntimeSpecResult } from './image-config.js';
export { hostInfo, type HostInfo } from './host.js';
export { OciRuntime, RuntimeError, ContainerNotFoundError, normalizeSignal, signalNumber, type RuntimeState, type RuntimeStats } from './runc.js';
export { selectRuntime, probeRuntime, findExecutable } from './runtime.js';
export { staticInitPath, isStaticElf } from './init.js';
export { hostsFile, resolvConfFile } from './etc-files.js';
export { FORWARDED_SIGNALS, type ContainerProcess, type ContainerStatus, type ExitStatus } from './container.js';
export { resolveInRoot, readFileInRoot } from './rootfs-path.js';
export { runOverridesFromFlags, resourceRequest, parseNetworkMode, type DockerRunFlags, type FlagContext } from './run-flags.js';
export { hostDevices, splitDev } from './devices.js';
export { checkCommand, ContainerCommandError } from './executable.js';

/** The runtime chosen for this gantry root and where container bundles live. */
export interface RuntimeContext {
  runtime: OciRuntime;
  /** `<gantry-root>/runtime/bundles`: one directory per container. */
  bundlesDir: string;
}

export interface OpenRuntimeOptions {
  gantryRoot: string;
  /** `--runtime`; else `GANTRY_RUNTIME` from `env` (the configured default); else runc. */
  runtime?: string;
  env?: Readonly<Record<string, string | undefined>>;
  warn?: (message: string) => void;
  signal?: AbortSignal;
}

/** Picks and probes the runtime (see `selectRuntime`); state under `<gantry-root>/runtime/<name>`. */
export async function openRuntime(options: OpenRuntimeOptions): Promise<RuntimeContext> {
  const stateRoot = join(options.gantryRoot, 'runtime');
  const fromEnv = (options.env ?? process.env).GANTRY_RUNTIME;
  const requested = options.runtime ?? (fromEnv === '' ? undefined : fromEnv);
  const runtime = await selectRuntime({
    stateRoot,
    ...(requested === undefined ? {} : { requested }),
    ...(options.warn === undefined ? {} : { warn: options.warn }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  return { runtime, bundlesDir: join(stateRoot, 'bundles') };
}

/** The bundle directory of a container. */
export function bundleDir(ctx: RuntimeContext, id: string): string {
  checkContainerId(id);
  return join(ctx.bundlesDir, id);
}

export interface PrepareContainerOptions {
  id: string;
  /** Absolute path of the container's root filesystem (a mounted snapshot). */
  rootfs: string;
  /** The image config (its `config` member supplies Entrypoint, Cmd, Env, User, WorkingDir). */
  image?: Pick<ImageConfig, 'config'>;
  overrides?: RunOverrides & { addHosts?: readonly string[]; init?: boolean };
}

/**
 * Builds the container's spec and writes its bundle: `/etc/hosts`, `/etc/resolv.conf`, `/etc/hostname`
 * and `config.json`. Users are resolved from the root filesystem's own passwd/group.
 * @throws {InvalidArgumentError} for options docker refuses; {FailedPreconditionError} ERR_NO_INIT
 */
export async function prepareContainer(ctx: RuntimeContext, options: PrepareContainerOptions): Promise<{ spec: Spec; warnings: string[]; bundle: string }> {
  const dir = bundleDir(ctx, options.id);
  const o = { ...options.overrides };
  if (o.init === true && o.initPath === undefined) {
    const init = await staticInitPath();
    if (init === undefined) {
      throw new FailedPreconditionError('NO_INIT', 'Cannot use --init: no static init binary (catatonit or tini-static) is installed', { hint: 'apt-get install catatonit' });
    }
    o.initPath = init;
  }
  const host = await hostInfo();
  const hostHostname = osHostname();
  const hostname = containerHostname(options.id, o, hostHostname);
  const userDb = await loadUserDb(options.rootfs);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    const etcFiles = await writeEtcFiles(dir, { hostname, network: o.network ?? 'host', addHosts: o.addHosts ?? [] });
    const { spec, warnings } = toRuntimeSpec(options.image, { id: options.id, rootfs: options.rootfs, overrides: o, userDb, host, hostHostname, etcFiles });
    if (o.privileged === true) spec.linux.devices = await hostDevices();
    await writeBundle(dir, spec);
    return { spec, warnings, bundle: dir };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export interface RunContainerOptions {
  id: string;
  /** The spec; written to the bundle (replacing what `prepareContainer` wrote) when given. */
  spec?: Spec;
  /** Foreground stdio (default `inherit`). */
  stdio?: StdioOptions;
  /** Foreground: forward gantry's signals to the container (the CLI's `run`). */
  forwardSignals?: boolean;
  /** Foreground: aborting kills the container. Detached: aborts waiting for the start. */
  signal?: AbortSignal;
  /** Run detached: resolve once it runs; output goes to its log. */
  detach?: boolean;
  /** Detached: remove the bundle (state, log, exit record) once the container exits (`--rm`). */
  removeOnExit?: boolean;
  /** Foreground: keep the bundle after the container exits (default: remove it). */
  keepBundle?: boolean;
  /** Foreground: called with the running process (to read piped output). */
  onStart?: (process: import('./container.js').ContainerProcess) => void;
}

/**
 * Runs a prepared container. Foreground: resolves with its exit code once it has exited (128+n for a
 * signal; an OOM kill is 137). Detached: resolves with its PID once it runs.
 */
export async function runContainer(ctx: RuntimeContext, options: RunContainerOptions): Promise<{ exitCode?: number; pid?: number }> {
  const dir = bundleDir(ctx, options.id);
  if (options.spec !== undefined) await writeBundle(dir, options.spec);
  const spec = options.spec ?? (JSON.parse(readFileSync(bundlePaths(dir).config, 'utf8')) as Spec);
  const terminal = spec.process.terminal === true;
  if (options.detach === true) {
    const { pid } = await startDetached({
      runtime: ctx.runtime,
      id: options.id,
      bundle: dir,
      ...(options.removeOnExit === true ? { removeOnExit: true } : {}),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return { pid };
  }
  try {
    const proc = startForeground({
      runtime: ctx.runtime,
      id: options.id,
      bundle: dir,
      terminal,
      ...(options.stdio === undefined ? {} : { stdio: options.stdio }),
      ...(options.forwardSignals === undefined ? {} : { forwardSignals: options.forwardSignals }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    options.onStart?.(proc);
    const { exitCode } = await proc.wait();
    return { exitCode };
  } finally {
    if (options.keepBundle !== true) await rm(dir, { recursive: true, force: true });
  }
}

/** Sends a signal (default SIGKILL, like `docker kill`) to a running container. */
export async function killContainer(ctx: RuntimeContext, id: string, signal = 'SIGKILL'): Promise<void> {
  await ctx.runtime.kill(id, signal);
}

/** Stops a container: SIGTERM (or `signal`), SIGKILL after the timeout. */
export async function stopContainerById(ctx: RuntimeContext, id: string, options: { signal?: string; timeoutSeconds?: number } = {}): Promise<void> {
  await stopContainer(ctx.runtime, id, bundleDir(ctx, id), options);
}

/** Removes the container's runtime state and bundle (`force` kills a running one). Safe to call twice. */
export async function deleteContainer(ctx: RuntimeContext, id: string, options: { force?: boolean } = {}): Promise<void> {
  await removeContainer(ctx.runtime, id, bundleDir(ctx, id), options);
}

/** The container's status and exit code (once it has exited). */
export async function containerState(ctx: RuntimeContext, id: string): Promise<ContainerStatus> {
  return containerStatus(ctx.runtime, id, bundleDir(ctx, id));
}

/** Waits for a detached container to exit. */
export async function waitContainer(ctx: RuntimeContext, id: string, options: { signal?: AbortSignal } = {}): Promise<ExitStatus> {
  return waitDetached(bundleDir(ctx, id), options);
}

/** A detached container's output (see `readLog`). */
export function containerLogs(ctx: RuntimeContext, id: string, options: { follow?: boolean; fromEnd?: boolean; signal?: AbortSignal } = {}): AsyncIterable<Buffer> {
  return readLog(bundleDir(ctx, id), options);
}

/** The FIFO a detached container with a TTY reads its input from, if it has one (`attach`). */
export function containerStdinPath(ctx: RuntimeContext, id: string): string | undefined {
  const fifo = bundlePaths(bundleDir(ctx, id)).ttyStdin;
  return existsSync(fifo) ? fifo : undefined;
}

/** Path of a detached container's log file. */
export function containerLogPath(ctx: RuntimeContext, id: string): string {
  return bundlePaths(bundleDir(ctx, id)).log;
}

export const pauseContainer = (ctx: RuntimeContext, id: string): Promise<void> => ctx.runtime.pause(id);
export const resumeContainer = (ctx: RuntimeContext, id: string): Promise<void> => ctx.runtime.resume(id);
/** Host PIDs of the container's processes. */
export const containerProcesses = (ctx: RuntimeContext, id: string): Promise<number[]> => ctx.runtime.ps(id);
