import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileImageFilter,
  compilePruneFilters,
  filterBool,
  FilterError,
  labelChecks,
  matchLabels,
  parseFilterFlags,
  parseTimestamp,
  referenceMatches,
  validateFilters,
  IMAGE_LIST_FILTERS,
  type FilterableImage,
} from './filters.js';

const now = new Date('2026-11-29T12:00:00Z');
const images: Record<string, FilterableImage> = {
  old: {
    repoTags: ['docker.io/library/busybox:1.36', 'docker.io/library/busybox:latest'],
    repoDigests: ['docker.io/library/busybox@sha256:1111111111111111111111111111111111111111111111111111111111111111'],
    created: new Date('2026-01-01T00:00:00Z'),
    labels: { environment: 'test', team: 'a' },
  },
  mid: {
    repoTags: ['localhost:5000/team/app:1.0'],
    repoDigests: [],
    created: new Date('2026-06-01T00:00:00Z'),
    labels: { environment: 'prod' },
  },
  dangling: { repoTags: [], repoDigests: [], created: new Date('2026-11-01T00:00:00Z'), labels: {} },
  noDate: { repoTags: ['docker.io/library/scratchy:latest'], repoDigests: [], labels: {} },
};

const byRef: Record<string, Date | undefined> = {
  'busybox:latest': images.old?.created,
  'localhost:5000/team/app:1.0': images.mid?.created,
};
const ctx = {
  now,
  createdOf(ref: string): Date | undefined {
    if (!(ref in byRef)) throw new Error(`No such image: ${ref}`);
    return byRef[ref];
  },
};

function kept(flags: string[]): string[] {
  const f = compileImageFilter(parseFilterFlags(flags), ctx);
  return Object.entries(images)
    .filter(([, img]) => f(img).keep)
    .map(([k]) => k);
}

test('parseFilterFlags lower-cases keys, trims, and collects repeated keys', () => {
  const args = parseFilterFlags([' Label = a ', 'label=b=c', '', 'dangling=true']);
  assert.deepEqual([...(args.get('label') ?? [])], ['a', 'b=c']);
  assert.deepEqual([...(args.get('dangling') ?? [])], ['true']);
});

test('a filter without "=" is docker\'s format error', () => {
  assert.throws(() => parseFilterFlags(['dangling']), { message: 'bad format of filter (expected name=value)' });
});

test('unknown keys are refused with docker\'s text', () => {
  assert.throws(() => validateFilters(parseFilterFlags(['foo=bar']), IMAGE_LIST_FILTERS), (e: unknown) => e instanceof FilterError && e.message === "invalid filter 'foo'");
  assert.throws(() => kept(['foo=1']), { message: "invalid filter 'foo'" });
});

test('dangling=true keeps untagged images, dangling=false the named ones', () => {
  assert.deepEqual(kept(['dangling=true']), ['dangling']);
  assert.deepEqual(kept(['dangling=false']), ['old', 'mid', 'noDate']);
  assert.deepEqual(kept(['dangling=1']), ['dangling']);
});

test('dangling with a non-boolean or both values is an invalid filter', () => {
  assert.throws(() => filterBool(parseFilterFlags(['dangling=maybe']), 'dangling', false), { message: "invalid filter 'dangling=[maybe]'" });
  assert.throws(() => filterBool(parseFilterFlags(['dangling=true', 'dangling=false']), 'dangling', false), {
    message: "invalid filter 'dangling=[false true]'",
  });
});

test('label=KEY keeps images that have the label', () => {
  assert.deepEqual(kept(['label=environment']), ['old', 'mid']);
});

test('label=KEY=VALUE keeps images whose label has the value', () => {
  assert.deepEqual(kept(['label=environment=test']), ['old']);
});

test('repeated label filters are AND-ed', () => {
  assert.deepEqual(kept(['label=environment', 'label=team=a']), ['old']);
  assert.deepEqual(kept(['label=environment=test', 'label=environment=prod']), []);
});

test('label!= and label=k!=v exclude matching images', () => {
  assert.deepEqual(kept(['label!=environment']), ['dangling', 'noDate']);
  assert.deepEqual(kept(['label!=environment=test']), ['mid', 'dangling', 'noDate']);
  assert.deepEqual(kept(['label=environment!=test']), ['mid', 'dangling', 'noDate']);
});

test('label checks match docker\'s exists/equals/negation table', () => {
  const checks = labelChecks(parseFilterFlags(['label=a', 'label!=b=1']));
  assert.equal(matchLabels(checks, { a: 'x' }), true);
  assert.equal(matchLabels(checks, { a: 'x', b: '1' }), false);
  assert.equal(matchLabels(checks, { a: 'x', b: '2' }), true);
  assert.equal(matchLabels(checks, {}), false);
});

test('before= and since= compare creation times with the named image', () => {
  assert.deepEqual(kept(['before=localhost:5000/team/app:1.0']), ['old']);
  assert.deepEqual(kept(['since=busybox:latest']), ['mid', 'dangling']);
  assert.deepEqual(kept(['since=busybox:latest', 'before=localhost:5000/team/app:1.0']), []);
});

test('before= naming a missing image fails the listing', () => {
  assert.throws(() => kept(['before=nope']), { message: 'No such image: nope' });
});

test('reference= matches familiar names with globs and keeps only matching names', () => {
  assert.deepEqual(kept(['reference=busybox']), ['old']);
  assert.deepEqual(kept(['reference=busy*:1.*']), ['old']);
  assert.deepEqual(kept(['reference=*/team/*']), ['mid']); // '*' matches one path segment, 'localhost:5000' here
  assert.deepEqual(kept(['reference=*']), ['old', 'noDate']); // not across '/'
  assert.deepEqual(kept(['reference=localhost:5000/*/*']), ['mid']);
  const f = compileImageFilter(parseFilterFlags(['reference=busybox:1.36']), ctx);
  assert.deepEqual(f(images.old as FilterableImage).repoTags, ['docker.io/library/busybox:1.36']);
});

test('several reference patterns are OR-ed', () => {
  assert.deepEqual(kept(['reference=busybox', 'reference=localhost:5000/team/app']), ['old', 'mid']);
});

test('reference= also matches the full and canonical names', () => {
  assert.equal(referenceMatches('docker.io/library/busybox', 'docker.io/library/busybox:latest'), true);
  assert.equal(referenceMatches('docker.io/library/busybox:latest', 'busybox'), true);
  assert.throws(() => referenceMatches('[', 'busybox:latest'), { message: 'syntax error in pattern' });
});

test('until= takes durations, RFC 3339 and Unix timestamps', () => {
  assert.deepEqual(kept(['until=2026-03-01T00:00:00Z']), ['old']);
  assert.deepEqual(kept(['until=5000h']), ['old']);
  assert.deepEqual(kept([`until=${Date.parse('2026-07-01T00:00:00Z') / 1000}`]), ['old', 'mid']);
  assert.throws(() => kept(['until=yesterday']), {
    message: 'invalid value for \'until\' filter: failed to parse value as time or duration: invalid seconds "yesterday": invalid syntax',
  });
});

test('parseTimestamp reads docker\'s layouts', () => {
  assert.equal(parseTimestamp('10m', now).toISOString(), '2026-11-29T11:50:00.000Z');
  assert.equal(parseTimestamp('2026-01-02T03:04:05.5+01:00', now).toISOString(), '2026-01-02T02:04:05.500Z');
  assert.equal(parseTimestamp('2026-01-02Z', now).toISOString(), '2026-01-02T00:00:00.000Z');
  assert.equal(parseTimestamp('1700000000.25', now).toISOString(), '2023-11-14T22:13:20.250Z');
  assert.equal(parseTimestamp('2026-01-02', now).getTime(), new Date(2026, 0, 2).getTime());
  assert.throws(() => parseTimestamp('', now), { message: 'failed to parse value as time or duration: value is empty' });
});

test('prune filters become the store\'s prune options', () => {
  const p = compilePruneFilters(parseFilterFlags(['label=environment=test', 'label!=keep', 'until=24h']), now);
  assert.deepEqual(p.labels, [{ key: 'environment', value: 'test' }]);
  assert.deepEqual(p.notLabels, [{ key: 'keep' }]);
  assert.equal(p.until, now.getTime() - 24 * 3600 * 1000);
  assert.equal(compilePruneFilters(parseFilterFlags(['dangling=false']), now).all, true);
  assert.throws(() => compilePruneFilters(parseFilterFlags(['reference=x']), now), { message: "invalid filter 'reference'" });
});
