#!/usr/bin/env node
// Builds gantry: a bundled CLI (fast start: one file plus lazily loaded chunks) and a
// file-by-file transpile of src/ and test/ for the test runner and the library exports.
// Type checking is separate (`npm run typecheck`): esbuild strips types without reading them.
import { build } from 'esbuild';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

rmSync(dist, { recursive: true, force: true });

// Native and optional modules stay outside the bundle; they are loaded only by the commands that need them.
const external = ['better-sqlite3', 'zstd-napi', 'bcryptjs'];

await Promise.all([
  build({
    entryPoints: [join(root, 'src/cli/main.ts')],
    outdir: join(dist, 'bundle'),
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external,
    sourcemap: 'linked',
    // Start-up parses every byte it loads: whitespace and syntax minified, the bundle is a third
    // smaller. Identifiers stay: errors report `this.constructor.name` and templates print Go type
    // names, and esbuild's keepNames (which would allow renaming) costs a defineProperty call per
    // function at load, more than the smaller text saves.
    minifyWhitespace: true,
    minifySyntax: true,
    chunkNames: 'chunks/[name]-[hash]',
    // CJS dependencies inside an ESM bundle call require(): give them one.
    // createRequire costs a module object and a node_modules path walk, and the banner runs in
    // every chunk: make it on first use (only chunks with CJS code ever call it).
    banner: {
      js:
        "import { createRequire as __gantryCreateRequire } from 'node:module'; let __gantryReq; " +
        'const __gantryRequire = () => (__gantryReq ??= __gantryCreateRequire(import.meta.url)); ' +
        'const require = Object.assign((id) => __gantryRequire()(id), { resolve: (id, o) => __gantryRequire().resolve(id, o) });',
    },
    logLevel: 'warning',
  }),
  build({
    entryPoints: [...walk(join(root, 'src')), ...walk(join(root, 'test')), ...walk(join(root, 'bench'))],
    outdir: dist,
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  }),
]);
