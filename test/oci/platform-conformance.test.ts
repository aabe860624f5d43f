/**
 * containerd/platforms conformance: every case of `containerd-platforms/cases.json` (parse, format,
 * FormatAll encoding, invalid inputs, Only / OnlyStrict / OnlyOS matching and preference order).
 * Cases marked `skip` are disabled upstream too (wildcards are not supported there either); we check
 * that they are refused.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { conformancePath } from '../helpers/paths.js';
import {
  anyPlatform,
  formatAll,
  formatPlatform,
  hostPlatform,
  InvalidPlatformError,
  newMatcher,
  only,
  onlyOS,
  onlyStrict,
  orderedPlatforms,
  parsePlatform,
  sortPlatforms,
  type Platform,
  type PlatformMatchComparer,
} from '../../src/oci/platform.js';

const file = conformancePath('containerd-platforms', 'cases.json');

interface GoPlatform {
  OS: string;
  Architecture: string;
  Variant?: string;
  OSVersion?: string;
  OSFeatures?: string[];
}
interface MatchCase {
  platform: string;
  matches: string[];
  doesNotMatch: string[];
}
interface OrderCase {
  platform: string;
  input: string[];
  expectedOrder: string[];
}
interface Cases {
  parse: {
    cases: Array<{
      input: string;
      skip: boolean;
      expected: GoPlatform;
      formatted: string;
      useFormatAll: boolean;
      alsoMatches?: GoPlatform[];
    }>;
  };
  formatAllEncoding: { cases: Array<{ platform: GoPlatform; expected: string; roundTripNotChecked?: boolean }> };
  parseInvalid: { inputs: string[] };
  only: { cases: MatchCase[] };
  onlyStrict: { cases: MatchCase[] };
  onlyOS: { cases: MatchCase[] };
  onlyOSLess: { cases: OrderCase[] };
  compareOSFeatures: { cases: OrderCase[] };
}

function load(t: TestContext): Cases | undefined {
  if (file === undefined) {
    t.skip('shared conformance data (../shared/conformance/containerd-platforms) is absent');
    return undefined;
  }
  return JSON.parse(readFileSync(file, 'utf8')) as Cases;
}

const host = hostPlatform();
// On this kind of machine Go's cpuVariant() is empty (it is only read on ARM hosts).
const hostVariant = host.architecture === 'arm' && host.variant !== 'v7' ? (host.variant ?? '') : '';

function fill(s: string): string {
  return s.replaceAll('{defaultOS}', host.os).replaceAll('{defaultArch}', host.architecture).replaceAll('{defaultVariant}', hostVariant);
}

/** A Go platform literal in our (OCI JSON) shape, placeholders filled in. */
function fromGo(g: GoPlatform): Platform {
  const p: Platform = { os: fill(g.OS), architecture: fill(g.Architecture) };
  if (g.OSVersion) p['os.version'] = g.OSVersion;
  if (g.OSFeatures && g.OSFeatures.length > 0) p['os.features'] = g.OSFeatures;
  const variant = g.Variant === undefined ? '' : fill(g.Variant);
  if (variant !== '') p.variant = variant;
  return p;
}

/** path.Join drops an empty placeholder together with its slash. */
function fillFormatted(s: string): string {
  return fill(hostVariant === '' ? s.replaceAll('/{defaultVariant}', '') : s);
}

test('parse: specifiers parse, match themselves and their aliases, and format back', (t) => {
  const cases = load(t);
  if (!cases) return;
  let checked = 0;
  for (const c of cases.parse.cases) {
    if (c.skip) {
      assert.throws(() => parsePlatform(c.input), /wildcards not yet supported/, c.input);
      continue;
    }
    const p = parsePlatform(c.input);
    assert.deepEqual(p, fromGo(c.expected), c.input);
    const m = newMatcher(p);
    assert.ok(m.match(fromGo(c.expected)), `${c.input} matches its expectation`);
    for (const also of c.alsoMatches ?? []) assert.ok(m.match(fromGo(also)), `${c.input} matches ${JSON.stringify(also)}`);
    const format = c.useFormatAll ? formatAll : formatPlatform;
    const formatted = format(p);
    assert.equal(formatted, fillFormatted(c.formatted), c.input);
    assert.equal(format(parsePlatform(formatted)), formatted, `${c.input} round trip`);
    checked++;
  }
  assert.equal(checked, 26);
});

test('formatAllEncoding: OS versions and features are %-encoded and read back', (t) => {
  const cases = load(t);
  if (!cases) return;
  for (const c of cases.formatAllEncoding.cases) {
    const p: Platform = { os: c.platform.OS, architecture: c.platform.Architecture };
    if (c.platform.OSVersion) p['os.version'] = c.platform.OSVersion;
    if (c.platform.OSFeatures) p['os.features'] = c.platform.OSFeatures;
    assert.equal(formatAll(p), c.expected);
    if (c.roundTripNotChecked) continue;
    const back = parsePlatform(c.expected);
    assert.equal(back['os.version'], c.platform.OSVersion, c.expected);
    assert.deepEqual(back['os.features'], c.platform.OSFeatures, c.expected);
  }
});

test('parseInvalid: malformed specifiers are refused as invalid arguments', (t) => {
  const cases = load(t);
  if (!cases) return;
  for (const input of cases.parseInvalid.inputs) {
    assert.throws(() => parsePlatform(input), InvalidPlatformError, JSON.stringify(input));
  }
});

function checkMatches(rows: MatchCase[], make: (p: Platform) => PlatformMatchComparer, name: string): void {
  for (const r of rows) {
    const mc = make(parsePlatform(r.platform));
    for (const x of r.matches) assert.ok(mc.match(parsePlatform(x)), `${name}(${r.platform}) matches ${x}`);
    for (const x of r.doesNotMatch) assert.ok(!mc.match(parsePlatform(x)), `${name}(${r.platform}) does not match ${x}`);
  }
}

test('Only, OnlyStrict and OnlyOS accept exactly the listed platforms', (t) => {
  const cases = load(t);
  if (!cases) return;
  checkMatches(cases.only.cases, only, 'only');
  checkMatches(cases.onlyStrict.cases, onlyStrict, 'onlyStrict');
  checkMatches(cases.onlyOS.cases, onlyOS, 'onlyOS');
});

function checkOrder(rows: OrderCase[], make: (p: Platform) => PlatformMatchComparer, name: string): void {
  for (const r of rows) {
    const sorted = sortPlatforms(r.input.map(parsePlatform), make(parsePlatform(r.platform)), (p) => p);
    assert.deepEqual(sorted.map(formatAll), r.expectedOrder, `${name}(${r.platform})`);
  }
}

test('preference order: OnlyOS prefers its own architecture, every comparer prefers closer OS features', (t) => {
  const cases = load(t);
  if (!cases) return;
  checkOrder(cases.onlyOSLess.cases, onlyOS, 'onlyOS');
  checkOrder(cases.compareOSFeatures.cases, only, 'only');
  checkOrder(cases.compareOSFeatures.cases, onlyStrict, 'onlyStrict');
  checkOrder(cases.compareOSFeatures.cases, (p) => orderedPlatforms(p), 'ordered');
  checkOrder(cases.compareOSFeatures.cases, (p) => anyPlatform(p), 'any');
});
