/** `image history` output; the first cases are docker/cli's history golden files (history_test.go). */
process.env.TZ = 'UTC';

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ellipsis, formatHistory, historyItems, type HistoryItem } from './history.js';

const now = new Date();
const nowSec = Math.floor(now.getTime() / 1000);
const item = (h: Partial<HistoryItem>): HistoryItem => ({ id: '', created: 0, createdBy: '', tags: [], size: 0, comment: '', ...h });

test('docker golden: simple', () => {
  assert.equal(
    formatHistory([item({ id: '1234567890123456789', created: nowSec, comment: 'none' })], { now }),
    'IMAGE          CREATED                  CREATED BY   SIZE      COMMENT\n123456789012   Less than a second ago                0B        none\n',
  );
});

test('docker golden: non-human', () => {
  const created = Date.UTC(2017, 0, 1, 12, 0, 3) / 1000;
  assert.equal(
    formatHistory([item({ id: 'abcdef', created, createdBy: 'rose', comment: 'new history item!' })], { human: false, now }),
    'IMAGE     CREATED AT             CREATED BY   SIZE      COMMENT\nabcdef    2017-01-01T12:00:03Z   rose         0         new history item!\n',
  );
});

test('docker golden: quiet-no-trunc', () => {
  assert.equal(formatHistory([item({ id: '1234567890123456789', created: nowSec })], { quiet: true, noTrunc: true, now }), '1234567890123456789\n');
});

test('quiet truncates IDs and keeps <missing>', () => {
  const items = [item({ id: 'sha256:87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7' }), item({ id: '<missing>' })];
  assert.equal(formatHistory(items, { quiet: true, now }), '87428fc52280\n<missing>\n');
});

test('CREATED BY is cut to 45 columns with an ellipsis unless --no-trunc; tabs become spaces', () => {
  const cmd = 'RUN |1 TOKEN=s3cr3t /bin/sh -c apt-get update && apt-get install -y\tcurl # buildkit';
  const items = [item({ id: '<missing>', created: nowSec - 7200, createdBy: cmd, size: 2_130_000, comment: 'buildkit.dockerfile.v0' })];
  const short = formatHistory(items, { now });
  assert.equal(
    short,
    'IMAGE       CREATED       CREATED BY                                      SIZE      COMMENT\n' +
      '<missing>   2 hours ago   RUN |1 TOKEN=s3cr3t /bin/sh -c apt-get updat…   2.13MB    buildkit.dockerfile.v0\n',
  );
  assert.ok(formatHistory(items, { noTrunc: true, now }).includes(cmd.replace('\t', ' ')));
});

test('entries before 2000 show N/A as their age', () => {
  assert.match(formatHistory([item({ id: 'x', created: 0 })], { now }), /\nx +N\/A +0B/);
});

test('--format applies to each entry, table formats get headers', () => {
  const items = [item({ id: 'sha256:aaaaaaaaaaaabbbbbbbbbbbbbbbb', created: nowSec - 60, createdBy: '/bin/sh -c true', size: 1500 })];
  assert.equal(formatHistory(items, { format: '{{.ID}}|{{.CreatedSince}}|{{.Size}}|{{.CreatedBy}}', now }), 'aaaaaaaaaaaa|About a minute ago|1.5kB|/bin/sh -c true\n');
  assert.equal(formatHistory(items, { format: 'table {{.ID}}\t{{.Size}}', now }), 'IMAGE          SIZE\naaaaaaaaaaaa   1.5kB\n');
  assert.deepEqual(Object.keys(JSON.parse(formatHistory(items, { format: '{{json .}}', now })) as object), [
    'Comment',
    'CreatedAt',
    'CreatedBy',
    'CreatedSince',
    'ID',
    'Size',
  ]);
});

test('-H=false prints raw sizes and RFC 3339 times in CreatedSince too', () => {
  const items = [item({ id: 'x', created: Date.UTC(2026, 0, 2, 3, 4, 5) / 1000, size: 2_130_000 })];
  assert.equal(formatHistory(items, { format: '{{.CreatedSince}} {{.Size}}', human: false, now }), '2026-01-02T03:04:05Z 2130000\n');
});

test('historyItems: newest first, sized by layer, top entry named by the image', () => {
  const config = {
    history: [
      { created: '2026-01-01T00:00:00Z', created_by: '/bin/sh -c #(nop) ADD file:abc in / ' },
      { created: '2026-01-01T00:00:01Z', created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true },
      { created: '2026-01-02T00:00:00Z', created_by: 'RUN /bin/sh -c echo hi > /x # buildkit', comment: 'buildkit.dockerfile.v0' },
    ],
  };
  const items = historyItems(config, [4_000_000, 12], 'sha256:img', ['busybox:latest']);
  assert.deepEqual(
    items.map((h) => [h.id, h.size, h.createdBy, h.tags]),
    [
      ['sha256:img', 12, 'RUN /bin/sh -c echo hi > /x # buildkit', ['busybox:latest']],
      ['<missing>', 0, '/bin/sh -c #(nop)  CMD ["sh"]', []],
      ['<missing>', 4_000_000, '/bin/sh -c #(nop) ADD file:abc in / ', []],
    ],
  );
  assert.equal(items[0]?.created, Date.UTC(2026, 0, 2) / 1000);
  assert.deepEqual(historyItems({}, [], 'sha256:img', []), []);
});

test('ellipsis follows docker: display columns, wide characters, tiny widths', () => {
  assert.equal(ellipsis('abcdef', 4), 'abc…');
  assert.equal(ellipsis('abc', 3), 'abc');
  assert.equal(ellipsis('abc', 1), 'a');
  assert.equal(ellipsis('abc', 0), '');
  assert.equal(ellipsis('日本語ab', 5), '日本…');
});
