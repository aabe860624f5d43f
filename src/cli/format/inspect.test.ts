/** `image inspect` output shape and `--format` handling (docker's inspector rules). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FormatError } from './formatter.js';
import { formatInspect, imageInspect, type InspectConfig, type InspectRecord } from './inspect.js';

const record: InspectRecord = {
  id: 'sha256:87428fc522803d31065e7bce3cf03fe475096631e5e07bbd7a0fde60c4cf25c7',
  repoTags: ['docker.io/library/busybox:latest', 'localhost:5000/app:1.0'],
  repoDigests: ['docker.io/library/busybox@sha256:abababababababababababababababababababababababababababababababab'],
  size: 4_261_550,
  lastTagTime: Date.UTC(2026, 10, 28, 10, 0, 0, 123),
};
const config: InspectConfig = {
  created: '2026-11-28T09:00:00Z',
  architecture: 'amd64',
  os: 'linux',
  config: { Cmd: ['sh'], Env: ['PATH=/usr/bin:/bin'], Labels: { 'z.last': '1', environment: 'test' }, WorkingDir: '', User: '' },
  rootfs: { type: 'layers', diff_ids: ['sha256:1111111111111111111111111111111111111111111111111111111111111111'] },
};

test('inspect JSON has docker\'s keys in docker\'s order, with familiar names', () => {
  const out = formatInspect([imageInspect(record, config)]).output;
  const parsed = JSON.parse(out) as Array<Record<string, unknown>>;
  assert.deepEqual(Object.keys(parsed[0] as object), [
    'Id',
    'RepoTags',
    'RepoDigests',
    'Parent',
    'Comment',
    'Created',
    'DockerVersion',
    'Author',
    'Config',
    'Architecture',
    'Os',
    'Size',
    'RootFS',
    'Metadata',
  ]);
  const first = parsed[0] as Record<string, unknown>;
  assert.deepEqual(first.RepoTags, ['busybox:latest', 'localhost:5000/app:1.0']);
  assert.deepEqual(first.RepoDigests, ['busybox@sha256:abababababababababababababababababababababababababababababababab']);
  assert.deepEqual(Object.keys(first.Config as object), ['Env', 'Cmd', 'Labels']);
  assert.deepEqual(first.Metadata, { LastTagTime: '2026-11-28T10:00:00.123Z' });
  assert.deepEqual(first.RootFS, { Type: 'layers', Layers: ['sha256:1111111111111111111111111111111111111111111111111111111111111111'] });
  assert.ok(out.startsWith('[\n    {\n        "Id": "sha256:87428fc5'), out.slice(0, 40));
  assert.ok(out.endsWith('\n    }\n]\n'));
});

test('an empty inspect prints [] and a record without tag time prints Go\'s zero time', () => {
  assert.equal(formatInspect([]).output, '[]\n');
  const el = imageInspect({ ...record, lastTagTime: undefined }, config) as { Metadata: { LastTagTime: string } };
  assert.equal(el.Metadata.LastTagTime, '0001-01-01T00:00:00Z');
});

test('--format runs once per image', () => {
  const a = imageInspect(record, config);
  const b = imageInspect({ ...record, id: 'sha256:ffff', repoTags: [] }, config);
  assert.equal(formatInspect([a, b], '{{.Id}} {{len .RepoTags}}').output, `${record.id} 2\nsha256:ffff 0\n`);
  assert.equal(formatInspect([a], '{{.Config.Cmd}} {{index .Config.Labels "environment"}} {{.Os}}/{{.Architecture}}').output, '[sh] test linux/amd64\n');
});

test('{{json .Config}} keeps struct order and sorts map keys', () => {
  assert.equal(
    formatInspect([imageInspect(record, config)], '{{json .Config}}').output,
    '{"Env":["PATH=/usr/bin:/bin"],"Cmd":["sh"],"Labels":{"environment":"test","z.last":"1"}}\n',
  );
});

test('an unknown field falls back to the raw map and fails there with docker\'s text', () => {
  const r = formatInspect([imageInspect(record, config)], '{{.Nope}}');
  assert.equal(r.output, '\n');
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]?.message, 'template parsing error: template: :1:2: executing "" at <.Nope>: map has no entry for key "Nope"');
});

test('a format that does not parse is a FormatError before any image', () => {
  assert.throws(() => formatInspect([], '{{.Id'), (e: unknown) => e instanceof FormatError && e.message === 'template parsing error: template: :1: unclosed action');
});

test('--format json prints a compact array', () => {
  const out = formatInspect([imageInspect(record, config)], 'json').output;
  assert.ok(out.startsWith('[{"Id":"sha256:'));
  assert.ok(out.endsWith('}]\n'));
});
