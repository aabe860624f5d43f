/**
 * Build arguments and a stage's environment, as BuildKit's dispatcher models them.
 *
 * The rules (Dockerfile reference "ARG", `dockerfile2llb/convert.go`):
 * - ARGs before the first FROM are *meta* args: they are visible in FROM lines only (image and
 *   `--platform`), unless a stage re-declares them with a bare `ARG NAME`, which takes the
 *   global value;
 * - `--build-arg NAME=v` replaces a declared ARG's default (the given value is not expanded);
 *   a default is expanded with what is visible at that point;
 * - inside a stage an ARG with a value sets the build environment (RUN sees it as an env var, and
 *   later words expand with it); ENV does too and also goes into the image config; whichever was
 *   set last wins, so `ENV X=a` after `ARG X` overrides the build arg;
 * - a stage built FROM another stage inherits its ARGs and environment;
 * - the proxy args (HTTP_PROXY, HTTPS_PROXY, FTP_PROXY, NO_PROXY, ALL_PROXY, either case) need
 *   no declaration: RUN gets them as env, but they stay out of the history and the cache key
 *   unless declared with ARG;
 * - the platform args (BUILDPLATFORM, TARGETARCH, …) are predefined meta args;
 * - a RUN's history line lists the stage's declared build args: `RUN |2 A=1 B= /bin/sh -c …`.
 *
 * Pure, except that the default platform is `oci`'s `hostPlatform()` (read from `process`).
 */
import { formatAll, formatPlatform, hostPlatform, type Platform } from '../oci/index.js';
import type { Expanders } from './instructions/types.js';
import { processWord, processWordsWithMatches, ShellLex, type EnvGetter, type ProcessWordResult, type ProcessWordsResult } from './shell-lex.js';

/** The proxy args usable without declaration (and kept out of history unless declared). */
export const PROXY_ARG_NAMES: readonly string[] = Object.freeze([
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
]);

/** The automatic platform args (global scope: a stage must `ARG NAME` to see one). */
export const PLATFORM_ARG_NAMES: readonly string[] = Object.freeze([
  'TARGETPLATFORM',
  'TARGETOS',
  'TARGETARCH',
  'TARGETVARIANT',
  'BUILDPLATFORM',
  'BUILDOS',
  'BUILDARCH',
  'BUILDVARIANT',
]);

/** Args BuildKit sets or reads itself; a given value is never reported as unconsumed. */
const BUILTIN_ARG_NAMES = new Set(['BUILDOSVERSION', 'TARGETOSVERSION', 'TARGETSTAGE', 'SOURCE_DATE_EPOCH']);

/** Args that configure BuildKit and never enter the build environment. */
const NON_ENV_ARGS = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);

/** The PATH BuildKit gives a Linux stage whose base image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** True for HTTP_PROXY and its siblings, in either case (BuildKit compares case-insensitively). */
export function isProxyArgName(name: string): boolean {
  return PROXY_ARG_NAMES.includes(name.toUpperCase());
}

/** True for `BUILDKIT_*` args: builder settings we accept and ignore. */
export function isBuildkitArgName(name: string): boolean {
  return name.startsWith('BUILDKIT_');
}

/** A name/value list that keeps definition order; setting an existing name keeps its place. */
class EnvList implements EnvGetter {
  readonly #values = new Map<string, string>();
  constructor(entries?: Iterable<[string, string]>) {
    if (entries !== undefined) for (const [k, v] of entries) this.#values.set(k, v);
  }
  get(name: string): string | undefined {
    return this.#values.get(name);
  }
  keys(): string[] {
    return [...this.#values.keys()];
  }
  set(name: string, value: string): void {
    this.#values.set(name, value);
  }
  has(name: string): boolean {
    return this.#values.has(name);
  }
  entries(): [string, string][] {
    return [...this.#values.entries()];
  }
  clone(): EnvList {
    return new EnvList(this.#values);
  }
}

/** One name of an ARG instruction; `value` is the default as written (unexpanded). */
export interface ArgDeclaration {
  key: string;
  value?: string;
}

/** A declared ARG after resolution. */
export interface ResolvedArg {
  key: string;
  /** undefined: declared without a value anywhere. */
  value?: string;
}

export interface BuildArgsOptions {
  /** `--build-arg` values. */
  buildArgs?: Readonly<Record<string, string>>;
  /** Defaults to {@link hostPlatform}. */
  buildPlatform?: Platform;
  /** Defaults to the build platform. */
  targetPlatform?: Platform;
  /** The target stage's name (TARGETSTAGE); "default" when empty. */
  targetStage?: string;
  /** The Dockerfile's escape character. */
  escape?: string;
}

/**
 * The predefined platform args and TARGETSTAGE, each overridable by a build arg of the same name.
 */
export function platformArgs(options: BuildArgsOptions = {}): [string, string][] {
  const bp = options.buildPlatform ?? hostPlatform();
  const tp = options.targetPlatform ?? bp;
  const pairs: [string, string][] = [
    ['BUILDPLATFORM', formatPlatform(bp)],
    ['BUILDOS', bp.os],
    ['BUILDOSVERSION', bp['os.version'] ?? ''],
    ['BUILDARCH', bp.architecture],
    ['BUILDVARIANT', bp.variant ?? ''],
    ['TARGETPLATFORM', formatAll(tp)],
    ['TARGETOS', tp.os],
    ['TARGETOSVERSION', tp['os.version'] ?? ''],
    ['TARGETARCH', tp.architecture],
    ['TARGETVARIANT', tp.variant ?? ''],
    ['TARGETSTAGE', options.targetStage !== undefined && options.targetStage !== '' ? options.targetStage : 'default'],
  ];
  const given = options.buildArgs ?? {};
  return pairs.map(([k, v]) => [k, Object.prototype.hasOwnProperty.call(given, k) ? given[k]! : v]);
}

/**
 * The global (meta) scope of a build: predefined args plus the ARGs before the first FROM.
 *
 * @example
 * ```ts
 * const args = new BuildArgs([{ key: 'BASE', value: 'alpine' }], { buildArgs: { BASE: 'debian' } });
 * args.expandFrom('$BASE:12').result; // 'debian:12'
 * const stage = args.stage();
 * stage.declareArgs([{ key: 'BASE' }]); // re-declared: takes the global value
 * ```
 */
export class BuildArgs {
  readonly options: BuildArgsOptions;
  readonly #buildArgs: Readonly<Record<string, string>>;
  readonly #global: EnvList;
  /** Meta ARG declarations by name (also those without a value). */
  readonly #declared = new Map<string, ResolvedArg>();
  /** Names declared by some ARG anywhere (for the unconsumed-args warning). */
  readonly #consumed = new Set<string>();

  /**
   * @param metaArgs the ARG instructions' names before the first FROM, in order
   * @throws {ShellExpansionError} when a default does not expand
   */
  constructor(metaArgs: readonly ArgDeclaration[] = [], options: BuildArgsOptions = {}) {
    this.options = options;
    this.#buildArgs = options.buildArgs ?? {};
    this.#global = new EnvList(platformArgs(options));
    for (const decl of metaArgs) {
      this.#consumed.add(decl.key);
      let value: string | undefined;
      if (this.#has(decl.key)) value = this.#buildArgs[decl.key];
      else if (decl.value !== undefined) value = processWord(decl.value, this.#global, this.#lexOptions()).result;
      if (value !== undefined) this.#global.set(decl.key, value);
      this.#declared.set(decl.key, value === undefined ? { key: decl.key } : { key: decl.key, value });
    }
  }

  #has(key: string): boolean {
    return Object.prototype.hasOwnProperty.call(this.#buildArgs, key);
  }

  #lexOptions(): { escape?: string } {
    return this.options.escape === undefined ? {} : { escape: this.options.escape };
  }

  /** The values FROM lines see. */
  get globalEnv(): EnvGetter {
    return this.#global;
  }

  /** The meta ARGs as declared and resolved, by name. */
  get metaArgs(): ReadonlyMap<string, ResolvedArg> {
    return this.#declared;
  }

  /** Build-arg values as given. */
  get buildArgValues(): Readonly<Record<string, string>> {
    return this.#buildArgs;
  }

  /**
   * Expands a FROM word (image name or `--platform`) with the global args.
   * @throws {ShellExpansionError}
   */
  expandFrom(word: string): ProcessWordResult {
    return processWord(word, this.#global, this.#lexOptions());
  }

  /**
   * A new stage scope.
   * @param base the stage this one is built FROM, if any (its args and environment carry over)
   * @param imageEnv the base image's config Env (`KEY=VALUE`), when FROM an image
   */
  stage(base?: StageArgs, imageEnv: readonly string[] = []): StageArgs {
    return new StageArgs(this, base, imageEnv, (key) => this.#consumed.add(key));
  }

  /**
   * The SOURCE_DATE_EPOCH requested for this build, as written (seconds, or `context` for the
   * context's commit time): a build arg wins even when empty, else a non-empty meta ARG value
   * (BuildKit's `getBuildArgValue`). Undefined when none; resolving it is the build's job.
   */
  sourceDateEpoch(): string | undefined {
    if (Object.prototype.hasOwnProperty.call(this.#buildArgs, 'SOURCE_DATE_EPOCH')) return this.#buildArgs['SOURCE_DATE_EPOCH'];
    const v = this.#global.get('SOURCE_DATE_EPOCH');
    return v === undefined || v === '' ? undefined : v;
  }

  /** Proxy settings from the build args, as RUN's extra environment (both spellings, sorted by key). */
  proxyEnv(): string[] {
    const found = new Map<string, string>();
    for (const key of Object.keys(this.#buildArgs).sort()) {
      if (isProxyArgName(key)) found.set(key.toUpperCase(), this.#buildArgs[key]!);
    }
    const out: string[] = [];
    for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY']) {
      const v = found.get(name);
      if (v !== undefined && v !== '') out.push(`${name}=${v}`, `${name.toLowerCase()}=${v}`);
    }
    return out;
  }

  /**
   * Build args that were given but that no ARG declared (in the meta args or any stage created
   * so far), sorted; predefined, proxy and BUILDKIT_* args never count.
   */
  unconsumedBuildArgs(): string[] {
    return Object.keys(this.#buildArgs)
      .filter(
        (k) =>
          !this.#consumed.has(k) &&
          !isProxyArgName(k) &&
          !isBuildkitArgName(k) &&
          !PLATFORM_ARG_NAMES.includes(k) &&
          !BUILTIN_ARG_NAMES.has(k),
      )
      .sort();
  }
}

/** The classic builder's warning text for {@link BuildArgs.unconsumedBuildArgs}; undefined when none. */
export function unconsumedBuildArgsWarning(names: readonly string[]): string | undefined {
  return names.length === 0 ? undefined : `[Warning] One or more build-args [${names.join(' ')}] were not consumed`;
}

/** One stage's build environment and declared args, updated instruction by instruction. */
export class StageArgs {
  readonly #root: BuildArgs;
  readonly #consume: (key: string) => void;
  /** What RUN sees and words expand with: image env, ARG values, ENV values. */
  readonly #env: EnvList;
  /** What goes into the image config's Env: image env and ENV only. */
  readonly #imageEnv: EnvList;
  readonly #args: ResolvedArg[];

  constructor(root: BuildArgs, base: StageArgs | undefined, imageEnv: readonly string[], consume: (key: string) => void) {
    this.#root = root;
    this.#consume = consume;
    if (base !== undefined) {
      this.#env = base.#env.clone();
      this.#imageEnv = base.#imageEnv.clone();
      this.#args = [...base.#args];
    } else {
      this.#imageEnv = new EnvList();
      for (const entry of imageEnv) {
        const eq = entry.indexOf('=');
        this.#imageEnv.set(eq < 0 ? entry : entry.slice(0, eq), eq < 0 ? '' : entry.slice(eq + 1));
      }
      if (!this.#imageEnv.has('PATH')) this.#imageEnv.set('PATH', DEFAULT_PATH);
      this.#env = this.#imageEnv.clone();
      this.#args = [];
    }
  }

  #lexOptions(): { escape?: string } {
    return this.#root.options.escape === undefined ? {} : { escape: this.#root.options.escape };
  }

  /** The environment words are expanded with, and RUN runs with (without proxy settings). */
  get env(): EnvGetter {
    return this.#env;
  }

  /** The args declared in this stage (and inherited), in order; a name may repeat. */
  get declaredArgs(): readonly ResolvedArg[] {
    return this.#args;
  }

  /**
   * Applies one ARG instruction: a build arg wins, then the expanded default, then (for a bare
   * name) the global value.
   * @returns the resolved args and the history text (`ARG A=1 B`)
   * @throws {ShellExpansionError} when a default does not expand
   */
  declareArgs(
    decls: readonly ArgDeclaration[],
    onExpand?: (arg: ArgDeclaration, result: ProcessWordResult) => void,
  ): { args: ResolvedArg[]; history: string } {
    const resolved: ResolvedArg[] = [];
    const given = this.#root.buildArgValues;
    for (const decl of decls) {
      this.#consume(decl.key);
      const hasValue = Object.prototype.hasOwnProperty.call(given, decl.key);
      let value: string | undefined;
      if (hasValue) value = given[decl.key];
      else if (decl.value !== undefined) {
        const r = processWord(decl.value, this.#env, this.#lexOptions());
        onExpand?.(decl, r);
        value = r.result;
      } else value = this.#root.globalEnv.get(decl.key);
      if (value !== undefined && !NON_ENV_ARGS.has(decl.key)) this.#env.set(decl.key, value);
      const arg: ResolvedArg = value === undefined ? { key: decl.key } : { key: decl.key, value };
      this.#args.push(arg);
      resolved.push(arg);
    }
    const history = `ARG ${resolved.map((a) => (a.value === undefined ? a.key : `${a.key}=${a.value}`)).join(' ')}`;
    return { args: resolved, history };
  }

  /**
   * Applies one ENV instruction: all keys and values are expanded with the environment from
   * before it (`ENV a=1 b=$a` gives b the old a), then set.
   * @returns the expanded pairs
   * @throws {ShellExpansionError}
   */
  setEnv(pairs: readonly { key: string; value: string }[]): { key: string; value: string }[] {
    const expanded = pairs.map((p) => ({ key: this.expandWord(p.key).result, value: this.expandWord(p.value).result }));
    this.setExpandedEnv(expanded);
    return expanded;
  }

  /** Sets ENV pairs that were already expanded (the build engine expands whole instructions first). */
  setExpandedEnv(pairs: readonly { key: string; value: string }[]): void {
    for (const { key, value } of pairs) {
      this.#env.set(key, value);
      this.#imageEnv.set(key, value);
    }
  }

  /** Expands one word with the stage environment. @throws {ShellExpansionError} */
  expandWord(word: string): ProcessWordResult {
    return processWord(word, this.#env, this.#lexOptions());
  }

  /** Expands and splits (EXPOSE). @throws {ShellExpansionError} */
  expandWords(word: string): ProcessWordsResult {
    return processWordsWithMatches(word, this.#env, this.#lexOptions());
  }

  /**
   * Word expanders over the current environment, for `expandInstruction`: `word` for single
   * words, `words` for EXPOSE, `raw` for heredoc bodies (quotes untouched, always with the
   * backslash escape, as BuildKit does). `onUnmatched` hears the names that were not set
   * (BuildKit's UndefinedVar check; `words` does not report, as in BuildKit).
   */
  expanders(onUnmatched?: (names: ReadonlySet<string>) => void): Required<Expanders> {
    const raw = new ShellLex({ skipProcessQuotes: true });
    return {
      word: (w) => {
        const r = this.expandWord(w);
        onUnmatched?.(r.unmatched);
        return r.result;
      },
      words: (w) => this.expandWords(w).words,
      raw: (text) => {
        const r = raw.processWord(text, this.#env);
        onUnmatched?.(r.unmatched);
        return r.result;
      },
    };
  }

  /** The image config's Env entries (`KEY=VALUE`, definition order). */
  imageEnv(): string[] {
    return this.#imageEnv.entries().map(([k, v]) => `${k}=${v}`);
  }

  /**
   * The build args a RUN records, in BuildKit's order: every declared arg once (a re-declared
   * name keeps its first place), with its current environment value, else its declared value.
   * These go into the history line and the step's cache key.
   */
  runBuildArgs(): [string, string][] {
    const out = new Map<string, string>();
    for (const arg of this.#args) out.set(arg.key, this.#env.get(arg.key) ?? arg.value ?? '');
    return [...out.entries()];
  }

  /** BuildKit's RUN history text: `|N K=V … <args joined by spaces>`. */
  runHistory(args: readonly string[]): string {
    const pairs = this.runBuildArgs().map(([k, v]) => `${k}=${v}`);
    const prefix = pairs.length > 0 ? [`|${pairs.length}`, ...pairs] : [];
    return [...prefix, ...args].join(' ');
  }

  /** The environment a RUN executes with: the stage environment plus the proxy settings. */
  runEnv(): string[] {
    const base = this.#env.entries().map(([k, v]) => `${k}=${v}`);
    const names = new Set(this.#env.keys());
    return [...base, ...this.#root.proxyEnv().filter((e) => !names.has(e.slice(0, e.indexOf('='))))];
  }
}
