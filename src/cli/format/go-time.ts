/**
 * Go's time formatting where docker's output shows it: `time.Time.String()` (image ls CreatedAt,
 * `2006-01-02 15:04:05 -0700 MST`) and RFC 3339 (history CreatedAt with `-H=false`, inspect JSON).
 * Both render in the process's local time zone, as docker does.
 */

import { readFileSync } from 'node:fs';

const pad = (n: number, w = 2): string => String(Math.abs(Math.trunc(n))).padStart(w, '0');

/** Offset from UTC in minutes east (Go's sign convention) for `d` in the local zone. */
function offsetMinutes(d: Date): number {
  const o = -d.getTimezoneOffset();
  return o === 0 ? 0 : o; // avoid -0
}

function offsetText(mins: number, colon: boolean): string {
  const sign = mins < 0 ? '-' : '+';
  const a = Math.abs(mins);
  return `${sign}${pad(Math.floor(a / 60))}${colon ? ':' : ''}${pad(a % 60)}`;
}

function localParts(d: Date): { y: number; mo: number; da: number; h: number; mi: number; s: number } {
  return { y: d.getFullYear(), mo: d.getMonth() + 1, da: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds() };
}

function yearText(y: number): string {
  return y < 0 ? `-${pad(-y, 4)}` : pad(y, 4);
}

interface ZoneFile {
  transitions: number[]; // seconds since the epoch
  types: number[]; // ttinfo index per transition
  infos: Array<{ utoff: number; abbr: string }>;
}

const zoneCache = new Map<string, ZoneFile | null>();

/** Reads a TZif file (v1 block, or the 64-bit v2+ block when present), as Go's time package does. */
function readZoneFile(path: string): ZoneFile | null {
  let b: Buffer;
  try {
    b = readFileSync(path);
  } catch {
    return null;
  }
  const header = (off: number): { version: number; counts: number[]; end: number } | null => {
    if (b.toString('latin1', off, off + 4) !== 'TZif') return null;
    const counts = [0, 1, 2, 3, 4, 5].map((i) => b.readUInt32BE(off + 20 + i * 4));
    return { version: b[off + 4] ?? 0, counts, end: off + 44 };
  };
  let h = header(0);
  if (h === null) return null;
  let timeSize = 4;
  if (h.version >= 0x32) {
    // Skip the 32-bit block to the 64-bit one.
    const [isut, isstd, leap, time, type, chars] = h.counts as [number, number, number, number, number, number];
    const skip = time * 5 + type * 6 + chars + leap * 8 + isstd + isut;
    h = header(h.end + skip);
    if (h === null) return null;
    timeSize = 8;
  }
  const [, , , timecnt, typecnt, charcnt] = h.counts as [number, number, number, number, number, number];
  let p = h.end;
  const transitions: number[] = [];
  for (let i = 0; i < timecnt; i++, p += timeSize) {
    transitions.push(timeSize === 8 ? Number(b.readBigInt64BE(p)) : b.readInt32BE(p));
  }
  const types: number[] = [];
  for (let i = 0; i < timecnt; i++, p++) types.push(b[p] ?? 0);
  const raw: Array<{ utoff: number; abbrind: number }> = [];
  for (let i = 0; i < typecnt; i++, p += 6) raw.push({ utoff: b.readInt32BE(p), abbrind: b[p + 5] ?? 0 });
  const chars = b.toString('latin1', p, p + charcnt);
  const infos = raw.map((r) => ({ utoff: r.utoff, abbr: chars.slice(r.abbrind, chars.indexOf('\0', r.abbrind)) }));
  return { transitions, types, infos };
}

function localZoneFile(): ZoneFile | null {
  let name = process.env.TZ;
  if (name === '') return null; // Go: an empty TZ means UTC
  if (name !== undefined && name.startsWith(':')) name = name.slice(1);
  const path = name === undefined || name === '' ? '/etc/localtime' : name.startsWith('/') ? name : `/usr/share/zoneinfo/${name}`;
  let z = zoneCache.get(path);
  if (z === undefined) {
    z = readZoneFile(path);
    zoneCache.set(path, z);
  }
  return z;
}

/** The abbreviation tzdata gives the local zone at `d`, if the zone file is readable. */
function tzdataAbbreviation(d: Date, mins: number): string | undefined {
  const z = localZoneFile();
  if (z === null || z.infos.length === 0) return undefined;
  const t = Math.floor(d.getTime() / 1000);
  if (z.transitions.length === 0 || t < (z.transitions[0] as number)) return z.infos[0]?.abbr;
  let i = z.transitions.length - 1;
  while (i > 0 && (z.transitions[i] as number) > t) i--;
  const info = z.infos[z.types[i] as number];
  if (info !== undefined && Math.trunc(info.utoff / 60) === mins) return info.abbr;
  // Past the last transition the zone follows its rule; find the abbreviation with this offset.
  for (let k = z.types.length - 1; k >= 0; k--) {
    const cand = z.infos[z.types[k] as number];
    if (cand !== undefined && Math.trunc(cand.utoff / 60) === mins) return cand.abbr;
  }
  return undefined;
}

/**
 * The zone abbreviation Go would print. Go reads it from tzdata, and so do we; without a zone
 * file, ICU's name where it has one, else Go's numeric spelling (`+04`, `-0330`).
 */
function zoneAbbreviation(d: Date, mins: number): string {
  const fromTzdata = tzdataAbbreviation(d, mins);
  if (fromTzdata !== undefined && fromTzdata !== '') return fromTzdata;
  const zone = process.env.TZ;
  if (mins === 0 && (zone === undefined || zone === '' || /^(Etc\/)?(UTC|UCT|Zulu|Universal|GMT)$/i.test(zone) || zone === ':UTC')) {
    return 'UTC';
  }
  for (const locale of ['en-US', 'en-GB']) {
    try {
      const part = new Intl.DateTimeFormat(locale, { timeZoneName: 'short' })
        .formatToParts(d)
        .find((p) => p.type === 'timeZoneName')?.value;
      if (part !== undefined && /^[A-Z]{2,5}$/.test(part) && part !== 'GMT') return part;
      if (part === 'GMT' && mins === 0) return 'GMT';
    } catch {
      // Intl without zone names: use the numeric form below.
    }
  }
  if (mins === 0) return 'UTC';
  const sign = mins < 0 ? '-' : '+';
  const a = Math.abs(mins);
  return a % 60 === 0 ? `${sign}${pad(a / 60)}` : `${sign}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

/** Go's `time.Time.String()` without the monotonic part, to whole seconds: `2026-11-27 04:05:06 +0000 UTC`. */
export function goTimeString(d: Date): string {
  const p = localParts(d);
  const mins = offsetMinutes(d);
  const ms = d.getMilliseconds();
  const frac = ms === 0 ? '' : `.${pad(ms, 3).replace(/0+$/, '')}`;
  return `${yearText(p.y)}-${pad(p.mo)}-${pad(p.da)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${frac} ${offsetText(mins, false)} ${zoneAbbreviation(d, mins)}`;
}

/** Go's `time.RFC3339` layout in the local zone: `2017-01-01T12:00:03Z` or `…T13:00:03+01:00`. */
export function goRFC3339(d: Date): string {
  const p = localParts(d);
  const mins = offsetMinutes(d);
  const zone = mins === 0 ? 'Z' : offsetText(mins, true);
  return `${yearText(p.y)}-${pad(p.mo)}-${pad(p.da)}T${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}${zone}`;
}

/** Go's `time.RFC3339Nano` in UTC (how encoding/json writes a UTC time.Time). */
export function goRFC3339NanoUTC(d: Date): string {
  const iso = d.toISOString(); // 2026-01-02T03:04:05.678Z
  return iso.replace(/\.(\d+)Z$/, (_m, f: string) => {
    const t = f.replace(/0+$/, '');
    return t === '' ? 'Z' : `.${t}Z`;
  });
}

/** Go's zero time (`0001-01-01T00:00:00Z`) as a JS Date: what `time.Unix(-62135596800, 0)` is. */
export const GO_ZERO_TIME_UNIX = -62135596800;
