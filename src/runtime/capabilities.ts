/**
 * Linux capabilities as the runtime spec names them (`CAP_CHOWN`), docker's default set, and docker's
 * `--cap-add` / `--cap-drop` / `--privileged` rules.
 */
import { InvalidArgumentError } from '../errors.js';

/** Every capability Linux defines, in bit order (bit n = index n). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/**
 * Docker's default capability set (moby `oci/caps.DefaultCapabilities`): enough for package managers
 * and daemons that drop privileges, nothing that reaches outside the container's namespaces.
 */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

/** `chown`, `cap_chown`, `CAP_CHOWN` → `CAP_CHOWN`; `all` → `ALL`. Does not check that it exists. */
export function normalizeCapability(name: string): string {
  const upper = name.trim().toUpperCase();
  if (upper === 'ALL') return 'ALL';
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/** The capabilities named in a mask such as `CapBnd` of `/proc/self/status` (hex). */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim()}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

export interface CapabilityRequest {
  add?: readonly string[];
  drop?: readonly string[];
  privileged?: boolean;
}

/**
 * The capability set of a container, by docker's rules (moby `TweakCapabilities`): `--privileged`
 * gives every capability; `--cap-add ALL` gives every capability except those dropped; `--cap-drop ALL`
 * keeps only those added; otherwise the defaults minus the dropped plus the added.
 *
 * `available` is the bounding set this process may hand out (here root lacks CAP_SYS_RESOURCE): "every
 * capability" means every available one, and naming one that is not available is an error, because the
 * runtime would fail later with a bare EPERM.
 *
 * @throws {InvalidArgumentError} ERR_UNKNOWN_CAPABILITY, ERR_CAPABILITY_UNAVAILABLE
 */
export function tweakCapabilities(
  base: readonly string[],
  request: CapabilityRequest,
  available: readonly string[] = ALL_CAPABILITIES,
): string[] {
  const add = (request.add ?? []).map(normalizeCapability);
  const drop = (request.drop ?? []).map(normalizeCapability);
  for (const c of [...add, ...drop]) {
    if (c !== 'ALL' && !ALL_CAPABILITIES.includes(c)) {
      throw new InvalidArgumentError('UNKNOWN_CAPABILITY', `unknown capability: "${c}"`);
    }
  }
  const all = ALL_CAPABILITIES.filter((c) => available.includes(c));
  if (request.privileged === true) return all;
  let caps: string[];
  if (add.includes('ALL')) {
    caps = all.filter((c) => !drop.includes(c));
  } else if (drop.includes('ALL')) {
    caps = [...add];
  } else {
    caps = [...base.filter((c) => !drop.includes(c)), ...add];
  }
  const out = [...new Set(caps)];
  for (const c of out) {
    if (!available.includes(c)) {
      throw new InvalidArgumentError('CAPABILITY_UNAVAILABLE', `Cannot add capability "${c}": this process does not hold it`, {
        hint: 'gantry runs with a reduced bounding set here; only capabilities it holds can be given to a container',
      });
    }
  }
  return out;
}
