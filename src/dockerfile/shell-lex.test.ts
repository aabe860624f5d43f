import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePath, repoRoot } from '../../test/helpers/paths.js';
import {
  envFromList,
  expandWord,
  expandWords,
  processWord,
  processWords,
  reverseShellPattern,
  shellPatternToGoRegexp,
  ShellExpansionError,
  ShellLex,
} from './shell-lex.js';
import { GantryError } from '../errors.js';

function loadJson<T>(...parts: string[]): T | undefined {
  const p = conformancePath(...parts);
  return p === undefined ? undefined : (JSON.parse(readFileSync(p, 'utf8')) as T);
}

interface EnvVarCase {
  line: number;
  platform: 'A' | 'U' | 'W';
  input: string;
  expected?: string;
  expectError?: boolean;
}

test('envVarTest: every Unix and all-platform case gives BuildKit\'s word or error', (t) => {
  const data = loadJson<{ envs: string[]; cases: EnvVarCase[] }>('buildkit', 'shell', 'envVarTest.json');
  if (data === undefined) return t.skip('conformance data absent');
  const env = envFromList(data.envs);
  let ran = 0;
  for (const c of data.cases) {
    if (c.platform === 'W') continue; // Windows folds env-name case; gantry builds Linux images
    ran++;
    if (c.expectError === true) {
      assert.throws(() => processWord(c.input, env), ShellExpansionError, `line ${c.line}: ${c.input}`);
    } else {
      assert.equal(processWord(c.input, env).result, c.expected, `line ${c.line}: ${c.input}`);
    }
  }
  assert.equal(ran, 228);
});

test('wordsTest: processWords splits like BuildKit for every case', (t) => {
  const data = loadJson<{ cases: { line: number; input: string; envs: string[]; expected?: string[]; expectError?: boolean }[] }>(
    'buildkit',
    'shell',
    'wordsTest.json',
  );
  if (data === undefined) return t.skip('conformance data absent');
  for (const c of data.cases) {
    let got: string[];
    try {
      got = processWords(c.input, envFromList(c.envs));
    } catch (err) {
      assert.ok(err instanceof ShellExpansionError);
      got = ['error'];
    }
    assert.deepEqual(got, c.expectError === true ? ['error'] : c.expected, `line ${c.line}: ${c.input}`);
  }
});

interface LexCases {
  processWordWithMatches: {
    cases: { input: string; envs: Record<string, string>; expected: string; expectedError: boolean; matched: string[]; unmatched: string[] }[];
  };
  processWithMatchesPlatform: { input: string; cases: { envs: Record<string, string>; expected: string }[] };
  mandatoryEnvVars: { cases: { input: string; envs: string[]; expected?: string; errorContains?: string }[] };
  getEnv: { cases: { envs: string[]; name: string; expected: string }[] };
  shellPatternToRegex: { toRegex: Record<string, string>; invalid: string[]; reversePattern: Record<string, string> };
}

test('lex-cases processWordWithMatches: result and matched/unmatched sets agree', (t) => {
  const data = loadJson<LexCases>('buildkit', 'shell', 'lex-cases.json');
  if (data === undefined) return t.skip('conformance data absent');
  for (const c of data.processWordWithMatches.cases) {
    if (c.expectedError) {
      assert.throws(() => processWord(c.input, c.envs), ShellExpansionError, c.input);
      continue;
    }
    const r = processWord(c.input, c.envs);
    assert.equal(r.result, c.expected, c.input);
    assert.deepEqual([...r.matched].sort(), [...c.matched].sort(), `matched: ${c.input}`);
    assert.deepEqual([...r.unmatched].sort(), [...c.unmatched].sort(), `unmatched: ${c.input}`);
  }
});

test('lex-cases processWithMatchesPlatform, mandatoryEnvVars and getEnv', (t) => {
  const data = loadJson<LexCases>('buildkit', 'shell', 'lex-cases.json');
  if (data === undefined) return t.skip('conformance data absent');
  for (const c of data.processWithMatchesPlatform.cases) {
    assert.equal(expandWord(data.processWithMatchesPlatform.input, c.envs), c.expected);
  }
  for (const c of data.mandatoryEnvVars.cases) {
    if (c.errorContains !== undefined) {
      assert.throws(
        () => processWord(c.input, envFromList(c.envs)),
        (err: unknown) => err instanceof ShellExpansionError && err.message.includes(c.errorContains!),
        c.input,
      );
    } else {
      assert.equal(processWord(c.input, envFromList(c.envs)).result, c.expected);
    }
  }
  for (const c of data.getEnv.cases) {
    assert.equal(envFromList(c.envs).get(c.name) ?? '', c.expected);
  }
});

test('lex-cases shellPatternToRegex and reversePattern (internal helpers)', (t) => {
  const data = loadJson<LexCases>('buildkit', 'shell', 'lex-cases.json');
  if (data === undefined) return t.skip('conformance data absent');
  for (const [pattern, expected] of Object.entries(data.shellPatternToRegex.toRegex)) {
    assert.equal(shellPatternToGoRegexp(pattern, true, true), expected);
  }
  for (const pattern of data.shellPatternToRegex.invalid) {
    assert.throws(() => shellPatternToGoRegexp(pattern, true, true), pattern);
  }
  for (const [pattern, expected] of Object.entries(data.shellPatternToRegex.reversePattern)) {
    assert.equal(reverseShellPattern(pattern), expected);
  }
});

test('errors carry BuildKit\'s text, the GantryError code and the failing word', () => {
  const cases: [string, string][] = [
    ['${x:-a', `failed to process "\${x:-a": syntax error: missing '}'`],
    // Go's scanner returns EOF (printed as U+FFFD) as the modifier character
    ['${x', 'failed to process "${x": unsupported modifier (\ufffd) in substitution'],
    ['he${}', `failed to process "he\${}": syntax error: bad substitution`],
    ['${X:=a}', 'failed to process "${X:=a}": unsupported modifier (:=) in substitution'],
    ['${X?}', 'failed to process "${X?}": X: is not allowed to be unset'],
    ['${X:?must set}', 'failed to process "${X:?must set}": X: must set'],
    ["'abc", `failed to process "'abc": unexpected end of statement while looking for matching single-quote`],
    ['"abc', 'failed to process "\\"abc": unexpected end of statement while looking for matching double-quote'],
    ['${X/a', "failed to process \"${X/a\": syntax error: missing '/' in ${}"],
    ['${X#\\x}', "failed to process \"${X#\\\\x}\": invalid pattern (\\x) in substitution: invalid escape '\\x'"],
  ];
  for (const [word, message] of cases) {
    assert.throws(
      () => expandWord(word, {}),
      (err: unknown) => {
        assert.ok(err instanceof ShellExpansionError);
        assert.ok(err instanceof GantryError);
        assert.equal(err.code, 'ERR_SHELL_EXPANSION');
        assert.equal(err.kind, 'invalid-argument');
        assert.equal(err.word, word);
        assert.equal(err.message, message);
        return true;
      },
    );
  }
});

test('the backtick escape from `# escape=`` ` works like backslash and leaves backslashes literal', () => {
  assert.equal(expandWord('C:\\path\\$X', { X: 'x' }, { escape: '`' }), 'C:\\path\\x');
  assert.equal(expandWord('`$X', { X: 'x' }, { escape: '`' }), '$X');
  assert.equal(expandWord('"a`"b"', {}, { escape: '`' }), 'a"b');
  assert.deepEqual(expandWords('a` b c', {}, { escape: '`' }), ['a b', 'c']);
  assert.throws(() => new ShellLex({ escape: '#' }), GantryError);
});

test('raw modes used by the parser keep quotes and escapes and leave unset names alone', () => {
  const lex = new ShellLex({ rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  assert.deepEqual(lex.processWords(`a "b c" 'd' \\e $X \${Y:-z}`, {}).words, ['a', '"b c"', "'d'", '\\e', '$X', '${Y:-z}']);
  const skip = new ShellLex({ skipProcessQuotes: true });
  assert.equal(skip.processWord(`'$X' "$X"`, { X: '1' }).result, `'1' "1"`);
});

interface CorpusCase {
  word: string;
  env: string[];
  escape?: string;
  mode?: 'words';
  result?: string;
  words?: string[];
  error?: string;
}

test('expansion corpus: results, word lists and exact error texts computed by BuildKit\'s lexer', () => {
  const corpus = JSON.parse(
    readFileSync(join(repoRoot, 'src/dockerfile/testdata/expansion-corpus.json'), 'utf8'),
  ) as { cases: CorpusCase[] };
  assert.ok(corpus.cases.length >= 60);
  for (const c of corpus.cases) {
    const env = envFromList(c.env);
    const options = c.escape === undefined ? {} : { escape: c.escape };
    const run = (): string | string[] => (c.mode === 'words' ? expandWords(c.word, env, options) : expandWord(c.word, env, options));
    if (c.error !== undefined) {
      assert.throws(run, (err: unknown) => err instanceof ShellExpansionError && err.message === c.error, c.word);
    } else {
      assert.deepEqual(run(), c.mode === 'words' ? c.words : c.result, c.word);
    }
  }
});

test('1200 seeded random words: the same result, words, name sets and error text as BuildKit', () => {
  const data = JSON.parse(readFileSync(join(repoRoot, 'src/dockerfile/testdata/expansion-fuzz.json'), 'utf8')) as {
    cases: (CorpusCase & { matched?: string[]; unmatched?: string[] })[];
  };
  const failures: string[] = [];
  for (const c of data.cases) {
    const env = envFromList(c.env);
    const lex = new ShellLex({ escape: c.escape ?? '\\' });
    let got: unknown;
    try {
      if (c.mode === 'words') got = { words: lex.processWords(c.word, env).words };
      else {
        const r = lex.processWord(c.word, env);
        got = { result: r.result, matched: [...r.matched].sort(), unmatched: [...r.unmatched].sort() };
      }
    } catch (err) {
      if (!(err instanceof ShellExpansionError)) throw err;
      got = { error: err.message };
    }
    const want =
      c.error !== undefined
        ? { error: c.error }
        : c.mode === 'words'
          ? { words: c.words }
          : { result: c.result, matched: c.matched ?? [], unmatched: c.unmatched ?? [] };
    if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`${JSON.stringify(c.word)}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  assert.deepEqual(failures.slice(0, 10), []);
});
