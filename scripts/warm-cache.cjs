#!/usr/bin/env node
'use strict';
// Makes a bundle's V8 code cache from several command lines run one after the other in one process:
//
//   node scripts/warm-cache.cjs dist/bundle/<name>.cjs '[["image","ls"],["image","ls","--format","…"]]'
//
// A code cache holds the functions compiled when it is made, and a function it lacks is compiled from
// source on every run. One command line reaches only some of a bundle's code (`image ls` prints its
// table without the template engine, a `--format` listing the other way round), so the bundle is run
// once per line, as bin/gantry runs it (the same source, a vm.Script with the same options), each run
// starting when the previous one has left nothing to do. Every run evaluates the bundle anew but
// shares the Script's compiled functions, so the cache written at the end holds what all of them ran.
// A line that exits non-zero fails the whole (the caller warns and keeps no cache).
const { readFileSync, renameSync, writeFileSync } = require('node:fs');
const { dirname } = require('node:path');
const { Script } = require('node:vm');

const [bundle, linesJson] = process.argv.slice(2);
if (bundle === undefined || linesJson === undefined) {
  process.stderr.write('usage: warm-cache.cjs <bundle.cjs> <JSON array of argument arrays>\n');
  process.exit(2);
}
const lines = JSON.parse(linesJson);
// bin/gantry decodes the bundle as latin1 (esbuild writes ASCII): the same string, so the same cache.
const script = new Script(readFileSync(bundle).toString('latin1'), { filename: bundle });
const self = process.argv.slice(0, 2);

let next = 0;
function runNext() {
  const args = lines[next++];
  process.argv = [...self, ...args];
  process.exitCode = undefined;
  const bundleModule = { exports: {} };
  script.runInThisContext()(bundleModule.exports, require, bundleModule, bundle, dirname(bundle));
}

process.on('beforeExit', () => {
  if (process.exitCode !== undefined && process.exitCode !== 0) {
    process.stderr.write(`warm-cache: ${lines[next - 1].join(' ')} exited ${process.exitCode}\n`);
    process.exit(1);
  }
  if (next < lines.length) {
    runNext();
    return;
  }
  const cacheFile = `${bundle}.cache`;
  const tmp = `${cacheFile}.${process.pid}`;
  writeFileSync(tmp, script.createCachedData());
  renameSync(tmp, cacheFile);
});
runNext();
