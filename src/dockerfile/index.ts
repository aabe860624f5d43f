/**
 * dockerfile/ — reads Dockerfiles the way BuildKit reads them: parser directives, escapes,
 * continuations, heredocs, exec/shell forms, every instruction's flags, stages and their
 * dependencies. Pure: text in, a typed plan out; no disk, process or network access.
 * Imported by `build/` and `cli/` only.
 *
 * Layers, each usable on its own:
 * - `parse(text)` → BuildKit's node tree (`dump(ast)` prints it in BuildKit's golden-file format);
 * - `parseInstruction(node)` → a typed instruction with raw (unexpanded) words;
 * - `parseDockerfile(text)` → stages of typed instructions; `stageGraph` and `stagesForTarget` say
 *   which stages a build needs;
 * - `expandInstruction(instr, expanders)` → the instruction with variables expanded, called by the
 *   build engine with the word expanders of `shell-lex.ts`.
 *
 * @example
 * ```ts
 * import { parseDockerfile, stageGraph, stagesForTarget } from '../dockerfile/index.js';
 * const df = parseDockerfile(text);
 * const { stages } = stagesForTarget(stageGraph(df.stages, { escapeToken: df.escapeToken }), 'release');
 * ```
 */

// Parse tree.
export { parse } from './parser.js';
export type { ParseResult, ParseOptions } from './parser.js';
export { dump } from './dump.js';
export { nodeArgs } from './node.js';
export type { Node, Heredoc, Warning } from './node.js';
export { detectSyntax, parseDirective, DirectiveParser, DIRECTIVE_NAMES } from './directives.js';
export type { Directive, DirectiveName, DirectiveLookup } from './directives.js';
export { parseHeredoc, heredocsFromLine, chompHeredocContent } from './heredoc.js';
export { parseWords, parseJSONArray, splitCommand, INSTRUCTION_NAMES } from './line-parsers.js';

// Errors.
export { DockerfileSyntaxError } from './errors.js';
export type { LineRange } from './errors.js';

// Typed instructions.
export { parseInstruction } from './instructions/parse.js';
export type { Instruction, InstructionKind, Command, ParseInstructionOptions } from './instructions/parse.js';
export { expandInstruction } from './instructions/expand.js';
export { BuilderFlags } from './instructions/bflags.js';
export type { Flag } from './instructions/bflags.js';
export { handleJSONArgs } from './instructions/types.js';
export type {
  ArgDefinition,
  CommandLine,
  Expanders,
  InlineFile,
  InstructionBase,
  KeyValuePair,
  SourceLocation,
} from './instructions/types.js';
export type { FromInstruction } from './instructions/from.js';
export type { RunInstruction, MountSpec, NetworkMode, SecurityMode } from './instructions/run.js';
export { parseMount, ramInBytes } from './instructions/run-mount.js';
export type { RunMount, MountType, CacheSharing } from './instructions/run-mount.js';
export { parseDevice } from './instructions/run-device.js';
export type { RunDevice } from './instructions/run-device.js';
export type { CmdInstruction, EntrypointInstruction } from './instructions/cmd-entrypoint.js';
export type { CopyInstruction, AddInstruction, SourceContent } from './instructions/copy.js';
export type { EnvInstruction, LabelInstruction } from './instructions/env-label.js';
export type { ArgInstruction } from './instructions/arg.js';
export type { ExposeInstruction } from './instructions/expose.js';
export type { VolumeInstruction } from './instructions/volume.js';
export type { UserInstruction, WorkdirInstruction } from './instructions/user-workdir.js';
export type { ShellInstruction } from './instructions/shell.js';
export type { StopSignalInstruction } from './instructions/stopsignal.js';
export { parseOptInterval } from './instructions/healthcheck.js';
export type { HealthcheckInstruction, HealthConfig } from './instructions/healthcheck.js';
export type { OnbuildInstruction } from './instructions/onbuild.js';
export { parseOnbuildTrigger } from './instructions/onbuild-trigger.js';
export type { MaintainerInstruction } from './instructions/maintainer.js';

// Stages.
export { parseDockerfile, findStage, stageDisplayName, stageGraph, stagesForTarget, TargetNotFoundError } from './stages.js';
export type { Dockerfile, Stage, StageEdge, StageGraph, StageGraphOptions, StageNode, ImageSource } from './stages.js';

// Word expansion, .dockerignore and build checks (shell-lex.ts, dockerignore.ts, checks/) are
// exported below by their module.

// Word expansion (BuildKit's shell lexer) and which instructions expand.
export {
  ShellLex,
  ShellExpansionError,
  processWord,
  processWords,
  processWordsWithMatches,
  expandWord,
  expandWords,
  envFromList,
  toEnvGetter,
} from './shell-lex.js';
export type { Env, EnvGetter, ExpandOptions, ProcessWordResult, ProcessWordsResult, ShellLexOptions } from './shell-lex.js';
export { EXPANDING_INSTRUCTIONS, EXPANSION_RULES, instructionExpandsVariables } from './expansion-rules.js';
export type { ExpansionRule } from './expansion-rules.js';

// Build args and stage environments.
export {
  BuildArgs,
  StageArgs,
  PROXY_ARG_NAMES,
  PLATFORM_ARG_NAMES,
  DEFAULT_PATH,
  isProxyArgName,
  isBuildkitArgName,
  platformArgs,
  unconsumedBuildArgsWarning,
} from './args.js';
export type { ArgDeclaration, ResolvedArg, BuildArgsOptions } from './args.js';

// .dockerignore.
export {
  readIgnoreFile,
  ignoreFileCandidates,
  trimBuildFilesFromExcludes,
  DOCKERIGNORE_FILENAME,
  ALWAYS_READ_DESPITE_IGNORE,
  PatternMatcher,
  Pattern,
  IgnorePatternError,
  NO_MATCH_INFO,
  matchesPatterns,
  matchesOrParentMatches,
} from './dockerignore.js';
export type { MatchInfo } from './dockerignore.js';

// Build checks.
export {
  CHECK_RULES,
  findCheckRule,
  parseCheckDirective,
  mergeCheckConfig,
  CheckDirectiveError,
  DEFAULT_CHECK_CONFIG,
  lint,
  lintDockerfile,
  checkViolation,
  formatCheckWarning,
  looksLikeSecretName,
  CheckViolationError,
} from './checks/index.js';
export type { CheckRule, CheckConfig, CheckWarning, LintOptions, LintResult, BaseImageInfo } from './checks/index.js';
