/**
 * Resource limits (`setrlimit`) for a container's process. The runtime applies them as the calling user,
 * so without CAP_SYS_RESOURCE (as here) no limit may exceed this process's own hard limit: every default
 * is derived from the current hard limits, and `--ulimit` beyond them is refused with a message that
 * names the ceiling instead of the runtime's bare `operation not permitted`.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../errors.js';
import type { Rlimit } from './spec-types.js';

/** RLIM_INFINITY: the runtime spec carries limits as uint64. */
export const RLIM_INFINITY = 18446744073709551615n;

/** A limit value: a number, or `RLIM_INFINITY` for unlimited. */
export type RlimitValue = number | bigint;

/** docker's `--ulimit` names → the runtime spec's types (go-units `ulimitNameMapping`). */
export const ULIMIT_TYPES: Readonly<Record<string, string>> = {
  core: 'RLIMIT_CORE', cpu: 'RLIMIT_CPU', data: 'RLIMIT_DATA', fsize: 'RLIMIT_FSIZE', locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK', msgqueue: 'RLIMIT_MSGQUEUE', nice: 'RLIMIT_NICE', nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC', rss: 'RLIMIT_RSS', rtprio: 'RLIMIT_RTPRIO', rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING', stack: 'RLIMIT_STACK', as: 'RLIMIT_AS',
};

/** `/proc/self/limits` row titles → rlimit types. */
const PROC_LIMIT_NAMES: Readonly<Record<string, string>> = {
  'Max cpu time': 'RLIMIT_CPU', 'Max file size': 'RLIMIT_FSIZE', 'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK', 'Max core file size': 'RLIMIT_CORE', 'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC', 'Max open files': 'RLIMIT_NOFILE', 'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS', 'Max file locks': 'RLIMIT_LOCKS', 'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE', 'Max nice priority': 'RLIMIT_NICE', 'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

/** Soft and hard limits by type (`RLIMIT_NOFILE` → …). */
export type HostLimits = Readonly<Record<string, { soft: RlimitValue; hard: RlimitValue }>>;

/** Parses the text of `/proc/<pid>/limits` (Node has no getrlimit). Pure. */
export function parseProcLimits(text: string): Record<string, { soft: RlimitValue; hard: RlimitValue }> {
  const out: Record<string, { soft: RlimitValue; hard: RlimitValue }> = {};
  for (const line of text.split('\n').slice(1)) {
    const name = Object.keys(PROC_LIMIT_NAMES).find((n) => line.startsWith(n));
    if (name === undefined) continue;
    const fields = line.slice(name.length).trim().split(/\s+/);
    const value = (s: string | undefined): RlimitValue => (s === undefined || s === 'unlimited' ? RLIM_INFINITY : Number(s));
    out[PROC_LIMIT_NAMES[name]!] = { soft: value(fields[0]), hard: value(fields[1]) };
  }
  return out;
}

/** This process's limits, read once. */
export function currentLimits(): HostLimits {
  return parseProcLimits(readFileSync('/proc/self/limits', 'utf8'));
}

/** min() over limit values where RLIM_INFINITY is the largest. */
export function minLimit(a: RlimitValue, b: RlimitValue): RlimitValue {
  if (a === RLIM_INFINITY) return b;
  if (b === RLIM_INFINITY) return a;
  return Number(a) <= Number(b) ? a : b;
}

function gt(a: RlimitValue, b: RlimitValue): boolean {
  if (a === RLIM_INFINITY) return b !== RLIM_INFINITY;
  if (b === RLIM_INFINITY) return false;
  return Number(a) > Number(b);
}

/**
 * The rlimits every container gets: open files at docker's usual 1048576, clamped to this process's
 * hard limit. Everything else is inherited from the runtime (and so from us), which is always allowed.
 */
export function defaultRlimits(host: HostLimits): Rlimit[] {
  const nofile = host['RLIMIT_NOFILE'];
  const value = nofile === undefined ? 1048576 : minLimit(1048576, nofile.hard);
  return [{ type: 'RLIMIT_NOFILE', soft: value, hard: value }];
}

export interface Ulimit {
  /** docker's name (`nofile`). */
  name: string;
  soft: RlimitValue;
  hard: RlimitValue;
}

/**
 * `nofile=1024`, `nofile=1024:2048`, `core=-1` (-1 = unlimited), as docker parses `--ulimit`.
 * @throws {InvalidArgumentError} ERR_INVALID_ULIMIT
 */
export function parseUlimit(text: string): Ulimit {
  const eq = text.indexOf('=');
  if (eq < 0) throw new InvalidArgumentError('INVALID_ULIMIT', `invalid ulimit argument: ${text}`);
  const name = text.slice(0, eq);
  if (ULIMIT_TYPES[name] === undefined) throw new InvalidArgumentError('INVALID_ULIMIT', `invalid ulimit type: ${name}`);
  const parts = text.slice(eq + 1).split(':');
  if (parts.length > 2) throw new InvalidArgumentError('INVALID_ULIMIT', `too many limit value arguments - ${text.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  const value = (s: string): RlimitValue => {
    if (!/^-?\d+$/.test(s)) throw new InvalidArgumentError('INVALID_ULIMIT', `invalid ulimit value "${s}" in ${text}`);
    const n = Number(s);
    if (n === -1) return RLIM_INFINITY;
    if (n < 0) throw new InvalidArgumentError('INVALID_ULIMIT', `invalid ulimit value "${s}" in ${text}`);
    return n;
  };
  const soft = value(parts[0]!);
  const hard = parts[1] === undefined ? soft : value(parts[1]);
  if (gt(soft, hard)) {
    throw new InvalidArgumentError('INVALID_ULIMIT', `ulimit soft limit must be less than or equal to hard limit: ${String(soft)} > ${String(hard)}`);
  }
  return { name, soft, hard };
}

/**
 * Merges `--ulimit` values over `base`, refusing any hard limit above this process's own.
 * @throws {InvalidArgumentError} ERR_ULIMIT_ABOVE_HARD_LIMIT
 */
export function applyUlimits(base: readonly Rlimit[], ulimits: readonly Ulimit[], host: HostLimits): Rlimit[] {
  const out = base.map((r) => ({ ...r }));
  for (const u of ulimits) {
    const type = ULIMIT_TYPES[u.name]!;
    const ceiling = host[type]?.hard ?? RLIM_INFINITY;
    if (gt(u.hard, ceiling)) {
      const show = (v: RlimitValue): string => (v === RLIM_INFINITY ? 'unlimited' : String(v));
      throw new InvalidArgumentError(
        'ULIMIT_ABOVE_HARD_LIMIT',
        `Cannot set ulimit ${u.name}=${show(u.soft)}:${show(u.hard)}: the hard limit of this process is ${show(ceiling)}`,
        { hint: 'Without CAP_SYS_RESOURCE a container cannot get a limit above the one gantry itself runs with; raise it first (ulimit -H) or ask for less' },
      );
    }
    const limit: Rlimit = { type, soft: u.soft, hard: u.hard };
    const i = out.findIndex((r) => r.type === type);
    if (i >= 0) out[i] = limit;
    else out.push(limit);
  }
  return out;
}
