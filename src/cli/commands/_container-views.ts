/**
 * What `ps` and `container inspect` print: docker's container list rows (its formatter's fields,
 * truncation and status texts) and docker's inspect JSON shape for a container record.
 */
import { humanDuration, referenceMatches, labelChecks, matchLabels, validateFilters, type FilterArgs } from '../format/index.js';
import { isRunning, storedConfig } from '../../container/index.js';
import { resourceRequest, type DockerRunFlags } from '../../runtime/index.js';
import { InvalidArgumentError } from '../../errors.js';
import type { ContainerRecord, ImageStore } from '../../store/index.js';

export const DEFAULT_PS_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** docker's container SubHeaderContext. */
export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Names: 'NAMES',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
};

const PS_FILTERS: ReadonlySet<string> = new Set(['status', 'name', 'id', 'ancestor', 'label', 'label!', 'exited', 'before', 'since']);
const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);

/** docker's status column: `Up 2 seconds`, `Exited (0) 3 seconds ago`, `Created`. */
export function statusText(rec: ContainerRecord, now: Date): string {
  switch (rec.state) {
    case 'running':
      return `Up ${humanDuration(now.getTime() - (rec.startedAt ?? rec.createdAt))}`;
    case 'paused':
      return `Up ${humanDuration(now.getTime() - (rec.startedAt ?? rec.createdAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${rec.exitCode ?? 0}) ${humanDuration(now.getTime() - (rec.finishedAt ?? rec.createdAt))} ago`;
    case 'exited':
      return `Exited (${rec.exitCode ?? 0}) ${humanDuration(now.getTime() - (rec.finishedAt ?? rec.createdAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      return 'Created';
  }
}

/** docker's `Ellipsis`: at most `max` display characters, the last one `…` when cut. */
function ellipsis(s: string, max: number): string {
  const chars = [...s];
  return chars.length <= max ? s : `${chars.slice(0, max - 1).join('')}…`;
}

/** The image column: the reference the user gave, or a short ID when that was an ID. */
function imageColumn(rec: ContainerRecord, trunc: boolean): string {
  const ref = rec.imageRef;
  if (/^(sha256:)?[0-9a-f]{64}$/.test(ref)) return trunc ? ref.replace(/^sha256:/, '').slice(0, 12) : ref;
  return ref;
}

export interface PsRow {
  ID: string;
  Image: string;
  Command: string;
  CreatedAt: string;
  RunningFor: string;
  Ports: string;
  State: string;
  Status: string;
  Size: string;
  Names: string;
  Labels: string;
  Mounts: string;
  Networks: string;
  LocalVolumes: string;
}

export function containerRows(recs: readonly ContainerRecord[], o: { trunc: boolean; now: Date }): PsRow[] {
  return recs.map((rec) => {
    const cfg = storedConfig(rec);
    const command = [cfg.path, ...cfg.args].join(' ');
    return {
      ID: o.trunc ? rec.id.slice(0, 12) : rec.id,
      Image: imageColumn(rec, o.trunc),
      Command: JSON.stringify(o.trunc ? ellipsis(command, 20) : command),
      CreatedAt: goTime(new Date(rec.createdAt)),
      RunningFor: `${humanDuration(o.now.getTime() - rec.createdAt)} ago`,
      Ports: '',
      State: rec.state,
      Status: statusText(rec, o.now),
      Size: '',
      Names: rec.name,
      Labels: Object.entries(rec.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
      Mounts: '',
      Networks: (cfg.flags as { network?: string }).network ?? 'host',
      LocalVolumes: '0',
    };
  });
}

/** docker's CreatedAt: Go's `time.Time.String()` in local time, without the monotonic part. */
function goTime(d: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const abs = Math.abs(off);
  const zone = Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(d).find((x) => x.type === 'timeZoneName')?.value ?? 'UTC';
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${sign}${p(Math.trunc(abs / 60))}${p(abs % 60)} ${zone}`;
}

/**
 * docker's `ps` filters (status, name, id, ancestor, label, exited, before, since); without `all`
 * only running containers. @throws {FilterError}
 */
export function filterContainers(recs: readonly ContainerRecord[], filters: FilterArgs, o: { all: boolean; images: ImageStore }): ContainerRecord[] {
  validateFilters(filters, PS_FILTERS);
  for (const s of filters.get('status') ?? []) {
    if (!STATUSES.has(s)) throw new InvalidFilterValue(`invalid filter 'status=${s}'`);
  }
  const labels = labelChecks(filters);
  const ancestors = [...(filters.get('ancestor') ?? [])].map((a) => {
    try {
      return o.images.resolve(a).id;
    } catch {
      return undefined;
    }
  });
  const boundary = (key: string): number | undefined => {
    const v = [...(filters.get(key) ?? [])][0];
    if (v === undefined) return undefined;
    const r = recs.find((c) => c.id === v || c.name === v || c.id.startsWith(v));
    if (r === undefined) throw new InvalidFilterValue(`No such container: ${v}`);
    return r.createdAt;
  };
  const before = boundary('before');
  const since = boundary('since');
  return recs.filter((rec) => {
    if (!o.all && !isRunning(rec)) return false;
    const status = filters.get('status');
    if (status !== undefined && !status.has(rec.state)) return false;
    const names = filters.get('name');
    if (names !== undefined && ![...names].some((n) => new RegExp(n).test(rec.name))) return false;
    const ids = filters.get('id');
    if (ids !== undefined && ![...ids].some((i) => rec.id.startsWith(i))) return false;
    const exited = filters.get('exited');
    if (exited !== undefined && !(rec.state === 'exited' && [...exited].some((e) => Number(e) === rec.exitCode))) return false;
    if (ancestors.length > 0) {
      const byRef = [...(filters.get('ancestor') ?? [])].some((a) => referenceMatches(a, rec.imageRef) || rec.imageRef === a);
      if (!byRef && !ancestors.some((id) => id === rec.imageId)) return false;
    }
    if (!matchLabels(labels, rec.labels)) return false;
    if (before !== undefined && rec.createdAt >= before) return false;
    if (since !== undefined && rec.createdAt <= since) return false;
    return true;
  });
}

class InvalidFilterValue extends InvalidArgumentError {
  constructor(message: string) {
    super('INVALID_FILTER', message);
  }
}

/** docker's `ContainerJSON` for a record (the parts gantry has). */
export function containerInspect(rec: ContainerRecord, o: { rootfs: string; driver: string; upper: string | undefined }): object {
  const cfg = storedConfig(rec);
  const iso = (ms: number | undefined): string => (ms === undefined ? '0001-01-01T00:00:00Z' : new Date(ms).toISOString());
  const running = rec.state === 'running' || rec.state === 'paused';
  return {
    Id: rec.id,
    Created: iso(rec.createdAt),
    Path: cfg.path,
    Args: cfg.args,
    State: {
      Status: rec.state,
      Running: running,
      Paused: rec.state === 'paused',
      Restarting: rec.state === 'restarting',
      OOMKilled: false,
      Dead: rec.state === 'dead',
      Pid: running ? (rec.pid ?? 0) : 0,
      ExitCode: rec.exitCode ?? 0,
      Error: '',
      StartedAt: iso(rec.startedAt),
      FinishedAt: iso(rec.finishedAt),
    },
    Image: rec.imageId,
    Name: `/${rec.name}`,
    RestartCount: 0,
    Driver: o.driver === 'overlay' ? 'overlay2' : o.driver,
    Platform: 'linux',
    HostConfig: {
      AutoRemove: cfg.autoRemove,
      NetworkMode: (cfg.flags as { network?: string }).network ?? 'host',
      Privileged: (cfg.flags as { privileged?: boolean }).privileged === true,
      ReadonlyRootfs: (cfg.flags as { readOnly?: boolean }).readOnly === true,
      Binds: (cfg.flags as { volume?: string[] }).volume ?? null,
      ...resources(cfg.flags),
    },
    GraphDriver: {
      Name: o.driver === 'overlay' ? 'overlay2' : o.driver,
      Data: { MergedDir: o.rootfs, ...(o.upper === undefined ? {} : { UpperDir: o.upper }) },
    },
    Mounts: [],
    Config: {
      Hostname: cfg.hostname ?? '',
      User: cfg.user ?? '',
      Tty: cfg.flags.tty === true,
      OpenStdin: cfg.flags.interactive === true,
      Env: cfg.env ?? null,
      Cmd: cfg.cmd.length > 0 ? cfg.cmd : null,
      Image: rec.imageRef,
      WorkingDir: cfg.workingDir ?? '',
      Entrypoint: cfg.flags.entrypoint === undefined ? null : [cfg.flags.entrypoint],
      Labels: rec.labels,
    },
    NetworkSettings: { Networks: {} },
  };
}

/** docker's HostConfig resource fields from the `run`/`update` flags (0, or null for PidsLimit, when unset or unreadable). */
function resources(flags: DockerRunFlags): Record<string, number | null> {
  let r: ReturnType<typeof resourceRequest> = {};
  try {
    r = resourceRequest(flags);
  } catch {
    // flags `start` would refuse: shown as unset
  }
  return {
    Memory: r.memory ?? 0,
    MemorySwap: r.memorySwap ?? 0,
    MemoryReservation: r.memoryReservation ?? 0,
    NanoCpus: r.nanoCpus ?? 0,
    CpuShares: r.cpuShares ?? 0,
    PidsLimit: r.pidsLimit ?? null,
  };
}
