/**
 * `WWW-Authenticate` challenges (RFC 7235) as registries send them, and the access scopes of
 * docker's token protocol.
 *
 * A registry that wants credentials answers 401 with, for example,
 * `Bearer realm="https://auth.example/token",service="registry.example",scope="repository:app:pull"`
 * (get a token from the realm) or `Basic realm="Registry"` (send the password with each request).
 * One header may carry several challenges, and several headers arrive joined with `, `, so the
 * parser follows the RFC's grammar rather than splitting on commas.
 */

export interface AuthChallenge {
  /** Lower-cased: `bearer`, `basic`, … */
  scheme: string;
  /** Parameters with lower-cased names (`realm`, `service`, `scope`, `error`). */
  params: Record<string, string>;
  /** A token68 credential instead of parameters (rare in challenges). */
  token68?: string;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const TOKEN68_CHAR = /[A-Za-z0-9._~+/-]/;

/**
 * Parses a `WWW-Authenticate` value into its challenges, in order. A malformed tail is dropped
 * rather than failing the request: the challenges read before it are still usable.
 */
export function parseAuthChallenges(header: string | null | undefined): AuthChallenge[] {
  if (header === null || header === undefined) return [];
  const s = header;
  const out: AuthChallenge[] = [];
  let i = 0;
  const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t';
  const skipSpaces = (): void => {
    while (isSpace(s[i])) i++;
  };
  const skipSeparators = (): void => {
    while (isSpace(s[i]) || s[i] === ',') i++;
  };
  const run = (re: RegExp): string => {
    const start = i;
    while (i < s.length && re.test(s[i] as string)) i++;
    return s.slice(start, i);
  };
  const quoted = (): string | undefined => {
    let value = '';
    for (i++; i < s.length; i++) {
      const c = s[i] as string;
      if (c === '"') {
        i++;
        return value;
      }
      if (c === '\\' && i + 1 < s.length) i++;
      value += s[i];
    }
    return undefined; // unterminated
  };

  skipSeparators();
  while (i < s.length) {
    const scheme = run(TOKEN_CHAR);
    if (scheme === '') break; // junk where a scheme should be
    const challenge: AuthChallenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    if (!isSpace(s[i])) {
      skipSeparators();
      continue; // a scheme alone (`Negotiate`), then maybe the next challenge
    }
    skipSpaces();
    let first = true;
    for (;;) {
      const start = i;
      const word = run(TOKEN68_CHAR);
      const equals = run(/=/);
      const afterEquals = i;
      skipSpaces();
      const atEnd = i >= s.length || s[i] === ',';
      if (word === '') {
        i = start;
        break;
      }
      // `name=value` is a parameter; `abc==`, `abc=` at the end, or a lone word right after the
      // scheme is a token68; a lone word after parameters begins the next challenge.
      const isParam = equals.length === 1 && !atEnd && TOKEN_CHAR.test(word[word.length - 1] as string) && !word.includes('/');
      if (!isParam) {
        if (first && (equals.length > 0 || atEnd)) {
          challenge.token68 = word + equals;
          i = afterEquals;
          skipSpaces();
        } else {
          i = start; // the next challenge's scheme
        }
        break;
      }
      let value: string | undefined;
      // The RFC allows only a token unquoted; some servers send `realm=https://…` bare, so read to the next separator.
      if (s[i] === '"') value = quoted();
      else value = run(/[^\s,]/);
      if (value === undefined) return out;
      challenge.params[word.toLowerCase()] = value;
      first = false;
      skipSpaces();
      if (s[i] !== ',') break;
      skipSeparators();
      if (i >= s.length) break;
    }
    skipSeparators();
  }
  return out;
}

/** The challenge to answer: Bearer when offered (tokens are scoped), else Basic. */
export function pickChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  return challenges.find((c) => c.scheme === 'bearer' && c.params['realm'] !== undefined) ?? challenges.find((c) => c.scheme === 'basic');
}

// ---- Scopes: `repository:<name>:<action>[,<action>]`, `registry:catalog:*` ----

export interface Scope {
  /** `repository`, `registry`, or a `repository(plugin)`-style class. */
  type: string;
  name: string;
  actions: string[];
}

/** Parses one scope string; undefined when it is not `type:name:actions`. */
export function parseScope(text: string): Scope | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last === first || last === text.length - 1) return undefined;
  const actions = text
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '');
  return { type: text.slice(0, first), name: text.slice(first + 1, last), actions };
}

/** Parses a space-separated list of scopes (as in a challenge's `scope` parameter). */
export function parseScopes(text: string | undefined): Scope[] {
  if (text === undefined) return [];
  return text
    .split(' ')
    .map(parseScope)
    .filter((s): s is Scope => s !== undefined);
}

export function formatScope(scope: Scope): string {
  return `${scope.type}:${scope.name}:${scope.actions.join(',')}`;
}

/** The scope for a repository: `repository:library/debian:pull,push`. */
export function repositoryScope(name: string, ...actions: string[]): Scope {
  return { type: 'repository', name, actions: actions.length > 0 ? actions : ['pull'] };
}

/**
 * Merges scopes on the same resource (their actions united) and sorts everything, so that equal
 * access needs give equal strings: the token cache's key and the request's `scope` parameters.
 */
export function mergeScopes(scopes: Iterable<Scope>): Scope[] {
  const byResource = new Map<string, Scope>();
  for (const s of scopes) {
    const key = `${s.type}:${s.name}`;
    const have = byResource.get(key);
    if (have === undefined) byResource.set(key, { type: s.type, name: s.name, actions: [...new Set(s.actions)] });
    else for (const a of s.actions) if (!have.actions.includes(a)) have.actions.push(a);
  }
  const out = [...byResource.values()];
  for (const s of out) s.actions.sort(actionOrder);
  return out.sort((a, b) => (formatScope(a) < formatScope(b) ? -1 : 1));
}

// pull before push before everything else, as docker writes them.
function actionOrder(a: string, b: string): number {
  const rank = (x: string): number => (x === 'pull' ? 0 : x === 'push' ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}
