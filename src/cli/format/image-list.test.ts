/**
 * `image ls` output against docker/cli's own expectations
 * (`../shared/conformance/docker-cli/image-ls-format-cases.json`: legacyFormatter, noImages,
 * fieldCases), plus the walkthrough's formats and a few cases docker's table does not cover.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { conformancePath } from '../../../test/helpers/paths.js';
import { goTimeString } from './go-time.js';
import { FormatError } from './formatter.js';
import { formatImageList, ImageContext, imageRows, type ImageRow, type ImageSummary } from './image-list.js';

interface FormatCase {
  rawFormat?: string;
  newImageFormat?: { source: string; quiet: boolean; digest: boolean };
  digestColumn?: boolean;
  expected?: string;
  expectedError?: string;
  expectedHasPlaceholders?: boolean;
}

const file = conformancePath('docker-cli', 'image-ls-format-cases.json');
const cases = file === undefined ? undefined : (JSON.parse(readFileSync(file, 'utf8')) as {
  legacyFormatter: { cases: FormatCase[]; noImages: { cases: FormatCase[] }; fieldCases: { cases: Array<{ field: string; input: Record<string, unknown>; expected: string }> } };
});

const now = new Date();
const dayAgo = new Date(Math.floor(now.getTime() / 1000) * 1000 - 24 * 3600 * 1000);
const goZero = new Date(-62135596800 * 1000);
const images: ImageSummary[] = [
  { id: 'imageID1', repoTags: ['image:tag1'], repoDigests: ['image@sha256:cbbf2f9a99b47fc460d422812b6a5adff7dfee951d8fa2e4a98caa0382cfbdbf'], created: dayAgo, size: 0 },
  { id: 'imageID2', repoTags: ['image:tag2'], repoDigests: [], created: goZero, size: 0 },
  { id: 'imageID3', repoTags: ['<none>:<none>'], repoDigests: ['<none>@<none>'], created: dayAgo, size: 0 },
];

function render(c: FormatCase, input: ImageSummary[]): string {
  if (c.rawFormat !== undefined) return formatImageList(input, { format: c.rawFormat, digests: c.digestColumn === true, now });
  const f = c.newImageFormat as { source: string; quiet: boolean; digest: boolean };
  return formatImageList(input, { format: f.source, quiet: f.quiet, digests: f.digest, now });
}

function placeholders(s: string): string {
  return s
    .replace('{createdAt1}', goTimeString(dayAgo))
    .replace('{createdAt2}', goTimeString(goZero))
    .replace('{createdAt3}', goTimeString(dayAgo));
}

if (cases === undefined) {
  test('image ls conformance (skipped: ../shared/conformance is absent)', { skip: true }, () => {});
} else {
  cases.legacyFormatter.cases.forEach((c, i) => {
    const label = c.rawFormat ?? JSON.stringify(c.newImageFormat);
    test(`image ls legacyFormatter #${i}: ${label}`, () => {
      if (c.expectedError !== undefined) {
        assert.throws(() => render(c, images), (e: unknown) => e instanceof FormatError && e.message === c.expectedError);
        return;
      }
      const expected = c.expectedHasPlaceholders === true ? placeholders(c.expected as string) : c.expected;
      assert.equal(render(c, images), expected);
    });
  });
  cases.legacyFormatter.noImages.cases.forEach((c, i) => {
    test(`image ls noImages #${i}: ${JSON.stringify(c.newImageFormat)}`, () => {
      assert.equal(render(c, []), c.expected);
    });
  });
  cases.legacyFormatter.fieldCases.cases.forEach((c) => {
    test(`image ls field ${c.field} of ${JSON.stringify(c.input)}`, () => {
      const i = c.input;
      const row: ImageRow = {
        id: 'sha256:0000000000000000000000000000000000000000000000000000000000000000',
        repository: (i.repo as string | undefined) ?? '',
        tag: (i.tag as string | undefined) ?? '',
        digest: (i.digest as string | undefined) ?? '',
        created: i.Created === undefined ? now : new Date((i.Created as number) * 1000),
        size: (i.Size as number | undefined) ?? 0,
        containers: (i.Containers as number | undefined) ?? 0,
        sharedSize: (i.SharedSize as number | undefined) ?? 0,
        labels: {},
      };
      const ctx = new ImageContext(row, true, now) as unknown as Record<string, () => string>;
      assert.equal((ctx[c.field] as () => string).call(ctx), c.expected);
    });
  });
}

const named: ImageSummary[] = [
  {
    id: 'sha256:87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7',
    repoTags: ['docker.io/library/busybox:latest', 'localhost:5000/team/app:1.0'],
    repoDigests: ['docker.io/library/busybox@sha256:abababababababababababababababababababababababababababababababab'],
    created: new Date(now.getTime() - 2 * 3600 * 1000),
    size: 2_130_000,
    containers: 1,
  },
];

test('the walkthrough table format shows the full name column and Go time', () => {
  const out = formatImageList(named, { format: 'table {{.ID}}\\t{{.Repository}}:{{.Tag}}\\t{{.CreatedAt}}', now });
  const created = goTimeString(new Date(Math.floor(named[0]!.created.getTime() / 1000) * 1000));
  const lines = out.split('\n');
  assert.equal(lines[0], 'IMAGE ID       REPOSITORY:TAG                CREATED AT');
  assert.equal(lines[1], `87428fc52280   busybox:latest                ${created}`);
  assert.equal(lines[2], `87428fc52280   localhost:5000/team/app:1.0   ${created}`);
});

test('the default table uses familiar names, 3-digit sizes and hours', () => {
  const out = formatImageList(named, { now });
  assert.equal(
    out,
    'REPOSITORY                TAG       IMAGE ID       CREATED       SIZE\n' +
      'busybox                   latest    87428fc52280   2 hours ago   2.13MB\n' +
      'localhost:5000/team/app   1.0       87428fc52280   2 hours ago   2.13MB\n',
  );
});

test('--no-trunc prints the full ID and -q only IDs', () => {
  assert.equal(formatImageList(named, { quiet: true, noTrunc: true, now }), `${named[0]!.id}\n${named[0]!.id}\n`);
  assert.equal(formatImageList(named, { quiet: true, now }), '87428fc52280\n87428fc52280\n');
});

test('--digests adds a row per digest of a tagged repository', () => {
  const rows = imageRows(named, true, true);
  assert.deepEqual(
    rows.map((r) => `${r.repository}:${r.tag}@${r.digest}`),
    ['busybox:latest@sha256:abababababababababababababababababababababababababababababababab', 'localhost:5000/team/app:1.0@<none>'],
  );
});

test('a digest-only repository is a <none> tag row', () => {
  const img: ImageSummary = { ...named[0]!, repoTags: [], repoDigests: ['busybox@sha256:abababababababababababababababababababababababababababababababab'] };
  assert.deepEqual(imageRows([img], false, false).map((r) => [r.repository, r.tag, r.digest]), [['busybox', '<none>', '']]);
});

test('{{json .}} has docker field names in sorted order', () => {
  const out = formatImageList(named.slice(0, 1), { format: '{{json .}}', now });
  const first = JSON.parse(out.split('\n')[0] as string) as Record<string, string>;
  assert.deepEqual(Object.keys(first), ['Containers', 'CreatedAt', 'CreatedSince', 'Digest', 'ID', 'Repository', 'SharedSize', 'Size', 'Tag', 'UniqueSize']);
  assert.equal(first.Containers, '1');
  assert.equal(first.SharedSize, 'N/A');
  assert.equal(formatImageList(named.slice(0, 1), { format: 'json', now }), out);
});

test('dangling images print <none> and --format "{{.ID}}" lists them', () => {
  const dangling: ImageSummary = { id: 'sha256:0263829989b6fd954f72baaf2fc64bc2e2f01d692d4de72986ea808f6e99813f', repoTags: [], repoDigests: [], created: now, size: 10 };
  assert.equal(formatImageList([dangling], { format: '{{.ID}}', now }), '0263829989b6\n');
  assert.match(formatImageList([dangling], { now }), /^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE\n<none> +<none> +0263829989b6 +Less than a second ago +10B\n$/);
});

test('an unknown field is docker\'s error, naming its context type', () => {
  assert.throws(
    () => formatImageList(named, { format: '{{.Nope}}', now }),
    (e: unknown) => (e as Error).message === 'template parsing error: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *formatter.imageContext',
  );
  assert.throws(() => formatImageList(named, { format: '{{.ID }', now }), /template parsing error: template: :1: unexpected "}" in operand/);
});

test('table header functions keep column names: {{upper .Repository}} heads REPOSITORY', () => {
  const out = formatImageList(named, { format: 'table {{lower .Repository}}|{{pad .Tag 1 1}}', now });
  assert.equal(out.split('\n')[0], 'REPOSITORY| TAG ');
  assert.equal(out.split('\n')[1], 'busybox| latest ');
});
