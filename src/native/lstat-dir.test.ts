import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sys } from './index.js';
import { tempDir } from '../../test/helpers/paths.js';

test('lstatDir gives every entry but . and .. with the numbers node:fs lstat gives', (t) => {
  const lstatDir = sys().lstatDir;
  if (lstatDir === undefined) return t.skip('the addon was built before lstatDir: rebuild it (npm run build:native)');
  const dir = tempDir(t);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'file ü'), 'data');
  symlinkSync('sub', join(dir, 'link'));
  const { names, stats } = lstatDir(dir);
  assert.deepEqual([...names].sort(), ['file ü', 'link', 'sub']);
  assert.equal(stats.length, names.length * 7);
  names.forEach((name, i) => {
    const st = lstatSync(join(dir, name));
    assert.deepEqual([...stats.subarray(i * 7, i * 7 + 7)], [st.mode, st.uid, st.gid, st.size, st.mtimeMs, st.ctimeMs, st.ino], name);
  });
  assert.deepEqual(lstatDir(join(dir, 'sub')), { names: [], stats: new Float64Array(0) });
  assert.throws(() => lstatDir(join(dir, 'missing')), { code: 'ENOENT' });
});
