/**
 * Resource limits (`--memory`, `--memory-swap`, `--cpus`, `--cpu-shares`, `--pids-limit`) as the runtime
 * spec's `linux.resources`, validated by docker's rules, and the cgroup naming scheme. The runtime (runc
 * or crun) writes the cgroup files, for cgroup v1 and v2 alike; the only version-specific fact here is
 * whether swap can be limited at all (v1 needs `memory.memsw.*`, v2 `memory.swap.max`).
 */
import { InvalidArgumentError } from '../errors.js';
import type { LinuxResources } from './spec-types.js';

/** docker's floor for `--memory` (below it the runtime's own processes cannot start). */
export const MIN_MEMORY = 6 * 1024 * 1024;

/** The CFS period docker uses to turn `--cpus` into a quota (100 ms). */
export const CPU_PERIOD = 100_000;

/** The CFS quota per CPU_PERIOD for `nanoCpus` (`--cpus 0.5` → 50,000 µs). */
export function cpuQuota(nanoCpus: number): number {
  return Math.round((nanoCpus * CPU_PERIOD) / 1e9);
}

export interface ResourceRequest {
  /** Bytes (`--memory`). */
  memory?: number;
  /** Memory plus swap in bytes, or -1 for unlimited swap (`--memory-swap`). */
  memorySwap?: number;
  /** Soft limit in bytes (`--memory-reservation`). */
  memoryReservation?: number;
  /** Nano-CPUs (`--cpus 1.5` → 1.5e9). */
  nanoCpus?: number;
  /** Relative weight (`--cpu-shares`, 2..262144; 0 = default). */
  cpuShares?: number;
  /** Maximum number of tasks (`--pids-limit`; 0 or less = unlimited). */
  pidsLimit?: number;
}

export interface CgroupHost {
  /** `v1` (incl. hybrid: v1 controllers with an empty unified mount) or `v2`. */
  version: 'v1' | 'v2';
  /** Whether swap can be limited (v1 `memory.memsw.limit_in_bytes`, v2 `memory.swap.max`). */
  swapAccounting: boolean;
  /** Online CPUs, the ceiling for `--cpus`. */
  cpuCount: number;
}

/** A warning the caller should show (docker prints these as `WARNING: …`). */
export type ResourceWarnings = string[];

/**
 * `linux.resources` for `request` (devices rules are not touched). Unset members stay unset.
 * @throws {InvalidArgumentError} ERR_INVALID_RESOURCES with docker's messages
 */
export function toLinuxResources(request: ResourceRequest, host: CgroupHost, warnings: ResourceWarnings = []): LinuxResources {
  const out: LinuxResources = {};
  const { memory, memorySwap, memoryReservation, nanoCpus, cpuShares, pidsLimit } = request;
  const invalid = (m: string): InvalidArgumentError => new InvalidArgumentError('INVALID_RESOURCES', m);
  if (memory !== undefined && memory > 0) {
    if (memory < MIN_MEMORY) throw invalid('Minimum memory limit allowed is 6MB');
    out.memory = { limit: memory };
    if (memorySwap !== undefined && memorySwap !== 0) {
      if (memorySwap > 0 && memorySwap < memory) {
        throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
      }
      if (host.swapAccounting) out.memory.swap = memorySwap;
      else warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
    } else if (host.swapAccounting) {
      // docker: without --memory-swap the container may use as much swap as memory (total = 2 × memory).
      out.memory.swap = memory * 2;
    }
  } else if (memorySwap !== undefined && memorySwap !== 0 && memorySwap !== -1) {
    throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
  }
  if (memoryReservation !== undefined && memoryReservation > 0) {
    if (memory !== undefined && memory > 0 && memoryReservation > memory) {
      throw invalid('Minimum memory limit can not be less than memory reservation limit, see usage');
    }
    out.memory = { ...out.memory, reservation: memoryReservation };
  }
  if (nanoCpus !== undefined && nanoCpus !== 0) {
    if (nanoCpus < 0.01e9 || nanoCpus > host.cpuCount * 1e9) {
      throw invalid(`Range of CPUs is from 0.01 to ${host.cpuCount}.00, as there are only ${host.cpuCount} CPUs available`);
    }
    out.cpu = { period: CPU_PERIOD, quota: cpuQuota(nanoCpus) };
  }
  if (cpuShares !== undefined && cpuShares !== 0) {
    if (cpuShares < 0) throw invalid(`invalid CPU shares: ${cpuShares}`);
    // The kernel clamps to 2..262144 on v1; runc converts shares to a v2 weight. Clamp like docker does.
    const shares = Math.min(Math.max(cpuShares, 2), 262144);
    if (shares !== cpuShares) warnings.push(`Your kernel does not support CPU shares of ${cpuShares}; clamped to ${shares}`);
    out.cpu = { ...out.cpu, shares };
  }
  if (pidsLimit !== undefined && pidsLimit > 0) out.pids = { limit: pidsLimit };
  return out;
}

/**
 * The cgroup of a container: `<parent>/<id>` with parent `/gantry` (docker uses `/docker`). Absolute, so
 * runc creates it under each controller's root (v1) or the unified root (v2).
 */
export function cgroupsPathFor(id: string, parent = '/gantry'): string {
  const p = parent.startsWith('/') ? parent : `/${parent}`;
  return `${p.replace(/\/+$/, '')}/${id}`;
}
