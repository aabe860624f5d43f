#!/usr/bin/env node
// Builds gantry: a bundled CLI (fast start: one file plus lazily loaded chunks) and a
// file-by-file transpile of src/ and test/ for the test runner and the library exports.
// Type checking is separate (`npm run typecheck`): esbuild strips types without reading them.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
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
// better-sqlite3's JavaScript is bundled (every store command runs it: in the bundle it is in the code
// cache); its addon loads from the installed package by path (src/store/db.ts).
const external = ['zstd-napi', 'bcryptjs'];

/**
 * Node's builtins that the bundle loads on first use rather than when the module importing them
 * is evaluated. Loading a builtin is not free (crypto ~5 ms of a no-op `image ls`: the store's
 * modules import it for hashing that a listing never does; readline, stream, fs/promises, os and
 * module similarly), and esbuild evaluates an ES module's imports when the module is: each of these
 * becomes an object with a getter per export (the names come from this node's own module) that
 * requires the builtin on first access. The builtins node has loaded before any user code (fs,
 * path, events, util, url, process) stay plain `require`s.
 */
const LAZY_BUILTINS = new Set([
  'node:child_process', 'node:crypto', 'node:dns', 'node:fs/promises', 'node:http', 'node:https', 'node:module',
  'node:net', 'node:os', 'node:readline', 'node:stream', 'node:stream/promises', 'node:string_decoder',
  'node:timers/promises', 'node:tls', 'node:worker_threads', 'node:zlib',
]);
const requireHere = createRequire(import.meta.url);

/**
 * How the bundle gets node's builtins. bin/gantry runs it as a vm.Script, which has no loader for a
 * real `import()`: esbuild resolves every `import()` of our own modules, but would leave those of
 * builtins (the lazy `await import('node:fs')` in command handlers) as they are, so each becomes a
 * tiny CommonJS module around `require` (a builtin is the same object either way). Static imports of
 * LAZY_BUILTINS (ours and commander's `node:child_process`, which gantry never uses) load on first use.
 */
const builtinsForVmScript = {
  name: 'builtins-for-vm-script',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => {
      if (args.kind === 'dynamic-import') return { path: args.path, namespace: 'gantry-builtin' };
      if (args.namespace === 'gantry-lazy-builtin') return { path: args.path, external: true }; // its own require
      if (LAZY_BUILTINS.has(args.path)) return { path: args.path, namespace: 'gantry-lazy-builtin' };
      return undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'gantry-builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
    // The exported object is empty and its prototype a Proxy that loads the builtin on the first
    // property read: esbuild's interop (`__toESM`) copies a CommonJS module's own properties at every
    // importing module, and makes its copy with the same prototype, so reads of the copy land there
    // too and nothing is copied or loaded before use. (`__toESM` reads `__esModule`, answered without
    // loading.) A getter per export name made at start-up instead cost the image listings ~75 KiB
    // of young allocation (crypto alone has ~80 names) and ~0.8 ms.
    b.onLoad({ filter: /.*/, namespace: 'gantry-lazy-builtin' }, (args) => ({
      contents:
        `let m;\nconst load = () => (m ??= require(${JSON.stringify(args.path)}));\n` +
        "module.exports = Object.create(new Proxy({}, { get: (_, k) => (k === '__esModule' ? undefined : load()[k]), has: (_, k) => k in load() }));",
      loader: 'js',
    }));
  },
};

/** The options of every CLI bundle (see below). */
const cliBundle = {
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  external,
  sourcemap: 'linked',
  // Start-up parses every byte it loads: whitespace and syntax minified. Identifiers stay: errors
  // report `this.constructor.name` and templates print Go type names.
  minifyWhitespace: true,
  minifySyntax: true,
  // The few modules that locate files next to themselves (the native addon, better-sqlite3) ask
  // import.meta.url or import.meta.dirname, which a CommonJS file does not have. The URL is made on
  // first use: pathToFileURL at every start cost ~0.7 ms (its code compiled, the URL built), and
  // most commands never ask.
  define: { 'import.meta.url': '__gantryBundle.url', 'import.meta.dirname': '__dirname' },
  // bin/gantry compiles the file as it is, a function expression taking CommonJS's arguments (the
  // wrapper written here, not added to the text at run time: that would copy the whole source
  // string once more on every start).
  banner: {
    js: "(function (exports, require, module, __filename, __dirname) {var __gantryBundle = { u: undefined, get url() { return (this.u ??= require('node:url').pathToFileURL(__filename).href); } };",
  },
  footer: { js: '})' },
  logLevel: 'warning',
};

// The launcher's choice of bundle (src/cli/launch.ts): bundled first, because the list of partial
// bundles below is its.
const launcher = join(dist, 'bundle', 'launch.cjs');
await build({ ...cliBundle, entryPoints: [join(root, 'src/cli/launch.ts')], outfile: launcher, sourcemap: false, banner: {}, footer: {} });
const { partialBundles, FULL_BUNDLE, bundleFor } = requireHere(launcher);

/**
 * A partial bundle holds only the command modules `keep` names: `commands/index.ts`'s `import()`s
 * of the others become a module that throws (the launcher never runs a bundle for a command line
 * that needs a module it lacks; `src/cli/launch.test.ts` checks the choice).
 */
function onlyCommandModules(bundleName, keep) {
  return {
    name: 'only-command-modules',
    setup(b) {
      b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => {
        if (args.kind !== 'dynamic-import' || !/[\\/]src[\\/]cli[\\/]commands[\\/]index\.ts$/.test(args.importer)) return undefined;
        const name = args.path.slice(2, -3);
        return keep.includes(name) ? undefined : { path: name, namespace: 'gantry-left-out' };
      });
      b.onLoad({ filter: /.*/, namespace: 'gantry-left-out' }, (args) => ({
        contents: `throw new Error(${JSON.stringify(`gantry: the ${bundleName} bundle does not hold the command module "${args.path}" (bin/gantry chose the wrong bundle)`)});`,
        loader: 'js',
      }));
    },
  };
}

await Promise.all([
  // The CLI is CommonJS, started by bin/gantry through V8's code cache (see there): Node 20 keeps no
  // compile cache for ES modules, and compiling our code was the largest part of a no-op command's
  // start-up. The `import()`s of command modules stay lazy: esbuild turns each into a call that
  // evaluates the module on first use. The whole program, and the partial bundles the launcher
  // picks for command lines that need less (src/cli/launch.ts).
  build({ ...cliBundle, entryPoints: [join(root, 'src/cli/main.ts')], outfile: join(dist, 'bundle', `${FULL_BUNDLE}.cjs`), plugins: [builtinsForVmScript] }),
  ...partialBundles().map((p) =>
    build({
      ...cliBundle,
      entryPoints: [join(root, 'src/cli/main.ts')],
      outfile: join(dist, 'bundle', `${p.name}.cjs`),
      plugins: [builtinsForVmScript, onlyCommandModules(p.name, p.modules)],
    }),
  ),
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

// The code caches bin/gantry loads: each made by running command lines that the launcher gives to that
// bundle (scripts/warm-cache.cjs runs a bundle's lines one after the other in one process), so it holds
// the compiled code of start-up, the command lines and (but for the base bundle) the store. A bundle
// without lines here gets its cache from its first run. A cache V8 rejects later (another node version)
// is only slower, and bin/gantry writes a new one.
// The build bundle's line builds a one-file image from scratch (as root, as builds run), so its cache
// holds the build's code too: a rebuild that changes nothing is mostly start-up and that code. It runs
// first: the listings after it read the image it made (labelled warm=1), so the image views' cache
// holds the listing's query, its table, and the label filter and template of a `--format` listing.
const warmRoot = mkdtempSync(join(tmpdir(), 'gantry-warm-'));
const warmContext = join(warmRoot, 'context');
mkdirSync(warmContext);
writeFileSync(join(warmContext, 'Dockerfile'), 'FROM scratch\nLABEL warm=1\nCOPY f /f\n');
writeFileSync(join(warmContext, 'f'), 'warm\n');
const WARM = {
  'gantry-build': [['build', '-q', '-t', 'warm', warmContext]],
  [FULL_BUNDLE]: [['system', 'df']],
  'gantry-base': [['--version']],
  'gantry-image-views': [
    ['image', 'ls'],
    ['image', 'ls', '--filter', 'label=warm=1', '--format', '{{.ID}} {{.Repository}}:{{.Tag}}'],
  ],
};
try {
  for (const [name, lines] of Object.entries(WARM)) {
    const argvs = lines.map((args) => ['--root', warmRoot, ...args]);
    for (const argv of argvs) {
      if (bundleFor(argv) !== name) throw new Error(`build.mjs: the warm-up line for ${name} (${argv.join(' ')}) runs ${bundleFor(argv)}`);
    }
    try {
      execFileSync(process.execPath, [join(root, 'scripts', 'warm-cache.cjs'), join(dist, 'bundle', `${name}.cjs`), JSON.stringify(argvs)], { stdio: 'ignore' });
    } catch (err) {
      // No cache is only slower: the first command run writes one.
      console.warn(`warning: no code cache made for ${name} (${err.message.split('\n')[0]})`);
    }
  }
} finally {
  rmSync(warmRoot, { recursive: true, force: true });
}
