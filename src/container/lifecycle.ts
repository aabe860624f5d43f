/**
 * The container commands that only move a container between states or rename it, as docker's
 * daemon does them: `pause`/`unpause` (the runtime's cgroup freezer), `wait`, `restart`, `rename`.
 * gantry has no daemon, so `wait` polls the runtime's state (through `sync`, which also records the
 * exit whoever started the container) instead of being told.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { InvalidArgumentError } from '../errors.js';
import type { DockerRunFlags } from '../runtime/index.js';
import type { ContainerRecord } from '../store/index.js';
import { isRunning, storedConfig, type Containers, type StartOptions } from './containers.js';
import { ContainerStateError } from './errors.js';

/** How often `wait` looks at a running container. */
const WAIT_POLL_MS = 100;

/** docker's container names: a letter or digit, then at least one of letters, digits, `_.-`. */
const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** `pause`: freezes every process of a running container. @throws {ContainerStateError} */
export async function pauseContainer(c: Containers, rec: ContainerRecord): Promise<void> {
  rec = await c.sync(rec);
  if (rec.state === 'paused') throw new ContainerStateError(`Container ${rec.id} is already paused`);
  if (!isRunning(rec)) throw new ContainerStateError(`Container ${rec.id} is not running`);
  await c.runtime.runtime.pause(rec.id);
  c.store.containers.update(rec.id, { state: 'paused' });
}

/** `unpause`: thaws a paused container. @throws {ContainerStateError} */
export async function unpauseContainer(c: Containers, rec: ContainerRecord): Promise<void> {
  rec = await c.sync(rec);
  if (rec.state !== 'paused') throw new ContainerStateError(`Container ${rec.id} is not paused`);
  await c.runtime.runtime.resume(rec.id);
  c.store.containers.update(rec.id, { state: 'running' });
}

/**
 * `wait`: resolves with the container's exit code once it is not running (at once for one that is
 * created or exited; a created one answers 0, as docker's does).
 */
export async function waitContainer(c: Containers, rec: ContainerRecord, o: { signal?: AbortSignal } = {}): Promise<number> {
  for (;;) {
    // sync returns the exit even when an `--rm` container's record went with it.
    rec = await c.sync(rec);
    if (!isRunning(rec)) return rec.exitCode ?? 0;
    await sleep(WAIT_POLL_MS, undefined, o.signal === undefined ? {} : { signal: o.signal });
  }
}

/** `restart`: `stop` (SIGKILL after `timeoutSeconds`), then `start` detached; a created or exited container is just started. */
export async function restartContainer(c: Containers, rec: ContainerRecord, o: { timeoutSeconds?: number } & StartOptions = {}): Promise<void> {
  const { timeoutSeconds, ...start } = o;
  const now = await c.sync(rec);
  if (isRunning(now)) {
    if (now.state === 'paused') await c.runtime.runtime.resume(rec.id);
    await c.stop(now, timeoutSeconds === undefined ? {} : { timeoutSeconds });
  }
  await c.start(c.store.containers.get(rec.id), { ...start, detach: true });
}

/**
 * `rename`. @throws {ContainerStateError} for the container's own name, {InvalidArgumentError} for
 * a name docker would not take, {ContainerNameConflictError} for another container's
 */
export function renameContainer(c: Containers, rec: ContainerRecord, name: string): ContainerRecord {
  const wanted = name.startsWith('/') ? name.slice(1) : name;
  if (!NAME.test(name)) throw new InvalidArgumentError('INVALID_CONTAINER_NAME', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  if (wanted === rec.name) throw new ContainerStateError('Renaming a container with the same name as its current name');
  return c.store.containers.rename(rec.id, wanted);
}

/** `top`'s answer: the `ps` columns and, per process of the container, its row. */
export interface ProcessTable {
  titles: string[];
  processes: string[][];
}

/**
 * `top`: the host's `ps` (with `psArgs`, default `-ef`, as docker runs it), keeping the rows of the
 * container's processes (the runtime's list of host PIDs, matched in the PID column). The last
 * column takes the rest of each line (a command line has spaces), as docker splits it.
 * @throws {ContainerStateError} when it is not running
 */
export async function topContainer(c: Containers, rec: ContainerRecord, psArgs: readonly string[] = ['-ef'], o: { signal?: AbortSignal } = {}): Promise<ProcessTable> {
  rec = await c.sync(rec);
  if (!isRunning(rec)) throw new ContainerStateError(`Container ${rec.id} is not running`);
  const pids = new Set((await c.runtime.runtime.ps(rec.id)).map(String));
  const { execFile } = await import('node:child_process');
  const out = await new Promise<string>((resolve, reject) => {
    execFile('ps', [...psArgs], { encoding: 'utf8', maxBuffer: 64 << 20, ...(o.signal === undefined ? {} : { signal: o.signal }) }, (err, stdout, stderr) => {
      if (err !== null) reject(new ContainerStateError(`Error running ps: ${(stderr || err.message).trim()}`));
      else resolve(stdout);
    });
  });
  const lines = out.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidColumn = titles.indexOf('PID');
  if (pidColumn < 0) throw new ContainerStateError(`Couldn't find PID field in ps output`);
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (!pids.has(fields[pidColumn] ?? '')) continue;
    processes.push([...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')]);
  }
  return { titles, processes };
}

export interface AttachOptions {
  /** Where the container's output goes (stdout and stderr share its log, so both come here). */
  output: (chunk: Buffer) => Promise<void>;
  /** Input for a container that reads it (one started detached with a TTY); left out: none. */
  input?: NodeJS.ReadableStream;
  signal?: AbortSignal;
}

/**
 * `attach`: the output a running container writes from now on, and the user's input to it when it
 * takes input, until it exits; resolves with its exit code. Ending early (the signal) detaches and
 * leaves the container running, as docker's detach does.
 * @throws {ContainerStateError} for a container that is not running, in docker's words
 */
export async function attachContainer(c: Containers, rec: ContainerRecord, o: AttachOptions): Promise<number> {
  rec = await c.sync(rec);
  if (rec.state === 'paused') throw new ContainerStateError('You cannot attach to a paused container, unpause it first');
  if (!isRunning(rec)) throw new ContainerStateError('You cannot attach to a stopped container, start it first');
  const { containerLogs, containerStdinPath } = await import('../runtime/index.js');
  const fifo = o.input === undefined ? undefined : containerStdinPath(c.runtime, rec.id);
  let input: import('node:fs').WriteStream | undefined;
  if (fifo !== undefined && o.input !== undefined) {
    const { createWriteStream } = await import('node:fs');
    // The monitor holds the FIFO open for reading and writing, so this open never blocks; the
    // input is not ended when the user's ends (the container keeps its stdin, as docker's does).
    input = createWriteStream(fifo, { flags: 'a' });
    input.on('error', () => {}); // a container gone meanwhile: its exit ends the attach below
    o.input.pipe(input, { end: false });
  }
  try {
    for await (const chunk of containerLogs(c.runtime, rec.id, { follow: true, fromEnd: true, ...(o.signal === undefined ? {} : { signal: o.signal }) })) {
      await o.output(chunk);
    }
    return await waitContainer(c, rec, o.signal === undefined ? {} : { signal: o.signal });
  } finally {
    if (input !== undefined) {
      o.input?.unpipe(input);
      o.input?.pause(); // a terminal left reading would keep the process from exiting
      input.destroy();
    }
  }
}

/** `update`'s resource flags, as `run` takes them (docker's strings). */
export type ResourceUpdate = Pick<DockerRunFlags, 'memory' | 'memorySwap' | 'memoryReservation' | 'cpus' | 'cpuShares' | 'pidsLimit'>;

/**
 * `update`: new resource limits for a container. A running one gets them at once (the runtime's
 * `update` rewrites its cgroup); every one keeps them for its next start (the record's `run` flags).
 * @throws {InvalidArgumentError} for a value docker would not parse, {ContainerStateError} for a
 * memory limit above the swap limit already set, in the daemon's words
 */
export async function updateContainer(c: Containers, rec: ContainerRecord, u: ResourceUpdate): Promise<void> {
  const { CPU_PERIOD, cpuQuota, resourceRequest } = await import('../runtime/index.js');
  const stored = storedConfig(rec);
  const defined = Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined)) as ResourceUpdate;
  const flags = { ...stored.flags, ...defined };
  const given = resourceRequest(defined);
  const swap = resourceRequest(flags).memorySwap;
  if (given.memory !== undefined && swap !== undefined && swap !== -1 && swap < given.memory) {
    throw new ContainerStateError(`Cannot update container ${rec.id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time`);
  }
  const args: string[] = [];
  if (given.memory !== undefined) args.push('--memory', String(given.memory));
  if (given.memorySwap !== undefined) args.push('--memory-swap', String(given.memorySwap));
  if (given.memoryReservation !== undefined) args.push('--memory-reservation', String(given.memoryReservation));
  if (given.nanoCpus !== undefined) args.push('--cpu-period', String(CPU_PERIOD), '--cpu-quota', String(cpuQuota(given.nanoCpus)));
  if (given.cpuShares !== undefined) args.push('--cpu-shares', String(given.cpuShares));
  if (given.pidsLimit !== undefined) args.push('--pids-limit', String(given.pidsLimit));
  rec = await c.sync(rec);
  if (isRunning(rec)) await c.runtime.runtime.exec(['update', ...args, rec.id]);
  c.store.containers.update(rec.id, { config: { ...stored, flags } as unknown as Record<string, unknown> });
}
