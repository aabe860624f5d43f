/**
 * Facts about this host that shape a container's spec, read once per process: cgroup version and swap
 * accounting, CPU count, this process's rlimits, and the capabilities it may hand out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { capabilitiesFromMask, ALL_CAPABILITIES } from './capabilities.js';
import type { CgroupHost } from './cgroups.js';
import { currentLimits, type HostLimits } from './rlimits.js';

export interface HostInfo {
  cgroup: CgroupHost & { hybrid: boolean };
  limits: HostLimits;
  /** The bounding set of this process (what `--privileged` / `--cap-add` can give). */
  capabilities: string[];
}

const CGROUP2_SUPER_MAGIC = 0x63677270;

let cached: Promise<HostInfo> | undefined;

/** This host's facts (memoized). */
export function hostInfo(): Promise<HostInfo> {
  cached ??= probe();
  return cached;
}

async function probe(): Promise<HostInfo> {
  let version: 'v1' | 'v2' = 'v1';
  let hybrid = false;
  try {
    const st = await statfs('/sys/fs/cgroup');
    if (st.type === CGROUP2_SUPER_MAGIC) version = 'v2';
    else hybrid = existsSync('/sys/fs/cgroup/unified/cgroup.controllers');
  } catch {
    // No cgroup mount at all: the runtime will say so when it starts a container.
  }
  let swapAccounting: boolean;
  if (version === 'v1') {
    swapAccounting = existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes');
  } else {
    const own = /^0::(.*)$/m.exec(readText('/proc/self/cgroup'))?.[1] ?? '/';
    swapAccounting = own === '/' ? true : existsSync(`/sys/fs/cgroup${own}/memory.swap.max`);
  }
  const bnd = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readText('/proc/self/status'))?.[1];
  return {
    cgroup: { version, hybrid, swapAccounting, cpuCount: availableParallelism() },
    limits: currentLimits(),
    capabilities: bnd === undefined ? [...ALL_CAPABILITIES] : capabilitiesFromMask(bnd),
  };
}

function readText(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}
