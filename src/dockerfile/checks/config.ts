/**
 * Which checks run and whether they fail the build: the `# check=` directive
 * (`# check=skip=JSONArgsRecommended,StageNameCasing;error=true`), the `--check`-style override
 * from the caller, and `# check=…` comments directly above one instruction, which adjust the
 * configuration for that instruction only (BuildKit merges them the same way).
 */
import { InvalidArgumentError } from '../../errors.js';
import { parseGoBool } from '../_go.js';

/** A parsed check configuration. */
export interface CheckConfig {
  /** `skip=all`. */
  skipAll: boolean;
  /** Rule names to skip (case-sensitive, as BuildKit). */
  skip: readonly string[];
  /** `experimental=all`. */
  experimentalAll: boolean;
  /** Experimental rules to enable. */
  experimental: readonly string[];
  /** `error=true`: any warning fails the build. */
  error: boolean;
}

export const DEFAULT_CHECK_CONFIG: CheckConfig = Object.freeze({
  skipAll: false,
  skip: [],
  experimentalAll: false,
  experimental: [],
  error: false,
});

/** The `# check=` value is malformed. */
export class CheckDirectiveError extends InvalidArgumentError {
  constructor(message: string) {
    super('CHECK_DIRECTIVE', message);
  }
}

const splitList = (v: string): string[] => v.split(',').map((s) => s.trim());

/**
 * Parses a check directive value (BuildKit's `ParseLintOptions`): `;`-separated `skip=`,
 * `experimental=` (a list or `all`) and `error=` (a Go boolean).
 *
 * @example
 * ```ts
 * parseCheckDirective('skip=StageNameCasing,FromAsCasing;error=true');
 * ```
 * @throws {CheckDirectiveError} `invalid check option "…"` or `failed to parse check option "…"`
 */
export function parseCheckDirective(value: string): CheckConfig {
  const text = value.trim();
  if (text === '') return DEFAULT_CHECK_CONFIG;
  // BuildKit splits into at most 3 parts: a fourth option stays glued to the third.
  const parts = splitN(text, ';', 3);
  let skipAll = false;
  let skip: string[] = [];
  let experimentalAll = false;
  let experimental: string[] = [];
  let error = false;
  for (const p of parts) {
    const eq = p.indexOf('=');
    if (eq < 0) throw new CheckDirectiveError(`invalid check option ${JSON.stringify(p)}`);
    const k = p.slice(0, eq).trim();
    const v = p.slice(eq + 1).trim();
    switch (k) {
      case 'skip':
        if (v === 'all') skipAll = true;
        else skip = splitList(v);
        break;
      case 'experimental':
        if (v === 'all') experimentalAll = true;
        else experimental = splitList(v);
        break;
      case 'error': {
        const b = parseGoBool(v);
        if (b === undefined) {
          throw new CheckDirectiveError(`failed to parse check option ${JSON.stringify(p)}: strconv.ParseBool: parsing ${JSON.stringify(v)}: invalid syntax`);
        }
        error = b;
        break;
      }
      default:
        throw new CheckDirectiveError(`invalid check option ${JSON.stringify(k)}`);
    }
  }
  return { skipAll, skip, experimentalAll, experimental, error };
}

function splitN(s: string, sep: string, n: number): string[] {
  const out: string[] = [];
  let rest = s;
  while (out.length < n - 1) {
    const i = rest.indexOf(sep);
    if (i < 0) break;
    out.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  out.push(rest);
  return out;
}

/** `base` with `other` merged in (skips and experimental rules add up; `error` is not merged). */
export function mergeCheckConfig(base: CheckConfig, other: CheckConfig): CheckConfig {
  return {
    skipAll: base.skipAll || other.skipAll,
    skip: [...base.skip, ...other.skip],
    experimentalAll: base.experimentalAll || other.experimentalAll,
    experimental: [...base.experimental, ...other.experimental],
    error: base.error,
  };
}

// BuildKit's directive syntax, applied to one comment line (`#` already removed by the parser).
const DIRECTIVE = /^[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;

/**
 * The configuration for one instruction: `base` merged with the first `check=` directive among
 * the comments directly above it. A malformed one is ignored there, as BuildKit ignores it.
 */
export function configFromComments(base: CheckConfig, comments: readonly string[]): CheckConfig {
  for (const comment of comments) {
    const m = DIRECTIVE.exec(comment);
    if (m === null || m[1]!.toLowerCase() !== 'check') continue;
    const value = m[2]!.split(' ')[0]!;
    try {
      return mergeCheckConfig(base, parseCheckDirective(value));
    } catch {
      return base;
    }
  }
  return base;
}

/** Whether `rule` runs under `config`. */
export function ruleEnabled(config: CheckConfig, rule: { name: string; experimental?: boolean }): boolean {
  if (rule.experimental === true) return config.experimentalAll || config.experimental.includes(rule.name);
  return !config.skipAll && !config.skip.includes(rule.name);
}
