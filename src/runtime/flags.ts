/**
 * docker's textual flag values that become mounts or security settings: `-v host:ctr[:opts]`,
 * `--tmpfs path[:opts]`, `--security-opt …`, `--add-host name:ip`. Pure parsers with docker's messages.
 */
import { InvalidArgumentError, NotImplementedError } from '../errors.js';
import type { Bind } from './spec.js';

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

function checkAbsolute(path: string, spec: string): void {
  if (!path.startsWith('/')) {
    throw new InvalidArgumentError('INVALID_MOUNT', `invalid mount config for type "bind": invalid mount path: '${path}' mount path must be absolute (in "${spec}")`);
  }
}

/**
 * `-v /host:/ctr[:ro|rw][,z|Z][,propagation]`. Only bind mounts: named and anonymous volumes need a
 * volume store, which gantry does not have.
 * @throws {InvalidArgumentError} ERR_INVALID_MOUNT  @throws {NotImplementedError} ERR_VOLUMES_UNSUPPORTED
 */
export function parseVolume(spec: string): Bind {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p, i) => p === '' && i < 2)) {
    if (parts.length === 1 && spec.startsWith('/')) {
      throw new NotImplementedError('VOLUMES_UNSUPPORTED', `Cannot create anonymous volume "${spec}": volumes are not supported; use -v /host/dir:${spec}`);
    }
    throw new InvalidArgumentError('INVALID_MOUNT', `invalid volume specification: '${spec}'`);
  }
  const [source, destination, opts = ''] = parts as [string, string, string?];
  if (!source.startsWith('/') && !source.startsWith('.')) {
    throw new NotImplementedError('VOLUMES_UNSUPPORTED', `Cannot use named volume "${source}": volumes are not supported; give an absolute host path`);
  }
  checkAbsolute(source, spec);
  checkAbsolute(destination, spec);
  if (destination === '/') throw new InvalidArgumentError('INVALID_MOUNT', `invalid specification: destination can't be '/' in '${spec}'`);
  const bind: Bind = { source, destination };
  for (const o of opts.split(',').filter(Boolean)) {
    if (o === 'ro') bind.readonly = true;
    else if (o === 'rw') bind.readonly = false;
    else if (PROPAGATIONS.includes(o)) bind.propagation = o;
    else if (o === 'z' || o === 'Z' || o === 'nocopy' || o === 'consistent' || o === 'cached' || o === 'delegated') continue;
    else throw new InvalidArgumentError('INVALID_MOUNT', `invalid mode: ${o}`);
  }
  return bind;
}

/** `--tmpfs /run:rw,size=64m` → destination and options. */
export function parseTmpfs(spec: string): { destination: string; options: string[] } {
  const i = spec.indexOf(':');
  const destination = i < 0 ? spec : spec.slice(0, i);
  const options = i < 0 ? [] : spec.slice(i + 1).split(',').filter(Boolean);
  if (!destination.startsWith('/')) throw new InvalidArgumentError('INVALID_MOUNT', `invalid mount path: '${destination}' mount path must be absolute`);
  return { destination, options };
}

export interface SecurityOpts {
  noNewPrivileges?: boolean;
  /** `systempaths=unconfined`: no masked or read-only /proc paths. */
  unconfinedPaths?: boolean;
}

/**
 * `--security-opt` values gantry applies: `no-new-privileges[=|:true|false]`, `systempaths=unconfined`,
 * and `seccomp=unconfined` / `apparmor=unconfined` / `label=disable` (accepted: gantry loads no seccomp
 * profile, AppArmor or SELinux label, so they are already in effect).
 * @throws {InvalidArgumentError} ERR_INVALID_SECURITY_OPT
 */
export function parseSecurityOpts(values: readonly string[]): SecurityOpts {
  const out: SecurityOpts = {};
  for (const v of values) {
    const m = /^([a-z-]+)(?:[=:](.*))?$/.exec(v);
    const name = m?.[1];
    const value = m?.[2];
    if (name === 'no-new-privileges') {
      if (value === undefined || value === 'true') out.noNewPrivileges = true;
      else if (value === 'false') out.noNewPrivileges = false;
      else throw new InvalidArgumentError('INVALID_SECURITY_OPT', `invalid --security-opt 2: "${v}"`);
    } else if (name === 'systempaths' && value === 'unconfined') {
      out.unconfinedPaths = true;
    } else if ((name === 'seccomp' || name === 'apparmor') && value === 'unconfined') {
      continue;
    } else if (name === 'label' && value === 'disable') {
      continue;
    } else {
      throw new InvalidArgumentError('INVALID_SECURITY_OPT', `Cannot apply --security-opt "${v}": not supported by gantry`, {
        hint: 'Supported: no-new-privileges, systempaths=unconfined, seccomp=unconfined, apparmor=unconfined, label=disable',
      });
    }
  }
  return out;
}

/** `--add-host name:ip` (also `name=ip`, and `[v6]` brackets) → a hosts line. */
export function parseAddHost(spec: string): { host: string; ip: string } {
  const m = /^([^:=]+)[:=](.+)$/.exec(spec);
  if (m === null) throw new InvalidArgumentError('INVALID_ADD_HOST', `bad format for add-host: "${spec}"`);
  let ip = m[2]!.trim();
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip === 'host-gateway') {
    throw new NotImplementedError('HOST_GATEWAY_UNSUPPORTED', `Cannot resolve "host-gateway" in --add-host "${spec}": gantry has no bridge network`);
  }
  if (!/^[0-9.]+$/.test(ip) && !/^[0-9a-fA-F:.]+$/.test(ip)) throw new InvalidArgumentError('INVALID_ADD_HOST', `invalid IP address in add-host: "${m[2]}"`);
  return { host: m[1]!.trim(), ip };
}
