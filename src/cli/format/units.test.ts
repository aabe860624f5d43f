/** go-units behaviour; expectations computed with docker/go-units' own code under Go 1.19. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesSize, createdSince, humanDuration, humanSize, humanSizeWithPrecision, imageSize, parseGoDuration } from './units.js';

const sizes: Array<[number, string, string]> = [
  [0, "0B", "0B"],
  [1, "1B", "1B"],
  [10, "10B", "10B"],
  [999, "999B", "999B"],
  [1000, "1kB", "1kB"],
  [1001, "1kB", "1.001kB"],
  [1499, "1.5kB", "1.499kB"],
  [1500, "1.5kB", "1.5kB"],
  [2130000, "2.13MB", "2.13MB"],
  [2135000, "2.13MB", "2.135MB"],
  [2125000, "2.12MB", "2.125MB"],
  [169999999, "170MB", "170MB"],
  [170000000, "170MB", "170MB"],
  [999999, "1e+03kB", "1000kB"],
  [999500, "1e+03kB", "999.5kB"],
  [1000000000, "1GB", "1GB"],
  [1500000000000, "1.5TB", "1.5TB"],
  [123456789, "123MB", "123.5MB"],
  [72900000, "72.9MB", "72.9MB"],
  [1000000000000000013287555072, "1e+03YB", "1000YB"],
  [4999999999999999791559868416, "5e+03YB", "5000YB"],
];

for (const [size, p3, p4] of sizes) {
  test(`HumanSizeWithPrecision(${size}, 3) is ${p3} and HumanSize is ${p4}`, () => {
    assert.equal(humanSizeWithPrecision(size, 3), p3);
    assert.equal(imageSize(size), p3);
    assert.equal(humanSize(size), p4);
  });
}

const durations: Array<[number, string]> = [
  [0, "Less than a second"],
  [999, "Less than a second"],
  [1000, "1 second"],
  [59000, "59 seconds"],
  [60000, "About a minute"],
  [119000, "About a minute"],
  [120000, "2 minutes"],
  [3540000, "59 minutes"],
  [5340000, "About an hour"],
  [5400000, "2 hours"],
  [169200000, "47 hours"],
  [172800000, "2 days"],
  [1123200000, "13 days"],
  [1209600000, "2 weeks"],
  [5097600000, "8 weeks"],
  [5184000000, "2 months"],
  [62985600000, "24 months"],
  [63072000000, "2 years"],
  [259200000000, "8 years"],
];

for (const [ms, text] of durations) {
  test(`HumanDuration(${ms}ms) is ${text}`, () => {
    assert.equal(humanDuration(ms), text);
  });
}

test('createdSince says "<duration> ago"', () => {
  const now = new Date('2026-11-29T12:00:00Z');
  assert.equal(createdSince(new Date('2026-11-29T11:59:00Z'), now), 'About a minute ago');
  assert.equal(createdSince(new Date('2026-11-29T10:00:00Z'), now), '2 hours ago');
});

test('parseGoDuration reads Go durations and rejects the rest with Go\'s texts', () => {
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('2.5s'), 2500);
  assert.equal(parseGoDuration('-10m'), -600_000);
  assert.equal(parseGoDuration('300ms'), 300);
  assert.equal(parseGoDuration('1us'), 0.001);
  assert.equal(parseGoDuration('0'), 0);
  assert.throws(() => parseGoDuration('1'), { message: 'time: missing unit in duration "1"' });
  assert.throws(() => parseGoDuration('abc'), { message: 'time: invalid duration "abc"' });
  assert.throws(() => parseGoDuration('1x'), { message: 'time: unknown unit "x" in duration "1x"' });
  assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
});

test('bytesSize is go-units BytesSize: binary units, four significant digits (docker stats)', () => {
  assert.deepEqual([bytesSize(0), bytesSize(589824), bytesSize(25275330560), bytesSize(64 << 20), bytesSize(1023)], ['0B', '576KiB', '23.54GiB', '64MiB', '1023B']);
});
