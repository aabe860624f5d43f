/**
 * `stats`: docker's figures for a running container from two samples of its cgroup statistics (the
 * runtime's) and of the host's CPU time (/proc/stat), computed as docker's CLI computes them: CPU %
 * is the container's share of all CPU time between the samples times the CPUs it may use; memory
 * is the usage less the inactive page cache, against the limit or, with none, the host's memory.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import type { RuntimeStats } from '../runtime/index.js';

/** One sample: the container's statistics and the host's CPU time then (nanoseconds). */
export interface StatsSample {
  stats: RuntimeStats;
  systemNs: number;
}

export interface ContainerFigures {
  cpuPercent: number;
  memUsage: number;
  memLimit: number;
  memPercent: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
}

/** USER_HZ: the unit of /proc/stat's times on Linux. */
const CLOCK_TICKS = 100;

/** The host's CPU time so far, all CPUs and states summed, in nanoseconds (docker's `system_cpu_usage`). */
export function hostCpuNs(stat = readFileSync('/proc/stat', 'utf8')): number {
  const fields = (stat.split('\n', 1)[0] ?? '').trim().split(/\s+/).slice(1, 8).map(Number);
  return (fields.reduce((a, b) => a + b, 0) * 1e9) / CLOCK_TICKS;
}

/** docker's figures from the sample before and the one now. */
export function containerFigures(before: StatsSample, now: StatsSample, hostMemory = totalmem()): ContainerFigures {
  const cpu = (s: StatsSample): number => s.stats.cpu?.usage?.total ?? 0;
  const cpuDelta = cpu(now) - cpu(before);
  const systemDelta = now.systemNs - before.systemNs;
  const cpus = now.stats.cpu?.usage?.percpu?.length ?? 1;
  const cpuPercent = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
  const mem = now.stats.memory;
  const raw = mem?.raw ?? {};
  // cgroup v1 names the inactive page cache total_inactive_file, v2 inactive_file.
  const inactive = raw.total_inactive_file ?? raw.inactive_file ?? 0;
  const usage = mem?.usage?.usage ?? 0;
  const memUsage = inactive < usage ? usage - inactive : usage;
  const limit = mem?.usage?.limit ?? 0;
  const memLimit = limit > 0 && limit < hostMemory ? limit : hostMemory;
  let blockRead = 0;
  let blockWrite = 0;
  for (const e of now.stats.blkio?.ioServiceBytesRecursive ?? []) {
    const op = (e.op ?? '').toLowerCase();
    if (op === 'read') blockRead += e.value ?? 0;
    else if (op === 'write') blockWrite += e.value ?? 0;
  }
  let netRx = 0;
  let netTx = 0;
  for (const n of now.stats.network_interfaces ?? []) {
    netRx += n.rx_bytes ?? 0;
    netTx += n.tx_bytes ?? 0;
  }
  return {
    cpuPercent,
    memUsage,
    memLimit,
    memPercent: memLimit > 0 ? (memUsage / memLimit) * 100 : 0,
    netRx,
    netTx,
    blockRead,
    blockWrite,
    pids: now.stats.pids?.current ?? 0,
  };
}
