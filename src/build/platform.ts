/**
 * Which platforms a build here can target. gantry runs RUN steps natively and sets up no emulation
 * (no binfmt_misc/QEMU), so a build can target only what this machine executes: its own platform,
 * written any way containerd normalizes to it (`amd64`, `linux/amd64/v1`, `x86_64`), and, on amd64,
 * the microarchitecture levels v2–v4 this CPU implements — BuildKit's worker offers the same set
 * (it probes the levels by running test binaries; the kernel's CPU flags tell the same here).
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../errors.js';
import { formatAll, hostPlatform, normalizePlatform, parsePlatform, type Platform } from '../oci/index.js';

export class UnsupportedPlatformError extends InvalidArgumentError {
  constructor(readonly platform: string, supported: readonly Platform[]) {
    super(
      'PLATFORM_UNSUPPORTED',
      `Cannot build for platform "${platform}": this machine builds only ${supported.map(formatAll).join(', ')} (no emulation is set up)`,
    );
  }
}

/** The x86-64 psABI levels and the CPU flags (as /proc/cpuinfo names them) each adds. */
const AMD64_LEVELS: ReadonlyArray<[string, readonly string[]]> = [
  ['v2', ['cx16', 'lahf_lm', 'popcnt', 'sse4_1', 'sse4_2', 'ssse3']],
  ['v3', ['avx', 'avx2', 'bmi1', 'bmi2', 'f16c', 'fma', 'abm', 'movbe', 'xsave']],
  ['v4', ['avx512f', 'avx512bw', 'avx512cd', 'avx512dq', 'avx512vl']],
];

/** The CPU flags of the first processor in /proc/cpuinfo (empty where the file is not readable). */
function cpuFlags(): Set<string> {
  try {
    const m = /^flags\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'latin1'));
    return new Set((m?.[1] ?? '').trim().split(/\s+/));
  } catch {
    return new Set();
  }
}

/** The platforms this machine builds, the native one first. */
export function buildablePlatforms(host: Platform = hostPlatform(), flags: () => Set<string> = cpuFlags): Platform[] {
  const out = [host];
  if (host.architecture === 'amd64' && host.os === 'linux' && (host.variant ?? '') === '') {
    const have = flags();
    for (const [variant, needed] of AMD64_LEVELS) {
      if (!needed.every((f) => have.has(f))) break;
      out.push({ ...host, variant });
    }
  }
  return out;
}

/**
 * Parses a `--platform` / `FROM --platform` value and returns it normalized when this machine can
 * build it (`linux/amd64/v1` → `linux/amd64`, as BuildKit normalizes it).
 * @throws {InvalidPlatformError} when it does not parse; {UnsupportedPlatformError} when it cannot be built here
 */
export function resolveBuildPlatform(specifier: string, supported: readonly Platform[] = buildablePlatforms()): Platform {
  const p = normalizePlatform(parsePlatform(specifier.trim()));
  const same = (a: Platform): boolean => a.os === p.os && a.architecture === p.architecture && (a.variant ?? '') === (p.variant ?? '');
  if (!supported.some(same)) throw new UnsupportedPlatformError(specifier, supported);
  return p;
}
