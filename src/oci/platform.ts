/**
 * Platforms (`linux/arm64/v8`, `windows(10.0.17763+win32k)/amd64`) with containerd/platforms'
 * behaviour: parsing `--platform` strings, normalizing (`aarch64` → `arm64`, `armhf` → `arm/v7`,
 * `x86_64` → `amd64`), formatting, and the matchers that decide which entry of an image index this
 * machine can run and which it prefers.
 *
 * Matching vocabulary (containerd's):
 * - `newMatcher(p)`: exactly p after normalizing both sides, OS features of the candidate a subset of p's.
 * - `only(p)`: p, or what p can also run, best first (amd64/v3 → v2 → v1 → 386; arm64 → arm/v8…v5).
 * - `onlyStrict(p)`: p alone, no fallbacks.
 * - `onlyOS(p)`: any architecture of p's OS (p's own architecture preferred).
 * - `orderedPlatforms(...ps)` / `anyPlatform(...ps)` / `allPlatforms`: several platforms, in order of preference or unordered.
 *
 * Written here rather than taken from a package: none on npm follows containerd's normalization
 * and preference order, which decide what `pull` picks from a multi-platform index.
 *
 * One part of containerd is left out on purpose: the Windows-host comparer (which prefers the newest
 * compatible OS version on a Windows host). gantry runs on Linux; Windows version matching itself is here.
 */
import { InvalidArgumentError } from '../errors.js';
import type { Descriptor, Platform } from './descriptor.js';

export type { Platform } from './descriptor.js';

/** A `--platform` value containerd would refuse. The message follows containerd's text. */
export class InvalidPlatformError extends InvalidArgumentError {
  constructor(
    readonly input: string,
    message: string,
  ) {
    super('INVALID_PLATFORM', message);
  }
}

/** Decides whether an image for `platform` is acceptable. */
export interface PlatformMatcher {
  match(platform: Platform): boolean;
}

/** A matcher that also ranks acceptable platforms: `less(a, b)` when a is preferred over b. */
export interface PlatformMatchComparer extends PlatformMatcher {
  less(a: Platform, b: Platform): boolean;
}

const SPECIFIER_RE = /^[A-Za-z0-9_.-]+$/;
const OS_RE = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$/;
// Go's %q of the expressions above, as containerd prints them in its messages.
const OS_RE_TEXT = '^([A-Za-z0-9_-]+)(?:\\\\(([A-Za-z0-9_.%-]*)((?:\\\\+[A-Za-z0-9_.%-]+)*)\\\\))?$';
const SPECIFIER_RE_TEXT = '^[A-Za-z0-9_.-]+$';

const KNOWN_OS = new Set([
  'aix', 'android', 'darwin', 'dragonfly', 'freebsd', 'hurd', 'illumos', 'ios', 'js', 'linux', 'nacl',
  'netbsd', 'openbsd', 'plan9', 'solaris', 'windows', 'zos',
]);
const KNOWN_ARCH = new Set([
  '386', 'amd64', 'amd64p32', 'arm', 'armbe', 'arm64', 'arm64be', 'ppc64', 'ppc64le', 'loong64', 'mips',
  'mipsle', 'mips64', 'mips64le', 'mips64p32', 'mips64p32le', 'ppc', 'riscv', 'riscv64', 's390', 's390x',
  'sparc', 'sparc64', 'wasm',
]);

/** Go's %q for the plain ASCII strings that reach these messages. */
function quote(s: string): string {
  return JSON.stringify(s);
}

function invalid(input: string, message: string): never {
  throw new InvalidPlatformError(input, `${message}: invalid argument`);
}

/** What Node reports about the running process, for `hostPlatform()`. */
export interface HostProcess {
  platform: string;
  arch: string;
  /** The ARM architecture version Node was built for (`process.config.variables.arm_version`). */
  armVersion?: string;
  littleEndian?: boolean;
}

function currentProcess(): HostProcess {
  const vars = process.config.variables as Record<string, unknown>;
  const arm = vars['arm_version'];
  const host: HostProcess = { platform: process.platform, arch: process.arch, littleEndian: isLittleEndian() };
  if (typeof arm === 'string' || typeof arm === 'number') host.armVersion = String(arm);
  return host;
}

function isLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

const GOOS = new Map([
  ['win32', 'windows'],
  ['sunos', 'solaris'],
]);
const GOARCH = new Map([
  ['x64', 'amd64'],
  ['ia32', '386'],
  ['mipsel', 'mipsle'],
]);

/**
 * The platform of this machine, normalized (`linux/amd64` here), as Go's runtime.GOOS/GOARCH would
 * name it. On 32-bit ARM the variant is the one Node was built for.
 */
export function hostPlatform(host?: HostProcess): Platform {
  if (host === undefined) {
    cachedHost ??= Object.freeze(platformOfHost(currentProcess()));
    return { ...cachedHost };
  }
  return platformOfHost(host);
}

let cachedHost: Platform | undefined;

function platformOfHost(host: HostProcess): Platform {
  const os = GOOS.get(host.platform) ?? host.platform;
  let arch = GOARCH.get(host.arch) ?? host.arch;
  if (arch === 'ppc64' && host.littleEndian !== false) arch = 'ppc64le';
  const p: Platform = { os, architecture: arch };
  if (arch === 'arm' && host.armVersion !== undefined && host.armVersion !== '') p.variant = `v${host.armVersion}`;
  return normalizePlatform(p);
}

/** Lower-cases and maps aliases of an architecture and its variant (containerd's normalizeArch). */
function normalizeArch(archIn: string, variantIn: string): [string, string] {
  let arch = archIn.toLowerCase();
  let variant = variantIn.toLowerCase();
  switch (arch) {
    case 'i386':
      arch = '386';
      variant = '';
      break;
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      arch = 'amd64';
      if (variant === 'v1') variant = '';
      break;
    case 'aarch64':
    case 'arm64':
      arch = 'arm64';
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') variant = '';
      else if (variant === '9' || variant === '9.0' || variant === 'v9.0') variant = 'v9';
      break;
    case 'armhf':
      arch = 'arm';
      variant = 'v7';
      break;
    case 'armel':
      arch = 'arm';
      variant = 'v6';
      break;
    case 'arm':
      if (variant === '' || variant === '7') variant = 'v7';
      else if (variant === '5' || variant === '6' || variant === '8') variant = `v${variant}`;
      break;
  }
  return [arch, variant];
}

function normalizeOS(os: string): string {
  if (os === '') return hostPlatform().os;
  const lower = os.toLowerCase();
  return lower === 'macos' ? 'darwin' : lower;
}

function build(os: string, architecture: string, variant: string, osVersion?: string, osFeatures?: string[]): Platform {
  const p: Platform = { architecture, os };
  if (osVersion !== undefined && osVersion !== '') p['os.version'] = osVersion;
  if (osFeatures !== undefined && osFeatures.length > 0) p['os.features'] = osFeatures;
  if (variant !== '') p.variant = variant;
  return p;
}

/**
 * The canonical form of a platform: lower case, aliases resolved (`aarch64` → `arm64`, `armhf` →
 * `arm/v7`, `arm64/v8` → `arm64`), OS features sorted without duplicates, an empty OS the host's.
 */
export function normalizePlatform(p: Platform): Platform {
  const [architecture, variant] = normalizeArch(p.architecture ?? '', p.variant ?? '');
  let features = p['os.features'];
  if (features !== undefined && features.length > 0) features = [...new Set(features)].sort(compareStrings);
  return build(normalizeOS(p.os ?? ''), architecture, variant, p['os.version'], features);
}

/** Byte-wise string order, as Go's sort.Strings. */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Go's url.PathUnescape, for `%XX` escapes in OS versions and features; the error text on a bad escape. */
function decodeOSOption(v: string): { value: string } | { error: string } {
  if (!v.includes('%')) return { value: v };
  const bytes: number[] = [];
  for (let i = 0; i < v.length; i++) {
    if (v[i] === '%') {
      const hex = v.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return { error: `invalid URL escape ${quote(v.slice(i, i + 3))}` };
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(v[i] ?? '', 'utf8'));
    }
  }
  return { value: Buffer.from(bytes).toString('utf8') };
}

function encodeOSOption(v: string): string {
  return v.replace(/[%+()/]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/**
 * Parses a platform specifier as docker's `--platform` does: `os[(osversion+feature…)][/arch[/variant]]`,
 * or a bare OS (the host's architecture is filled in) or a bare architecture (the host's OS).
 * The result is normalized except for the variant rules containerd keeps (`linux/arm64/v8` keeps `v8`).
 * @throws {InvalidPlatformError} with containerd's message, e.g. `"foo": unknown operating system or architecture: invalid argument`
 */
export function parsePlatform(specifier: string): Platform {
  if (specifier.includes('*')) invalid(specifier, `${quote(specifier)}: wildcards not yet supported`);
  // Go's SplitN(s, "/", 4): at most four parts, the last keeps any further slashes.
  const all = specifier.split('/');
  const parts = all.length > 4 ? [...all.slice(0, 3), all.slice(3).join('/')] : all;
  const first = parts[0] ?? '';
  const osMatch = OS_RE.exec(first);
  if (osMatch === null) {
    invalid(
      specifier,
      `${quote(first)} is an invalid OS component of ${quote(specifier)}: OSAndVersion specifier component must match "${OS_RE_TEXT}"`,
    );
  }
  const os = normalizeOS(osMatch[1] ?? '');
  const versionText = osMatch[2] ?? '';
  const decodedVersion = decodeOSOption(versionText);
  if ('error' in decodedVersion) {
    throw new InvalidPlatformError(
      specifier,
      `${quote(specifier)} has an invalid OS version ${quote(versionText)}: ${decodedVersion.error}`,
    );
  }
  const osVersion = decodedVersion.value;
  let osFeatures: string[] | undefined;
  const featureText = osMatch[3] ?? '';
  if (featureText !== '') {
    osFeatures = [];
    for (const raw of featureText.slice(1).split('+')) {
      const trimmed = raw.trim();
      if (trimmed === '') invalid(specifier, `${quote(specifier)} has invalid OS features: empty os feature`);
      const feature = decodeOSOption(trimmed);
      if ('error' in feature) {
        throw new InvalidPlatformError(
          specifier,
          `${quote(specifier)} has invalid OS features: invalid os feature ${quote(trimmed)}: ${feature.error}`,
        );
      }
      if (feature.value !== '') osFeatures.push(feature.value);
    }
  }
  for (const part of parts.slice(1)) {
    if (!SPECIFIER_RE.test(part)) {
      invalid(
        specifier,
        `${quote(part)} is an invalid component of ${quote(specifier)}: platform specifier component must match "${SPECIFIER_RE_TEXT}"`,
      );
    }
  }
  switch (parts.length) {
    case 1: {
      if (KNOWN_OS.has(os)) {
        // An OS alone: this machine's architecture (and, on 32-bit ARM, its variant unless v7).
        const host = hostPlatform();
        const variant = host.architecture === 'arm' && host.variant !== 'v7' ? (host.variant ?? '') : '';
        return build(os, host.architecture, variant, osVersion, osFeatures);
      }
      let [arch, variant] = normalizeArch(first, '');
      if (arch === 'arm' && variant === 'v7') variant = '';
      if (KNOWN_ARCH.has(arch)) return build(hostPlatform().os, arch, variant, osVersion, osFeatures);
      return invalid(specifier, `${quote(specifier)}: unknown operating system or architecture`);
    }
    case 2: {
      let [arch, variant] = normalizeArch(parts[1] ?? '', '');
      if (arch === 'arm' && variant === 'v7') variant = '';
      return build(os, arch, variant, osVersion, osFeatures);
    }
    case 3: {
      let [arch, variant] = normalizeArch(parts[1] ?? '', parts[2] ?? '');
      if (arch === 'arm64' && variant === '') variant = 'v8';
      return build(os, arch, variant, osVersion, osFeatures);
    }
  }
  return invalid(specifier, `${quote(specifier)}: cannot parse platform specifier`);
}

/**
 * Parses a list of specifiers (`--platform a,b` after splitting).
 * @throws {InvalidPlatformError} `invalid platform <s>: <reason>`
 */
export function parsePlatforms(specifiers: readonly string[]): Platform[] {
  return specifiers.map((s) => {
    try {
      return parsePlatform(s);
    } catch (err) {
      if (err instanceof InvalidPlatformError) throw new InvalidPlatformError(s, `invalid platform ${s}: ${err.message}`);
      throw err;
    }
  });
}

function joinPath(...parts: Array<string | undefined>): string {
  return parts.filter((p): p is string => p !== undefined && p !== '').join('/');
}

/** `os/arch[/variant]`, as docker prints a platform; `unknown` without an OS. */
export function formatPlatform(p: Platform): string {
  if (!p.os) return 'unknown';
  return joinPath(p.os, p.architecture, p.variant);
}

/**
 * Like formatPlatform, with the OS version and features: `windows(10.0.17763+win32k)/amd64`. `%`, `+`,
 * `(`, `)` and `/` inside them are %-encoded; features are sorted and de-duplicated. parsePlatform reads it back.
 */
export function formatAll(p: Platform): string {
  if (!p.os) return 'unknown';
  const version = p['os.version'] ?? '';
  const features = p['os.features'] ?? [];
  if (version === '' && features.length === 0) return joinPath(p.os, p.architecture, p.variant);
  const encodedFeatures = [...new Set(features.filter((f) => f !== ''))].sort(compareStrings).map(encodeOSOption).join('+');
  const osv = encodeOSOption(version);
  let head = p.os;
  if (osv !== '' || encodedFeatures !== '') head += `(${osv}${encodedFeatures === '' ? '' : `+${encodedFeatures}`})`;
  return joinPath(head, p.architecture, p.variant);
}

// ---- Windows OS versions: which container builds a host build can run. ----

interface WindowsVersion {
  major: number;
  minor: number;
  build: number;
}

const LTSC2022 = 20348;
const COMPAT_LTSC_RELEASES = [LTSC2022, 26100];

function windowsVersion(v: string): WindowsVersion | undefined {
  const parts = v.split('.');
  if (parts.length < 3) return undefined;
  const [major, minor, build] = parts.map((x) => (/^[0-9]+$/.test(x) ? Number(x) : NaN));
  if (major === undefined || minor === undefined || build === undefined) return undefined;
  if (!(major <= 0xff && minor <= 0xff && build <= 0xffff)) return undefined;
  if (major === 0 && minor === 0 && build === 0) return undefined;
  return { major, minor, build };
}

/** Whether a container of build `ctr` runs on a host of build `host` (Windows' LTSC compatibility rules). */
function windowsCompatible(host: WindowsVersion, ctr: WindowsVersion): boolean {
  if (host.major !== ctr.major || host.minor !== ctr.minor) return false;
  if (host.build < LTSC2022) return host.build === ctr.build;
  let supported = LTSC2022;
  for (let i = COMPAT_LTSC_RELEASES.length - 1; i >= 0; i--) {
    const release = COMPAT_LTSC_RELEASES[i] ?? LTSC2022;
    if (host.build > release) {
      supported = release;
      break;
    }
  }
  return supported <= ctr.build && ctr.build <= host.build;
}

function windowsVersionMatches(want: WindowsVersion | undefined, candidate: string | undefined): boolean {
  if (want === undefined || !candidate) return true;
  const ctr = windowsVersion(candidate) ?? { major: 0, minor: 0, build: 0 };
  return windowsCompatible(want, ctr);
}

/** True when every feature of `candidate` (sorted) is among `have` (sorted). */
function featuresSubset(have: readonly string[], candidate: readonly string[]): boolean {
  if (candidate.length === 0) return true;
  if (have.length < candidate.length) return false;
  let j = 0;
  for (const feature of candidate) {
    let found = false;
    for (; j < have.length; j++) {
      const h = have[j] ?? '';
      if (feature === h) {
        found = true;
        j++;
        break;
      }
      if (feature < h) return false;
    }
    if (!found) return false;
  }
  return true;
}

/**
 * Matches platforms equal to `p` after normalizing both; a candidate's OS features must all be in p's.
 * For Windows, OS versions must be compatible and the `win32k` feature of a candidate is ignored.
 */
export function newMatcher(p: Platform): PlatformMatcher {
  const want = normalizePlatform(p);
  const isWindows = p.os === 'windows';
  const wantVersion = isWindows ? windowsVersion(p['os.version'] ?? '') : undefined;
  const wantFeatures = want['os.features'] ?? [];
  return {
    match(candidate: Platform): boolean {
      let c = candidate;
      if (isWindows && c['os.features']?.includes('win32k')) {
        const features = [...c['os.features']];
        features.splice(features.indexOf('win32k'), 1);
        c = { ...c, 'os.features': features };
      }
      const n = normalizePlatform(c);
      if (n.os !== want.os || n.architecture !== want.architecture || (n.variant ?? '') !== (want.variant ?? '')) return false;
      if (isWindows && !windowsVersionMatches(wantVersion, c['os.version'])) return false;
      return featuresSubset(wantFeatures, n['os.features'] ?? []);
    },
  };
}

/** The platforms `p` can run, best first (containerd's platform vector). */
export function platformVector(p: Platform): Platform[] {
  const same = (architecture: string, variant: string): Platform =>
    build(p.os, architecture, variant, p['os.version'], p['os.features']);
  const variantNumber = (v: string | undefined): number => {
    const s = (v ?? '').replace(/^v/, '');
    return /^[+-]?[0-9]+$/.test(s) ? Number(s) : NaN;
  };
  switch (p.architecture) {
    case 'amd64': {
      const vector = [p];
      const n = variantNumber(p.variant);
      if (n > 1) for (let v = n - 1; v >= 1; v--) vector.push(same('amd64', `v${v}`));
      vector.push(same('386', ''));
      return vector;
    }
    case 'arm': {
      const vector = [p];
      const n = variantNumber(p.variant);
      if (n > 5) for (let v = n - 1; v >= 5; v--) vector.push(same('arm', `v${v}`));
      return vector;
    }
    case 'arm64': {
      let variant = p.variant || 'v8';
      const vector: Platform[] = [];
      const versions = ARM64_VERSIONS.get(variant);
      // An arm64 variant containerd does not know runs nothing, not even itself (as in containerd).
      if (versions === undefined) return vector;
      versions.forEach(([major, topMinor]) => {
        for (let minor = topMinor; minor >= 0; minor--) {
          vector.push(same('arm64', minor === 0 ? `v${major}` : `v${major}.${minor}`));
        }
      });
      // Every arm64 CPU up to v9 also runs 32-bit ARM code up to v8.
      if (variant.startsWith('v8') || variant.startsWith('v9')) variant = 'v8';
      vector.push(...platformVector(same('arm', variant)));
      return vector;
    }
    default:
      return [p];
  }
}

/** arm64 variants → [major, highest minor] pairs it includes (v9.x includes v8.(x+5), capped at v8.9). */
const ARM64_VERSIONS: ReadonlyMap<string, Array<[number, number]>> = (() => {
  const table = new Map<string, Array<[number, number]>>();
  for (let minor = 0; minor <= 9; minor++) table.set(`v8.${minor}`, [[8, minor]]);
  table.set('v8', [[8, 0]]);
  for (let minor = 0; minor <= 7; minor++) table.set(`v9.${minor}`, [[9, minor], [8, Math.min(minor + 5, 9)]]);
  table.set('v9', [[9, 0], [8, 5]]);
  return table;
})();

/** Several platforms in order of preference: matches any, prefers earlier ones. */
export function orderedPlatforms(...platforms: Platform[]): PlatformMatchComparer {
  const matchers = platforms.map(newMatcher);
  const comparer: PlatformMatchComparer = {
    match: (p) => matchers.some((m) => m.match(p)),
    less(a, b) {
      for (const m of matchers) {
        const am = m.match(a);
        const bm = m.match(b);
        if (am && !bm) return true;
        if (am || bm) {
          // Both match the same preference: the one with more OS features is the closer fit.
          if (am && bm && featureCount(a) !== featureCount(b)) return featureCount(a) > featureCount(b);
          return false;
        }
      }
      if (featureCount(a) > 0 || featureCount(b) > 0) return comparer.less(withoutFeatures(a), withoutFeatures(b));
      return false;
    },
  };
  return comparer;
}

function featureCount(p: Platform): number {
  return p['os.features']?.length ?? 0;
}

function withoutFeatures(p: Platform): Platform {
  const { 'os.features': _dropped, ...rest } = p;
  return rest;
}

/** Several platforms without preference among them: matches any, prefers matches over non-matches. */
export function anyPlatform(...platforms: Platform[]): PlatformMatchComparer {
  const matchers = platforms.map(newMatcher);
  const comparer: PlatformMatchComparer = {
    match: (p) => matchers.some((m) => m.match(p)),
    less(a, b) {
      let am = false;
      let bm = false;
      for (const m of matchers) {
        if (!am && m.match(a)) am = true;
        if (!bm && m.match(b)) bm = true;
        if (am && bm) {
          if (featureCount(a) !== featureCount(b)) return featureCount(a) > featureCount(b);
          break;
        }
      }
      if (!am && !bm && (featureCount(a) > 0 || featureCount(b) > 0)) {
        return comparer.less(withoutFeatures(a), withoutFeatures(b));
      }
      return am && !bm;
    },
  };
  return comparer;
}

/** Every platform, none preferred (`--all-platforms`). */
export const allPlatforms: PlatformMatchComparer = Object.freeze({ match: () => true, less: () => false });

/** `p` and the platforms it can also run (amd64 runs 386, arm64 runs arm …), best first. */
export function only(p: Platform): PlatformMatchComparer {
  return orderedPlatforms(...platformVector(normalizePlatform(p)));
}

/** `p` alone, without fallbacks. */
export function onlyStrict(p: Platform): PlatformMatchComparer {
  return orderedPlatforms(normalizePlatform(p));
}

/** Any architecture of p's OS (with compatible version and features); p's architecture first. */
export function onlyOS(p: Platform): PlatformMatchComparer {
  const want = normalizePlatform(p);
  const wantVersion = want.os === 'windows' ? windowsVersion(want['os.version'] ?? '') : undefined;
  const archOrder = orderedPlatforms(want);
  const matchOS = (candidate: Platform): boolean => {
    const n = normalizePlatform(candidate);
    if (n.os !== want.os) return false;
    if (want.os === 'windows' && !windowsVersionMatches(wantVersion, candidate['os.version'])) return false;
    return featuresSubset(want['os.features'] ?? [], n['os.features'] ?? []);
  };
  return {
    match: matchOS,
    less(a, b) {
      const am = matchOS(a);
      const bm = matchOS(b);
      if (am && !bm) return true;
      if (!am) return false;
      return archOrder.less(a, b);
    },
  };
}

/** The host's matcher with fallbacks: what `pull` and `run` accept by default. */
export function defaultMatcher(): PlatformMatchComparer {
  return only(hostPlatform());
}

/** A comparator for Array.prototype.sort from a comparer's `less` (preferred platforms first). */
export function comparePlatforms(mc: PlatformMatchComparer): (a: Platform, b: Platform) => number {
  return (a, b) => (mc.less(a, b) ? -1 : mc.less(b, a) ? 1 : 0);
}

/**
 * Sorts in place by preference, stably, with the comparer's `less`. Insertion sort on purpose: it is
 * what Go's sort does on the short lists an index holds, and `less` need not be a strict weak
 * order (containerd's is not, across OS features), so another algorithm could order ties differently.
 */
export function sortPlatforms<T>(items: T[], mc: PlatformMatchComparer, platformOf: (item: T) => Platform | undefined): T[] {
  const lessItems = (a: T, b: T): boolean => {
    const pa = platformOf(a);
    const pb = platformOf(b);
    if (pa === undefined) return false;
    if (pb === undefined) return true;
    return mc.less(pa, pb);
  };
  for (let i = 1; i < items.length; i++) {
    for (let j = i; j > 0 && lessItems(items[j] as T, items[j - 1] as T); j--) {
      const tmp = items[j] as T;
      items[j] = items[j - 1] as T;
      items[j - 1] = tmp;
    }
  }
  return items;
}

/**
 * The entries of an index's `manifests` that `want` accepts, best first, as containerd picks them:
 * entries without a platform are kept (the caller must read their config to decide) and sort last.
 */
export function matchingManifests(manifests: readonly Descriptor[], want: PlatformMatchComparer): Descriptor[] {
  const candidates = manifests.filter((d) => d.platform === undefined || want.match(d.platform));
  return sortPlatforms(candidates, want, (d) => d.platform);
}

/** The best entry of an index's manifests that has a platform `want` accepts, or undefined. */
export function bestMatch(manifests: readonly Descriptor[], want: PlatformMatchComparer | Platform): Descriptor | undefined {
  const mc = 'match' in want ? want : only(want);
  return matchingManifests(manifests, mc).find((d) => d.platform !== undefined);
}
