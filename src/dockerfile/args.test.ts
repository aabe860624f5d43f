import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BuildArgs,
  DEFAULT_PATH,
  isProxyArgName,
  platformArgs,
  unconsumedBuildArgsWarning,
} from './args.js';
import { formatPlatform, hostPlatform } from '../oci/index.js';
import { ShellExpansionError } from './shell-lex.js';
import { parseDockerfile } from './stages.js';
import { expandInstruction } from './instructions/expand.js';

const amd64 = { os: 'linux', architecture: 'amd64' };

test('meta args are visible in FROM, a --build-arg replaces the default unexpanded', () => {
  const args = new BuildArgs(
    [
      { key: 'REGISTRY', value: 'docker.io' },
      { key: 'IMAGE', value: '${REGISTRY}/library/alpine' },
      { key: 'TAG', value: '3.19' },
    ],
    { buildArgs: { TAG: '$NOT_EXPANDED' }, buildPlatform: amd64 },
  );
  assert.equal(args.expandFrom('$IMAGE:$TAG').result, 'docker.io/library/alpine:$NOT_EXPANDED');
  assert.deepEqual([...args.expandFrom('${IMAGE}').matched], ['IMAGE']);
});

test('a meta arg is invisible inside a stage until re-declared by a bare ARG', () => {
  const args = new BuildArgs([{ key: 'VERSION', value: '1.2' }], { buildPlatform: amd64 });
  const stage = args.stage();
  assert.equal(stage.expandWord('v$VERSION').result, 'v');
  assert.deepEqual([...stage.expandWord('v$VERSION').unmatched], ['VERSION']);
  stage.declareArgs([{ key: 'VERSION' }]);
  assert.equal(stage.expandWord('v$VERSION').result, 'v1.2');
});

test('a stage ARG default wins over the global value, a build arg over both', () => {
  const args = new BuildArgs([{ key: 'A', value: 'global' }], { buildArgs: { B: 'cli' }, buildPlatform: amd64 });
  const stage = args.stage();
  const { args: resolved, history } = stage.declareArgs([
    { key: 'A', value: 'stage' },
    { key: 'B', value: 'default' },
    { key: 'C' },
  ]);
  assert.deepEqual(resolved, [
    { key: 'A', value: 'stage' },
    { key: 'B', value: 'cli' },
    { key: 'C' },
  ]);
  assert.equal(history, 'ARG A=stage B=cli C');
});

test('an ARG default expands with earlier ARGs and ENVs of the stage', () => {
  const stage = new BuildArgs([], { buildPlatform: amd64 }).stage();
  stage.setEnv([{ key: 'BASE', value: '/opt' }]);
  stage.declareArgs([{ key: 'DIR', value: '${BASE}/app' }]);
  assert.equal(stage.expandWord('$DIR/bin').result, '/opt/app/bin');
});

test('ENV after ARG overrides the build arg for later words and RUN', () => {
  const args = new BuildArgs([], { buildArgs: { MODE: 'debug' }, buildPlatform: amd64 });
  const stage = args.stage();
  stage.declareArgs([{ key: 'MODE' }]);
  assert.equal(stage.expandWord('$MODE').result, 'debug');
  stage.setEnv([{ key: 'MODE', value: 'release' }]);
  assert.equal(stage.expandWord('$MODE').result, 'release');
  assert.deepEqual(stage.runBuildArgs(), [['MODE', 'release']]);
  assert.ok(stage.imageEnv().includes('MODE=release'));
});

test('ENV values in one instruction see the environment from before it', () => {
  const stage = new BuildArgs([], { buildPlatform: amd64 }).stage();
  stage.setEnv([{ key: 'abc', value: 'hello' }]);
  const out = stage.setEnv([
    { key: 'abc', value: 'bye' },
    { key: 'def', value: '$abc' },
  ]);
  assert.deepEqual(out, [
    { key: 'abc', value: 'bye' },
    { key: 'def', value: 'hello' },
  ]);
  assert.equal(stage.expandWord('$def').result, 'hello');
});

test('ARG values are in the build environment but not in the image config', () => {
  const stage = new BuildArgs([], { buildPlatform: amd64 }).stage(undefined, ['PATH=/bin', 'HOME=/root']);
  stage.declareArgs([{ key: 'TOKEN', value: 'x' }]);
  assert.deepEqual(stage.imageEnv(), ['PATH=/bin', 'HOME=/root']);
  assert.ok(stage.runEnv().includes('TOKEN=x'));
});

test('a stage without PATH in its base image gets the default PATH', () => {
  const stage = new BuildArgs([], { buildPlatform: amd64 }).stage();
  assert.deepEqual(stage.imageEnv(), [`PATH=${DEFAULT_PATH}`]);
});

test('a stage FROM another stage inherits its args and environment', () => {
  const args = new BuildArgs([], { buildArgs: { V: '9' }, buildPlatform: amd64 });
  const base = args.stage();
  base.declareArgs([{ key: 'V' }]);
  base.setEnv([{ key: 'E', value: 'e' }]);
  const child = args.stage(base);
  assert.equal(child.expandWord('$V-$E').result, '9-e');
  assert.deepEqual(child.runBuildArgs(), [['V', '9']]);
  const sibling = args.stage();
  assert.equal(sibling.expandWord('$V-$E').result, '-');
});

test('RUN history lists every declared arg with its value (bare ones empty), deduplicated', () => {
  const args = new BuildArgs([], { buildArgs: { B: 'b2' }, buildPlatform: amd64 });
  const stage = args.stage();
  stage.declareArgs([{ key: 'A', value: '1' }, { key: 'B', value: 'x' }, { key: 'C' }]);
  stage.declareArgs([{ key: 'A', value: '3' }]);
  assert.equal(stage.runHistory(['/bin/sh', '-c', 'make']), '|3 A=3 B=b2 C= /bin/sh -c make');
  assert.equal(args.stage().runHistory(['/bin/sh', '-c', 'true']), '/bin/sh -c true');
});

test('proxy args need no declaration, reach RUN in both spellings and stay out of history', () => {
  const args = new BuildArgs([], { buildArgs: { HTTP_PROXY: 'http://p:3128', no_proxy: 'localhost' }, buildPlatform: amd64 });
  const stage = args.stage();
  assert.equal(stage.runHistory(['true']), 'true');
  const env = stage.runEnv();
  for (const e of ['HTTP_PROXY=http://p:3128', 'http_proxy=http://p:3128', 'NO_PROXY=localhost', 'no_proxy=localhost']) {
    assert.ok(env.includes(e), e);
  }
  assert.deepEqual(args.unconsumedBuildArgs(), []);
  assert.ok(isProxyArgName('all_proxy') && isProxyArgName('Https_Proxy') && !isProxyArgName('PROXY'));
});

test('a declared proxy arg is recorded in history like any build arg', () => {
  const args = new BuildArgs([], { buildArgs: { HTTP_PROXY: 'http://p' }, buildPlatform: amd64 });
  const stage = args.stage();
  stage.declareArgs([{ key: 'HTTP_PROXY' }]);
  assert.equal(stage.runHistory(['true']), '|1 HTTP_PROXY=http://p true');
});

test('platform args describe this machine, are global, and can be overridden', () => {
  const args = new BuildArgs([], { buildPlatform: amd64 });
  assert.equal(args.expandFrom('$TARGETPLATFORM $BUILDARCH $TARGETOS $TARGETVARIANT.').result, 'linux/amd64 amd64 linux .');
  const stage = args.stage();
  assert.equal(stage.expandWord('$TARGETARCH').result, '');
  stage.declareArgs([{ key: 'TARGETARCH' }]);
  assert.equal(stage.expandWord('$TARGETARCH').result, 'amd64');
  const arm = Object.fromEntries(platformArgs({ buildPlatform: amd64, targetPlatform: { os: 'linux', architecture: 'arm', variant: 'v7' } }));
  assert.equal(arm['TARGETPLATFORM'], 'linux/arm/v7');
  assert.equal(arm['BUILDPLATFORM'], 'linux/amd64');
  assert.equal(Object.fromEntries(platformArgs({ buildArgs: { TARGETARCH: 'riscv64' } }))['TARGETARCH'], 'riscv64');
  assert.equal(formatPlatform(hostPlatform({ platform: 'linux', arch: 'x64' })), 'linux/amd64');
  assert.equal(formatPlatform(hostPlatform({ platform: 'linux', arch: 'arm', armVersion: '7' })), 'linux/arm/v7');
});

test('given build args that no ARG declares are reported, builtins never', () => {
  const args = new BuildArgs([{ key: 'META' }], {
    buildArgs: { META: '1', USED: '2', UNUSED: '3', ALSO_UNUSED: '4', BUILDKIT_INLINE_CACHE: '1', TARGETARCH: 'arm64', SOURCE_DATE_EPOCH: '0' },
    buildPlatform: amd64,
  });
  args.stage().declareArgs([{ key: 'USED' }]);
  assert.deepEqual(args.unconsumedBuildArgs(), ['ALSO_UNUSED', 'UNUSED']);
  assert.equal(unconsumedBuildArgsWarning(args.unconsumedBuildArgs()), '[Warning] One or more build-args [ALSO_UNUSED UNUSED] were not consumed');
  assert.equal(unconsumedBuildArgsWarning([]), undefined);
});

test('BUILDKIT_SBOM_SCAN_* args are declared but never enter the environment', () => {
  const stage = new BuildArgs([], { buildPlatform: amd64 }).stage();
  stage.declareArgs([{ key: 'BUILDKIT_SBOM_SCAN_STAGE', value: 'true' }]);
  assert.equal(stage.env.get('BUILDKIT_SBOM_SCAN_STAGE'), undefined);
});

test('a bad default is a ShellExpansionError with BuildKit\'s text', () => {
  assert.throws(() => new BuildArgs([{ key: 'X', value: '${Y:?Y must be set}' }]), (err: unknown) => err instanceof ShellExpansionError && err.reason === 'Y: Y must be set');
});

test('the backtick escape applies to defaults and stage words', () => {
  const args = new BuildArgs([{ key: 'W', value: 'C:\\dir' }], { escape: '`', buildPlatform: amd64 });
  assert.equal(args.expandFrom('$W').result, 'C:\\dir');
  const stage = args.stage();
  stage.declareArgs([{ key: 'W' }]);
  assert.equal(stage.expandWord('`$W=$W').result, '$W=C:\\dir');
});

// ---- Whole Dockerfiles through the parser and this model: BuildKit's own ARG tests
// (frontend/dockerfile/dockerfile_args_test.go, dockerfile_history_test.go), checked on the
// environment and history each RUN would get instead of on a built image.

interface RunSeen {
  env: Map<string, string>;
  history: string;
}

function simulate(text: string, buildArgs: Record<string, string> = {}, target?: string): RunSeen[] {
  const df = parseDockerfile(text);
  const targetStage = target ?? df.stages[df.stages.length - 1]!.name;
  const args = new BuildArgs(
    df.metaArgs.flatMap((a) => a.args.map((d) => (d.value === undefined ? { key: d.key } : { key: d.key, value: d.value }))),
    { buildArgs, buildPlatform: amd64, targetStage, escape: df.escapeToken },
  );
  const runs: RunSeen[] = [];
  const scopes = new Map<string, ReturnType<BuildArgs['stage']>>();
  for (const st of df.stages) {
    const baseName = args.expandFrom(st.baseName).result;
    const stage = args.stage(scopes.get(baseName));
    for (const c of st.commands) {
      if (c.kind === 'arg') stage.declareArgs(c.args.map((d) => (d.value === undefined ? { key: d.key } : { key: d.key, value: d.value })));
      if (c.kind === 'env') stage.setEnv(c.env);
      if (c.kind === 'run') {
        const env = new Map(stage.runEnv().map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as [string, string]));
        runs.push({ env, history: `RUN ${stage.runHistory(['/bin/sh', '-c', c.command.cmdLine.join(' ')])}` });
      }
    }
    if (st.name !== '') scopes.set(st.name, stage);
  }
  return runs;
}

test('testMultiArgs: quoted meta defaults, several names per ARG, bare re-declaration', () => {
  const [run] = simulate(
    'ARG a1="foo bar" a2=box\nARG a3="$a2-foo"\nFROM busy$a2 AS build\nARG a3 a4="123 456" a1\nRUN echo -n "$a1:$a3:$a4" > /out\n',
  );
  assert.equal([run!.env.get('a1'), run!.env.get('a3'), run!.env.get('a4')].join(':'), 'foo bar:box-foo:123 456');
});

test('testQuotedMetaArgs: a stage default expands with a re-declared meta arg', () => {
  const [run] = simulate('ARG a1="box"\nARG a2="$a1-foo"\nFROM busy$a1 AS build\nARG a2\nARG a3="bar-$a2"\nRUN echo -n $a3 > /out\n');
  assert.equal(run!.env.get('a3'), 'bar-box-foo');
});

test('history: a re-declared ARG keeps its place with the latest value (RUN |2 foo=bar2 bar=123)', () => {
  const [run] = simulate('FROM busybox\nARG foo=bar\nARG bar=123\nARG foo=bar2\nRUN ls /etc/\n');
  assert.equal(run!.history, 'RUN |2 foo=bar2 bar=123 /bin/sh -c ls /etc/');
});

test('testBuiltinArgs: proxies reach RUN undeclared and stay out of history; a bare ARG is unset', () => {
  const text = 'FROM busybox AS build\nARG FOO\nARG BAR\nARG BAZ=bazcontent\nRUN echo -n $HTTP_PROXY::$NO_PROXY::$FOO::$BAR::$BAZ > /out\n';
  const [run] = simulate(text, { FOO: 'foocontents', http_proxy: 'hpvalue', NO_PROXY: 'npvalue' });
  const v = (k: string): string => run!.env.get(k) ?? '';
  assert.equal([v('HTTP_PROXY'), v('NO_PROXY'), v('FOO'), v('BAR'), v('BAZ')].join('::'), 'hpvalue::npvalue::foocontents::::bazcontent');
  assert.equal(run!.env.has('BAR'), false);
  // The history (and so the cache key) does not change with the proxy value.
  const [other] = simulate(text, { FOO: 'foocontents', http_proxy: 'hpvalue2' });
  assert.equal(other!.history, run!.history);
  assert.equal(run!.history, 'RUN |3 FOO=foocontents BAR= BAZ=bazcontent /bin/sh -c echo -n $HTTP_PROXY::$NO_PROXY::$FOO::$BAR::$BAZ > /out');
});

test('testDefaultEnvWithArgs: ${image#idle} in FROM, ${my_arg:-def_val} and ${my_arg%%e*} in ENV', () => {
  const text =
    'ARG image=idlebox\nFROM busy${image#idle} AS build\nARG my_arg\nENV my_arg "my_arg=${my_arg:-def_val}"\nENV my_trimmed_arg "${my_arg%%e*}"\nRUN ./myscript.sh $my_arg $my_trimmed_arg\n';
  for (const [buildArgs, expected] of [
    [{}, 'my_arg=def_val my_arg=d'],
    [{ my_arg: '' }, 'my_arg=def_val my_arg=d'],
    [{ my_arg: 'override' }, 'my_arg=override my_arg=ov'],
  ] as const) {
    const [run] = simulate(text, buildArgs);
    assert.equal(`${run!.env.get('my_arg')} ${run!.env.get('my_trimmed_arg')}`, expected);
  }
  assert.equal(new BuildArgs([{ key: 'image', value: 'idlebox' }]).expandFrom('busy${image#idle}').result, 'busybox');
});

test('testEmptyStringArgInEnv: ARG BAR= is set and empty, ARG FOO is not set', () => {
  const [run] = simulate('FROM busybox AS build\nARG FOO\nARG BAR=\nRUN env > env.txt\n');
  assert.equal(run!.env.get('BAR'), '');
  assert.equal(run!.env.has('FOO'), false);
});

test('testTargetStageNameArg: TARGETSTAGE is the target, else the last stage\'s name, else "default"', () => {
  const text = 'FROM alpine AS base\nRUN echo -n "value:$TARGETSTAGE" > /out/first\nARG TARGETSTAGE\nRUN echo -n "value:$TARGETSTAGE" > /out/second\nFROM scratch AS foo\nCOPY --from=base /out/ /\nFROM scratch\nCOPY --from=base /out/ /\n';
  const [first, second] = simulate(text, {}, 'foo');
  assert.equal(first!.env.get('TARGETSTAGE'), undefined);
  assert.equal(second!.env.get('TARGETSTAGE'), 'foo');
  assert.equal(simulate(text)[1]!.env.get('TARGETSTAGE'), 'default');
  assert.equal(simulate(`${text}FROM scratch AS final\n`)[1]!.env.get('TARGETSTAGE'), 'final');
});

test('testGlobalArgErrors and testArgDefaultExpansion: ${X:?msg} fails unless a build arg replaces it', () => {
  assert.throws(() => simulate('ARG FOO=${FOO:?"custom error"}\nFROM busybox\n'), /FOO: custom error/);
  assert.doesNotThrow(() => simulate('ARG FOO=${FOO:?"custom error"}\nFROM busybox\n', { FOO: 'bar' }));
  const text = 'FROM scratch\nARG FOO\nARG BAR=${FOO:?"foo missing"}\n';
  assert.throws(() => simulate(text), /FOO: foo missing/);
  assert.doesNotThrow(() => simulate(text, { FOO: '123' }));
  assert.doesNotThrow(() => simulate(text, { BAR: '123' }));
});

test('expanders() plug the stage environment into expandInstruction, reporting unset names', () => {
  const df = parseDockerfile('FROM scratch\nARG DIR=/opt\nCOPY --chown=$USER <<EOF ${DIR}/conf\nhome="$DIR" $MISSING\nEOF\nEXPOSE $PORTS\n');
  const stage = new BuildArgs([], { buildPlatform: amd64 }).stage(undefined, ['USER=app', 'PORTS=80 443/udp']);
  const unset: string[] = [];
  const [arg, copy, expose] = df.stages[0]!.commands;
  assert.ok(arg?.kind === 'arg' && copy?.kind === 'copy' && expose?.kind === 'expose');
  stage.declareArgs(arg.args.map((a) => ({ key: a.key, value: a.value! })));
  const ex = stage.expanders((names) => unset.push(...names));
  const c = expandInstruction(copy, ex);
  assert.equal(c.dest, '/opt/conf');
  assert.equal(c.chown, 'app');
  assert.equal(c.sourceContents[0]!.data, 'home="/opt" \n');
  assert.deepEqual(unset, ['MISSING']);
  assert.deepEqual(expandInstruction(expose, ex).ports, ['80', '443/udp']);
});

test('SOURCE_DATE_EPOCH comes from the build arg, else from a non-empty meta ARG', () => {
  assert.equal(new BuildArgs([], { buildArgs: { SOURCE_DATE_EPOCH: '1700000000' } }).sourceDateEpoch(), '1700000000');
  assert.equal(new BuildArgs([{ key: 'SOURCE_DATE_EPOCH', value: '42' }]).sourceDateEpoch(), '42');
  assert.equal(new BuildArgs([{ key: 'SOURCE_DATE_EPOCH', value: '' }]).sourceDateEpoch(), undefined);
  assert.equal(new BuildArgs([]).sourceDateEpoch(), undefined);
  assert.deepEqual(new BuildArgs([], { buildArgs: { SOURCE_DATE_EPOCH: '0' } }).unconsumedBuildArgs(), []);
});
