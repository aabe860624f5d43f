/**
 * BuildKit's instruction tests, read from ../shared/conformance/buildkit/instructions-cases.json.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { conformancePath } from '../helpers/paths.js';
import {
  BuilderFlags,
  DockerfileSyntaxError,
  handleJSONArgs,
  parse,
  parseDevice,
  parseDockerfile,
  parseInstruction,
  parseOptInterval,
} from '../../src/dockerfile/index.js';
import type { Flag, Instruction } from '../../src/dockerfile/index.js';
import { chain, makeNode } from '../../src/dockerfile/node.js';

const root = conformancePath('buildkit');
const skip = root === undefined ? 'shared conformance data (../shared/conformance/buildkit) is absent' : false;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON test data of many shapes
type Json = any;
const cases = (): Json => JSON.parse(readFileSync(join(root!, 'instructions-cases.json'), 'utf8'));

function first(text: string): Instruction {
  return parseInstruction(parse(text).ast.children[0]!);
}

function reasonOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof DockerfileSyntaxError, `expected a DockerfileSyntaxError, got ${String(e)}`);
    return e.reason;
  }
  assert.fail('expected an error');
}

describe('BuildKit instructions-cases.json', { skip }, () => {
  it('refuses instructions with BuildKit\'s messages (errorCases, errorCasesHeredoc)', () => {
    const c = cases();
    for (const e of [...c.errorCases, ...c.errorCasesHeredoc]) {
      const reason = reasonOf(() => first(e.dockerfile));
      assert.ok(reason.includes(e.errorContains), `${e.name}: ${reason}`);
    }
  });

  it('reports wrong argument counts with exact texts (argumentCountErrors)', () => {
    for (const e of cases().argumentCountErrors.cases) assert.equal(reasonOf(() => first(e.dockerfile)), e.error, e.dockerfile);
  });

  it('refuses odd name/value lists and blank names from hand-built nodes (nodeLevelErrors)', () => {
    for (const e of cases().nodeLevelErrors.cases) {
      const node = makeNode({ value: e.cmd.toLowerCase(), original: e.original ?? '', next: chain(e.nodeValues) });
      assert.equal(reasonOf(() => parseInstruction(node)), e.error);
    }
  });

  it('splits COPY sources into paths and heredoc contents (copyHeredoc)', () => {
    for (const e of cases().copyHeredoc) {
      const c = first(e.dockerfile);
      assert.equal(c.kind, 'copy');
      if (c.kind !== 'copy') continue;
      const want = e.sourcesAndDest;
      assert.equal(c.dest, want.destPath, e.dockerfile);
      assert.deepEqual(c.sources, want.sourcePaths ?? [], e.dockerfile);
      assert.deepEqual(c.sourceContents, want.sourceContents ?? [], e.dockerfile);
    }
  });

  it('keeps RUN command lines and heredoc files, shell or exec form (runHeredoc)', () => {
    for (const e of cases().runHeredoc) {
      const c = first(e.dockerfile);
      assert.equal(c.kind, 'run');
      if (c.kind !== 'run') continue;
      assert.equal(c.command.prependShell, e.prependShell, e.dockerfile);
      assert.deepEqual(c.command.cmdLine, e.cmdLine, e.dockerfile);
      assert.deepEqual(c.command.files, e.files ?? [], e.dockerfile);
    }
  });

  it('parses RUN --device values (parseDevice)', () => {
    for (const e of cases().parseDevice) {
      if (e.error !== null) assert.throws(() => parseDevice(e.input), { message: e.error }, e.input);
      else assert.deepEqual(parseDevice(e.input), e.expected, e.input);
    }
  });

  it('parses builder flags like BuildKit\'s BFlags (builderFlags)', () => {
    for (const e of cases().builderFlags.cases) {
      const bf = new BuilderFlags(e.args);
      const flags: Record<string, Flag> = {};
      for (const [name, [type, def]] of Object.entries(e.defs as Record<string, [string, boolean | string]>)) {
        flags[name] = type === 'bool' ? bf.addBool(name, def as boolean) : bf.addString(name, def as string);
      }
      const label = JSON.stringify(e.args);
      if (!e.ok) {
        assert.throws(() => bf.parse(), Error, label);
        continue;
      }
      bf.parse();
      if (e.values !== undefined) {
        for (const [name, v] of Object.entries(e.values as Record<string, boolean | string>)) {
          const got = flags[name]!.value;
          assert.equal(typeof v === 'boolean' ? got === 'true' : got, v, `${label} ${name}`);
        }
      }
      if (e.used !== undefined) assert.deepEqual(bf.used().sort(), [...e.used].sort(), label);
    }
  });

  it('joins shell-form words and keeps exec-form ones (handleJSONArgs)', () => {
    for (const e of cases().handleJSONArgs.cases) assert.deepEqual(handleJSONArgs(e.args, e.json), e.expected);
  });

  it('turns HEALTHCHECK CMD words into CMD-SHELL and refuses intervals under 1ms (healthcheck)', () => {
    const c = cases().healthcheck;
    const node = makeNode({ value: 'healthcheck', next: chain(c.cmdNodeValues) });
    const hc = parseInstruction(node);
    assert.equal(hc.kind, 'healthcheck');
    if (hc.kind === 'healthcheck') assert.deepEqual(hc.health.test, c.expectedTest);
    for (const i of c.interval) {
      if (i.ok === true) assert.doesNotThrow(() => parseOptInterval('interval', i.value), i.value);
      else assert.throws(() => parseOptInterval('interval', i.value), (err: Error) => err.message.includes(i.errorContains));
    }
  });

  it('records which RUN flags were used (runFlagsUsed)', () => {
    const c = cases().runFlagsUsed;
    const run = first(c.dockerfile);
    assert.equal(run.kind, 'run');
    if (run.kind === 'run') assert.deepEqual(run.flagsUsed, c.flagsUsed);
  });

  it('attaches doc comments to ARG and FROM definitions (commentsDetection)', () => {
    const c = cases().commentsDetection;
    const df = parseDockerfile(c.dockerfile);
    const want = c.expected;
    assert.deepEqual(
      df.metaArgs.flatMap((a) => a.args.map((x) => ({ key: x.key, docComment: x.docComment }))),
      want.metaArgs,
    );
    assert.equal(df.stages[0]!.docComment, want.stage0DocComment);
    const got = df.stages[0]!.commands.map((cmd) => ({
      args: cmd.kind === 'arg' ? cmd.args.map((x) => ({ key: x.key, docComment: x.docComment })) : [],
    }));
    assert.deepEqual(got, want.stage0Commands);
  });
});
