import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { dockerHelp, dockerUsage, wrap } from './help.js';

function program(): Command {
  const p = new Command('gantry').configureHelp({ formatHelp: dockerHelp }).description('The tool');
  p.option('--root <dir>', 'Root of the store').option('-D, --debug', 'Show stack traces');
  const image = p.command('image').description('Manage images');
  image
    .command('ls')
    .alias('list')
    .description('List images')
    .argument('[REPOSITORY[:TAG]]')
    .option('-q, --quiet', 'Only show image IDs')
    .option('--format <string>', 'Pretty-print images using a Go template')
    .option('-a, --all', 'Show all images');
  p.command('history').description('Show the history of an image').argument('<IMAGE>').option('-H, --human [bool]', 'Print sizes and dates in human readable format');
  p.command('tag').description('Create a tag').usage('SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]').argument('[images...]');
  return p;
}

const find = (c: Command, ...names: string[]): Command => names.reduce((at, n) => at.commands.find((x) => x.name() === n) as Command, c);

test('a command prints docker 20.10\'s layout: usage, description, aliases, flags sorted with long-only ones indented', () => {
  const ls = find(program(), 'image', 'ls');
  assert.equal(
    ls.helpInformation(),
    [
      '',
      'Usage:  gantry image ls [OPTIONS] [REPOSITORY[:TAG]]',
      '',
      'List images',
      '',
      'Aliases:',
      '  ls, list',
      '',
      'Options:',
      '  -a, --all             Show all images',
      '      --format string   Pretty-print images using a Go template',
      '  -q, --quiet           Only show image IDs',
      '',
    ].join('\n'),
  );
});

test('groups list their commands (the top level its groups apart) and where to look next', () => {
  const p = program();
  assert.equal(
    find(p, 'image').helpInformation(),
    ['', 'Usage:  gantry image COMMAND', '', 'Manage images', '', 'Commands:', '  ls          List images', '', "Run 'gantry image COMMAND --help' for more information on a command.", ''].join('\n'),
  );
  const top = p.helpInformation();
  assert.match(top, /^\nUsage: {2}gantry \[OPTIONS\] COMMAND\n/);
  assert.match(top, /Management Commands:\n {2}image {7}Manage images\n\nCommands:\n {2}history {5}Show the history of an image\n {2}tag {9}Create a tag\n/);
  assert.match(top, /\n {6}--root dir {3}Root of the store\n/);
});

test('usages in docker notation; optional flag values are booleans; long descriptions wrap under their column', () => {
  const p = program();
  assert.equal(dockerUsage(find(p, 'history')), '[OPTIONS] IMAGE');
  assert.equal(dockerUsage(find(p, 'tag')), 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]');
  assert.match(find(p, 'history').helpInformation(), /\n {2}-H, --human {3}Print sizes/);
  assert.deepEqual(wrap('aaa bbb ccc\nddd', 7), ['aaa bbb', 'ccc', 'ddd']);
});
