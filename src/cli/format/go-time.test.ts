/**
 * Go's `time.Time.String()` and RFC 3339 in several zones; expectations printed by Go 1.19 with the
 * same tzdata (`time.Unix(s, 0).In(loc)`). Zones switch through `process.env.TZ`, which Node applies
 * at once. Skips a zone whose tzdata file is absent.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { goRFC3339, goTimeString } from './go-time.js';

const saved = process.env.TZ;
after(() => {
  if (saved === undefined) delete process.env.TZ;
  else process.env.TZ = saved;
});

const cases: Array<[string, number, string, string]> = [
  ["UTC", 1764417600, "2025-11-29 12:00:00 +0000 UTC", "2025-11-29T12:00:00Z"],
  ["UTC", 1751371200, "2025-07-01 12:00:00 +0000 UTC", "2025-07-01T12:00:00Z"],
  ["UTC", -62135596800, "0001-01-01 00:00:00 +0000 UTC", "0001-01-01T00:00:00Z"],
  ["America/New_York", 1764417600, "2025-11-29 07:00:00 -0500 EST", "2025-11-29T07:00:00-05:00"],
  ["America/New_York", 1751371200, "2025-07-01 08:00:00 -0400 EDT", "2025-07-01T08:00:00-04:00"],
  ["America/New_York", -62135596800, "0000-12-31 19:03:58 -0456 LMT", "0000-12-31T19:03:58-04:56"],
  ["Europe/Paris", 1764417600, "2025-11-29 13:00:00 +0100 CET", "2025-11-29T13:00:00+01:00"],
  ["Europe/Paris", 1751371200, "2025-07-01 14:00:00 +0200 CEST", "2025-07-01T14:00:00+02:00"],
  ["Europe/Paris", -62135596800, "0001-01-01 00:09:21 +0009 LMT", "0001-01-01T00:09:21+00:09"],
  ["Asia/Kolkata", 1764417600, "2025-11-29 17:30:00 +0530 IST", "2025-11-29T17:30:00+05:30"],
  ["Asia/Kolkata", 1751371200, "2025-07-01 17:30:00 +0530 IST", "2025-07-01T17:30:00+05:30"],
  ["Asia/Kolkata", -62135596800, "0001-01-01 05:53:28 +0553 LMT", "0001-01-01T05:53:28+05:53"],
  ["Asia/Dubai", 1764417600, "2025-11-29 16:00:00 +0400 +04", "2025-11-29T16:00:00+04:00"],
  ["Asia/Dubai", 1751371200, "2025-07-01 16:00:00 +0400 +04", "2025-07-01T16:00:00+04:00"],
  ["Asia/Dubai", -62135596800, "0001-01-01 03:41:12 +0341 LMT", "0001-01-01T03:41:12+03:41"],
  ["Australia/Adelaide", 1764417600, "2025-11-29 22:30:00 +1030 ACDT", "2025-11-29T22:30:00+10:30"],
  ["Australia/Adelaide", 1751371200, "2025-07-01 21:30:00 +0930 ACST", "2025-07-01T21:30:00+09:30"],
  ["Australia/Adelaide", -62135596800, "0001-01-01 09:14:20 +0914 LMT", "0001-01-01T09:14:20+09:14"],
];

for (const [zone, unix, str, rfc] of cases) {
  test(`Go time in ${zone} at ${unix}: ${str}`, { skip: !existsSync(`/usr/share/zoneinfo/${zone}`) }, () => {
    process.env.TZ = zone;
    const d = new Date(unix * 1000);
    assert.equal(goTimeString(d), str);
    assert.equal(goRFC3339(d), rfc);
  });
}

test('an empty TZ is UTC, as in Go', () => {
  process.env.TZ = '';
  assert.equal(goTimeString(new Date(0)), '1970-01-01 00:00:00 +0000 UTC');
});
