/**
 * A container's environment by docker's rules: `--env-file` lines then `-e` values (a bare `NAME` takes
 * the caller's value, or is dropped when the caller has none), merged over the image's `Env` (user keys
 * win, image-only keys follow), on top of the defaults `PATH`, `HOSTNAME` and, with a TTY, `TERM=xterm`.
 */
import { InvalidArgumentError } from '../errors.js';

/** The PATH a container gets when neither the image nor the user sets one (docker's `DefaultPathEnv`). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function key(entry: string): string {
  const i = entry.indexOf('=');
  return i < 0 ? entry : entry.slice(0, i);
}

/**
 * One `-e` value: `NAME=value` as is; `NAME` alone becomes `NAME=<caller's value>` or nothing.
 * @throws {InvalidArgumentError} ERR_INVALID_ENV for an empty name
 */
export function expandEnvArg(arg: string, callerEnv: Readonly<Record<string, string | undefined>>): string | undefined {
  if (arg.startsWith('=') || arg === '') throw new InvalidArgumentError('INVALID_ENV', `invalid environment variable: ${arg}`);
  if (arg.includes('=')) return arg;
  const v = callerEnv[arg];
  return v === undefined ? undefined : `${arg}=${v}`;
}

/**
 * The variables of an `--env-file` (docker's format: one `NAME=value` per line, taken literally, no
 * quotes; `#` comments and blank lines skipped; a bare `NAME` reads the caller's environment).
 * @throws {InvalidArgumentError} ERR_INVALID_ENV_FILE for a name with whitespace
 */
export function parseEnvFile(text: string, callerEnv: Readonly<Record<string, string | undefined>>, fileName = 'env file'): string[] {
  const out: string[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [n, raw] of lines.entries()) {
    const line = raw.trimStart();
    if (line === '' || line.startsWith('#')) continue;
    const name = key(line);
    if (name === '') throw new InvalidArgumentError('INVALID_ENV_FILE', `no variable name on line '${raw}' (${fileName}:${n + 1})`);
    if (/\s/.test(name)) throw new InvalidArgumentError('INVALID_ENV_FILE', `variable '${name}' contains whitespaces`);
    const v = expandEnvArg(line, callerEnv);
    if (v !== undefined) out.push(v);
  }
  return out;
}

/** `base` with each of `over`'s entries replacing the same key in place or appended (moby `ReplaceOrAppendEnvValues`). */
export function replaceOrAppend(base: readonly string[], over: readonly string[]): string[] {
  const out = [...base];
  for (const e of over) {
    const i = out.findIndex((b) => key(b) === key(e));
    if (i >= 0) out[i] = e;
    else out.push(e);
  }
  return out;
}

export interface EnvInput {
  imageEnv?: readonly string[] | null;
  /** Already expanded user values (env files first, then `-e`). */
  userEnv?: readonly string[];
  hostname: string;
  tty: boolean;
}

/** The final environment list (docker's order: PATH, HOSTNAME, TERM, user values, image-only values). */
export function buildEnv(input: EnvInput): string[] {
  const user = input.userEnv ?? [];
  const merged = [...user];
  for (const e of input.imageEnv ?? []) {
    if (!user.some((u) => key(u) === key(e))) merged.push(e);
  }
  const defaults = [`PATH=${DEFAULT_PATH}`, `HOSTNAME=${input.hostname}`];
  if (input.tty) defaults.push('TERM=xterm');
  return replaceOrAppend(defaults, merged);
}
