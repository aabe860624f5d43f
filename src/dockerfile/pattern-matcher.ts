/**
 * The `.dockerignore` pattern matcher, with the results of moby/patternmatcher.
 *
 * Patterns use Go's `filepath.Match` syntax (`*`, `?`, `[a-z]`, `[^…]`, `\` escapes) plus `**`
 * for any number of directories. A pattern starting with `!` is an exception that re-includes;
 * the last pattern that matches decides; a pattern that matches a parent directory matches
 * everything below it. Paths are slash-separated and relative to the context root.
 *
 * Like moby, a pattern is first classified (exact, prefix `dir/**`, suffix `**\/name`, or a
 * regexp) and compiled lazily on first use, so a malformed bracket expression that `New`'s
 * validation misses (`[Local-Only]`) fails at match time with the same error.
 */
import { InvalidArgumentError } from '../errors.js';
import { trimSpace } from './_go.js';
import { BAD_PATTERN, BadPatternError, cleanPath, dirPath, goFilepathMatch } from './internal/go-path.js';
import { compileGoMatcher, GoRegexpSyntaxError, type GoMatcher } from './internal/go-regexp.js';

/** A `.dockerignore` pattern is malformed (`syntax error in pattern`, `illegal exclusion pattern: "!"`). */
export class IgnorePatternError extends InvalidArgumentError {
  constructor(message: string) {
    super('IGNORE_PATTERN', message);
  }
}

type MatchType = 'unknown' | 'exact' | 'prefix' | 'suffix' | 'regexp';

/** Regexp-special characters with no meaning in filepath.Match, escaped when building the regexp. */
const ESCAPED = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);

/** One cleaned pattern. */
export class Pattern {
  /** The cleaned pattern without its `!`. */
  readonly pattern: string;
  /** True for `!` exceptions (re-includes). */
  readonly exclusion: boolean;
  /** The pattern split on `/`. */
  readonly dirs: readonly string[];
  #matchType: MatchType = 'unknown';
  #goRegexp: string | undefined;
  #regexp: GoMatcher | undefined;

  constructor(pattern: string, exclusion: boolean) {
    this.pattern = pattern;
    this.exclusion = exclusion;
    this.dirs = pattern.split('/');
  }

  /** The cleaned pattern (as moby's `String()`). */
  toString(): string {
    return this.pattern;
  }

  /** How moby classified it (`exact`, `prefix`, `suffix`, `regexp`); compiles on first call. */
  get matchType(): Exclude<MatchType, 'unknown'> {
    this.#compile();
    return this.#matchType as Exclude<MatchType, 'unknown'>;
  }

  /** The Go regexp text for `regexp` patterns (moby's, with `/` as separator). */
  get goRegexp(): string | undefined {
    this.#compile();
    return this.#goRegexp;
  }

  /**
   * Whether this pattern alone matches `path` (no parent-directory logic).
   * @throws {IgnorePatternError} `syntax error in pattern` when its regexp does not compile
   */
  match(path: string): boolean {
    this.#compile();
    switch (this.#matchType) {
      case 'exact':
        return path === this.pattern;
      case 'prefix':
        return path.startsWith(this.pattern.slice(0, -2));
      case 'suffix': {
        const suffix = this.pattern.slice(2);
        if (path.endsWith(suffix)) return true;
        return suffix.startsWith('/') && path === suffix.slice(1); // "**/foo" matches "foo"
      }
      case 'regexp':
        if (this.#regexp === undefined) throw new IgnorePatternError(BAD_PATTERN);
        return this.#regexp.test(path);
      default:
        throw new IgnorePatternError(BAD_PATTERN);
    }
  }

  #compile(): void {
    if (this.#matchType !== 'unknown') return;
    const cs = Array.from(this.pattern);
    let re = '^';
    let type: MatchType = 'exact';
    for (let i = 0, k = 0; k < cs.length; i++) {
      const ch = cs[k++]!;
      if (ch === '*') {
        if (cs[k] === '*') {
          k++;
          if (cs[k] === '/') k++; // "**/" is the same as "**"
          if (k >= cs.length) {
            // a trailing "**" accepts everything below, like .gitignore
            if (type === 'exact') type = 'prefix';
            else {
              re += '.*';
              type = 'regexp';
            }
          } else {
            re += '(.*/)?'; // any number of directories, including none
            type = 'regexp';
          }
          if (i === 0) type = 'suffix';
        } else {
          re += '[^/]*';
          type = 'regexp';
        }
      } else if (ch === '?') {
        re += '[^/]';
        type = 'regexp';
      } else if (ESCAPED.has(ch)) {
        re += `\\${ch}`;
      } else if (ch === '\\') {
        if (k < cs.length) {
          re += `\\${cs[k++]!}`;
          type = 'regexp';
        } else {
          re += '\\';
        }
      } else if (ch === '[' || ch === ']') {
        re += ch;
        type = 'regexp';
      } else {
        re += ch;
      }
    }
    if (type === 'regexp') {
      re += '$';
      this.#goRegexp = re;
      try {
        this.#regexp = compileGoMatcher(re);
      } catch (err) {
        if (!(err instanceof GoRegexpSyntaxError)) throw err;
        // moby leaves the type unknown, so every later match reports the bad pattern again
        return;
      }
    }
    this.#matchType = type;
  }
}

/** What a walker remembers about a directory to match its children quickly. */
export interface MatchInfo {
  /** Per pattern: whether it matched the directory (or one of its parents). */
  readonly parentMatched: readonly boolean[];
}

/** The empty MatchInfo: no knowledge of parents (then parents are checked by path). */
export const NO_MATCH_INFO: MatchInfo = { parentMatched: [] };

/** A compiled list of `.dockerignore` patterns. */
export class PatternMatcher {
  readonly #patterns: Pattern[] = [];
  readonly #exclusions: boolean = false;

  /**
   * @param patterns raw patterns (trimmed, cleaned; empty ones dropped; `!` marks exceptions)
   * @throws {IgnorePatternError} for `!` alone or a pattern Go's filepath.Match rejects
   */
  constructor(patterns: readonly string[]) {
    for (const raw of patterns) {
      let p = trimSpace(raw);
      if (p === '') continue;
      p = cleanPath(p);
      let exclusion = false;
      if (p.startsWith('!')) {
        if (p.length === 1) throw new IgnorePatternError('illegal exclusion pattern: "!"');
        exclusion = true;
        p = p.slice(1);
        this.#exclusions = true;
      }
      // moby validates by matching against "." and keeps Go's verdict (some errors show only later).
      try {
        goFilepathMatch(p, '.');
      } catch (err) {
        if (err instanceof BadPatternError) throw new IgnorePatternError(BAD_PATTERN);
        throw err;
      }
      this.#patterns.push(new Pattern(p, exclusion));
    }
  }

  /** True when any pattern is a `!` exception. */
  get exclusions(): boolean {
    return this.#exclusions;
  }

  get patterns(): readonly Pattern[] {
    return this.#patterns;
  }

  /** Whether `file` is ignored: the same answer as {@link matchesOrParentMatches}. */
  matches(file: string): boolean {
    return this.matchesOrParentMatches(file);
  }

  /**
   * moby's deprecated `PatternMatcher.Matches`: like {@link matchesOrParentMatches} but only the
   * parent at the pattern's own depth is tried, so `a/*` does not reach `a/b/c`. The package-level
   * `Matches` (and the docker CLI's Dockerfile re-inclusion) still use it; nothing else should.
   */
  matchesDeprecated(file: string): boolean {
    let matched = false;
    const parentPath = dirPath(file);
    const parentDirs = parentPath.split('/');
    for (const pattern of this.#patterns) {
      // An inclusion cannot change an already matched file, an exclusion an unmatched one.
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      if (!match && parentPath !== '.' && pattern.dirs.length <= parentDirs.length) {
        match = safeMatch(pattern, parentDirs.slice(0, pattern.dirs.length).join('/'));
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * Whether `file` is ignored: some pattern matches it or one of its parent directories and no
   * later exception re-includes it.
   * @throws {IgnorePatternError} when a pattern turns out malformed
   */
  matchesOrParentMatches(file: string): boolean {
    let matched = false;
    let parents: string[] | undefined; // computed once, on the first pattern that needs them
    for (const pattern of this.#patterns) {
      if (pattern.exclusion !== matched) continue;
      let match = pattern.match(file);
      if (!match) {
        parents ??= parentPrefixes(file);
        for (let i = 0; i < parents.length && !match; i++) match = safeMatch(pattern, parents[i]!);
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * The walker's form: the same answer as {@link matchesOrParentMatches}, reusing the parent
   * directory's results (pass {@link NO_MATCH_INFO} for a path whose parents were not matched).
   * @throws {IgnorePatternError} on a malformed pattern, or when `parentInfo` has the wrong size
   */
  matchesUsingParentResults(file: string, parentInfo: MatchInfo = NO_MATCH_INFO): { matched: boolean; info: MatchInfo } {
    const parentMatched = parentInfo.parentMatched;
    if (parentMatched.length !== 0 && parentMatched.length !== this.#patterns.length) {
      throw new IgnorePatternError('wrong number of values in parentMatched');
    }
    let matched = false;
    const info: boolean[] = new Array<boolean>(this.#patterns.length).fill(false);
    this.#patterns.forEach((pattern, i) => {
      let match = parentMatched.length !== 0 ? parentMatched[i]! : false;
      if (!match) {
        if (pattern.exclusion !== matched) return;
        match = pattern.match(file);
        if (!match && parentMatched.length === 0) {
          const parents = parentPrefixes(file);
          for (let j = 0; j < parents.length && !match; j++) match = safeMatch(pattern, parents[j]!);
        }
      }
      info[i] = match;
      if (match) matched = !pattern.exclusion;
    });
    return { matched, info: { parentMatched: info } };
  }

  /** moby's deprecated single-flag variant (wrong for some exception layouts, docker/buildx#850). */
  matchesUsingParentResult(file: string, parentMatched: boolean): boolean {
    let matched = parentMatched;
    for (const pattern of this.#patterns) {
      if (pattern.exclusion !== matched) continue;
      if (pattern.match(file)) matched = !pattern.exclusion;
    }
    return matched;
  }

  /**
   * Whether a walker may skip everything below `dir`, which itself matched: true unless an
   * exception could re-include something inside it. Exceptions with wildcards could match
   * anywhere, so then nothing is skipped (BuildKit's fsutil does the same).
   */
  canSkipMatchedDir(dir: string): boolean {
    if (!this.#exclusions) return true;
    const dirSlash = `${dir}/`;
    for (const pattern of this.#patterns) {
      if (!pattern.exclusion) continue;
      if (/[*?[\\]/.test(pattern.pattern)) return false;
      if (`${pattern.pattern}/`.startsWith(dirSlash)) return false;
    }
    return true;
  }
}

/** The parent directories of `file`, top first (`a/b/c` → `a`, `a/b`); none at the root. */
function parentPrefixes(file: string): string[] {
  const parent = dirPath(file);
  if (parent === '.') return [];
  const dirs = parent.split('/');
  const out: string[] = [];
  let acc = '';
  for (let i = 0; i < dirs.length; i++) {
    acc = i === 0 ? dirs[0]! : `${acc}/${dirs[i]!}`;
    out.push(acc);
  }
  return out;
}

/** Parent-directory checks ignore errors (moby discards them there). */
function safeMatch(pattern: Pattern, path: string): boolean {
  try {
    return pattern.match(path);
  } catch {
    return false;
  }
}

/**
 * moby's package-level (deprecated) `Matches(file, patterns)`: cleans `file`, never ignores the
 * context root ".", and checks one parent level like {@link PatternMatcher.matchesDeprecated}.
 * @throws {IgnorePatternError}
 */
export function matchesPatterns(file: string, patterns: readonly string[]): boolean {
  const pm = new PatternMatcher(patterns);
  const f = cleanPath(file);
  if (f === '.') return false;
  return pm.matchesDeprecated(f);
}

/** The package-level `MatchesOrParentMatches(file, patterns)`. @throws {IgnorePatternError} */
export function matchesOrParentMatches(file: string, patterns: readonly string[]): boolean {
  const pm = new PatternMatcher(patterns);
  const f = cleanPath(file);
  if (f === '.') return false;
  return pm.matchesOrParentMatches(f);
}
