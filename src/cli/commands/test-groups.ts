/**
 * For the tests of command modules: fresh command groups as main.ts makes them, and a CLI whose
 * actions do nothing, so a module's `register` can be called and what it defined looked at.
 */
import { Command } from 'commander';
import type { Cli } from '../context.js';
import { GROUP_NAMES, type Groups } from './index.js';

export const inertCli: Cli = {
  io: { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: {} } as unknown as Cli['io'],
  action: () => async () => {},
};

/** An empty program with every group command, as main.ts sets them up; `argv` as main.ts passes it. */
export function freshGroups(argv?: readonly string[]): Groups {
  const program = new Command('gantry').enablePositionalOptions(); // as main.ts sets it
  const groups = Object.fromEntries(GROUP_NAMES.map((name) => [name, program.command(name)])) as unknown as Omit<Groups, 'program' | 'argv'>;
  return { program, ...groups, ...(argv === undefined ? {} : { argv }) };
}
