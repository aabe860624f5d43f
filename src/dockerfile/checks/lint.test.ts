import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../test/helpers/paths.js';
import { readIgnoreFile } from '../dockerignore.js';
import {
  CHECK_RULES,
  CheckDirectiveError,
  checkViolation,
  findCheckRule,
  formatCheckWarning,
  isValidImageReference,
  lint,
  lintDockerfile,
  looksLikeSecretName,
  parseCheckDirective,
  type LintOptions,
} from './index.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
const base: LintOptions = { buildPlatform: amd64 };

/** `[rule, message, first line]` of each warning. */
function found(text: string, options: LintOptions = {}): [string, string, number][] {
  return lint(text, { ...base, ...options }).map((w) => [w.rule, w.buildkitMessage, w.location[0]?.start ?? 0]);
}

function rulesOf(text: string, options: LintOptions = {}): string[] {
  return found(text, options).map(([r]) => r);
}

interface RuleCase {
  rule: string;
  fires: string;
  /** [message, line] expected for the first warning of this rule. */
  expect: [string, number];
  quiet: string;
  options?: LintOptions;
}

const CASES: RuleCase[] = [
  {
    rule: 'StageNameCasing',
    fires: 'FROM alpine AS BuildStage\nRUN true\n',
    expect: ["Stage name 'BuildStage' should be lowercase", 1],
    quiet: 'FROM alpine AS build-stage\nRUN true\n',
  },
  {
    rule: 'FromAsCasing',
    fires: 'FROM alpine as build\nRUN true\n',
    expect: ["'as' and 'FROM' keywords' casing do not match", 1],
    quiet: 'FROM alpine AS build\nfrom alpine as other\n',
  },
  {
    rule: 'NoEmptyContinuation',
    fires: 'FROM alpine\nRUN apk add \\\n\n    curl\n',
    expect: ['Empty continuation line', 4], // BuildKit points at the instruction's last line
    quiet: 'FROM alpine\nRUN apk add \\\n    curl\n',
  },
  {
    rule: 'ConsistentInstructionCasing',
    fires: 'FROM alpine\nrun echo hi\nRUN true\n',
    expect: ["Command 'run' should match the case of the command majority (uppercase)", 2],
    quiet: 'from alpine\nrun echo hi\n',
  },
  {
    rule: 'DuplicateStageName',
    fires: 'FROM alpine AS build\nFROM debian AS build\n',
    expect: ['Duplicate stage name "build", stage names should be unique', 2],
    quiet: 'FROM alpine AS build\nFROM debian AS test\n',
  },
  {
    rule: 'ReservedStageName',
    fires: 'FROM alpine AS scratch\n',
    expect: ['Stage name should not use the same name as reserved stage "scratch"', 1],
    quiet: 'FROM alpine AS scratchpad\n',
  },
  {
    rule: 'JSONArgsRecommended',
    fires: 'FROM alpine\nCMD echo hello\n',
    expect: ['JSON arguments recommended for CMD to prevent unintended behavior related to OS signals', 2],
    quiet: 'FROM alpine\nCMD ["echo", "hello"]\nFROM alpine\nSHELL ["/bin/bash", "-c"]\nENTRYPOINT echo hi\n',
  },
  {
    rule: 'MaintainerDeprecated',
    fires: 'FROM alpine\nMAINTAINER me@example.com\n',
    expect: ['Maintainer instruction is deprecated in favor of using label', 2],
    quiet: 'FROM alpine\nLABEL org.opencontainers.image.authors="me@example.com"\n',
  },
  {
    rule: 'UndefinedArgInFrom',
    fires: 'ARG VERSION=3\nFROM alpine:${VERSON}\n',
    expect: ["FROM argument 'VERSON' is not declared (did you mean VERSION?)", 2],
    quiet: 'ARG VERSION=3\nARG UNSET\nFROM alpine:${VERSION}\nFROM --platform=$BUILDPLATFORM alpine${UNSET}\n',
  },
  {
    rule: 'WorkdirRelativePath',
    fires: 'FROM alpine\nWORKDIR app/src\n',
    expect: ['Relative workdir "app/src" can have unexpected results if the base image changes', 2],
    quiet: 'FROM alpine\nWORKDIR /app\nWORKDIR src\n',
  },
  {
    rule: 'UndefinedVar',
    fires: 'FROM alpine\nENV PATH=$PAHT:/app/bin\n',
    expect: ["Usage of undefined variable '$PAHT' (did you mean $PATH?)", 2],
    quiet: 'FROM alpine\nARG DIR\nENV PATH=$PATH:/app/bin\nCOPY . $DIR\nRUN echo $NOT_CHECKED\n',
  },
  {
    rule: 'MultipleInstructionsDisallowed',
    fires: 'FROM alpine\nCMD ["a"]\nCMD ["b"]\n',
    expect: ['Multiple CMD instructions should not be used in the same stage because only the last one will be used', 2],
    quiet: 'FROM alpine\nCMD ["a"]\nFROM alpine\nCMD ["b"]\n',
  },
  {
    rule: 'LegacyKeyValueFormat',
    fires: 'FROM alpine\nENV FOO bar\n',
    expect: ['"ENV key=value" should be used instead of legacy "ENV key value" format', 2],
    quiet: 'FROM alpine\nENV FOO=bar\nLABEL a=b\n',
  },
  {
    rule: 'InvalidBaseImagePlatform',
    fires: 'FROM alpine\n',
    expect: ['Base image alpine was pulled with platform "linux/arm64", expected "linux/amd64" for current build', 1],
    quiet: 'FROM debian\n',
    options: {
      baseImage: (ref) => (ref === 'alpine' ? { platform: { os: 'linux', architecture: 'arm64' } } : { platform: amd64 }),
    },
  },
  {
    rule: 'RedundantTargetPlatform',
    fires: 'FROM --platform=$TARGETPLATFORM alpine\n',
    expect: ['Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior', 1],
    quiet: 'FROM --platform=$BUILDPLATFORM alpine\n',
  },
  {
    rule: 'SecretsUsedInArgOrEnv',
    fires: 'FROM alpine\nARG GITHUB_TOKEN\n',
    expect: ['Do not use ARG or ENV instructions for sensitive data (ARG "GITHUB_TOKEN")', 2],
    quiet: 'FROM alpine\nARG PUBLIC_KEY\nENV KEY_FILE=/run/secrets/key\nARG TOKENIZER_VERSION\n',
  },
  {
    rule: 'InvalidDefaultArgInFrom',
    fires: 'ARG TAG\nFROM busybox:${TAG}\n',
    expect: ['Default value for ARG busybox:${TAG} results in empty or invalid base image name', 2],
    quiet: 'ARG TAG=latest\nFROM busybox:${TAG}\n',
  },
  {
    rule: 'FromPlatformFlagConstDisallowed',
    fires: 'FROM --platform=linux/amd64 alpine AS builder\n',
    expect: ['FROM --platform flag should not use constant value "linux/amd64"', 1],
    // A value containerd's platforms.Parse refuses (an unknown bare architecture) is not reported.
    quiet: 'FROM --platform=linux/amd64 alpine AS build_amd64\nFROM --platform=$BUILDPLATFORM alpine\nFROM --platform=nosucharch alpine AS other\n',
  },
  {
    rule: 'CopyIgnoredFile',
    fires: 'FROM scratch\nCOPY ./tmp/helloworld.txt /helloworld.txt\n',
    expect: ['Attempting to Copy file "tmp/helloworld.txt" that is excluded by .dockerignore', 2],
    quiet: 'FROM scratch\nCOPY ./src/helloworld.txt /helloworld.txt\nCOPY --from=alpine /tmp/x /x\n',
    options: { ignorePatterns: ['tmp'] },
  },
  {
    rule: 'ExposeProtoCasing',
    fires: 'FROM alpine\nEXPOSE 80/TCP\n',
    expect: ["Defined protocol '80/TCP' in EXPOSE instruction should be lowercase", 2],
    quiet: 'FROM alpine\nEXPOSE 80/tcp 53/udp\n',
  },
  {
    rule: 'ExposeInvalidFormat',
    fires: 'FROM alpine\nEXPOSE 127.0.0.1:80:80\n',
    expect: ["EXPOSE instruction should not define an IP address or host-port mapping, found '127.0.0.1:80:80'", 2],
    quiet: 'FROM alpine\nEXPOSE 80 8000-8010\n',
  },
];

for (const c of CASES) {
  test(`${c.rule} fires with BuildKit's message and line, and stays quiet on correct input`, () => {
    const fired = found(c.fires, c.options).filter(([r]) => r === c.rule);
    assert.ok(fired.length > 0, `${c.rule} did not fire`);
    assert.deepEqual([fired[0]![1], fired[0]![2]], c.expect);
    assert.deepEqual(rulesOf(c.quiet, c.options).filter((r) => r === c.rule), [], `${c.rule} fired on quiet input`);
  });
}

test('every rule in the table except the experimental one is covered above', () => {
  const covered = new Set(CASES.map((c) => c.rule));
  for (const r of CHECK_RULES) if (r.experimental !== true) assert.ok(covered.has(r.name), r.name);
  assert.equal(findCheckRule('UndefinedVar')?.description, 'Variables should be defined before their use');
  for (const r of CHECK_RULES) assert.ok(!/https?:/.test(r.explanation), `${r.name} explanation has a link`);
});

test('SecretsUsedInArgOrEnv says the image history reveals the value and points to --secret', () => {
  const [w] = lint('FROM alpine\nENV DB_PASSWORD=hunter2\n', base);
  assert.equal(w!.rule, 'SecretsUsedInArgOrEnv');
  assert.match(w!.message, /image history reveals/);
  assert.match(w!.message, /--secret/);
  assert.equal(w!.buildkitMessage, 'Do not use ARG or ENV instructions for sensitive data (ENV "DB_PASSWORD")');
  assert.ok(!w!.message.includes('hunter2'));
});

test('secret names follow BuildKit\'s words: any _-separated word, case-insensitive; allow-words win', () => {
  for (const name of ['PASSWORD', 'db_password', 'GITHUB_TOKEN', 'api_key', 'AWS_SECRET_ACCESS_KEY', 'AUTH', 'my_credentials', 'APIKEY', 'Passwd', 'x_pword', 'A_SECRET_B'])
    assert.ok(looksLikeSecretName(name), name);
  for (const name of ['PUBLIC_KEY', 'KEY_FILE', 'TOKEN_VERSION', 'TOKENIZER', 'KEYBOARD', 'MONKEY', 'SECRETARY', 'PATH', 'API-KEY', 'GPG_KEY_FILE_X'])
    assert.ok(!looksLikeSecretName(name), name);
});

test('meta ARGs are not checked for secrets; a stage re-declaration is', () => {
  assert.deepEqual(rulesOf('ARG NPM_TOKEN\nFROM alpine\n'), []);
  assert.deepEqual(rulesOf('ARG NPM_TOKEN\nFROM alpine\nARG NPM_TOKEN\n'), ['SecretsUsedInArgOrEnv']);
});

test('# check=skip=… disables rules, skip=all disables all, error=true turns warnings into a violation', () => {
  const text = '# check=skip=JSONArgsRecommended,StageNameCasing;error=true\nFROM alpine AS Build\nCMD echo hi\nMAINTAINER me\n';
  const result = lintDockerfile(text, base);
  assert.deepEqual(result.warnings.map((w) => w.rule), ['MaintainerDeprecated']);
  assert.equal(result.config.error, true);
  const violation = checkViolation(result);
  assert.ok(violation !== undefined);
  assert.equal(violation.reason, 'lint violation found for rules: MaintainerDeprecated');
  assert.deepEqual(rulesOf('# check=skip=all\nFROM alpine AS Build\nCMD echo hi\n'), []);
  assert.equal(checkViolation(lintDockerfile('# check=error=true\nFROM alpine\n', base)), undefined);
});

test('a # check= comment above one instruction skips rules for it only', () => {
  const text = 'FROM alpine\n# check=skip=JSONArgsRecommended\nCMD echo a\nFROM alpine\nCMD echo b\n';
  assert.deepEqual(found(text), [['JSONArgsRecommended', 'JSON arguments recommended for CMD to prevent unintended behavior related to OS signals', 5]]);
});

test('the caller\'s config replaces the directive, like --check options', () => {
  const text = '# check=skip=all\nFROM alpine\nCMD echo hi\n';
  assert.deepEqual(rulesOf(text, { config: parseCheckDirective('') }), ['JSONArgsRecommended']);
});

test('parseCheckDirective follows BuildKit\'s syntax and errors', () => {
  assert.deepEqual(parseCheckDirective(' skip = A, B ; error = true '), {
    skipAll: false,
    skip: ['A', 'B'],
    experimentalAll: false,
    experimental: [],
    error: true,
  });
  assert.equal(parseCheckDirective('experimental=all').experimentalAll, true);
  assert.equal(parseCheckDirective('error=1').error, true);
  assert.throws(() => parseCheckDirective('skip'), (e: unknown) => e instanceof CheckDirectiveError && e.message === 'invalid check option "skip"');
  assert.throws(() => parseCheckDirective('ignore=A'), (e: unknown) => e instanceof CheckDirectiveError && e.message === 'invalid check option "ignore"');
  assert.throws(() => parseCheckDirective('error=maybe'), CheckDirectiveError);
  assert.throws(() => lint('# check=bogus\nFROM alpine\n'), CheckDirectiveError);
});

test('UndefinedVar knows ARGs, ENVs, base image env, declared-but-empty args and inherited stages', () => {
  const text = [
    'FROM alpine AS base',
    'ARG EMPTY',
    'ENV HOME_DIR=/home',
    'COPY a $EMPTY/$HOME_DIR/$LANG',
    'FROM base',
    'WORKDIR $HOME_DIR',
    'FROM debian',
    'WORKDIR /x/$HOME_DIR',
  ].join('\n');
  const w = found(text, { baseImage: (ref) => (ref === 'alpine' ? { env: ['LANG=C.UTF-8'] } : undefined) });
  assert.deepEqual(w, [['UndefinedVar', "Usage of undefined variable '$HOME_DIR'", 8]]);
});

test('UndefinedVar checks ARG defaults and heredoc bodies, not RUN commands', () => {
  assert.deepEqual(rulesOf('FROM alpine\nARG A=$NOPE\nRUN echo $NOPE\n'), ['UndefinedVar']);
  assert.deepEqual(rulesOf('FROM alpine\nCOPY <<EOF /x\n$NOPE\nEOF\n'), ['UndefinedVar']);
  assert.deepEqual(rulesOf("FROM alpine\nCOPY <<'EOF' /x\n$NOPE\nEOF\n"), []);
});

test('with a target only the stages it needs are checked', () => {
  const text = 'FROM alpine AS a\nCMD echo a\nFROM alpine AS b\nCMD echo b\n';
  assert.deepEqual(found(text, { target: 'a' }).map(([, , l]) => l), [2]);
  assert.deepEqual(found(text).map(([, , l]) => l), [2, 4]);
});

test('WorkdirRelativePath is inherited: an absolute WORKDIR in the base stage counts', () => {
  assert.deepEqual(rulesOf('FROM alpine AS a\nWORKDIR /app\nFROM a\nWORKDIR sub\n'), []);
});

test('CopyIgnoredFile: ADD too, not with exceptions, the root only for catch-all patterns', () => {
  assert.deepEqual(rulesOf('FROM scratch\nADD secret.txt /\n', { ignorePatterns: ['*.txt'] }), ['CopyIgnoredFile']);
  assert.deepEqual(rulesOf('FROM scratch\nCOPY secret.txt /\n', { ignorePatterns: ['*.txt', '!keep.txt'] }), []);
  assert.deepEqual(rulesOf('FROM scratch\nCOPY . /\n', { ignorePatterns: ['*.md'] }), []);
  assert.deepEqual(found('FROM scratch\nCOPY . /\n', { ignorePatterns: ['**'] }), [['CopyIgnoredFile', 'Attempting to Copy file "." that is excluded by .dockerignore', 2]]);
  assert.deepEqual(rulesOf('FROM scratch\nADD https://example.com/a.txt /\n', { ignorePatterns: ['*.txt'] }), []);
});

test('a Dockerfile that would not build stops the checks with the build error', () => {
  const r = lintDockerfile('FROM alpine\nENV A=${B:?unset}\nCMD echo x\n', base);
  assert.equal(r.error?.message, 'failed to process "${B:?unset}": B: unset');
  assert.deepEqual(r.error?.location, [{ start: 2, end: 2 }]);
  assert.deepEqual(r.warnings, []);
  assert.equal(lintDockerfile('RUN x\nFROM alpine\n', base).error?.message, 'no build stage in current context');
  assert.equal(lintDockerfile('ARG X\nFROM $X\n', base).error?.message, 'base name ($X) should not be blank');
});

test('image reference validation used by InvalidDefaultArgInFrom', () => {
  for (const ok of ['alpine', 'alpine:3.19', 'docker.io/library/alpine', 'localhost:5000/a/b:tag', 'busybox@sha256:' + 'a'.repeat(64), 'scratch'])
    assert.ok(isValidImageReference(ok), ok);
  for (const bad of ['', 'Alpine', 'alpine:', 'a'.repeat(64), 'busybox@sha256:abc', 'a b', ':tag'])
    assert.ok(!isValidImageReference(bad), bad);
});

interface UpstreamCase {
  test: string;
  dockerfile: string;
  dockerignore?: string;
  buildArgs?: Record<string, string>;
  buildError?: string;
  skip?: string;
  linesUnchecked?: boolean;
  warnings: { rule: string; detail: string; line: number }[];
}

test('BuildKit\'s own check test cases: the same warnings, messages, lines and errors', () => {
  const data = JSON.parse(readFileSync(join(repoRoot, 'src/dockerfile/testdata/buildkit-check-cases.json'), 'utf8')) as { cases: UpstreamCase[] };
  // Base images the upstream tests pull: their config env (for "did you mean" suggestions).
  const images: Record<string, string[]> = { alpine: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] };
  let ran = 0;
  for (const c of data.cases) {
    if (c.skip !== undefined) continue;
    ran++;
    const options: LintOptions = {
      ...base,
      ...(c.buildArgs === undefined ? {} : { buildArgs: c.buildArgs }),
      ...(c.dockerignore === undefined ? {} : { ignorePatterns: readIgnoreFile(c.dockerignore) }),
      baseImage: (ref) => ({ env: images[ref.split(':')[0]!] ?? [], platform: amd64 }),
    };
    const label = `${c.test}: ${JSON.stringify(c.dockerfile)}`;
    const r = lintDockerfile(c.dockerfile, options);
    const byLine = (a: { line: number; detail: string }, b: { line: number; detail: string }): number =>
      a.line - b.line || (a.detail < b.detail ? -1 : a.detail > b.detail ? 1 : 0);
    const got = r.warnings.map((w) => ({ rule: w.rule, detail: w.buildkitMessage, line: w.location[0]?.start ?? 0 })).sort(byLine);
    // Upstream sorts both lists by line, then message.
    const expected = [...c.warnings].sort(byLine);
    if (c.linesUnchecked === true) {
      const strip = (ws: typeof got): { rule: string; detail: string }[] => ws.map(({ rule, detail }) => ({ rule, detail }));
      assert.deepEqual(strip(got), strip(expected), label);
    } else {
      assert.deepEqual(got, expected, label);
    }
    if (c.buildError !== undefined && c.buildError !== 'buildErr') assert.equal(r.error?.message, c.buildError, label);
    if (c.buildError === undefined) assert.equal(r.error, undefined, label);
  }
  assert.ok(ran >= 80, `ran ${ran}`);
});

test('a failing meta ARG default stops the checks at that ARG', () => {
  const r = lintDockerfile('ARG A=1\nARG B=${C:?required}\nFROM alpine\n', base);
  assert.equal(r.error?.message, 'failed to process "${C:?required}": C: required');
  assert.deepEqual(r.error?.location, [{ start: 2, end: 2 }]);
});

test('UndefinedVar reaches RUN --mount options (expanded by the builder), not the command', () => {
  assert.deepEqual(found('FROM alpine\nRUN --mount=type=cache,target=$CACHE_DIR echo $NOT_CHECKED\n'), [
    ['UndefinedVar', "Usage of undefined variable '$CACHE_DIR'", 2],
  ]);
  assert.deepEqual(rulesOf('FROM alpine\nARG CACHE_DIR=/c\nRUN --mount=type=cache,target=$CACHE_DIR true\n'), []);
});

test('warnings format as docker lists them: Rule: message (line N)', () => {
  const [cmd, secret] = lint('FROM alpine\nCMD echo hi\nARG API_TOKEN\n', base);
  assert.equal(formatCheckWarning(cmd!), 'JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended behavior related to OS signals (line 2)');
  assert.equal(
    formatCheckWarning(secret!),
    'SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG "API_TOKEN"): the image history reveals ARG and ENV values; pass secrets with --secret and RUN --mount=type=secret instead (line 3)',
  );
});
