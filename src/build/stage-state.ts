/**
 * The state of a stage while its instructions are dispatched: the image config being built (in
 * docker's shape, history included), the stage's variables, and the filesystem so far (layers and
 * the cache key of the last step that changed it).
 *
 * Metadata instructions (ENV, LABEL, CMD, …) change only this state and add an `empty_layer` history
 * entry, with the exact `created_by` text BuildKit writes; they do not touch the filesystem key, so a
 * LABEL edited above a RUN does not invalidate the RUN (as in BuildKit).
 */
import type { ContainerConfig, Descriptor, Digest, History, ImageConfig } from '../oci/index.js';
import type { StageArgs } from '../dockerfile/index.js';

/** A layer of the stage's filesystem. */
export interface StateLayer {
  descriptor: Descriptor;
  diffId: Digest;
  uncompressedSize?: number;
}

export interface StageState {
  /** The image config under construction; `config.config` always exists. */
  image: ImageConfig & { config: ContainerConfig; history: History[] };
  /** The layers so far, base first. */
  layers: StateLayer[];
  /** The cache key of the filesystem: the base's identity, then each filesystem step's key. */
  fsKey: string;
  args: StageArgs;
  /** A CMD was set in this stage (ENTRYPOINT then keeps it; otherwise ENTRYPOINT clears Cmd). */
  cmdSet: boolean;
  /** The OnBuild triggers the base carried (run right after FROM, then cleared). */
  baseOnBuild: string[];
  /** The newest creation time of this build's filesystem steps (from the cache when cached). */
  lastCreated?: string;
}

/** The default shell of a Linux image (BuildKit's defaultShell). */
export const DEFAULT_SHELL: readonly string[] = Object.freeze(['/bin/sh', '-c']);

/** The shell a shell-form command runs with: the stage's SHELL, else `/bin/sh -c`. */
export function stageShell(state: StageState): string[] {
  const shell = state.image.config.Shell;
  return shell !== undefined && shell.length > 0 ? [...shell] : [...DEFAULT_SHELL];
}

/** Shell form → shell + the command joined by spaces; exec form unchanged (BuildKit's withShell). */
export function withShell(state: StageState, cmdLine: readonly string[], prependShell: boolean): string[] {
  return prependShell ? [...stageShell(state), cmdLine.join(' ')] : [...cmdLine];
}

/** The working directory a step runs in (`/` when none is set). */
export function stageWorkdir(state: StageState): string {
  return state.image.config.WorkingDir !== undefined && state.image.config.WorkingDir !== '' ? state.image.config.WorkingDir : '/';
}

/**
 * Appends a history entry the way BuildKit's commitToHistory does: RUN, COPY and ADD (steps that
 * change the LLB state) get ` # buildkit` whether or not their diff turned out empty; WORKDIR and
 * metadata steps do not. A step whose diff is empty adds no layer and is marked `empty_layer`.
 */
export function commitHistory(state: StageState, createdBy: string, withLayer: boolean, created: string | undefined, llbStep = false): void {
  const h: History = { created_by: llbStep ? `${createdBy} # buildkit` : createdBy, comment: 'buildkit.dockerfile.v0' };
  if (created !== undefined) h.created = created;
  if (!withLayer) h.empty_layer = true;
  state.image.history.push(h);
}

/** A deep copy (stages built FROM another stage start from a copy of its state). */
export function cloneState(state: StageState, args: StageArgs): StageState {
  return {
    image: structuredClone(state.image),
    layers: [...state.layers],
    fsKey: state.fsKey,
    args,
    cmdSet: false,
    baseOnBuild: [],
    ...(state.lastCreated === undefined ? {} : { lastCreated: state.lastCreated }),
  };
}
