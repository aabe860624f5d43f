/**
 * What pull, push and login share: the registry client from the command's flags
 * (`--tls-verify`, `--retry`, `--timeout`) and docker's parsing of a boolean flag value.
 */
import type { CommandIO } from '../io.js';
import type { RegistryClient } from '../../registry/client/index.js';
import { UsageError } from '../errors.js';
import { VERSION } from '../../version.js';

export interface TransferFlags {
  tlsVerify?: string | boolean;
  retry?: string;
  timeout?: string;
}

/** `--tls-verify`, `--tls-verify=false`: commander hands `true` or the text. */
export function parseBool(flag: string, v: string | boolean | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v === 'boolean') return v;
  if (/^(1|t|true)$/i.test(v)) return true;
  if (/^(0|f|false)$/i.test(v)) return false;
  throw new UsageError(`invalid argument "${v}" for "--${flag}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`invalid argument "${v}" for "--${flag}" flag: not a non-negative integer`);
  return n;
}

export async function registryClient(io: CommandIO, flags: TransferFlags): Promise<RegistryClient> {
  const { RegistryClient } = await import('../../registry/client/index.js');
  const retries = positiveInt('retry', flags.retry);
  const timeout = positiveInt('timeout', flags.timeout);
  return RegistryClient.create({
    env: io.env,
    tlsVerify: parseBool('tls-verify', flags.tlsVerify, true),
    userAgent: `gantry/${VERSION}`,
    ...(retries !== undefined ? { attempts: retries + 1 } : {}),
    ...(timeout !== undefined && timeout > 0 ? { timeoutMs: timeout * 1000 } : {}),
  });
}
