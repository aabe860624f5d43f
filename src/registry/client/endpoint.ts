/**
 * Where a registry domain is reached, with docker's rules: `docker.io` is served by
 * `registry-1.docker.io`; every registry is tried over HTTPS first; a registry that is "insecure" —
 * listed by the user, or on a loopback address as docker's default `127.0.0.0/8` makes it — may then
 * be tried over plain HTTP.
 */

/** The host of Docker Hub's registry API. */
export const DOCKER_HUB_REGISTRY_HOST = 'registry-1.docker.io';

export interface RegistryEndpoint {
  /** host[:port] as requests address it. */
  host: string;
  /** `https://host` or `http://host`, without a trailing slash. */
  baseUrl: string;
  /** True for the plain-HTTP fallback. */
  plainHttp: boolean;
}

export interface EndpointOptions {
  /**
   * Registries that may be reached without TLS: `host[:port]`, a bare host (any port), or an IPv4
   * CIDR (`10.0.0.0/8`). Loopback is always included, as in docker.
   */
  insecureRegistries?: readonly string[];
}

/** The host that serves a reference's domain (`docker.io` → registry-1.docker.io). */
export function registryHost(domain: string): string {
  return domain === 'docker.io' || domain === 'index.docker.io' ? DOCKER_HUB_REGISTRY_HOST : domain;
}

/** The host part of `host[:port]` (brackets of an IPv6 literal removed). */
function hostname(hostPort: string): string {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    return end < 0 ? hostPort : hostPort.slice(1, end);
  }
  const colon = hostPort.lastIndexOf(':');
  return colon < 0 ? hostPort : hostPort.slice(0, colon);
}

function ipv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function inCidr(ip: number, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const network = ipv4(base ?? '');
  const bits = Number(bitsText);
  if (network === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(network / size);
}

/** True for `localhost`, `127.0.0.0/8` and `::1` (with or without a port). */
export function isLoopbackHost(hostPort: string): boolean {
  const name = hostname(hostPort).toLowerCase();
  if (name === 'localhost' || name.endsWith('.localhost') || name === '::1') return true;
  const ip = ipv4(name);
  return ip !== undefined && inCidr(ip, '127.0.0.0/8');
}

/** Whether a registry may be reached without TLS. */
export function isInsecureRegistry(hostPort: string, opts: EndpointOptions = {}): boolean {
  if (isLoopbackHost(hostPort)) return true;
  const name = hostname(hostPort);
  const ip = ipv4(name);
  return (opts.insecureRegistries ?? []).some((entry) => {
    if (entry === hostPort || entry === name) return true;
    return ip !== undefined && entry.includes('/') && inCidr(ip, entry);
  });
}

/** The endpoints to try for a domain, in order: HTTPS, then plain HTTP for an insecure registry. */
export function endpointsFor(domain: string, opts: EndpointOptions = {}): RegistryEndpoint[] {
  const host = registryHost(domain);
  const out: RegistryEndpoint[] = [{ host, baseUrl: `https://${host}`, plainHttp: false }];
  if (isInsecureRegistry(host, opts)) out.push({ host, baseUrl: `http://${host}`, plainHttp: true });
  return out;
}
