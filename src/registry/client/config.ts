/**
 * gantry's registry settings, read from a JSON file: `$GANTRY_CONFIG`, else `/etc/gantry/config.json`
 * (absent = defaults). The names follow dockerd's daemon.json:
 *
 * ```json
 * {
 *   "insecure-registries": ["myregistry.local:5000", "10.0.0.0/8"],
 *   "registry-mirrors": ["https://mirror.example.com"],
 *   "max-concurrent-downloads": 3,
 *   "max-concurrent-uploads": 5,
 *   "max-download-attempts": 5
 * }
 * ```
 * Insecure registries may be reached over plain HTTP and their certificates are not verified;
 * loopback registries are always insecure (docker's rule). Mirrors serve docker.io pulls first.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError } from '../../errors.js';

export interface RegistryConfig {
  insecureRegistries: string[];
  registryMirrors: string[];
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  maxDownloadAttempts: number;
}

export const DEFAULT_CONFIG_FILE = '/etc/gantry/config.json';

export class InvalidGantryConfigError extends InvalidArgumentError {
  constructor(file: string, reason: string) {
    super('INVALID_GANTRY_CONFIG', `Cannot read ${file}: ${reason}`);
  }
}

function strings(v: unknown, file: string, key: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new InvalidGantryConfigError(file, `"${key}" must be a list of strings`);
  return v as string[];
}

function count(v: unknown, file: string, key: string, dflt: number): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new InvalidGantryConfigError(file, `"${key}" must be a positive integer`);
  return v;
}

/** Loads the registry settings. @throws {InvalidGantryConfigError} for a malformed file */
export function loadRegistryConfig(env: Record<string, string | undefined> = process.env): RegistryConfig {
  const file = env['GANTRY_CONFIG'] || DEFAULT_CONFIG_FILE;
  let doc: Record<string, unknown> = {};
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    text = undefined;
  }
  if (text !== undefined) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new InvalidGantryConfigError(file, 'not a JSON object');
      doc = parsed as Record<string, unknown>;
    } catch (err) {
      if (err instanceof InvalidGantryConfigError) throw err;
      throw new InvalidGantryConfigError(file, 'not valid JSON');
    }
  }
  return {
    insecureRegistries: strings(doc['insecure-registries'], file, 'insecure-registries'),
    registryMirrors: strings(doc['registry-mirrors'], file, 'registry-mirrors'),
    maxConcurrentDownloads: count(doc['max-concurrent-downloads'], file, 'max-concurrent-downloads', 3),
    maxConcurrentUploads: count(doc['max-concurrent-uploads'], file, 'max-concurrent-uploads', 5),
    maxDownloadAttempts: count(doc['max-download-attempts'], file, 'max-download-attempts', 5),
  };
}
