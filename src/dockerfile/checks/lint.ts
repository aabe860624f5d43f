/**
 * Build checks: BuildKit's linter rules run over a parsed Dockerfile.
 *
 * Most rules depend on what the builder knows at each instruction (which ARGs are declared, what
 * ENV set, whether an absolute WORKDIR came first), so `lint` walks the stages the way BuildKit's
 * dispatcher does, without running anything: meta args and FROM expansion first, then each stage
 * (all of them, or those `target` needs) instruction by instruction, expanding words with the
 * model from `args.ts`. Where BuildKit fires a rule, we fire it, with its message and lines.
 *
 * What needs the outside world is passed in: `.dockerignore` patterns (CopyIgnoredFile), base
 * images' config (their env for UndefinedVar, their platform for InvalidBaseImagePlatform).
 */
import { formatAll, hostPlatform, InvalidPlatformError, parsePlatform, type Platform } from '../../oci/index.js';
import { BuildArgs, PLATFORM_ARG_NAMES, type StageArgs } from '../args.js';
import { goQuote } from '../../go-compat.js';
import { goLower, goUpper, suggestName } from '../_go.js';
import { DockerfileSyntaxError, type LineRange } from '../errors.js';
import { parseInstruction, type Command } from '../instructions/parse.js';
import { expandInstruction } from '../instructions/expand.js';
import type { ArgInstruction } from '../instructions/arg.js';
import type { SourceLocation } from '../instructions/types.js';
import { nodeArgs } from '../node.js';
import { parse, type ParseResult } from '../parser.js';
import { PatternMatcher } from '../pattern-matcher.js';
import { ShellExpansionError, type ProcessWordResult } from '../shell-lex.js';
import { stageGraph, stagesForTarget, type Stage } from '../stages.js';
import { cleanPath } from '../internal/go-path.js';
import { configFromComments, DEFAULT_CHECK_CONFIG, parseCheckDirective, ruleEnabled, type CheckConfig } from './config.js';
import { isValidImageReference } from './_reference.js';
import * as R from './rules.js';
import type { CheckRule } from './rules.js';

/** One finding. */
export interface CheckWarning {
  /** The rule's name (`SecretsUsedInArgOrEnv`). */
  rule: string;
  /** The message for this occurrence: BuildKit's text, plus the rule's hint when it has one. */
  message: string;
  /** BuildKit's exact message text (what `docker build --check` prints). */
  buildkitMessage: string;
  /** The rule's one-line description. */
  description: string;
  /** What to do about it, without links. */
  explanation: string;
  url: string;
  /** The source lines it points at (1-based, inclusive). */
  location: LineRange[];
}

/** What a base image contributes, when the caller knows it. */
export interface BaseImageInfo {
  /** Config Env (`KEY=VALUE`). */
  env?: readonly string[];
  /** The platform it was resolved to. */
  platform?: Platform;
  /** Config Shell. */
  shell?: readonly string[];
}

export interface LintOptions {
  filename?: string;
  /** `--build-arg` values. */
  buildArgs?: Readonly<Record<string, string>>;
  /** Only the stages this target needs are checked; all stages when absent (as `docker build --check`). */
  target?: string;
  buildPlatform?: Platform;
  targetPlatform?: Platform;
  /** The `.dockerignore` patterns in force (CopyIgnoredFile runs only when given). */
  ignorePatterns?: readonly string[];
  /** Replaces the file's `# check=` directive (as `--check` options do in BuildKit). */
  config?: CheckConfig;
  /** Base image details by (expanded) reference. */
  baseImage?: (ref: string, platform: Platform) => BaseImageInfo | undefined;
}

/** What `lintDockerfile` found. */
export interface LintResult {
  warnings: CheckWarning[];
  /** The configuration in force (from the directive or the caller). */
  config: CheckConfig;
  /** Set when the Dockerfile would not build; checks stop there, as BuildKit's do. */
  error?: { message: string; location: LineRange[] };
}

/** A lint with `error=true` found violations. */
export class CheckViolationError extends DockerfileSyntaxError {
  readonly rules: string[];
  constructor(rules: string[], filename?: string) {
    super(`lint violation found for rules: ${rules.join(', ')}`, [], filename === undefined ? {} : { filename });
    this.rules = rules;
  }
}

const NON_ENV_ARGS = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);
const RESERVED_STAGE_NAMES = new Set(['context', 'scratch']);
const SECRET_WORDS = ['apikey', 'auth', 'credential', 'credentials', 'key', 'password', 'pword', 'passwd', 'secret', 'token'];
const ALLOW_WORDS = ['public', 'file', 'version'];
const SECRET_DENY = new RegExp(`(?:_|^)(?:${SECRET_WORDS.join('|')})(?:_|$)`, 'i');
const SECRET_ALLOW = new RegExp(`(?:_|^)(?:${ALLOW_WORDS.join('|')})(?:_|$)`, 'i');

/**
 * Whether an ARG or ENV name looks like it holds a secret (BuildKit's rule): one of apikey, auth,
 * credential(s), key, password, pword, passwd, secret, token as the whole name or as one of its
 * `_`-separated words, case-insensitive, unless public, file or version is such a word too
 * (`GITHUB_TOKEN` and `AWS_SECRET_ACCESS_KEY` are secrets, `PUBLIC_KEY` and `TOKENIZER` are not).
 */
export function looksLikeSecretName(name: string): boolean {
  return SECRET_DENY.test(name) && !SECRET_ALLOW.test(name);
}


/** containerd's `platforms.Parse` (oci's parsePlatform), undefined where it fails, as the check needs. */
function parsePlatformIfValid(spec: string): Platform | undefined {
  try {
    return parsePlatform(spec);
  } catch (err) {
    if (err instanceof InvalidPlatformError) return undefined;
    throw err;
  }
}

function rangeOf(loc: SourceLocation): LineRange[] {
  return loc.startLine > 0 ? [{ start: loc.startLine, end: Math.max(loc.startLine, loc.endLine) }] : [];
}

/** Stops the walk with a build error; the checks found so far stay. */
class BuildStop extends Error {
  constructor(
    message: string,
    readonly location: LineRange[],
  ) {
    super(message);
  }
}

/** Per-stage dispatch state the rules look at. */
interface StageState {
  stage: Stage;
  args: StageArgs;
  shell: readonly string[];
  workdirSet: boolean;
}

class Linter {
  readonly warnings: CheckWarning[] = [];
  readonly options: LintOptions;
  readonly config: CheckConfig;

  constructor(options: LintOptions, config: CheckConfig) {
    this.options = options;
    this.config = config;
  }

  run(rule: CheckRule, config: CheckConfig, location: LineRange[], message: string): void {
    if (!ruleEnabled(config, rule)) return;
    this.warnings.push({
      rule: rule.name,
      message: rule.hint === undefined ? message : `${message}: ${rule.hint}`,
      buildkitMessage: message,
      description: rule.description,
      explanation: rule.explanation,
      url: rule.url,
      location,
    });
  }
}

/**
 * Runs the build checks; returns the warnings, the configuration and, when the Dockerfile would
 * not build, the error that stopped the walk.
 *
 * @param input Dockerfile text, or an already parsed result
 * @throws {CheckDirectiveError} when the `# check=` directive is malformed (BuildKit fails the build)
 * @throws {DockerfileSyntaxError} when the text does not parse at all
 */
export function lintDockerfile(input: string | ParseResult, options: LintOptions = {}): LintResult {
  const result = typeof input === 'string' ? parse(input, options.filename === undefined ? {} : { filename: options.filename }) : input;
  const directive = result.directives.find((d) => d.name === 'check');
  // BuildKit: the BUILDKIT_DOCKERFILE_CHECK build arg replaces the directive, as the caller's config does.
  const fromArg = options.buildArgs?.['BUILDKIT_DOCKERFILE_CHECK'];
  const config =
    options.config ??
    (fromArg !== undefined ? parseCheckDirective(fromArg) : directive === undefined ? DEFAULT_CHECK_CONFIG : parseCheckDirective(directive.value));
  const linter = new Linter(options, config);
  try {
    walk(result, linter);
  } catch (err) {
    if (err instanceof BuildStop) return { warnings: linter.warnings, config, error: { message: err.message, location: err.location } };
    if (err instanceof DockerfileSyntaxError) {
      // An instruction BuildKit cannot parse: its message names the line.
      const message = err.line > 0 ? `dockerfile parse error on line ${err.line}: ${err.reason}` : err.reason;
      return { warnings: linter.warnings, config, error: { message, location: err.lines } };
    }
    throw err;
  }
  if (config.error && linter.warnings.length > 0) {
    const rules = [...new Set(linter.warnings.map((w) => w.rule))];
    return { warnings: linter.warnings, config, error: { message: `lint violation found for rules: ${rules.join(', ')}`, location: [] } };
  }
  return { warnings: linter.warnings, config };
}

/**
 * The build check warnings for a Dockerfile (see {@link lintDockerfile} for the error and config).
 *
 * @example
 * ```ts
 * lint('FROM alpine\nARG DB_PASSWORD\n').map((w) => w.rule); // ['SecretsUsedInArgOrEnv']
 * ```
 */
export function lint(input: string | ParseResult, options: LintOptions = {}): CheckWarning[] {
  return lintDockerfile(input, options).warnings;
}

/**
 * One warning on one line, as `docker build` lists them (BuildKit's `LintFormatShort`):
 * `Rule: message (line N)`; the message includes the rule's hint where it has one.
 */
export function formatCheckWarning(w: CheckWarning): string {
  const line = w.location[0]?.start ?? 0;
  return `${w.rule}: ${w.message}${line > 0 ? ` (line ${line})` : ''}`;
}

/** The error `# check=error=true` turns warnings into, or undefined. */
export function checkViolation(result: LintResult, filename?: string): CheckViolationError | undefined {
  if (!result.config.error || result.warnings.length === 0) return undefined;
  return new CheckViolationError([...new Set(result.warnings.map((w) => w.rule))], filename);
}

function walk(result: ParseResult, linter: Linter): void {
  const options = linter.options;
  const root = linter.config;

  for (const w of result.warnings) {
    if (w.url === R.NoEmptyContinuation.url) linter.run(R.NoEmptyContinuation, root, [{ start: w.line, end: w.line }], R.NoEmptyContinuation.format());
  }

  // instructions.Parse: typed instructions, with the rules it checks on the way.
  const stages: Stage[] = [];
  const metaArgs: ArgInstruction[] = [];
  for (const node of result.ast.children) {
    const config = configFromComments(root, node.prevComment);
    const location: LineRange[] = node.startLine > 0 ? [{ start: node.startLine, end: Math.max(node.startLine, node.endLine) }] : [];
    const keyword = goLower(node.value);
    if (keyword === 'maintainer') linter.run(R.MaintainerDeprecated, config, location, R.MaintainerDeprecated.format());
    if (keyword === 'from') {
      const args = nodeArgs(node);
      if (args.length === 3 && args[2] !== goLower(args[2]!)) linter.run(R.StageNameCasing, config, location, R.StageNameCasing.format(args[2]!));
      if (args.length >= 3) {
        const lower = node.value === goLower(node.value);
        const upper = node.value === goUpper(node.value);
        if ((lower && args[1] !== goLower(args[1]!)) || (upper && !lower && args[1] !== goUpper(args[1]!))) {
          linter.run(R.FromAsCasing, config, location, R.FromAsCasing.format(node.value, args[1]!));
        }
      }
    }
    const c = parseInstruction(node, options.filename === undefined ? {} : { filename: options.filename });
    if (c.kind === 'from' && c.stageName !== '') validateDefinitionDescription('FROM', [c.stageName], node.prevComment, location, config, linter);
    if (c.kind === 'arg') validateDefinitionDescription('ARG', c.args.map((a) => a.key), node.prevComment, location, config, linter);
    if (c.kind === 'from') {
      stages.push({ index: stages.length, name: c.stageName, baseName: c.baseName, platform: c.platform, from: c, commands: [], location: c.location, docComment: c.docComment });
    } else if (stages.length === 0) {
      if (c.kind !== 'arg') throw new BuildStop('no build stage in current context', rangeOf(c.location));
      metaArgs.push(c);
    } else {
      stages[stages.length - 1]!.commands.push(c);
    }
  }
  if (stages.length === 0) throw new BuildStop('dockerfile contains no stages to build', []);

  validateStageNames(stages, linter);
  validateCommandCasing(stages, linter);

  const targetStage = options.target !== undefined && options.target !== '' ? options.target : stages[stages.length - 1]!.name;
  const platformOverrides = Object.fromEntries(
    Object.entries(options.buildArgs ?? {}).filter(
      ([k]) => PLATFORM_ARG_NAMES.includes(k) || k === 'TARGETSTAGE' || k === 'BUILDOSVERSION' || k === 'TARGETOSVERSION',
    ),
  );
  const common = {
    ...(options.buildPlatform === undefined ? {} : { buildPlatform: options.buildPlatform }),
    ...(options.targetPlatform === undefined ? {} : { targetPlatform: options.targetPlatform }),
    targetStage,
    escape: result.escapeToken,
  };
  const metaDecls = metaArgs.flatMap((a) => a.args.map((d) => (d.value === undefined ? { key: d.key } : { key: d.key, value: d.value })));

  // InvalidDefaultArgInFrom: FROM with the defaults alone must name a valid image.
  validateDefaultBaseImages(stages, metaDecls, { ...common, buildArgs: platformOverrides }, linter);

  let args: BuildArgs;
  try {
    args = new BuildArgs(metaDecls, { ...common, buildArgs: options.buildArgs ?? {} });
  } catch (err) {
    if (err instanceof ShellExpansionError) {
      // BuildKit points at the ARG whose default failed.
      const failed = metaArgs.find((a) => a.args.some((d) => d.value === err.word)) ?? metaArgs[0];
      throw new BuildStop(err.message, failed === undefined ? [] : rangeOf(failed.location));
    }
    throw err;
  }
  const argKeys = [...new Set([...args.metaArgs.keys(), ...args.globalEnv.keys()])];
  const targetPlatform = options.targetPlatform ?? options.buildPlatform ?? hostPlatform();

  // FROM lines: base names and platforms, with the global args.
  const expandedBase = new Map<Stage, string>();
  const stagePlatform = new Map<Stage, Platform>();
  for (const st of stages) {
    const config = configFromComments(root, st.from.comments);
    const location = rangeOf(st.location);
    const nameMatch = expandOrStop(() => args.expandFrom(st.baseName), location);
    reportUndefinedFromArgs(nameMatch, argKeys, location, config, linter);
    if (nameMatch.result === '') throw new BuildStop(`base name (${st.baseName}) should not be blank`, location);
    expandedBase.set(st, nameMatch.result);
    if (st.platform !== '') {
      const platMatch = expandOrStop(() => args.expandFrom(st.platform), location);
      reportUndefinedFromArgs(platMatch, argKeys, location, config, linter);
      if (platMatch.matched.size === 1 && platMatch.unmatched.size === 0 && platMatch.matched.has('TARGETPLATFORM')) {
        if (platMatch.result === args.globalEnv.get('TARGETPLATFORM')) {
          linter.run(R.RedundantTargetPlatform, config, location, R.RedundantTargetPlatform.format(st.platform));
        }
      }
      if (platMatch.matched.size === 0 && platMatch.unmatched.size === 0) {
        const p = parsePlatformIfValid(platMatch.result);
        if (p !== undefined && !st.name.includes(p.os) && !st.name.includes(p.architecture)) {
          linter.run(R.FromPlatformFlagConstDisallowed, config, location, R.FromPlatformFlagConstDisallowed.format(platMatch.result));
        }
      }
      const suggest = (message: string): string => {
        for (const name of platMatch.unmatched) {
          const m = suggestName(name, args.globalEnv.keys());
          if (m !== '') return `${message} (did you mean ${m}?)`;
        }
        return message;
      };
      if (platMatch.result === '') throw new BuildStop(suggest(`empty platform value from expression ${st.platform}`), location);
      const bad = platMatch.result.split('/').find((part) => !/^[A-Za-z0-9_.-]+$/.test(part));
      if (bad !== undefined) {
        const reason = `${goQuote(bad)} is an invalid component of ${goQuote(platMatch.result)}: platform specifier component must match "^[A-Za-z0-9_.-]+$": invalid argument`;
        throw new BuildStop(`failed to parse platform ${st.platform}: ${suggest(reason)}`, location);
      }
      const p = parsePlatformIfValid(platMatch.result);
      if (p === undefined) throw new BuildStop(`failed to parse platform ${st.platform}`, location);
      stagePlatform.set(st, p);
    }
  }

  // Which stages are dispatched: all for a plain check, else those the target needs.
  let reachable: Set<Stage>;
  if (options.target === undefined || options.target === '') {
    reachable = new Set(stages);
  } else {
    const graph = stageGraph(stages, { escapeToken: result.escapeToken, resolveBaseName: (s: Stage) => expandedBase.get(s) ?? s.baseName });
    reachable = new Set(stagesForTarget(graph, options.target).stages);
  }

  const ignore = options.ignorePatterns !== undefined && options.ignorePatterns.length > 0 ? new PatternMatcher(options.ignorePatterns) : undefined;
  const states = new Map<Stage, StageState>();
  for (const st of stages) {
    const baseName = expandedBase.get(st)!;
    let baseStage: Stage | undefined;
    for (const other of stages) {
      if (other.index >= st.index) break;
      if (other.name !== '' && other.name === baseName) baseStage = other;
    }
    if (!reachable.has(st)) continue;
    const base = baseStage === undefined ? undefined : states.get(baseStage);
    const platform = stagePlatform.get(st) ?? targetPlatform;
    let state: StageState;
    if (base !== undefined) {
      state = { stage: st, args: args.stage(base.args), shell: base.shell, workdirSet: base.workdirSet };
    } else {
      const info = baseName === 'scratch' ? undefined : options.baseImage?.(baseName, platform);
      if (info?.platform !== undefined && (info.platform.os !== platform.os || info.platform.architecture !== platform.architecture)) {
        linter.run(
          R.InvalidBaseImagePlatform,
          configFromComments(root, st.from.comments),
          rangeOf(st.location),
          R.InvalidBaseImagePlatform.format(baseName, formatAll(platform), formatAll(info.platform)),
        );
      }
      state = { stage: st, args: args.stage(undefined, info?.env ?? []), shell: info?.shell ?? [], workdirSet: false };
    }
    dispatchStage(state, linter, ignore);
    states.set(st, state);
  }
}

function expandOrStop(fn: () => ProcessWordResult, location: LineRange[]): ProcessWordResult {
  try {
    return fn();
  } catch (err) {
    if (err instanceof ShellExpansionError) throw new BuildStop(err.message, location);
    throw err;
  }
}

function reportUndefinedFromArgs(match: ProcessWordResult, argKeys: readonly string[], location: LineRange[], config: CheckConfig, linter: Linter): void {
  for (const name of match.unmatched) {
    if (argKeys.includes(name)) continue;
    linter.run(R.UndefinedArgInFrom, config, location, R.UndefinedArgInFrom.format(name, suggestName(name, [...argKeys].sort())));
  }
}

/** InvalidDefinitionDescription (experimental): the comment right above ARG/FROM … AS should start with the name. */
function validateDefinitionDescription(
  instruction: string,
  keys: readonly string[],
  comments: readonly string[],
  location: LineRange[],
  config: CheckConfig,
  linter: Linter,
): void {
  if (comments.length === 0 || keys.length === 0) return;
  const first = comments[comments.length - 1]!.split(' ')[0]!;
  if (keys.includes(first)) return;
  const example = keys.length > 1 ? '<arg_key>' : keys[0]!;
  linter.run(R.InvalidDefinitionDescription, config, location, R.InvalidDefinitionDescription.format(instruction, example));
}

function validateStageNames(stages: readonly Stage[], linter: Linter): void {
  const seen = new Set<string>();
  for (const st of stages) {
    if (st.name === '') continue;
    if (RESERVED_STAGE_NAMES.has(st.name)) linter.run(R.ReservedStageName, linter.config, rangeOf(st.location), R.ReservedStageName.format(st.name));
    if (seen.has(st.name)) linter.run(R.DuplicateStageName, linter.config, rangeOf(st.location), R.DuplicateStageName.format(st.name));
    seen.add(st.name);
  }
}

function validateCommandCasing(stages: readonly Stage[], linter: Linter): void {
  let lower = 0;
  let upper = 0;
  const count = (word: string): void => {
    if (word === goLower(word)) lower++;
    else if (word === goUpper(word)) upper++;
  };
  for (const st of stages) {
    count(st.from.keyword);
    for (const c of st.commands) count(c.keyword);
  }
  const majorityLower = lower > upper;
  const check = (word: string, location: SourceLocation): void => {
    let casing = '';
    if (majorityLower && goLower(word) !== word) casing = 'lowercase';
    else if (!majorityLower && goUpper(word) !== word) casing = 'uppercase';
    if (casing !== '') linter.run(R.ConsistentInstructionCasing, linter.config, rangeOf(location), R.ConsistentInstructionCasing.format(word, casing));
  };
  for (const st of stages) {
    check(st.from.keyword, st.location);
    for (const c of st.commands) check(c.keyword, c.location);
  }
}

function validateDefaultBaseImages(
  stages: readonly Stage[],
  metaDecls: { key: string; value?: string }[],
  options: ConstructorParameters<typeof BuildArgs>[1],
  linter: Linter,
): void {
  let defaults: BuildArgs;
  try {
    defaults = new BuildArgs(metaDecls, options);
  } catch {
    return; // the real build fails on the same default later; no check here
  }
  for (const st of stages) {
    let name: string;
    try {
      name = defaults.expandFrom(st.baseName).result;
    } catch {
      return;
    }
    if (!isValidImageReference(name)) linter.run(R.InvalidDefaultArgInFrom, linter.config, rangeOf(st.location), R.InvalidDefaultArgInFrom.format(st.baseName));
  }
}

/** The tracker for CMD/ENTRYPOINT/HEALTHCHECK: only the last of each counts. */
type Trackers = Partial<Record<'cmd' | 'entrypoint' | 'healthcheck', SourceLocation>>;

function dispatchStage(state: StageState, linter: Linter, ignore: PatternMatcher | undefined): void {
  const trackers: Trackers = {};
  for (const c of state.stage.commands) {
    const config = configFromComments(linter.config, c.comments);
    const location = rangeOf(c.location);
    const reportUnmatched = (unmatched: ReadonlySet<string>): void => {
      const declared = new Set(state.args.declaredArgs.map((a) => a.key));
      for (const name of unmatched) {
        if (declared.has(name) || NON_ENV_ARGS.has(name)) continue;
        linter.run(R.UndefinedVar, config, location, R.UndefinedVar.format(name, suggestName(name, state.args.env.keys())));
      }
    };
    let cmd: Command = c;
    if (c.kind !== 'arg' && c.kind !== 'expose') {
      try {
        const { word, raw } = state.args.expanders(reportUnmatched);
        cmd = expandInstruction(c, { word, raw });
      } catch (err) {
        if (err instanceof ShellExpansionError) throw new BuildStop(err.message, location);
        throw err;
      }
    }
    dispatchCommand(cmd, state, trackers, config, location, linter, ignore, reportUnmatched);
  }
}

function dispatchCommand(
  c: Command,
  state: StageState,
  trackers: Trackers,
  config: CheckConfig,
  location: LineRange[],
  linter: Linter,
  ignore: PatternMatcher | undefined,
  reportUnmatched: (names: ReadonlySet<string>) => void,
): void {
  const usedOnce = (kind: 'cmd' | 'entrypoint' | 'healthcheck'): void => {
    const previous = trackers[kind];
    // The earlier instruction is the one that is ignored, so it is the one reported.
    if (previous !== undefined) linter.run(R.MultipleInstructionsDisallowed, config, rangeOf(previous), R.MultipleInstructionsDisallowed.format(c.keyword));
    trackers[kind] = c.location;
  };
  switch (c.kind) {
    case 'env':
      for (const e of c.env) {
        if (e.noDelim) linter.run(R.LegacyKeyValueFormat, config, location, R.LegacyKeyValueFormat.format(c.keyword));
        if (looksLikeSecretName(e.key)) linter.run(R.SecretsUsedInArgOrEnv, config, location, R.SecretsUsedInArgOrEnv.format('ENV', e.key));
      }
      state.args.setExpandedEnv(c.env);
      break;
    case 'label':
      for (const l of c.labels) {
        if (l.noDelim) linter.run(R.LegacyKeyValueFormat, config, location, R.LegacyKeyValueFormat.format(c.keyword));
      }
      break;
    case 'arg':
      for (const a of c.args) {
        if (looksLikeSecretName(a.key)) linter.run(R.SecretsUsedInArgOrEnv, config, location, R.SecretsUsedInArgOrEnv.format('ARG', a.key));
        try {
          state.args.declareArgs([a.value === undefined ? { key: a.key } : { key: a.key, value: a.value }], (_decl, r) => reportUnmatched(r.unmatched));
        } catch (err) {
          if (err instanceof ShellExpansionError) throw new BuildStop(err.message, location);
          throw err;
        }
      }
      break;
    case 'cmd':
    case 'entrypoint':
      usedOnce(c.kind);
      if (c.command.prependShell && state.shell.length === 0) {
        linter.run(R.JSONArgsRecommended, config, location, R.JSONArgsRecommended.format(c.keyword));
      }
      break;
    case 'healthcheck':
      usedOnce('healthcheck');
      break;
    case 'shell':
      state.shell = c.shell;
      break;
    case 'workdir':
      if (!state.workdirSet && !c.path.startsWith('/')) linter.run(R.WorkdirRelativePath, config, location, R.WorkdirRelativePath.format(c.path));
      state.workdirSet = true;
      break;
    case 'expose':
      for (const raw of c.ports) {
        let ports: string[];
        try {
          ports = state.args.expandWords(raw).words;
        } catch (err) {
          if (err instanceof ShellExpansionError) throw new BuildStop(err.message, location);
          throw err;
        }
        for (const port of ports) checkExposedPort(port, config, location, linter);
      }
      break;
    case 'copy':
    case 'add':
      if (ignore !== undefined && (c.kind === 'add' || c.from === '')) {
        for (const src of c.sources) {
          if (/^(https?|git|ssh):\/\//.test(src) || src.startsWith('git@')) continue;
          checkCopySource(src, c.kind === 'add' ? 'Add' : 'Copy', ignore, config, location, linter);
        }
      }
      break;
    default:
      break;
  }
}

function checkExposedPort(rawPort: string, config: CheckConfig, location: LineRange[], linter: Linter): void {
  const parts = rawPort.split(':');
  const n = parts.length;
  const containerPort = parts[n - 1]!;
  const hostPort = n >= 2 ? parts[n - 2]! : '';
  const ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
  const slash = containerPort.indexOf('/');
  const port = slash < 0 ? containerPort : containerPort.slice(0, slash);
  const proto = slash < 0 ? '' : containerPort.slice(slash + 1);
  if (port === '') throw new BuildStop(`invalid port: ${JSON.stringify(rawPort)}: no port specified`, location);
  if (!['', 'tcp', 'udp', 'sctp'].includes(goLower(proto))) throw new BuildStop(`invalid port: ${JSON.stringify(rawPort)}: invalid proto: ${proto}`, location);
  if (proto !== goLower(proto)) linter.run(R.ExposeProtoCasing, config, location, R.ExposeProtoCasing.format(rawPort));
  if (ip !== '' || hostPort !== '') linter.run(R.ExposeInvalidFormat, config, location, R.ExposeInvalidFormat.format(rawPort));
}

function checkCopySource(source: string, cmd: 'Copy' | 'Add', ignore: PatternMatcher, config: CheckConfig, location: LineRange[], linter: Linter): void {
  // With exceptions a directory may be excluded while a file inside is kept: too hard to tell statically.
  if (ignore.exclusions) return;
  const src = cleanPath(source);
  if (src === '.' || src === '/') {
    // The context root itself is "ignored" only by patterns that exclude every entry.
    const all = ignore.patterns.some((p) => !p.exclusion && ['*', '**', '**/*'].includes(p.pattern));
    if (!all) return;
  }
  let ignored: boolean;
  try {
    ignored = ignore.matchesOrParentMatches(src);
  } catch {
    return;
  }
  if (ignored) linter.run(R.CopyIgnoredFile, config, location, R.CopyIgnoredFile.format(cmd, src));
}
