/**
 * The default runtime spec of a container, shaped like docker's (moby `oci.DefaultLinuxSpec` plus what
 * the daemon adds), and `SpecOpt` mutators in containerd's style to change it. Pure: every host fact
 * (limits, capabilities this process holds) comes in as an argument.
 *
 * @example
 * ```ts
 * const spec = applyOpts(defaultSpec({ rlimits }), withProcessArgs('sh', '-c', 'id'), withNetwork('none'));
 * await writeFile('config.json', specToJson(spec));
 * ```
 */
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { DEFAULT_PATH } from './env.js';
import { replaceOrAppend } from './env.js';
import type { DeviceCgroup, LinuxResources, Mount, Namespace, NamespaceType, Rlimit, Spec } from './spec-types.js';

/** The runtime-spec version runc 1.1 and crun 1.8 implement. */
export const OCI_VERSION = '1.0.2';

/** docker's default /dev/shm size (64 MiB). */
export const DEFAULT_SHM_SIZE = 64 * 1024 * 1024;

/** Paths under /proc and /sys hidden from the container (bind-mounted over with /dev/null or an empty ro tmpfs). */
export const MASKED_PATHS: readonly string[] = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];

/** Paths under /proc the container may read but not write (kernel tunables shared with the host). */
export const READONLY_PATHS: readonly string[] = [
  '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger',
];

/**
 * The devices cgroup: deny everything, then allow what docker allows (mknod of any node, and use of
 * the null/zero/full/random/urandom/tty/console/ptmx/pts/tun devices).
 */
export const DEFAULT_DEVICE_RULES: readonly DeviceCgroup[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' },
  { allow: true, type: 'c', major: 136, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
];

export interface DefaultSpecOptions {
  /** The rlimits to start from (see `defaultRlimits`); omitted = inherit the runtime's. */
  rlimits?: Rlimit[];
  /** Path of the root filesystem (absolute, or relative to the bundle). */
  rootfs?: string;
}

/** docker's default spec for a container: a fresh copy each call. */
export function defaultSpec(options: DefaultSpecOptions = {}): Spec {
  const caps = [...DEFAULT_CAPABILITIES];
  const spec: Spec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: [],
      env: [`PATH=${DEFAULT_PATH}`],
      cwd: '/',
      capabilities: { bounding: [...caps], effective: [...caps], permitted: [...caps] },
      noNewPrivileges: false,
    },
    root: { path: options.rootfs ?? 'rootfs', readonly: false },
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${DEFAULT_SHM_SIZE}`] },
    ],
    linux: {
      resources: { devices: DEFAULT_DEVICE_RULES.map((d) => ({ ...d })) },
      namespaces: (['pid', 'network', 'ipc', 'uts', 'mount'] as const).map((type) => ({ type })),
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
    },
  };
  if (options.rlimits !== undefined) spec.process.rlimits = options.rlimits.map((r) => ({ ...r }));
  return spec;
}

/** A change to a spec, applied in place (containerd's `SpecOpts`). */
export type SpecOpt = (spec: Spec) => void;

/** Applies `opts` in order to `spec` and returns it. */
export function applyOpts(spec: Spec, ...opts: readonly SpecOpt[]): Spec {
  for (const o of opts) o(spec);
  return spec;
}

/**
 * The spec as the JSON a runtime reads. RLIM_INFINITY (a bigint) is written as the bare uint64 it is;
 * `JSON.stringify` cannot write a bigint, and a number would round it to 2^64, which Go rejects.
 */
export function specToJson(spec: Spec): string {
  const marker = '\u0000u64:';
  const text = JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'bigint' ? `${marker}${v.toString()}` : v), 2);
  return text.replace(/"\\u0000u64:(\d+)"/g, '$1');
}

export const withProcessArgs = (...args: string[]): SpecOpt => (s) => {
  s.process.args = [...args];
};

/** Sets variables, replacing existing ones of the same name. */
export const withEnv = (env: readonly string[]): SpecOpt => (s) => {
  s.process.env = replaceOrAppend(s.process.env, env);
};

export const withCwd = (cwd: string): SpecOpt => (s) => {
  s.process.cwd = cwd;
};

export const withUser = (user: { uid: number; gid: number; additionalGids?: readonly number[] }): SpecOpt => (s) => {
  s.process.user = { uid: user.uid, gid: user.gid };
  if (user.additionalGids !== undefined && user.additionalGids.length > 0) s.process.user.additionalGids = [...user.additionalGids];
};

export const withHostname = (hostname: string): SpecOpt => (s) => {
  s.hostname = hostname;
};

/** Adds mounts; a mount at a destination that already has one replaces it (the user's wins over a default). */
export const withMounts = (mounts: readonly Mount[]): SpecOpt => (s) => {
  for (const m of mounts) {
    const dest = normalizeDestination(m.destination);
    s.mounts = s.mounts.filter((x) => normalizeDestination(x.destination) !== dest);
    s.mounts.push({ ...m, destination: dest });
  }
};

function normalizeDestination(d: string): string {
  const n = `/${d.split('/').filter((c) => c !== '' && c !== '.').join('/')}`;
  return n;
}

export const withTty = (tty: boolean, size?: { rows: number; columns: number }): SpecOpt => (s) => {
  s.process.terminal = tty;
  if (tty && size !== undefined && size.rows > 0 && size.columns > 0) {
    s.process.consoleSize = { height: size.rows, width: size.columns };
  } else {
    delete s.process.consoleSize;
  }
};

export const withRlimits = (rlimits: readonly Rlimit[]): SpecOpt => (s) => {
  s.process.rlimits = rlimits.map((r) => ({ ...r }));
};

/** Merges resource limits into `linux.resources` (the devices rules are kept unless given). */
export const withResources = (resources: LinuxResources): SpecOpt => (s) => {
  s.linux.resources = { ...s.linux.resources, ...resources };
};

export const withCgroupsPath = (path: string): SpecOpt => (s) => {
  s.linux.cgroupsPath = path;
};

export const withReadonlyRootfs = (readonly: boolean): SpecOpt => (s) => {
  s.root.readonly = readonly;
};

export const withCapabilities = (caps: readonly string[]): SpecOpt => (s) => {
  s.process.capabilities = { bounding: [...caps], effective: [...caps], permitted: [...caps] };
};

export const withNoNewPrivileges = (on = true): SpecOpt => (s) => {
  s.process.noNewPrivileges = on;
};

/**
 * `--privileged`: every capability this process holds, no masked or read-only paths, /sys and the
 * cgroup tree writable, every device allowed by the devices cgroup.
 */
export const withPrivileged = (availableCaps: readonly string[]): SpecOpt => (s) => {
  withCapabilities(availableCaps)(s);
  s.linux.maskedPaths = [];
  s.linux.readonlyPaths = [];
  for (const m of s.mounts) {
    if (m.destination === '/sys' || m.destination === '/sys/fs/cgroup') m.options = (m.options ?? []).filter((o) => o !== 'ro');
  }
  s.linux.resources = { ...s.linux.resources, devices: [{ allow: true, access: 'rwm' }] };
};

/** Options every `--tmpfs` starts from (docker: no devices, no setuid, no exec unless asked). */
const TMPFS_DEFAULTS = ['nosuid', 'nodev', 'noexec'];
const OPPOSITES: Readonly<Record<string, string>> = {
  exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev', ro: 'rw', rw: 'ro',
  atime: 'noatime', noatime: 'atime',
};

/** Merges mount options: a later option replaces its opposite (`exec` cancels `noexec`) or a same-key `k=v`. */
export function mergeMountOptions(base: readonly string[], extra: readonly string[]): string[] {
  let out = [...base];
  for (const o of extra) {
    const opposite = OPPOSITES[o];
    const k = o.includes('=') ? o.slice(0, o.indexOf('=') + 1) : undefined;
    out = out.filter((x) => x !== o && x !== opposite && (k === undefined || !x.startsWith(k)));
    out.push(o);
  }
  return out;
}

/** A tmpfs at `destination` with docker's defaults plus `options` (`size=64m,mode=1777,exec`). */
export const withTmpfs = (destination: string, options: readonly string[] = []): SpecOpt =>
  withMounts([{ destination, type: 'tmpfs', source: 'tmpfs', options: mergeMountOptions(TMPFS_DEFAULTS, options) }]);

export interface Bind {
  source: string;
  destination: string;
  readonly?: boolean;
  /** `rprivate` (default), `private`, `rshared`, `shared`, `rslave`, `slave`. */
  propagation?: string;
}

/** Bind mounts (`-v /host:/ctr[:ro]`): recursive, private propagation unless asked otherwise. */
export const withBinds = (binds: readonly Bind[]): SpecOpt =>
  withMounts(
    binds.map((b) => ({
      destination: b.destination,
      type: 'bind',
      source: b.source,
      options: ['rbind', b.propagation ?? 'rprivate', ...(b.readonly === true ? ['ro'] : ['rw'])],
    })),
  );

/** `host`: share this host's network namespace. `none`: a fresh namespace with only loopback (runc brings `lo` up). */
export const withNetwork = (mode: 'host' | 'none'): SpecOpt => (s) => {
  if (mode === 'host') removeNamespace(s, 'network');
  else addNamespace(s, { type: 'network' });
};

/** The size of `/dev/shm` in bytes. */
export const withShmSize = (bytes: number): SpecOpt => (s) => {
  const shm = s.mounts.find((m) => m.destination === '/dev/shm');
  if (shm !== undefined) shm.options = mergeMountOptions(shm.options ?? [], [`size=${bytes}`]);
};

export const withAnnotations = (annotations: Readonly<Record<string, string>>): SpecOpt => (s) => {
  s.annotations = { ...s.annotations, ...annotations };
};

/**
 * Runs `initPath` (a static init such as catatonit, from the host) as PID 1: it is bind-mounted read-only
 * at `/dev/init` (on the /dev tmpfs, so neither the image nor a read-only root is touched) and the
 * process arguments become `/dev/init -- <args>`. Apply after the args are set.
 */
export const withInit = (initPath: string): SpecOpt => (s) => {
  withMounts([{ destination: INIT_PATH, type: 'bind', source: initPath, options: ['bind', 'ro', 'nosuid', 'nodev'] }])(s);
  s.process.args = [INIT_PATH, '--', ...s.process.args];
};

/** Where `withInit` puts the init inside the container. */
export const INIT_PATH = '/dev/init';

export function addNamespace(s: Spec, ns: Namespace): void {
  removeNamespace(s, ns.type);
  s.linux.namespaces.push(ns);
}

export function removeNamespace(s: Spec, type: NamespaceType): void {
  s.linux.namespaces = s.linux.namespaces.filter((n) => n.type !== type);
}
