/**
 * docker/go-units as docker's image commands use it: decimal sizes with a chosen number of
 * significant digits (`2.13MB`, `170MB`, `0B`), human durations (`About a minute`, `2 hours`),
 * and Go's duration syntax for `until=` filters (`1h30m`, `2.5s`, `-10m`).
 */
import { formatFloat } from './template/fmt.js';

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units `HumanSizeWithPrecision(size, precision)`: `%.*g` of the scaled size plus the unit. */
export function humanSizeWithPrecision(size: number, precision: number): string {
  let s = size;
  let i = 0;
  while (s >= 1000 && i < DECIMAL_UNITS.length - 1) {
    s /= 1000;
    i++;
  }
  return `${formatFloat(s, 'g', precision)}${DECIMAL_UNITS[i]}`;
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** go-units `BytesSize`: binary units, four significant digits (`576KiB`, `23.54GiB`). */
export function bytesSize(size: number): string {
  let s = size;
  let i = 0;
  while (s >= 1024 && i < BINARY_UNITS.length - 1) {
    s /= 1024;
    i++;
  }
  return `${formatFloat(s, 'g', 4)}${BINARY_UNITS[i]}`;
}

/** go-units `HumanSize`: four significant digits. */
export function humanSize(size: number): string {
  return humanSizeWithPrecision(size, 4);
}

/** docker's image sizes: `HumanSizeWithPrecision(size, 3)`. */
export function imageSize(size: number): string {
  // Go's %g rounding (formatFloat) costs ~20 µs, and a listing prints the same few sizes on many
  // rows (one per name of an image): remember them.
  let s = imageSizes.get(size);
  if (s === undefined) {
    if (imageSizes.size >= 4096) imageSizes.clear();
    s = humanSizeWithPrecision(size, 3);
    imageSizes.set(size, s);
  }
  return s;
}
const imageSizes = new Map<number, string>();

/** go-units `HumanDuration` for a duration in milliseconds. */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(ms / 60000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(ms / 3600000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3600000) / 24 / 365)} years`;
}

/** `<HumanDuration> ago` between `created` and `now`, as docker's CreatedSince columns print it. */
export function createdSince(created: Date, now: Date): string {
  return `${humanDuration(now.getTime() - created.getTime())} ago`;
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60000,
  h: 3600000,
};

/** Thrown for text that is not a Go duration; the message is Go's. */
export class DurationSyntaxError extends Error {}

/**
 * Go's `time.ParseDuration`, in milliseconds: a signed sequence of decimal numbers with units
 * (`300ms`, `-1.5h`, `2h45m`). `0` alone is allowed.
 * @throws {DurationSyntaxError} `time: invalid duration "x"`, `time: missing unit in duration "1"`
 */
export function parseGoDuration(text: string): number {
  const quoted = JSON.stringify(text);
  let s = text;
  let neg = false;
  if (s[0] === '-' || s[0] === '+') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new DurationSyntaxError(`time: invalid duration ${quoted}`);
  let total = 0;
  while (s !== '') {
    const num = /^(\d*)(?:\.(\d*))?/.exec(s) as RegExpExecArray;
    if ((num[1] ?? '') === '' && (num[2] ?? '') === '') throw new DurationSyntaxError(`time: invalid duration ${quoted}`);
    s = s.slice(num[0].length);
    const unit = /^[^\d.]+/.exec(s)?.[0];
    if (unit === undefined) throw new DurationSyntaxError(`time: missing unit in duration ${quoted}`);
    const mult = DURATION_UNITS[unit];
    if (mult === undefined) throw new DurationSyntaxError(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    s = s.slice(unit.length);
    total += Number(`${num[1] || '0'}.${num[2] || '0'}`) * mult;
  }
  return neg ? -total : total;
}
