/**
 * `--change` for `commit` and `import`: Dockerfile instructions applied to an image's config, as
 * docker does (`CMD`, `ENTRYPOINT`, `ENV`, `EXPOSE`, `HEALTHCHECK`, `LABEL`, `ONBUILD`,
 * `STOPSIGNAL`, `USER`, `VOLUME`, `WORKDIR`). They change the config only, with no history entry.
 */
import { BuildArgs, expandInstruction, parseDockerfile } from '../dockerfile/index.js';
import { InvalidArgumentError } from '../errors.js';
import type { ContainerConfig } from '../oci/index.js';
import { applyMeta, isMetaInstruction } from './meta.js';
import type { StageState } from './stage-state.js';

const ALLOWED = new Set(['cmd', 'entrypoint', 'env', 'expose', 'healthcheck', 'label', 'onbuild', 'stopsignal', 'user', 'volume', 'workdir']);

export class InvalidChangeError extends InvalidArgumentError {
  constructor(change: string) {
    const word = change.trim().split(/\s+/)[0] ?? change;
    super('INVALID_CHANGE', `${word} is not a valid change command`);
  }
}

/** The config after applying `changes` in order. */
export function applyChanges(config: ContainerConfig, changes: readonly string[]): ContainerConfig {
  if (changes.length === 0) return config;
  const args = new BuildArgs().stage(undefined, config.Env ?? []);
  const state: StageState = {
    image: { architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [] }, config: structuredClone(config), history: [] },
    layers: [],
    fsKey: '',
    args,
    cmdSet: config.Cmd !== undefined && config.Cmd !== null,
    baseOnBuild: [],
  };
  for (const change of changes) {
    const cmd = parseDockerfile(`FROM scratch\n${change}\n`).stages[0]?.commands[0];
    if (cmd === undefined || !ALLOWED.has(cmd.kind)) throw new InvalidChangeError(change);
    if (cmd.kind === 'workdir') {
      const p = cmd.path.startsWith('/') ? cmd.path : `${state.image.config.WorkingDir ?? '/'}/${cmd.path}`;
      state.image.config.WorkingDir = p.replace(/\/+/g, '/');
      continue;
    }
    const expanded = expandInstruction(cmd, { word: (w) => args.expandWord(w).result, words: (w) => args.expandWords(w).words });
    if (isMetaInstruction(expanded)) applyMeta(state, expanded, undefined);
  }
  return state.image.config;
}
