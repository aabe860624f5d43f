/**
 * Real-world-shaped Dockerfiles (corpus/realistic/*.Dockerfile). Each `.expected.json` was produced
 * by BuildKit's own parser (moby/buildkit @ 73ed6825, the conformance commit, built locally): the
 * dump, every instruction's line range and heredocs, warnings and escape token must match exactly,
 * and the file must go through the typed layers and stage selection.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../helpers/paths.js';
import { dump, parse, parseDockerfile, stageGraph, stagesForTarget } from '../../src/dockerfile/index.js';

const dir = join(repoRoot, 'test', 'dockerfile', 'corpus', 'realistic');
const files = readdirSync(dir).filter((f) => f.endsWith('.Dockerfile')).sort();

describe('realistic Dockerfiles match BuildKit', () => {
  it('has the corpus', () => assert.ok(files.length >= 10));

  for (const f of files) {
    it(f, () => {
      const text = readFileSync(join(dir, f), 'utf8');
      const want = JSON.parse(readFileSync(join(dir, f.replace(/\.Dockerfile$/, '.expected.json')), 'utf8'));
      const res = parse(text);
      assert.equal(dump(res.ast), want.dump);
      assert.deepEqual(res.ast.children.map((n) => [n.startLine, n.endLine]), want.lines);
      assert.deepEqual(res.ast.children.map((n) => n.heredocs), want.heredocs);
      assert.deepEqual(res.warnings.map((w) => w.short), want.warnings);
      assert.equal(res.escapeToken, want.escapeToken);
      const df = parseDockerfile(text);
      const { target } = stagesForTarget(stageGraph(df.stages, { escapeToken: df.escapeToken }));
      assert.equal(target.index, df.stages.length - 1);
    });
  }
});
