/**
 * An image's config plus docker-style run options → the OCI runtime spec of a container. Pure: the
 * container's user database, the host's facts and the paths of the generated /etc files come in as
 * arguments (`prepareContainerFiles` and `hostInfo` gather them), so every rule here is table-tested.
 *
 * @example
 * ```ts
 * const { spec } = toRuntimeSpec(image.config, {
 *   id, rootfs, host, userDb: await loadUserDb(rootfs),
 *   overrides: { args: ['sh', '-c', 'id'], env: ['A=1'], network: 'none' },
 * });
 * ```
 */
import { posix } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { ContainerConfig, ImageConfig } from '../oci/index.js';
import { tweakCapabilities, DEFAULT_CAPABILITIES } from './capabilities.js';
import { cgroupsPathFor, toLinuxResources, type ResourceRequest } from './cgroups.js';
import { buildEnv } from './env.js';
import { parseSecurityOpts, parseTmpfs, parseVolume } from './flags.js';
import type { HostInfo } from './host.js';
import { applyUlimits, defaultRlimits, parseUlimit } from './rlimits.js';
import {
  applyOpts, defaultSpec, withAnnotations, withBinds, withCapabilities, withCgroupsPath, withCwd, withHostname,
  withInit, withMounts, withNetwork, withNoNewPrivileges, withPrivileged, withProcessArgs, withReadonlyRootfs,
  withResources, withRlimits, withShmSize, withTmpfs, withTty, withUser, type SpecOpt,
} from './spec.js';
import type { Mount, Spec } from './spec-types.js';
import { resolveGroups, resolveUser, type UserDb } from './user.js';

export type NetworkMode = 'host' | 'none';

/** docker `run` options that shape the spec. Raw flag texts where docker parses them (volumes, tmpfs, ulimits). */
export interface RunOverrides {
  /** `--entrypoint`: replaces the image's Entrypoint and drops its Cmd; `''` clears the entrypoint. */
  entrypoint?: string;
  /** Arguments after the image: replace the image's Cmd. */
  args?: readonly string[];
  /** Expanded `NAME=value` entries, `--env-file` contents first, then `-e` (see `expandEnvArg`, `parseEnvFile`). */
  env?: readonly string[];
  workdir?: string;
  user?: string;
  groupAdd?: readonly string[];
  hostname?: string;
  tty?: boolean;
  /** Initial console size with `tty`. */
  consoleSize?: { rows: number; columns: number };
  readOnly?: boolean;
  capAdd?: readonly string[];
  capDrop?: readonly string[];
  securityOpt?: readonly string[];
  privileged?: boolean;
  /** `--tmpfs PATH[:opts]`. */
  tmpfs?: readonly string[];
  /** `-v /host:/ctr[:opts]`. */
  volumes?: readonly string[];
  /** `--ulimit name=soft[:hard]`. */
  ulimits?: readonly string[];
  /** `/dev/shm` size in bytes. */
  shmSize?: number;
  /** Default `host` until gantry has a bridged network. */
  network?: NetworkMode;
  resources?: ResourceRequest;
  /** Host path of a static init (catatonit) to run as PID 1 (`--init`). */
  initPath?: string;
  /** Parent cgroup (`--cgroup-parent`), default `/gantry`. */
  cgroupParent?: string;
  /** Extra annotations (`--annotation`). */
  annotations?: Readonly<Record<string, string>>;
}

/** Host paths of the per-container `/etc/hosts`, `/etc/resolv.conf` and `/etc/hostname` to bind-mount. */
export interface EtcFiles {
  hosts?: string;
  resolvConf?: string;
  hostname?: string;
}

export interface ToRuntimeSpecOptions {
  /** Container ID (names the cgroup; its first 12 characters are the default hostname). */
  id: string;
  rootfs: string;
  overrides?: RunOverrides;
  /** The container's `/etc/passwd` and `/etc/group` (see `loadUserDb`). */
  userDb?: UserDb;
  host: Pick<HostInfo, 'limits' | 'capabilities' | 'cgroup'>;
  /** This host's name: the container's with host networking. */
  hostHostname?: string;
  etcFiles?: EtcFiles;
}

export interface RuntimeSpecResult {
  spec: Spec;
  /** Things docker would print as `WARNING: …`. */
  warnings: string[];
}

/**
 * The process arguments by docker's rules: `--entrypoint` replaces the image's Entrypoint and discards
 * its Cmd; otherwise arguments after the image replace Cmd, and Entrypoint + Cmd run.
 * @throws {InvalidArgumentError} ERR_NO_COMMAND when nothing is left to run
 */
export function resolveArgs(config: Pick<ContainerConfig, 'Entrypoint' | 'Cmd'>, overrides: Pick<RunOverrides, 'entrypoint' | 'args'> = {}): string[] {
  const userArgs = overrides.args ?? [];
  let entrypoint: readonly string[];
  let cmd: readonly string[];
  if (overrides.entrypoint !== undefined) {
    entrypoint = overrides.entrypoint === '' ? [] : [overrides.entrypoint];
    cmd = userArgs;
  } else {
    entrypoint = config.Entrypoint ?? [];
    cmd = userArgs.length > 0 ? userArgs : (config.Cmd ?? []);
  }
  const args = [...entrypoint, ...cmd];
  if (args.length === 0) throw new InvalidArgumentError('NO_COMMAND', 'No command specified');
  return args;
}

function clean(p: string): string {
  const n = posix.normalize(p);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/**
 * The working directory: `-w`, else the image's WorkingDir, else `/`. Relative image values are taken
 * from `/` (docker does the same for old images); a relative `-w` is refused like docker refuses it.
 * @throws {InvalidArgumentError} ERR_INVALID_WORKDIR
 */
export function resolveCwd(imageWorkdir: string | undefined, override: string | undefined): string {
  if (override !== undefined && override !== '') {
    if (!override.startsWith('/')) {
      throw new InvalidArgumentError('INVALID_WORKDIR', `the working directory '${override}' is invalid, it needs to be an absolute path`);
    }
    return clean(override);
  }
  if (imageWorkdir === undefined || imageWorkdir === '') return '/';
  return clean(posix.join('/', imageWorkdir));
}

/**
 * The container's hostname: `--hostname`, else the host's with host networking (docker shares the UTS
 * name then), else the first 12 characters of its ID.
 * @throws {InvalidArgumentError} ERR_INVALID_HOSTNAME
 */
export function containerHostname(id: string, o: Pick<RunOverrides, 'hostname' | 'network'>, hostHostname?: string): string {
  const hostname = o.hostname !== undefined && o.hostname !== ''
    ? o.hostname
    : (o.network ?? 'host') === 'host' && hostHostname !== undefined
      ? hostHostname
      : id.slice(0, 12);
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9.-]*[a-zA-Z0-9])?$/.test(hostname) || hostname.length > 255) {
    throw new InvalidArgumentError('INVALID_HOSTNAME', `invalid hostname format: ${hostname}`);
  }
  return hostname;
}

/**
 * The runtime spec for a container of `image` (an image config, or just its `config` member).
 * @throws {InvalidArgumentError} for any option docker would refuse (with docker's message)
 */
export function toRuntimeSpec(image: Pick<ImageConfig, 'config'> | undefined, options: ToRuntimeSpecOptions): RuntimeSpecResult {
  const config: ContainerConfig = image?.config ?? {};
  const o = options.overrides ?? {};
  const warnings: string[] = [];
  const network: NetworkMode = o.network ?? 'host';
  const tty = o.tty === true;

  const hostname = containerHostname(options.id, o, options.hostHostname);

  const userSpec = o.user ?? config.User ?? '';
  const db = options.userDb ?? { passwd: '', group: '' };
  const user = resolveUser(userSpec, db);
  const groupAdd = resolveGroups(o.groupAdd ?? [], db);
  // The primary group is listed too, as docker and containerd do since CVE-2023-25173, so setgroups()
  // never leaves the runtime's own supplementary groups in place.
  const additionalGids = [...new Set([user.gid, ...user.additionalGids, ...groupAdd])];

  const security = parseSecurityOpts(o.securityOpt ?? []);
  const rlimits = applyUlimits(defaultRlimits(options.host.limits), (o.ulimits ?? []).map(parseUlimit), options.host.limits);

  const opts: SpecOpt[] = [
    withProcessArgs(...resolveArgs(config, o)),
    (s) => {
      s.process.env = buildEnv({ imageEnv: config.Env, userEnv: o.env ?? [], hostname, tty });
    },
    withCwd(resolveCwd(config.WorkingDir, o.workdir)),
    withUser({ uid: user.uid, gid: user.gid, additionalGids }),
    withHostname(hostname),
    withTty(tty, o.consoleSize),
    withRlimits(rlimits),
    withReadonlyRootfs(o.readOnly === true),
    withNetwork(network),
    withCgroupsPath(cgroupsPathFor(options.id, o.cgroupParent)),
  ];
  if (o.privileged === true) {
    opts.push(withPrivileged(options.host.capabilities));
  } else {
    opts.push(withCapabilities(tweakCapabilities(DEFAULT_CAPABILITIES, { add: o.capAdd ?? [], drop: o.capDrop ?? [] }, options.host.capabilities)));
  }
  if (security.noNewPrivileges === true) opts.push(withNoNewPrivileges(true));
  if (security.unconfinedPaths === true) {
    opts.push((s) => {
      s.linux.maskedPaths = [];
      s.linux.readonlyPaths = [];
    });
  }
  const resources = toLinuxResources(o.resources ?? {}, options.host.cgroup, warnings);
  if (Object.keys(resources).length > 0) opts.push(withResources(resources));
  if (o.shmSize !== undefined) {
    if (o.shmSize <= 0) throw new InvalidArgumentError('INVALID_SHM_SIZE', 'SHM size can not be less than 0');
    opts.push(withShmSize(o.shmSize));
  }
  const etc = options.etcFiles ?? {};
  const etcMode = o.readOnly === true ? 'ro' : 'rw';
  const etcMounts: Mount[] = [];
  for (const [destination, source] of [['/etc/hosts', etc.hosts], ['/etc/resolv.conf', etc.resolvConf], ['/etc/hostname', etc.hostname]]) {
    if (source !== undefined) etcMounts.push({ destination: destination!, type: 'bind', source, options: ['rbind', 'rprivate', etcMode] });
  }
  opts.push(withMounts(etcMounts));
  for (const t of o.tmpfs ?? []) {
    const { destination, options: tmpfsOptions } = parseTmpfs(t);
    opts.push(withTmpfs(destination, tmpfsOptions));
  }
  if ((o.volumes ?? []).length > 0) opts.push(withBinds((o.volumes ?? []).map(parseVolume)));
  if (o.initPath !== undefined) opts.push(withInit(o.initPath));
  if (o.annotations !== undefined) opts.push(withAnnotations(o.annotations));

  const spec = applyOpts(defaultSpec({ rootfs: options.rootfs }), ...opts);
  return { spec, warnings };
}
