/**
 * DESIGN.md's part boundaries, checked on every `src/**\/*.ts` (tests beside the code included):
 * imports flow `cli → build, registry/*, archive → runtime, snapshot, layer → store → oci`;
 * `dockerfile/` is pure and imported only by `build/` and `cli/`; `registry/server/` never imports
 * `store/`; nothing imports `cli/`; a part is entered only through its `index.ts`. The root-level
 * modules in ROOT_SHARED import nothing of the parts and may be imported from anywhere.
 *
 * Imports are read with TypeScript's own pre-processor (static, `export … from`, and `import()`),
 * so comments and strings that look like imports do not count.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { repoRoot } from './helpers/paths.js';

/** Root-level modules every part may import. */
const ROOT_SHARED = new Set(['errors.ts', 'progress.ts', 'go-compat.ts', 'tls-trust.ts', 'trace.ts', 'version.ts']);

const LOW = ['oci', 'native'];
/**
 * Which parts each part may import (besides ROOT_SHARED). The edges follow DESIGN.md's order;
 * where it is silent these decisions are recorded:
 * - `native/` (the C addon's binding) sits beside `oci/` at the bottom: it imports no part, and
 *   every part may use it (the content store writes large blobs through with its writeThrough).
 * - `layer/` is the lowest of the siblings runtime, snapshot, layer: snapshot unpacks with it and
 *   runtime resolves rootfs paths with its `resolveInRoot`; layer imports neither of them.
 * - `container/` (images run as containers) sits with build/archive/registry: it drives runtime
 *   and snapshot over the store.
 */
const ALLOWED: Record<string, readonly string[]> = {
  oci: [],
  native: [],
  store: LOW,
  layer: ['store', ...LOW],
  snapshot: ['layer', 'store', ...LOW],
  runtime: ['layer', 'store', ...LOW],
  dockerfile: ['oci'],
  build: ['dockerfile', 'runtime', 'snapshot', 'layer', 'store', ...LOW],
  archive: ['runtime', 'snapshot', 'layer', 'store', ...LOW],
  container: ['runtime', 'snapshot', 'layer', 'store', ...LOW],
  'registry/client': ['runtime', 'snapshot', 'layer', 'store', ...LOW],
  'registry/server': ['layer', ...LOW],
  cli: ['build', 'registry/client', 'registry/server', 'archive', 'container', 'dockerfile', 'runtime', 'snapshot', 'layer', 'store', ...LOW],
};

/**
 * Violations on main (as merged at 01:50 UTC) that live in folders other branches own; each is to be fixed there (then
 * removed here: a listed violation that no longer occurs fails the test, so the list only shrinks).
 * Key: `file -> import specifier`.
 */
const KNOWN_VIOLATIONS = new Map<string, string>([
  ['src/cli/commands/registry.ts -> ../../registry/server/gc-lock.js', 'deep import: registry/server/index.ts should export the GC lock'],
  ['src/container/commit.ts -> ../build/changes.js', 'container/ (containers branch) reaches into build/changes.js: the diff-to-layer code it shares with build belongs lower (layer/) or behind build/index.ts'],
]);

/** The part a `src/`-relative path belongs to: `store`, `registry/server`, or `root:<file>`. */
export function partOf(srcPath: string): string {
  const seg = srcPath.split('/');
  if (seg.length === 1) return `root:${seg[0]}`;
  return seg[0] === 'registry' ? `registry/${seg[1]}` : seg[0]!;
}

/** Why importing `specifier` from `file` (a path relative to the repository) breaks the rules; undefined when it does not. */
export function violation(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined; // node: built-ins and packages
  const from = posix.relative('src', file);
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const isTest = file.endsWith('.test.ts');
  if (target.startsWith('../')) {
    // Only tests may reach out of src/ (to test/helpers).
    return isTest && target.startsWith('../test/') ? undefined : `imports ${target.slice(3)} from outside src/`;
  }
  const a = partOf(from);
  const b = partOf(target);
  if (a === b) return undefined;
  if (b.startsWith('root:')) {
    const name = b.slice('root:'.length).replace(/\.js$/, '.ts');
    return ROOT_SHARED.has(name) ? undefined : `imports the root-level ${name}, which is not shared (ROOT_SHARED)`;
  }
  if (a.startsWith('root:')) return `root-level module imports the part ${b}`;
  const allowed = ALLOWED[a];
  if (allowed === undefined) return `is in ${a}/, a part this test does not know: add it to ALLOWED`;
  if (!allowed.includes(b)) return `${a} may not import ${b}`;
  if (target !== `${b}/index.js`) return `deep import of ${target}: enter ${b} through ${b}/index.ts`;
  return undefined;
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function importsOf(path: string): string[] {
  const info = ts.preProcessFile(readFileSync(path, 'utf8'), true, true);
  return info.importedFiles.map((f) => f.fileName);
}

test('the checker names each kind of boundary violation', () => {
  assert.equal(violation('src/store/images.ts', '../oci/index.js'), undefined);
  assert.equal(violation('src/store/images.ts', './errors.js'), undefined);
  assert.equal(violation('src/store/images.ts', 'node:fs'), undefined);
  assert.equal(violation('src/dockerfile/args.ts', '../go-compat.js'), undefined);
  assert.equal(violation('src/layer/apply.test.ts', '../../test/helpers/paths.js'), undefined);
  assert.match(violation('src/oci/digest.ts', '../store/index.js') ?? '', /oci may not import store/);
  assert.match(violation('src/store/images.ts', '../oci/digest.js') ?? '', /deep import of oci\/digest\.js/);
  assert.match(violation('src/registry/server/app.ts', '../../store/index.js') ?? '', /registry\/server may not import store/);
  assert.match(violation('src/runtime/spec.ts', '../dockerfile/index.js') ?? '', /runtime may not import dockerfile/);
  assert.match(violation('src/build/solver.ts', '../cli/io.js') ?? '', /build may not import cli/);
  assert.match(violation('src/layer/apply.ts', '../snapshot/index.js') ?? '', /layer may not import snapshot/);
  assert.match(violation('src/dockerfile/args.ts', '../store/index.js') ?? '', /dockerfile may not import store/);
  assert.match(violation('src/go-compat.ts', './oci/index.js') ?? '', /root-level module imports the part oci/);
  assert.match(violation('src/store/db.ts', '../../test/helpers/paths.js') ?? '', /from outside src/);
  assert.match(violation('src/widgets/x.ts', '../oci/index.js') ?? '', /a part this test does not know/);
});

test('every import in src/ follows DESIGN.md\'s part boundaries', () => {
  const found: string[] = [];
  const seenKnown = new Set<string>();
  const files = sourceFiles(join(repoRoot, 'src'));
  assert.ok(files.length > 100, `only ${files.length} source files found under ${repoRoot}/src`);
  for (const path of files) {
    const file = relative(repoRoot, path).split('\\').join('/');
    for (const spec of importsOf(path)) {
      const why = violation(file, spec);
      if (why === undefined) continue;
      const key = `${file} -> ${spec}`;
      if (KNOWN_VIOLATIONS.has(key)) seenKnown.add(key);
      else found.push(`${key}: ${why}`);
    }
  }
  assert.deepEqual(found, [], `imports across part boundaries:\n${found.join('\n')}`);
  const stale = [...KNOWN_VIOLATIONS.keys()].filter((k) => !seenKnown.has(k));
  assert.deepEqual(stale, [], 'fixed violations still listed in KNOWN_VIOLATIONS: remove them');
});
