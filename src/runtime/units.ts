/**
 * Docker's parsing of size and CPU flags (`--memory 32m`, `--shm-size 1g`, `--cpus 0.5`): go-units'
 * `RAMInBytes` (binary multipliers, optional `b`/`ib` suffix, case-insensitive) and `ParseCPUs`.
 */
import { InvalidArgumentError } from '../errors.js';

const SIZE = /^(\d+(?:\.\d+)*) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const MULTIPLIER: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/**
 * `32m` → 33554432, `1g` → 1073741824, `512` → 512, `1.5GiB` → 1610612736.
 * @throws {InvalidArgumentError} ERR_INVALID_SIZE for anything else
 */
export function parseBytes(text: string): number {
  const m = SIZE.exec(text.trim());
  if (m === null || m[1] === undefined || !/^\d+(\.\d+)?$/.test(m[1])) {
    throw new InvalidArgumentError('INVALID_SIZE', `invalid size: '${text}'`);
  }
  const unit = m[2]?.toLowerCase();
  const value = Number(m[1]) * (unit === undefined ? 1 : (MULTIPLIER[unit] ?? 1));
  return Math.floor(value);
}

/**
 * `--memory-swap`: a size, or `-1` for unlimited swap.
 * @throws {InvalidArgumentError} ERR_INVALID_SIZE
 */
export function parseBytesOrUnlimited(text: string): number {
  return text.trim() === '-1' ? -1 : parseBytes(text);
}

/**
 * `--cpus 1.5` → 1_500_000_000 nano-CPUs (docker's NanoCPUs), rounded like Go's `big.Rat` conversion.
 * @throws {InvalidArgumentError} ERR_INVALID_CPUS
 */
export function parseCpus(text: string): number {
  const t = text.trim();
  if (!/^\d*\.?\d+$/.test(t)) throw new InvalidArgumentError('INVALID_CPUS', `failed to parse ${text} as a rational number`);
  const nano = Math.round(Number(t) * 1e9);
  if (!Number.isSafeInteger(nano)) throw new InvalidArgumentError('INVALID_CPUS', `value is too precise: ${text}`);
  return nano;
}

/** A whole number flag (`--cpu-shares`, `--pids-limit`). @throws {InvalidArgumentError} ERR_INVALID_NUMBER */
export function parseInteger(text: string, flag: string): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) throw new InvalidArgumentError('INVALID_NUMBER', `invalid argument "${text}" for "${flag}" flag: strconv.ParseInt: parsing "${text}": invalid syntax`);
  return Number(t);
}

/** Bytes in docker's short human form (`32MiB`), for messages. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(3).replace(/\.?0+$/, '')}${units[i]}`;
}
