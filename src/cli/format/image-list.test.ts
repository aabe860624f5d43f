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
import { familiarName, parseNormalizedNamed } from '../../oci/index.js';
import { DOCKER_HEADER_FUNCS, isTableFormat } from './docker-template.js';
import { FormatError, parseFormat } from './formatter.js';
import {
  formatImageList,
  IMAGE_HEADERS,
  ImageColumns,
  ImageContext,
  imageFormat,
  imageRows,
  splitRowName,
  type ImageRow,
  type ImageSummary,
  type RowName,
} from './image-list.js';
import { goJSON } from './json.js';
import { TabWriter } from './tabwriter.js';

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

test('the fast paths (shared image columns, compiled templates, direct table layout) print what per-row contexts through the interpreter print', () => {
  const images: ImageSummary[] = [
    ...named,
    { id: `sha256:${'1'.repeat(64)}`, repoTags: [], repoDigests: [], created: new Date(now.getTime() - 5000), size: 10, containers: -1 },
    // Go's zero time: no CreatedSince, so the default table's `{{if}}` prints N/A.
    { id: `sha256:${'5'.repeat(64)}`, repoTags: ['docker.io/library/old:1'], repoDigests: [], created: new Date(-62135596800000), size: 0, containers: 0 },
    {
      id: `sha256:${'2'.repeat(64)}`,
      repoTags: ['docker.io/gantry-bench/img-1:t0', 'docker.io/gantry-bench/img-1:t1', 'localhost/x:1'],
      repoDigests: [`docker.io/gantry-bench/img-1@sha256:${'3'.repeat(64)}`, `docker.io/other/y@sha256:${'4'.repeat(64)}`],
      created: new Date(now.getTime() - 90 * 24 * 3600 * 1000),
      size: 123_456_789,
      containers: 2,
    },
  ];
  const formats: Array<{ format?: string; digests?: boolean; quiet?: boolean; noTrunc?: boolean }> = [
    {},
    { digests: true },
    { quiet: true },
    { noTrunc: true },
    { format: '{{json .}}' },
    { format: 'json' },
    { format: 'raw' },
    { format: 'table {{.ID}}\\t{{.Repository}}:{{.Tag}}\\t{{.CreatedAt}}\\t{{.Size}}\\t{{.Containers}}' },
    { format: '{{.ID}} {{if .Digest}}{{.Digest}}{{else}}-{{end}} {{lower .Repository | upper}} {{pad .Tag 1 2}}' },
  ];
  for (const f of formats) {
    const trunc = f.noTrunc !== true;
    const source = f.format ?? 'table';
    const format = imageFormat(source, f.quiet === true, f.digests === true);
    const needDigest = f.digests === true || format.includes('{{.Digest}}');
    const tmpl = parseFormat(format).interpreted();
    let body = '';
    for (const r of imageRows(images, f.digests === true, needDigest)) body += `${tmpl.execute(new ImageContext(r, trunc, now))}\n`;
    let expected = body;
    if (isTableFormat(format)) {
      const header = tmpl.withFuncs(DOCKER_HEADER_FUNCS).executePartial(new Map(Object.entries(IMAGE_HEADERS))).output;
      const tw = new TabWriter({ minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' });
      tw.write(`${header}\n${body}`);
      expected = tw.flush();
    }
    assert.equal(formatImageList(images, { ...f, now }), expected, JSON.stringify(f));
  }
  // A row's own JSON text is what the generic encoder makes of its fields, with shared columns too.
  const rows = imageRows(images, true, true);
  const shared = new ImageColumns(rows[0]!, true, now);
  for (const r of rows) {
    for (const ctx of [new ImageContext(r, true, now), new ImageContext(r, false, now), ...(shared.fits(r) ? [new ImageContext(r, true, now, shared)] : [])]) {
      assert.equal(ctx.marshalJSON(), goJSON(ctx.toJSON()));
      assert.equal(goJSON(ctx), ctx.marshalJSON());
      assert.equal(goJSON(ctx, '  '), goJSON(ctx.toJSON(), '  '));
    }
  }
});

test('names in the store\'s normalized form split like parsed ones; other text goes through the parser', () => {
  for (const s of [
    'docker.io/library/busybox:latest',
    'docker.io/gantry-bench/img-1:t0',
    'docker.io/library/a/b:1',
    'localhost/busybox:latest',
    'localhost:5000/team/app:1.0',
    'registry.example.com/x__y/z-w:v1.2_3',
    `docker.io/library/busybox@sha256:${'a'.repeat(64)}`,
    'busybox:1',
    'me/app:2',
    'index.docker.io/library/debian:12',
    `docker.io/library/x@sha256:${'A'.repeat(64)}`,
    'docker.io/Library/x:1',
    'docker.io/library/x:-bad',
    `docker.io/library/x:1@sha256:${'b'.repeat(64)}`,
  ]) {
    let expected: RowName | undefined;
    try {
      const ref = parseNormalizedNamed(s);
      expected = { repository: familiarName(ref), ...(ref.tag === undefined ? {} : { tag: ref.tag }), ...(ref.digest === undefined ? {} : { digest: ref.digest }) };
    } catch {
      expected = undefined;
    }
    assert.deepEqual(splitRowName(s), expected, s);
  }
});

test('names in runs of one repository give the rows that splitting each name gives', () => {
  const names = [
    'docker.io/gantry-bench/img-1:t0',
    'docker.io/gantry-bench/img-1:t1',
    'docker.io/gantry-bench/img-1:t10',
    'docker.io/gantry-bench/img-1x:t2', // a longer repository with the run's name as its prefix
    'docker.io/library/busybox:1.36',
    'docker.io/library/busybox:latest',
    'localhost:5000/team/app:1.0',
    'localhost:5000/team/app:2.0',
    'busybox:familiar', // not in the store's form: the parser's
    'busybox:other',
    'index.docker.io/library/x:1',
    'index.docker.io/library/x:2',
    'docker.io/library/busybox:bad/tag', // not a tag: no row
    'docker.io/library/busybox:Upper_1.0-x',
    'x:1@sha256:' + 'a'.repeat(64),
    'x:1@sha256:' + 'a'.repeat(64) + ':2',
  ];
  const image: ImageSummary = { id: `sha256:${'7'.repeat(64)}`, repoTags: names, repoDigests: [], created: now, size: 1 };
  const expected = new Map<string, string[]>();
  for (const s of names) {
    const n = splitRowName(s);
    if (n?.tag === undefined) continue;
    expected.set(n.repository, [...(expected.get(n.repository) ?? []), n.tag]);
  }
  const got = new Map<string, string[]>();
  for (const r of imageRows([image], false, false)) got.set(r.repository, [...(got.get(r.repository) ?? []), r.tag]);
  assert.deepEqual(got, expected);
});
