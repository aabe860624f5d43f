/**
 * Go's time formatting where docker's output shows it: `time.Time.String()` (image ls CreatedAt,
 * `2006-01-02 15:04:05 -0700 MST`) and RFC 3339 (history CreatedAt with `-H=false`, inspect JSON).
 * Both render in the process's local time zone, as docker does.
 */

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

/**
 * The zone abbreviation Go would print. Go reads it from tzdata; ICU only knows some, so fall back
 * to Go's own spelling for zones without one (`+04`, `-0330`).
 */
function zoneAbbreviation(d: Date, mins: number): string {
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
