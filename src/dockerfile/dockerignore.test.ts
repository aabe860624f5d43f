import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePath, repoRoot } from '../../test/helpers/paths.js';
import {
  ALWAYS_READ_DESPITE_IGNORE,
  IgnorePatternError,
  ignoreFileCandidates,
  trimBuildFilesFromExcludes,
  matchesPatterns,
  NO_MATCH_INFO,
  PatternMatcher,
  readIgnoreFile,
  type MatchInfo,
} from './dockerignore.js';
import { dirPath } from './internal/go-path.js';

interface Cases {
  matches: { cases: { patterns: string[]; path: string; expected: boolean; unixOnly?: boolean }[] };
  simpleMatches: { cases: { patterns: string[]; path: string; expected?: boolean; error?: boolean }[] };
  filepathMatch: { cases: { pattern: string; path: string; expected: boolean; error?: string }[] };
  compile: { cases: { pattern: string; matchType: string; regexp?: string }[] };
  newPatterns: { cases: { patterns: string[]; count?: number; exclusions?: boolean; error?: boolean }[] };
  malformedAtMatchTime: { patterns: string[]; path: string; error: string };
  ignorefileReadAll: { input: string; expected: string[] };
}

function load(): Cases | undefined {
  const p = conformancePath('patternmatcher', 'cases.json');
  return p === undefined ? undefined : (JSON.parse(readFileSync(p, 'utf8')) as Cases);
}

/** The ancestors of `path`, top first, as moby's tests walk them. */
function ancestors(path: string): string[] {
  const parent = dirPath(path);
  if (parent === '.') return [];
  const dirs = parent.split('/');
  return dirs.map((_, i) => dirs.slice(0, i + 1).join('/'));
}

test('patternmatcher matches: all three matching methods give the expected answer', (t) => {
  const data = load();
  if (data === undefined) return t.skip('conformance data absent');
  for (const c of data.matches.cases) {
    const desc = `patterns=${JSON.stringify(c.patterns)} path=${c.path}`;
    const pm = new PatternMatcher(c.patterns);
    assert.equal(pm.matchesOrParentMatches(c.path), c.expected, `MatchesOrParentMatches ${desc}`);

    let info: MatchInfo = NO_MATCH_INFO;
    for (const dir of ancestors(c.path)) info = pm.matchesUsingParentResults(dir, info).info;
    assert.equal(pm.matchesUsingParentResults(c.path, info).matched, c.expected, `MatchesUsingParentResults ${desc}`);
    assert.equal(pm.matchesUsingParentResults(c.path, NO_MATCH_INFO).matched, c.expected, `no context ${desc}`);

    if (c.patterns.length === 1) {
      let parentMatched = false;
      for (const dir of ancestors(c.path)) parentMatched = pm.matchesUsingParentResult(dir, parentMatched);
      assert.equal(pm.matchesUsingParentResult(c.path, parentMatched), c.expected, `MatchesUsingParentResult ${desc}`);
    }
  }
});

test('patternmatcher simpleMatches: the package-level Matches', (t) => {
  const data = load();
  if (data === undefined) return t.skip('conformance data absent');
  for (const c of data.simpleMatches.cases) {
    if (c.error === true) {
      assert.throws(() => matchesPatterns(c.path, c.patterns), IgnorePatternError, JSON.stringify(c));
    } else {
      assert.equal(matchesPatterns(c.path, c.patterns), c.expected, JSON.stringify(c));
    }
  }
});

test('patternmatcher filepathMatch: Go filepath.Match parity, with its syntax errors', (t) => {
  const data = load();
  if (data === undefined) return t.skip('conformance data absent');
  for (const c of data.filepathMatch.cases) {
    if (c.error !== undefined) {
      assert.throws(
        () => matchesPatterns(c.path, [c.pattern]),
        (err: unknown) => err instanceof IgnorePatternError && err.message === c.error,
        JSON.stringify(c),
      );
    } else {
      assert.equal(matchesPatterns(c.path, [c.pattern]), c.expected, JSON.stringify(c));
    }
  }
});

test('patternmatcher compile: the same classification and Go regexp text as moby', (t) => {
  const data = load();
  if (data === undefined) return t.skip('conformance data absent');
  for (const c of data.compile.cases) {
    const [pattern] = new PatternMatcher([c.pattern]).patterns;
    assert.equal(pattern!.matchType, c.matchType, c.pattern);
    if (c.regexp !== undefined) assert.equal(pattern!.goRegexp, c.regexp, c.pattern);
  }
});

test('patternmatcher newPatterns, malformed-at-match-time and ignorefile ReadAll', (t) => {
  const data = load();
  if (data === undefined) return t.skip('conformance data absent');
  for (const c of data.newPatterns.cases) {
    if (c.error === true) {
      assert.throws(() => new PatternMatcher(c.patterns), /illegal exclusion pattern: "!"/);
      continue;
    }
    const pm = new PatternMatcher(c.patterns);
    if (c.count !== undefined) assert.equal(pm.patterns.length, c.count);
    if (c.exclusions !== undefined) assert.equal(pm.exclusions, c.exclusions);
  }
  const m = data.malformedAtMatchTime;
  const pm = new PatternMatcher(m.patterns);
  for (let i = 0; i < 2; i++) {
    assert.throws(() => pm.matchesOrParentMatches(m.path), (err: unknown) => err instanceof IgnorePatternError && err.message === m.error);
  }
  assert.deepEqual(readIgnoreFile(data.ignorefileReadAll.input), data.ignorefileReadAll.expected);
});

test('readIgnoreFile strips a BOM and CRs, keeps indented # as a pattern, cleans paths', () => {
  assert.deepEqual(readIgnoreFile('\ufeff# c\r\nfoo/../bar\r\n  # not a comment\n./baz/\n!/x//y\n'), [
    'bar',
    '# not a comment',
    'baz',
    '!x/y',
  ]);
  assert.deepEqual(readIgnoreFile(''), []);
});

test('exceptions re-include, the last match wins, bare names match only at the root', () => {
  const pm = new PatternMatcher(readIgnoreFile('*.md\n!README.md\nsecret\n**/*.log\n!keep/*.log\ntmp/**\n'));
  assert.equal(pm.matchesOrParentMatches('CHANGES.md'), true);
  assert.equal(pm.matchesOrParentMatches('README.md'), false);
  assert.equal(pm.matchesOrParentMatches('docs/a.md'), false); // "*" does not cross "/"
  assert.equal(pm.matchesOrParentMatches('secret/key.pem'), true); // a parent dir matched
  assert.equal(pm.matchesOrParentMatches('sub/secret'), false);
  assert.equal(pm.matchesOrParentMatches('a/b/c.log'), true);
  assert.equal(pm.matchesOrParentMatches('keep/c.log'), false);
  assert.equal(pm.matchesOrParentMatches('tmp'), false);
  assert.equal(pm.matchesOrParentMatches('tmp/x/y'), true);
  assert.equal(pm.matches('secret/key.pem'), true);
});

test('the deprecated single-parent Matches misses deeper paths, as moby\'s does', () => {
  // It tries only the parent with as many segments as the pattern: "x/y" for "**/b".
  const pm = new PatternMatcher(['**/b']);
  assert.equal(pm.matchesOrParentMatches('x/y/b/c'), true);
  assert.equal(pm.matchesDeprecated('x/y/b/c'), false);
  assert.equal(matchesPatterns('x/y/b/c', ['**/b']), false);
});

test('character classes, escapes and POSIX classes follow Go regexp rules', () => {
  assert.equal(new PatternMatcher(['file[0-9].txt']).matchesOrParentMatches('file7.txt'), true);
  assert.equal(new PatternMatcher(['file[!0-9].txt']).matchesOrParentMatches('file!.txt'), true);
  assert.equal(new PatternMatcher(['[[:upper:]]*']).matchesOrParentMatches('Makefile'), true);
  assert.equal(new PatternMatcher(['[[:upper:]]*']).matchesOrParentMatches('makefile'), false);
  assert.equal(new PatternMatcher(['a\\?b']).matchesOrParentMatches('a?b'), true);
  assert.equal(new PatternMatcher(['a\\?b']).matchesOrParentMatches('axb'), false);
  assert.equal(new PatternMatcher(['dir/*']).matchesOrParentMatches('dir/x\ny'), true);
});

test('a walker may skip a matched directory only when no exception can reach inside it', () => {
  assert.equal(new PatternMatcher(['node_modules']).canSkipMatchedDir('node_modules'), true);
  assert.equal(new PatternMatcher(['node_modules', '!node_modules/keep']).canSkipMatchedDir('node_modules'), false);
  assert.equal(new PatternMatcher(['node_modules', '!other']).canSkipMatchedDir('node_modules'), true);
  assert.equal(new PatternMatcher(['build', '!**/*.keep']).canSkipMatchedDir('build'), false);
});

test('the Dockerfile-specific ignore file is tried before the context root one', () => {
  assert.deepEqual(ignoreFileCandidates('build/app.Dockerfile', 'ctx'), ['build/app.Dockerfile.dockerignore', 'ctx/.dockerignore']);
  assert.deepEqual(ignoreFileCandidates('Dockerfile'), ['Dockerfile.dockerignore', '.dockerignore']);
  assert.ok(ALWAYS_READ_DESPITE_IGNORE.includes('Dockerfile'));
});

test('the classic builder re-includes an excluded Dockerfile and .dockerignore, not one from stdin', () => {
  assert.deepEqual(trimBuildFilesFromExcludes(['*'], 'Dockerfile'), ['*', '!.dockerignore', '!Dockerfile']);
  assert.deepEqual(trimBuildFilesFromExcludes(['docker/'], 'docker/app.Dockerfile'), ['docker/', '!docker/app.Dockerfile']);
  assert.deepEqual(trimBuildFilesFromExcludes(['*'], 'Dockerfile', true), ['*', '!.dockerignore']);
  assert.deepEqual(trimBuildFilesFromExcludes(['*.md'], 'Dockerfile'), ['*.md']);
});

interface FuzzCase {
  patterns: string[];
  newError?: string;
  exclusions?: boolean;
  paths?: { path: string; error?: string; orParent?: boolean; deprecated?: boolean; walk?: boolean }[];
}

test('600 seeded random pattern lists: the same errors and matches as moby/patternmatcher', () => {
  const data = JSON.parse(readFileSync(join(repoRoot, 'src/dockerfile/testdata/patternmatcher-fuzz.json'), 'utf8')) as { cases: FuzzCase[] };
  const failures: string[] = [];
  const note = (c: FuzzCase, what: string): void => void failures.push(`${JSON.stringify(c.patterns)}: ${what}`);
  for (const c of data.cases) {
    let pm: PatternMatcher;
    try {
      pm = new PatternMatcher(c.patterns);
    } catch (err) {
      if (!(err instanceof IgnorePatternError)) throw err;
      if (err.message !== c.newError) note(c, `New error ${err.message}, want ${String(c.newError)}`);
      continue;
    }
    if (c.newError !== undefined) {
      note(c, `New succeeded, want ${c.newError}`);
      continue;
    }
    if (pm.exclusions !== c.exclusions) note(c, 'exclusions');
    for (const p of c.paths ?? []) {
      let orParent: boolean;
      try {
        orParent = pm.matchesOrParentMatches(p.path);
      } catch (err) {
        if (!(err instanceof IgnorePatternError)) throw err;
        if (err.message !== p.error) note(c, `${p.path}: error ${err.message}, want ${String(p.error)}`);
        continue;
      }
      if (p.error !== undefined) note(c, `${p.path}: no error, want ${p.error}`);
      if (orParent !== p.orParent) note(c, `${p.path}: MatchesOrParentMatches ${orParent}`);
      if (p.deprecated !== undefined && pm.matchesDeprecated(p.path) !== p.deprecated) note(c, `${p.path}: Matches`);
      if (p.walk !== undefined) {
        let info: MatchInfo = NO_MATCH_INFO;
        for (const dir of ancestorsBySegments(p.path)) info = pm.matchesUsingParentResults(dir, info).info;
        if (pm.matchesUsingParentResults(p.path, info).matched !== p.walk) note(c, `${p.path}: MatchesUsingParentResults`);
      }
    }
  }
  assert.deepEqual(failures.slice(0, 10), []);
});

/** The oracle's ancestors: every proper prefix of the path's segments (no cleaning). */
function ancestorsBySegments(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

test('BuildKit\'s testDockerignore: COPY . sees foo and bay only (Dockerfile and .dockerignore excluded too)', () => {
  const pm = new PatternMatcher(readIgnoreFile('\nba*\nDockerfile\n!bay\n.dockerignore\n'));
  const context = ['Dockerfile', 'foo', 'bar', 'baz', 'bay', '.dockerignore'];
  assert.deepEqual(context.filter((f) => !pm.matchesUsingParentResults(f).matched), ['foo', 'bay']);
  assert.throws(() => new PatternMatcher(readIgnoreFile('!\n')), /illegal exclusion pattern: "!"/);
});

test('a pattern with many ** levels is matched by the automaton, not by exponential backtracking', () => {
  // With JS's backtracking engine this line took seconds at 8 levels and doubles with each one.
  const pm = new PatternMatcher([`${'**/'.repeat(16)}z`]);
  assert.equal(pm.matchesOrParentMatches(`${'a/'.repeat(40)}b`), false);
  assert.equal(pm.matchesOrParentMatches(`${'a/'.repeat(40)}z`), true);
});
