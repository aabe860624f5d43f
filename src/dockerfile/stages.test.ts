import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DockerfileSyntaxError } from './errors.js';
import { findStage, parseDockerfile, stageGraph, stagesForTarget, TargetNotFoundError } from './stages.js';

const text = [
  'ARG BASE=alpine',
  'FROM ${BASE} AS Base',
  'RUN make',
  'FROM base AS test',
  'COPY --from=BASE /out /out',
  'FROM golang AS tools',
  'FROM scratch AS release',
  'COPY --from=base /out /',
  'RUN --mount=from=tools,target=/t true',
  'COPY --from=busybox:latest /bin/sh /sh',
  '',
].join('\n');

describe('stages', () => {
  it('groups instructions under their FROM and keeps global ARGs apart', () => {
    const df = parseDockerfile(text);
    assert.deepEqual(df.stages.map((s) => [s.index, s.name, s.baseName, s.commands.length]), [
      [0, 'base', '${BASE}', 1],
      [1, 'test', 'base', 1],
      [2, 'tools', 'golang', 0],
      [3, 'release', 'scratch', 3],
    ]);
    assert.equal(df.metaArgs.length, 1);
    assert.equal(findStage(df.stages, 'BASE')?.index, 0);
  });

  it('builds the dependency graph: FROM <stage>, COPY --from, mount from=, images apart', () => {
    const df = parseDockerfile(text);
    const g = stageGraph(df.stages, { resolveBaseName: (s) => s.baseName.replace('${BASE}', 'alpine') });
    assert.equal(g.nodes[0]!.baseImage, 'alpine');
    assert.equal(g.nodes[1]!.base, 0);
    assert.deepEqual(g.nodes[3]!.dependsOn.map((e) => [e.stage, e.via, e.ref]), [[0, 'copy', 'base'], [2, 'mount', 'tools']]);
    assert.deepEqual(g.nodes[3]!.images.map((e) => [e.via, e.ref]), [['copy', 'busybox:latest']]);
  });

  it('selects only the stages a target needs, in order', () => {
    const g = stageGraph(parseDockerfile(text).stages);
    assert.deepEqual(stagesForTarget(g).stages.map((s) => s.name), ['base', 'tools', 'release']);
    assert.deepEqual(stagesForTarget(g, 'Test').stages.map((s) => s.name), ['base', 'test']);
    assert.equal(stagesForTarget(g, 'tools').target.index, 2);
  });

  it('refuses an unknown target with a suggestion', () => {
    const g = stageGraph(parseDockerfile(text).stages);
    assert.throws(() => stagesForTarget(g, 'tset'), (e: unknown) => e instanceof TargetNotFoundError && e.message === 'target stage "tset" could not be found (did you mean test?)');
  });

  it('refuses a cycle between stages, pointing at the instructions', () => {
    const df = parseDockerfile('FROM a AS x\nCOPY --from=y /a /a\nFROM b AS y\nCOPY --from=x /b /b\n');
    assert.throws(() => stageGraph(df.stages), (e: unknown) => {
      assert.ok(e instanceof DockerfileSyntaxError);
      assert.equal(e.reason, 'circular dependency detected on stage: x');
      assert.deepEqual(e.lines, [{ start: 2, end: 2 }, { start: 4, end: 4 }]);
      return true;
    });
  });

  it('refuses a mount from a stage defined later when that stage is needed', () => {
    const df = parseDockerfile('FROM a AS x\nRUN --mount=from=y,target=/m true\nFROM b AS y\n');
    const g = stageGraph(df.stages);
    assert.throws(() => stagesForTarget(g, 'x'), {
      message: 'Dockerfile:2: cannot mount from stage "y" to "/m", stage needs to be defined before current command',
    });
    assert.deepEqual(stagesForTarget(g, 'y').stages.map((s) => s.name), ['y']);
  });

  it('accepts a custom expansion check for COPY --from', () => {
    const df = parseDockerfile('FROM a AS one\nFROM b\nCOPY --from=$STAGE /a /b\n');
    assert.throws(() => stageGraph(df.stages), /variable expansion is not supported for --from/);
    assert.doesNotThrow(() => stageGraph(df.stages, { usesExpansion: () => false }));
  });
});
