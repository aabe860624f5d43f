/**
 * Which OCI runtime to use: `--runtime runc|crun|PATH`, else the configured default, else runc. A runtime
 * is probed once by running a real (tiny) container, because a present binary is not a working one:
 * crun 1.8 refuses every container on a cgroup v1 host with a hybrid unified mount ("cgroups in hybrid
 * mode not supported"). A runtime that fails the probe is replaced by runc with a message saying why.
 * Probe results are cached on disk by binary identity and cgroup layout, so later runs pay nothing.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { access, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, delimiter, join } from 'node:path';
import { FailedPreconditionError, InvalidArgumentError } from '../errors.js';
import { hostInfo } from './host.js';
import { staticInitPath } from './init.js';
import { OciRuntime, RuntimeError } from './runc.js';
import { applyOpts, defaultSpec, specToJson, withNetwork, withProcessArgs, withMounts, withCgroupsPath } from './spec.js';

const KNOWN = ['runc', 'crun'] as const;
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Finds an executable by name in PATH (and the system dirs, since sbin is often not in a user's PATH). */
export async function findExecutable(name: string, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const dirs = [...(env.PATH ?? '').split(delimiter).filter(Boolean), ...SYSTEM_DIRS];
  // Synchronous: a dozen failing lookups cost microseconds each, less than a thread-pool round trip.
  for (const d of dirs) {
    const p = join(d, name);
    try {
      accessSync(p, constants.X_OK);
      if (statSync(p).isFile()) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface SelectRuntimeOptions {
  /** `--runtime` value or the configured default: `runc`, `crun`, or a path. */
  requested?: string;
  /** `<gantry-root>/runtime`: each runtime's state goes in `<this>/<name>`. */
  stateRoot: string;
  /** Told when the requested runtime cannot work here and another is used instead. */
  warn?: (message: string) => void;
  /** Skip the probe (tests of the selection logic; callers that just probed). */
  probe?: boolean;
  signal?: AbortSignal;
}

/**
 * The runtime to use.
 * @throws {InvalidArgumentError} ERR_UNKNOWN_RUNTIME for a name that is neither known nor a path
 * @throws {FailedPreconditionError} ERR_NO_RUNTIME when no working runtime is installed
 */
export async function selectRuntime(options: SelectRuntimeOptions): Promise<OciRuntime> {
  const requested = options.requested ?? 'runc';
  let binary: string | undefined;
  let name: string;
  if (requested.includes('/')) {
    binary = requested;
    name = basename(requested);
    try {
      await access(binary, constants.X_OK);
    } catch {
      throw new InvalidArgumentError('UNKNOWN_RUNTIME', `Cannot use runtime "${requested}": not an executable file`);
    }
  } else if ((KNOWN as readonly string[]).includes(requested)) {
    name = requested;
    binary = await findExecutable(requested);
  } else {
    throw new InvalidArgumentError('UNKNOWN_RUNTIME', `Unknown runtime specified ${requested}`, { hint: 'Use runc, crun, or the path of a runtime binary' });
  }
  // The fallbacks are looked up only when the requested runtime is missing or fails its probe.
  async function* candidates(): AsyncGenerator<{ name: string; binary: string }> {
    if (binary !== undefined) yield { name, binary };
    let first = binary === undefined;
    for (const fallback of KNOWN) {
      if (fallback === name) continue;
      const b = await findExecutable(fallback);
      if (b === undefined) continue;
      if (first) options.warn?.(`${requested} is not installed; using ${fallback}`);
      first = false;
      yield { name: fallback, binary: b };
    }
  }
  let firstFailure: string | undefined;
  for await (const c of candidates()) {
    const runtime = new OciRuntime(c.name, c.binary, join(options.stateRoot, c.name));
    const failure = options.probe === false ? undefined : await probeRuntime(runtime, options.stateRoot, options.signal);
    if (failure === undefined) {
      if (firstFailure !== undefined) options.warn?.(`${requested} cannot run containers on this host (${firstFailure}); using ${c.name}`);
      return runtime;
    }
    firstFailure ??= failure;
  }
  throw new FailedPreconditionError('NO_RUNTIME', `Cannot run containers: no working OCI runtime${firstFailure === undefined ? ' is installed' : ` (${firstFailure})`}`, {
    hint: 'Install runc (apt-get install runc) or crun',
  });
}

interface ProbeRecord {
  binary: string;
  mtimeMs: number;
  size: number;
  cgroup: string;
  failure: string | null;
}

/**
 * Runs `catatonit --version` (a static binary, bind-mounted into an empty root) under `runtime` with the
 * same namespaces and cgroup setup a real container gets. Resolves undefined when it works, or the
 * runtime's error message. Without a static binary to run, the runtime is assumed to work.
 */
export async function probeRuntime(runtime: OciRuntime, stateRoot: string, signal?: AbortSignal): Promise<string | undefined> {
  const st = await stat(runtime.binary);
  const host = await hostInfo();
  const cgroup = `${host.cgroup.version}${host.cgroup.hybrid ? '-hybrid' : ''}`;
  const cacheFile = join(stateRoot, `probe-${runtime.name}.json`);
  try {
    const rec = JSON.parse(await readFile(cacheFile, 'utf8')) as ProbeRecord;
    if (rec.binary === runtime.binary && rec.mtimeMs === st.mtimeMs && rec.size === st.size && rec.cgroup === cgroup) {
      return rec.failure ?? undefined;
    }
  } catch {
    // no cache yet
  }
  const init = await staticInitPath();
  if (init === undefined) return undefined;
  await mkdir(stateRoot, { recursive: true });
  const dir = await mkdtemp(join(stateRoot, 'probe-'));
  const id = `gantry-probe-${basename(dir).slice(6)}-${process.pid}`;
  let failure: string | undefined;
  try {
    await mkdir(join(dir, 'rootfs'));
    const spec = applyOpts(
      defaultSpec({ rootfs: join(dir, 'rootfs') }),
      withProcessArgs('/dev/init', '--version'),
      withMounts([{ destination: '/dev/init', type: 'bind', source: init, options: ['bind', 'ro'] }]),
      withNetwork('host'),
      withCgroupsPath(`/gantry/${id}`),
    );
    spec.root.readonly = true;
    await writeFile(join(dir, 'config.json'), specToJson(spec));
    try {
      // `run` without stdio of our own: the probe's output is not interesting, its exit status is.
      await runtime.exec(['run', '--bundle', dir, id], signal === undefined ? {} : { signal });
    } catch (err) {
      if (!(err instanceof RuntimeError)) throw err;
      failure = err.runtimeMessage || err.message;
    }
  } finally {
    await runtime.delete(id, { force: true }).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
  const record: ProbeRecord = { binary: runtime.binary, mtimeMs: st.mtimeMs, size: st.size, cgroup, failure: failure ?? null };
  await writeFile(cacheFile, JSON.stringify(record)).catch(() => undefined);
  return failure;
}
