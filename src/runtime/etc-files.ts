/**
 * The per-container `/etc/hosts`, `/etc/resolv.conf` and `/etc/hostname`, generated in the container's
 * bundle directory and bind-mounted over the image's, as docker does: the image's files are never
 * edited, and each container sees its own name. With host networking the host's resolver config and
 * hosts file are used (the container shares the host's network); otherwise a loopback-only hosts file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode } from '../errors.js';
import type { EtcFiles, NetworkMode } from './image-config.js';
import { parseAddHost } from './flags.js';

const LOOPBACK_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

export interface EtcInput {
  hostname: string;
  network: NetworkMode;
  /** `--add-host name:ip` values. */
  addHosts?: readonly string[];
  /** The host's /etc/hosts text (host networking starts from it). */
  hostHosts?: string;
  /** The host's resolv.conf text. */
  hostResolvConf?: string;
}

/** The text of the container's hosts file. Pure. */
export function hostsFile(input: EtcInput): string {
  const extra = (input.addHosts ?? []).map(parseAddHost).map(({ host, ip }) => `${ip}\t${host}`);
  if (input.network === 'host' && input.hostHosts !== undefined) {
    const base = input.hostHosts.endsWith('\n') || input.hostHosts === '' ? input.hostHosts : `${input.hostHosts}\n`;
    return base + extra.map((l) => `${l}\n`).join('');
  }
  return [...LOOPBACK_HOSTS, ...extra].map((l) => `${l}\n`).join('');
}

/**
 * The container's resolv.conf. Host networking: the host's file as is. Otherwise the host's, without
 * loopback nameservers (they would point at the container itself), with docker's public fallback when
 * none is left. Pure.
 */
export function resolvConfFile(input: EtcInput): string {
  const text = input.hostResolvConf ?? '';
  if (input.network === 'host') return text;
  const lines = text.split('\n').filter((l) => l.trim() !== '' && !/^\s*nameserver\s+(127\.|::1\b)/.test(l));
  if (!lines.some((l) => /^\s*nameserver\s/.test(l))) lines.push('nameserver 8.8.8.8', 'nameserver 8.8.4.4');
  return `${lines.join('\n')}\n`;
}

function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Writes the three files into `dir` (the bundle) and returns their paths for `toRuntimeSpec`.
 * Synchronous I/O inside: a few hundred bytes each, on the path of every container start, where the
 * async API's thread-pool round trips (two wake-ups per call) cost more than the writes themselves.
 */
export async function writeEtcFiles(dir: string, input: Omit<EtcInput, 'hostHosts' | 'hostResolvConf'>): Promise<Required<EtcFiles>> {
  const full: EtcInput = {
    ...input,
    hostHosts: readOptional('/etc/hosts') ?? '',
    hostResolvConf: readOptional('/etc/resolv.conf') ?? '',
  };
  const files = { hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf'), hostname: join(dir, 'hostname') };
  writeFileSync(files.hosts, hostsFile(full), { mode: 0o644 });
  writeFileSync(files.resolvConf, resolvConfFile(full), { mode: 0o644 });
  writeFileSync(files.hostname, `${input.hostname}\n`, { mode: 0o644 });
  return Promise.resolve(files);
}
