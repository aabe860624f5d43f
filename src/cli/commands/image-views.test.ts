import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freshGroups, inertCli as cli } from './test-groups.js';
import { commandsFor, register } from './image-views.js';

/** The commands image-views defines for `argv`, as `group sub` or top-level names. */
function defined(argv?: readonly string[]): string[] {
  const groups = freshGroups(argv);
  const program = groups.program;
  register(groups, cli);
  const out: string[] = [];
  for (const c of program.commands) {
    if (c.commands.length > 0) for (const s of c.commands) out.push(`${c.name()} ${[s.name(), ...s.aliases()].join('|')}`);
    else if (c.name() !== 'image' && !['container', 'system', 'builder', 'registry', 'dockerfile'].includes(c.name())) out.push(c.name());
  }
  return out.sort();
}

const ALL = ['history', 'image history', 'image inspect', 'image ls|list', 'images'];

test('a command line that runs one of the image views defines that command alone', () => {
  assert.deepEqual(defined(['image', 'ls']), ['image ls|list']);
  assert.deepEqual(defined(['--root', '/x', 'image', 'list', '-q']), ['image ls|list']);
  assert.deepEqual(defined(['-D', 'images', '--filter', 'label=a']), ['images']);
  assert.deepEqual(defined(['history', 'busybox']), ['history']);
  assert.deepEqual(defined(['image', 'history', 'busybox']), ['image history']);
  assert.deepEqual(defined(['image', 'inspect', 'a', 'b']), ['image inspect']);
});

test('help, a group alone, other words and no command line define every image view', () => {
  assert.deepEqual(defined(), ALL);
  assert.deepEqual(defined(['image', 'ls', '--help']), ALL);
  assert.deepEqual(defined(['--help', 'images']), ALL);
  assert.deepEqual(defined(['-h']), ALL);
  assert.deepEqual(defined(['help', 'image']), ALL);
  assert.deepEqual(defined(['image']), ALL);
  assert.deepEqual(defined(['image', 'prune']), ALL);
  assert.deepEqual(defined(['images', '--', '--help']), ALL);
});

test('commandsFor without a command line wants everything', () => {
  const all = commandsFor(undefined);
  for (const p of ['image ls', 'images', 'history', 'image history', 'image inspect']) assert.equal(all(p), true);
});
