import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundleFor, FULL_BUNDLE, partialBundles } from './launch.js';
import { modulesFor } from './commands/index.js';

// Command lines of every kind: each must run in a bundle that holds every module main.ts registers for it.
const LINES: string[][] = [
  [],
  ['--help'],
  ['-v'],
  ['--version'],
  ['--root', '/x', '--version'],
  ['--version', '--help'],
  ['version'],
  ['images'],
  ['images', '-q'],
  ['--root', '/x', 'image', 'ls'],
  ['image', 'list', '--format', '{{.ID}}'],
  ['image', 'history', 'x'],
  ['image', 'inspect', 'x'],
  ['inspect', 'x'],
  ['history', 'x'],
  ['image'],
  ['image', '--help'],
  ['image', 'help', 'ls'],
  ['image', 'nope'],
  ['image', 'rm', 'x'],
  ['rmi', 'x'],
  ['run', '--rm', 'busybox', 'true'],
  ['container', 'ls'],
  ['ps'],
  ['build', '.'],
  ['system', 'df'],
  ['help'],
  ['nope'],
  ['--', 'images'],
];

test('each command line runs in a bundle that holds every command module it registers', () => {
  const held = new Map<string, readonly string[] | 'all'>([[FULL_BUNDLE, 'all'], ...partialBundles().map((p) => [p.name, p.modules] as const)]);
  for (const argv of LINES) {
    const name = bundleFor(argv);
    const modules = held.get(name);
    assert.ok(modules !== undefined, `${argv.join(' ')}: no bundle ${name}`);
    if (modules === 'all') continue;
    for (const m of modulesFor(argv)) assert.ok(modules.includes(m.name), `${argv.join(' ')}: ${name} lacks ${m.name}`);
  }
});

test('--version runs the base bundle and the image listing its own; help and other commands the whole CLI', () => {
  assert.equal(bundleFor(['--version']), 'gantry-base');
  assert.equal(bundleFor(['-v']), 'gantry-base');
  assert.equal(bundleFor(['--root', '/x', 'image', 'ls', '-q']), 'gantry-image-views');
  assert.equal(bundleFor(['images']), 'gantry-image-views');
  assert.equal(bundleFor(['--help']), FULL_BUNDLE);
  assert.equal(bundleFor(['image']), FULL_BUNDLE);
  assert.equal(bundleFor(['run', 'busybox']), FULL_BUNDLE);
  assert.equal(bundleFor(['--version', '--help']), FULL_BUNDLE);
});
