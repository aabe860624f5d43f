import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import type { Cli } from '../context.js';
import { freshGroups, inertCli as cli } from './test-groups.js';
import { COMMAND_MODULES, GROUP_NAMES, LOADER_NAMES, commandWord, modulesFor, type Groups } from './index.js';

const names = (c: Command): string[] => [c.name(), ...c.aliases()];

/** What a module really registers: top-level words (its commands and the groups it fills) and each group's subcommands. */
function registeredBy(register: (groups: Groups, cli: Cli) => void): { words: Set<string>; sub: Map<string, Set<string>> } {
  const groups = freshGroups();
  register(groups, cli);
  const words = new Set<string>();
  const sub = new Map<string, Set<string>>();
  for (const c of groups.program.commands) {
    const isGroup = (GROUP_NAMES as readonly string[]).includes(c.name());
    if (isGroup && c.commands.length === 0) continue;
    for (const w of names(c)) words.add(w);
    if (isGroup) sub.set(c.name(), new Set(c.commands.flatMap(names)));
  }
  return { words, sub };
}

test('each command module lists exactly the top-level words and group subcommands it registers', async () => {
  for (const m of COMMAND_MODULES) {
    const { register } = await m.load();
    const real = registeredBy(register);
    assert.deepEqual([...real.words].sort(), [...m.words].sort(), `words of ${m.name}`);
    const listed = new Map(Object.entries(m.sub ?? {}).map(([g, s]) => [g, [...s].sort()]));
    assert.deepEqual(new Map([...real.sub].map(([g, s]) => [g, [...s].sort()])), listed, `sub of ${m.name}`);
  }
});

test('every module in the table has a loader of the same name, and no loader is left over', () => {
  assert.deepEqual([...LOADER_NAMES].sort(), COMMAND_MODULES.map((m) => m.name).sort());
});

test('the command word comes after the global options and their values, with the word after it', () => {
  assert.deepEqual(commandWord(['--root', 'image', 'images']), { word: 'images', versionOnly: false });
  assert.deepEqual(commandWord(['-D', '--root=/x', 'image', 'ls']), { word: 'image', sub: 'ls', versionOnly: false });
  assert.deepEqual(commandWord(['image', '--help', 'ls']), { word: 'image', versionOnly: false });
  assert.deepEqual(commandWord(['--version']), { versionOnly: true });
  assert.deepEqual(commandWord(['--version', '--help']), { versionOnly: false });
  assert.deepEqual(commandWord([]), { versionOnly: false });
});

test('a top-level command loads only the modules that define its word', () => {
  assert.deepEqual(
    modulesFor(['images']).map((m) => m.name),
    COMMAND_MODULES.filter((m) => m.words.includes('images')).map((m) => m.name),
  );
  assert.deepEqual(
    modulesFor(['-D', 'rm', 'x']).map((m) => m.name),
    ['container'],
  );
});

test('a group with a known subcommand loads only the modules that define that subcommand', () => {
  assert.deepEqual(modulesFor(['--root', '/tmp/x', 'image', 'ls', '-q']).map((m) => m.name), ['image-views']);
  assert.deepEqual(modulesFor(['image', 'rmi', 'x']).map((m) => m.name), ['image-rm']);
  assert.deepEqual(modulesFor(['container', 'run', 'busybox']).map((m) => m.name), ['run']);
  assert.deepEqual(modulesFor(['builder', 'build', '.']).map((m) => m.name), ['build']);
});

test('a group without a known subcommand loads every module that adds to it (help, errors, suggestions)', () => {
  const image = COMMAND_MODULES.filter((m) => m.words.includes('image')).map((m) => m.name);
  assert.ok(image.length > 1);
  for (const argv of [['image'], ['image', '--help'], ['image', 'help', 'ls'], ['image', 'lss'], ['image', '-h', 'ls']]) {
    assert.deepEqual(modulesFor(argv).map((m) => m.name), image, argv.join(' '));
  }
});

test('--version alone loads no module; help, no command and unknown words load them all', () => {
  assert.deepEqual(modulesFor(['--version']), []);
  assert.deepEqual(modulesFor(['--root', '/x', '-v']), []);
  for (const argv of [['--help'], [], ['no-such-command'], ['help', 'image'], ['-v', '-h']]) {
    assert.equal(modulesFor(argv).length, COMMAND_MODULES.length, argv.join(' '));
  }
});
