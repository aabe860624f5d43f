import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import type { Cli } from '../context.js';
import { COMMAND_MODULES, commandWord, modulesFor, type Groups } from './index.js';

const GROUPS = ['image', 'container', 'system', 'builder', 'registry', 'dockerfile'] as const;

function freshGroups(): Groups {
  const program = new Command('gantry').enablePositionalOptions(); // as main.ts sets it
  const g = (name: string): Command => program.command(name);
  return {
    program,
    image: g('image'),
    container: g('container'),
    system: g('system'),
    builder: g('builder'),
    registry: g('registry'),
    dockerfile: g('dockerfile'),
  };
}

const cli: Cli = {
  io: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: {} } as unknown as Cli['io'],
  action: () => async () => {},
};

/** The top-level words a module really registers: its own commands and aliases, and the groups it fills. */
function wordsRegisteredBy(register: (groups: Groups, cli: Cli) => void): Set<string> {
  const groups = freshGroups();
  register(groups, cli);
  const words = new Set<string>();
  for (const c of groups.program.commands) {
    const isGroup = (GROUPS as readonly string[]).includes(c.name());
    if (isGroup && c.commands.length === 0) continue;
    words.add(c.name());
    for (const a of c.aliases()) words.add(a);
  }
  return words;
}

test('each command module lists exactly the top-level words it registers', async () => {
  for (const m of COMMAND_MODULES) {
    if (m.words === undefined) continue;
    const { register } = await m.load();
    assert.deepEqual([...wordsRegisteredBy(register)].sort(), [...m.words].sort(), `module with words ${m.words.join(', ')}`);
  }
});

test('the command word comes after the global options and their values', () => {
  assert.deepEqual(commandWord(['--root', 'image', 'images']), { word: 'images', versionOnly: false });
  assert.deepEqual(commandWord(['-D', '--root=/x', 'image', 'ls']), { word: 'image', versionOnly: false });
  assert.deepEqual(commandWord(['--version']), { versionOnly: true });
  assert.deepEqual(commandWord(['--version', '--help']), { versionOnly: false });
  assert.deepEqual(commandWord([]), { versionOnly: false });
});

test('a command loads only the modules that define its word', () => {
  const chosen = modulesFor(['--root', '/tmp/x', 'image', 'ls']);
  assert.ok(chosen.length > 0 && chosen.length < COMMAND_MODULES.length);
  for (const m of chosen) assert.ok(m.words === undefined || m.words.includes('image'));
  assert.equal(modulesFor(['images']).length, COMMAND_MODULES.filter((m) => m.words === undefined || m.words.includes('images')).length);
});

test('--version alone loads no listed module; help, no command and unknown words load them all', () => {
  assert.deepEqual(modulesFor(['--version']), COMMAND_MODULES.filter((m) => m.words === undefined));
  for (const argv of [['--help'], [], ['no-such-command'], ['help', 'image'], ['-v', '-h']]) {
    assert.equal(modulesFor(argv).length, COMMAND_MODULES.length, argv.join(' '));
  }
});
