import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseCpArg, planExtract, preserveTrailingDotOrSeparator, rebaseAfterLink, renameFirst, splitPathDirEntry } from './cp-paths.js';

describe('cp argument split', () => {
  it('NAME:PATH names a container; absolute paths and paths starting with . are local', () => {
    assert.deepEqual(parseCpArg('web:/etc/passwd'), { container: 'web', path: '/etc/passwd' });
    assert.deepEqual(parseCpArg('web:rel/path'), { container: 'web', path: 'rel/path' });
    assert.deepEqual(parseCpArg('/abs/a:b'), { path: '/abs/a:b' });
    assert.deepEqual(parseCpArg('./a:b'), { path: './a:b' });
    assert.deepEqual(parseCpArg('plain'), { path: 'plain' });
    assert.deepEqual(parseCpArg('-'), { path: '-' });
  });
});

describe('cp path rules', () => {
  it('splits a path into its directory and entry, keeping a trailing /. as the entry', () => {
    assert.deepEqual(splitPathDirEntry('/a/b'), { dir: '/a', base: 'b' });
    assert.deepEqual(splitPathDirEntry('/a/b/'), { dir: '/a', base: 'b' });
    assert.deepEqual(splitPathDirEntry('/a/b/.'), { dir: '/a/b', base: '.' });
    assert.deepEqual(splitPathDirEntry('/'), { dir: '/', base: '/' });
  });

  it('puts back the trailing / or /. that cleaning removed', () => {
    assert.equal(preserveTrailingDotOrSeparator('/x/y', 'x/y/'), '/x/y/');
    assert.equal(preserveTrailingDotOrSeparator('/x/y', 'x/y/.'), '/x/y/.');
    assert.equal(preserveTrailingDotOrSeparator('/x/y', 'x/y'), '/x/y');
  });

  it('a symlink that changes the last component renames the archive to the name asked for', () => {
    assert.deepEqual(rebaseAfterLink('/bin/sh', '/bin/busybox'), { path: '/bin/busybox', rebase: 'sh' });
    assert.deepEqual(rebaseAfterLink('/data/', '/var/data'), { path: '/var/data/' });
    assert.deepEqual(rebaseAfterLink('/d/.', '/var/x'), { path: '/var/x/.' });
  });

  it('renames only the first component of archive paths', () => {
    assert.equal(renameFirst('hd/sub/hd', 'hd', 'out'), 'out/sub/hd');
    assert.equal(renameFirst('hd', 'hd', 'out'), 'out');
    assert.equal(renameFirst('./f', '.', 'out'), 'out/f');
    assert.equal(renameFirst('hdx/f', 'hd', 'out'), 'hdx/f');
    assert.equal(renameFirst('/bin', '/', 'out'), 'out/bin');
  });
});

describe('cp placement (docker cp rules)', () => {
  const file = { path: '/src/f', isDir: false };
  const dir = { path: '/src/d', isDir: true };
  const dirDot = { path: '/src/d/.', isDir: true };
  it('a file: saved as a missing DEST, overwrites a file DEST, goes into a directory DEST by its name', () => {
    assert.deepEqual(planExtract(file, { path: '/h/new', exists: false, isDir: false }), { dir: '/h', rename: { from: 'f', to: 'new' } });
    assert.deepEqual(planExtract(file, { path: '/h/old', exists: true, isDir: false }), { dir: '/h', rename: { from: 'f', to: 'old' } });
    assert.deepEqual(planExtract(file, { path: '/h/d', exists: true, isDir: true }), { dir: '/h/d' });
    assert.equal(planExtract(file, { path: '/h/nodir/', exists: false, isDir: false }), 'no such directory');
  });
  it('a directory: created as a missing DEST, copied into an existing one (its contents with /.), never onto a file', () => {
    assert.deepEqual(planExtract(dir, { path: '/h/new', exists: false, isDir: false }), { dir: '/h', rename: { from: 'd', to: 'new' } });
    assert.deepEqual(planExtract(dir, { path: '/h/e', exists: true, isDir: true }), { dir: '/h/e' });
    assert.deepEqual(planExtract(dirDot, { path: '/h/e', exists: true, isDir: true }), { dir: '/h/e' });
    assert.deepEqual(planExtract(dirDot, { path: '/h/new', exists: false, isDir: false }), { dir: '/h', rename: { from: '.', to: 'new' } });
    assert.equal(planExtract(dir, { path: '/h/file', exists: true, isDir: false }), 'cannot copy directory');
  });
  it('a renamed source (followed link) is placed by its new name', () => {
    assert.deepEqual(planExtract({ path: '/bin/busybox', isDir: false, rebase: 'sh' }, { path: '/h/x', exists: false, isDir: false }), { dir: '/h', rename: { from: 'sh', to: 'x' } });
  });
});
