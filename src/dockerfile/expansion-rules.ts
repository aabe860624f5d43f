/**
 * Which Dockerfile instructions the builder expands variables in, and where.
 *
 * RUN, CMD and ENTRYPOINT are left to the shell in the container (`RUN echo $HOME` sees the
 * container's HOME); everything else that takes paths, names or values is expanded by the builder
 * with the stage's ARG/ENV values at that point (BuildKit's `SupportsSingleWordExpansion`
 * commands, the classic builder's `replaceEnvAllowed`).
 */

/** Instructions whose arguments the builder expands (classic `replaceEnvAllowed` plus ARG). */
export const EXPANDING_INSTRUCTIONS: ReadonlySet<string> = new Set([
  'ADD',
  'ARG',
  'COPY',
  'ENV',
  'EXPOSE',
  'FROM',
  'LABEL',
  'ONBUILD',
  'STOPSIGNAL',
  'USER',
  'VOLUME',
  'WORKDIR',
]);

/** How one instruction's parts are expanded in BuildKit. */
export interface ExpansionRule {
  /** The parts that are expanded, in BuildKit's field names. */
  parts: readonly string[];
  /** `word`: one word each (ProcessWord); `words`: expanded then split on white space (ProcessWords). */
  mode: 'word' | 'words';
  /** Which variables are visible: the stage's ARG/ENV, or only the global (pre-FROM) ARGs. */
  scope: 'stage' | 'global';
  /** Why it is special, when it is. */
  note?: string;
}

/** Per-instruction expansion in BuildKit's dispatcher; instructions absent here are never expanded. */
export const EXPANSION_RULES: Readonly<Record<string, ExpansionRule>> = {
  ADD: { parts: ['sources', 'dest', '--chown', '--chmod', '--checksum'], mode: 'word', scope: 'stage', note: 'heredoc bodies are expanded (quotes kept) unless the delimiter is quoted' },
  ARG: { parts: ['name', 'default'], mode: 'word', scope: 'stage', note: 'a --build-arg value replaces the default and is not expanded' },
  COPY: { parts: ['sources', 'dest', '--chown', '--chmod'], mode: 'word', scope: 'stage', note: '--from is not expanded (a variable in it is an error); heredoc bodies as for ADD' },
  ENV: { parts: ['keys', 'values'], mode: 'word', scope: 'stage', note: 'every value sees the environment from before the instruction' },
  EXPOSE: { parts: ['ports'], mode: 'words', scope: 'stage' },
  FROM: { parts: ['image', '--platform'], mode: 'word', scope: 'global' },
  LABEL: { parts: ['keys', 'values'], mode: 'word', scope: 'stage' },
  ONBUILD: { parts: ['trigger'], mode: 'word', scope: 'stage', note: 'the trigger is stored as written and expanded when it runs in the child build' },
  RUN: { parts: ['--mount options'], mode: 'word', scope: 'stage', note: 'the command itself is left to the shell' },
  STOPSIGNAL: { parts: ['signal'], mode: 'word', scope: 'stage' },
  USER: { parts: ['user'], mode: 'word', scope: 'stage' },
  VOLUME: { parts: ['paths'], mode: 'word', scope: 'stage' },
  WORKDIR: { parts: ['path'], mode: 'word', scope: 'stage' },
};

/** True when the builder expands variables in `instruction` (case-insensitive). */
export function instructionExpandsVariables(instruction: string): boolean {
  return EXPANDING_INSTRUCTIONS.has(instruction.toUpperCase());
}
