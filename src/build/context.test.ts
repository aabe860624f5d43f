import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, chmodSync, symlinkSync, utimesSync, statSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { BuildContext, type ContextFilter } from './context.js';
import { StatCache } from './stat-cache.js';
import { tempDir } from '../../test/helpers/paths.js';

function fixture(dir: string): void {
  mkdirSync(join(dir, 'src/sub'), { recursive: true });
  writeFileSync(join(dir, 'src/a.c'), 'int a;\n');
  writeFileSync(join(dir, 'src/sub/b.c'), 'int b;\n');
  writeFileSync(join(dir, 'README'), 'hello\n');
  symlinkSync('src/a.c', join(dir, 'link'));
}

test('BuildContext.checksum() ignores mtimes but sees content, mode, owner and link targets', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  const sum = () => new BuildContext(dir).checksum(['src', 'link']);
  const base = await sum();
  utimesSync(join(dir, 'src/a.c'), new Date(1000), new Date(1000));
  assert.equal(await sum(), base, 'mtime is not part of the digest');
  writeFileSync(join(dir, 'src/a.c'), 'int z;\n');
  const changed = await sum();
  assert.notEqual(changed, base, 'content is');
  chmodSync(join(dir, 'src/a.c'), 0o600);
  const moded = await sum();
  assert.notEqual(moded, changed, 'mode is');
  chownSync(join(dir, 'src/a.c'), 1234, 1234);
  assert.notEqual(await sum(), moded, 'owner is');
  assert.equal(await new BuildContext(dir).checksum(['src', 'link'], { ignoreOwner: true }), await (async () => {
    chownSync(join(dir, 'src/a.c'), 0, 0);
    return new BuildContext(dir).checksum(['src', 'link'], { ignoreOwner: true });
  })(), 'unless the owner is ignored (COPY from the context resets it)');
});

test('BuildContext.checksum() covers only the selected paths', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  const before = await new BuildContext(dir).checksum(['src']);
  writeFileSync(join(dir, 'README'), 'changed\n');
  assert.equal(await new BuildContext(dir).checksum(['src']), before);
});

test('StatCache sees a content change that keeps size and mtime', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  const cacheFile = join(tempDir(t), 'stat.json');
  const run = async () => {
    const cache = new StatCache(cacheFile);
    const d = await new BuildContext(dir, { statCache: cache }).checksum(['src']);
    cache.save();
    return d;
  };
  const first = await run();
  assert.equal(await run(), first);
  const p = join(dir, 'src/a.c');
  const st = statSync(p);
  writeFileSync(p, 'int q;\n'); // same size
  utimesSync(p, st.atime, st.mtime); // same mtime
  assert.notEqual(await run(), first);
});

test('BuildContext honours a filter and descends into excluded dirs only when asked', async (t) => {
  const dir = tempDir(t);
  fixture(dir);
  const filter: ContextFilter = {
    excluded: (p) => p === 'src' || (p.startsWith('src/') && p !== 'src/sub' && p !== 'src/sub/b.c'),
    mayIncludeBelow: (p) => p === 'src',
  };
  const paths = [...(await new BuildContext(dir, { filter }).entries()).keys()];
  assert.deepEqual(paths, ['README', 'link', 'src/sub', 'src/sub/b.c']);
});
