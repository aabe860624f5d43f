import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRepositoryName, isTag } from './names.js';
import { conformancePath } from '../../../test/helpers/paths.js';

test('isRepositoryName() follows the distribution grammar', () => {
  for (const ok of ['a', 'library/busybox', 'a.b/c_d/e__f/g-h/i--j', 'x0/y1']) assert.ok(isRepositoryName(ok), ok);
  for (const bad of ['', 'A', 'a/', '/a', 'a//b', '_a', 'a/_layers', 'a/..', 'a..b', 'a/.b', 'a:b', 'a___b', 'x'.repeat(256)]) {
    assert.ok(!isRepositoryName(bad), bad);
  }
});

test('isTag() allows 128 characters of [A-Za-z0-9_.-], not starting with . or -', () => {
  for (const ok of ['latest', 'v1.0', '_x', 'A'.repeat(128)]) assert.ok(isTag(ok), ok);
  for (const bad of ['', '.x', '-x', 'a:b', 'a/b', 'A'.repeat(129)]) assert.ok(!isTag(bad), bad);
});

test('isRepositoryName() agrees with distribution/reference on path components', { skip: conformancePath('reference', 'cases.json') === undefined ? 'shared conformance data absent' : false }, async () => {
  const { readFileSync } = await import('node:fs');
  const doc = JSON.parse(readFileSync(conformancePath('reference', 'cases.json')!, 'utf8')) as unknown;
  // The file's shape varies by section; take every {input, path?} record that names a valid repository path.
  let checked = 0;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v !== 'object' || v === null) return;
    const o = v as Record<string, unknown>;
    if (typeof o.path === 'string' && o.path !== '' && !o.path.includes(':')) {
      assert.ok(isRepositoryName(o.path), `distribution accepts path "${o.path}"`);
      checked++;
    }
    Object.values(o).forEach(visit);
  };
  visit(doc);
  assert.ok(checked > 10, `only ${checked} paths found`);
});
