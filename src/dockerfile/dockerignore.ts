/**
 * `.dockerignore`: reading the file, choosing which file applies, and what is always sent.
 *
 * Docker's rules (moby/patternmatcher `ignorefile.ReadAll`, BuildKit `dockerui`):
 * - a UTF-8 byte order mark is stripped; a line whose first character is `#` is a comment
 *   (a `#` after leading spaces is not: that line is a pattern);
 * - each line is trimmed, then cleaned like a path, and one leading `/` is dropped, also after
 *   `!` (`/foo` and `foo` are the same: patterns are relative to the context root);
 * - `<Dockerfile>.dockerignore` beside the Dockerfile wins over `.dockerignore` at the context
 *   root (see {@link ignoreFileCandidates});
 * - the Dockerfile and the ignore file are read by the builder even when a pattern excludes
 *   them; the exclusion only keeps them out of COPY/ADD (see {@link ALWAYS_READ_DESPITE_IGNORE}).
 *
 * Matching lives in `pattern-matcher.ts` and is re-exported here.
 */
import { trimSpace } from './_go.js';
import { cleanPath } from './internal/go-path.js';
import { matchesPatterns } from './pattern-matcher.js';

export {
  IgnorePatternError,
  matchesOrParentMatches,
  matchesPatterns,
  NO_MATCH_INFO,
  Pattern,
  PatternMatcher,
  type MatchInfo,
} from './pattern-matcher.js';

/** The context-root ignore file's name. */
export const DOCKERIGNORE_FILENAME = '.dockerignore';

/**
 * The files the builder reads for itself whatever the ignore file says: the Dockerfile (BuildKit
 * loads it from its own directory, not from the filtered context) and the ignore file. With
 * BuildKit an exclusion of either only hides it from COPY/ADD (a COPY of it then fails, and the
 * CopyIgnoredFile check warns); the classic builder instead re-included both in the context
 * (see {@link trimBuildFilesFromExcludes}).
 */
export const ALWAYS_READ_DESPITE_IGNORE = Object.freeze(['Dockerfile', DOCKERIGNORE_FILENAME] as const);

/**
 * The classic (pre-BuildKit) docker CLI's rule: when the patterns exclude `.dockerignore` or the
 * Dockerfile, an exception for each is appended so both still travel in the context
 * (docker/cli `build.TrimBuildFilesFromExcludes`; not for a Dockerfile read from stdin).
 *
 * @param dockerfile the Dockerfile's path relative to the context, slash-separated
 */
export function trimBuildFilesFromExcludes(excludes: readonly string[], dockerfile: string, dockerfileFromStdin = false): string[] {
  const out = [...excludes];
  if (matchesPatterns(DOCKERIGNORE_FILENAME, out)) out.push(`!${DOCKERIGNORE_FILENAME}`);
  if (matchesPatterns(dockerfile, out) && !dockerfileFromStdin) out.push(`!${dockerfile}`);
  return out;
}

const BOM = '\ufeff';

/**
 * Parses `.dockerignore` text into patterns, in order (exceptions keep their `!`).
 *
 * @example
 * ```ts
 * readIgnoreFile('# deps\nnode_modules\n!/node_modules/keep\n'); // ['node_modules', '!node_modules/keep']
 * ```
 */
export function readIgnoreFile(text: string): string[] {
  const patterns: string[] = [];
  // bufio.Scanner's lines: split on \n, drop one trailing \r, no empty last line.
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((rawLine, index) => {
    let line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (index === 0 && line.startsWith(BOM)) line = line.slice(1);
    if (line.startsWith('#')) return;
    let pattern = trimSpace(line);
    if (pattern === '') return;
    const invert = pattern.startsWith('!');
    if (invert) pattern = trimSpace(pattern.slice(1));
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? `!${pattern}` : pattern);
  });
  return patterns;
}

/**
 * The ignore files to try, first existing wins: `<dockerfilePath>.dockerignore` (the
 * Dockerfile-specific one, beside it) and then `.dockerignore` at the context root.
 *
 * @param dockerfilePath the Dockerfile's path as given (`-f`), e.g. `build/app.Dockerfile`
 * @param contextDir the build context directory
 */
export function ignoreFileCandidates(dockerfilePath: string, contextDir = '.'): string[] {
  const specific = `${dockerfilePath}.dockerignore`;
  const root = contextDir === '' || contextDir === '.' ? DOCKERIGNORE_FILENAME : `${contextDir.replace(/\/+$/, '')}/${DOCKERIGNORE_FILENAME}`;
  return specific === root ? [root] : [specific, root];
}
