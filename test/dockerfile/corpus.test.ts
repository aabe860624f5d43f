/**
 * The Dockerfile corpus (corpus/cases.ts): every case's dump, typed instructions, stages, heredocs,
 * warnings, directives, expansion and target selection, or its refusal.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  DockerfileSyntaxError,
  dump,
  expandInstruction,
  parse,
  parseDockerfile,
  stageDisplayName,
  stageGraph,
  stagesForTarget,
  type Dockerfile,
  type Instruction,
} from '../../src/dockerfile/index.js';
import { corpus, type CorpusCase } from './corpus/cases.js';

/** `actual` has every property `expected` has, recursively; arrays match element by element and in length. */
function assertPartial(actual: unknown, expected: unknown, path: string): void {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${path}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${path}: length of ${JSON.stringify(actual)}`);
    expected.forEach((e, i) => assertPartial(actual[i], e, `${path}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object', `${path}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [k, v] of Object.entries(expected)) assertPartial((actual as Record<string, unknown>)[k], v, `${path}.${k}`);
    return;
  }
  assert.equal(actual, expected, path);
}

function instructionsOf(df: Dockerfile): Instruction[] {
  const out: Instruction[] = [...df.metaArgs];
  for (const s of df.stages) out.push(s.from, ...s.commands);
  return out.sort((a, b) => a.location.startLine - b.location.startLine);
}

/** A test expander: `$NAME` and `${NAME}` from a table (the real one is shell-lex.ts). */
function expanders(vars: Record<string, string>) {
  const word = (w: string): string => w.replace(/\$\{(\w+)\}|\$(\w+)/g, (_m, a: string | undefined, b: string | undefined) => vars[a ?? b ?? ''] ?? '');
  return { word, raw: word, words: (w: string) => word(w).split(/\s+/).filter((x) => x !== '') };
}

function expectError(c: CorpusCase, fn: () => unknown): void {
  assert.throws(fn, (e: unknown) => {
    const reason = e instanceof DockerfileSyntaxError ? e.reason : e instanceof Error ? e.message : String(e);
    assert.ok(reason.includes(c.error!.contains), `${c.name}: "${reason}" does not contain "${c.error!.contains}"`);
    if (c.error!.line !== undefined) {
      assert.ok(e instanceof DockerfileSyntaxError, `${c.name}: not a DockerfileSyntaxError`);
      assert.equal(e.line, c.error!.line, `${c.name}: line`);
    }
    return true;
  });
}

describe('Dockerfile corpus', () => {
  it('has at least 100 cases with unique names', () => {
    assert.ok(corpus.length >= 100, `${corpus.length} cases`);
    assert.equal(new Set(corpus.map((c) => c.name)).size, corpus.length);
  });

  for (const c of corpus) {
    it(c.name, () => {
      if (c.dump !== undefined) assert.equal(dump(parse(c.dockerfile).ast), c.dump);
      if (c.heredocs !== undefined) {
        const { ast } = parse(c.dockerfile);
        for (const [i, want] of Object.entries(c.heredocs)) assertPartial(ast.children[Number(i)]!.heredocs, want, `heredocs[${i}]`);
      }
      if (c.error !== undefined && c.expand === undefined && c.target === undefined) {
        expectError(c, () => parseDockerfile(c.dockerfile));
        return;
      }
      const df = parseDockerfile(c.dockerfile);
      if (c.escape !== undefined) assert.equal(df.escapeToken, c.escape);
      if (c.directives !== undefined) assertPartial(df.directives, c.directives, 'directives');
      if (c.warnings !== undefined) assert.deepEqual(df.warnings.map((w) => w.short), c.warnings);
      if (c.instructions !== undefined) assertPartial(instructionsOf(df), c.instructions, 'instructions');
      if (c.stages !== undefined) assertPartial(df.stages, c.stages, 'stages');
      if (c.metaArgs !== undefined) assertPartial(df.metaArgs, c.metaArgs, 'metaArgs');
      if (c.expand !== undefined) {
        const ex = expanders(c.expand.vars);
        const run = (): Instruction[] => instructionsOf(df).map((i) => expandInstruction(i, ex));
        if (c.error !== undefined) expectError(c, run);
        else assertPartial(run(), c.expand.instructions, 'expanded');
      }
      if (c.target !== undefined) {
        const t = c.target;
        const select = (): string[] =>
          stagesForTarget(stageGraph(df.stages, { escapeToken: df.escapeToken }), t.target).stages.map(stageDisplayName);
        if (t.error !== undefined) expectError({ ...c, error: { contains: t.error } }, select);
        else assert.deepEqual(select(), t.stages);
      }
    });
  }
});
