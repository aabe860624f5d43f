/**
 * Every command gantry has. Each module registers itself (and its docker aliases, like `images` for
 * `image ls`) under the groups below; its heavy dependencies load only when it runs.
 */
import type { Command } from 'commander';
import type { Cli } from '../context.js';
import { register as registerVersion } from './version.js';
import { register as registerRegistry } from './registry.js';
import { register as registerDockerfileParse } from './dockerfile-parse.js';
import { register as registerImageTag } from './image-tag.js';
import { register as registerImageRm } from './image-rm.js';
import { register as registerImagePrune } from './image-prune.js';
import { register as registerSystem } from './system.js';
import { register as registerBuild } from './build.js';
import { register as registerImageImport } from './image-import.js';
import { register as registerImageArchive } from './image-archive.js';
import { register as registerImageViews } from './image-views.js';
import { register as registerRun } from './run.js';
import { register as registerContainer } from './container.js';
import { register as registerPull } from './pull.js';
import { register as registerPush } from './push.js';
import { register as registerLogin } from './login.js';

/** The command groups a module may add to: top level, and docker's management commands. */
export interface Groups {
  program: Command;
  image: Command;
  container: Command;
  system: Command;
  builder: Command;
  registry: Command;
  dockerfile: Command;
}

type Register = (groups: Groups, cli: Cli) => void;

const modules: Register[] = [
  registerVersion,
  registerRegistry,
  registerDockerfileParse,
  registerImageTag,
  registerImageRm,
  registerImagePrune,
  registerSystem,
  registerBuild,
  registerImageImport,
  registerImageArchive,
  registerImageViews,
  registerRun,
  registerContainer,
  registerPull,
  registerPush,
  registerLogin,
];

export function registerAll(program: Command, cli: Cli): void {
  const groups: Groups = {
    program,
    image: program.command('image').description('Manage images'),
    container: program.command('container').description('Manage containers'),
    system: program.command('system').description('Manage gantry'),
    builder: program.command('builder').description('Manage builds'),
    registry: program.command('registry').description('Run and maintain a registry server'),
    dockerfile: program.command('dockerfile').description('Inspect Dockerfiles'),
  };
  for (const register of modules) register(groups, cli);
}
