/** `gantry dockerfile parse`: output formats, stdin, and errors with file:line and exit code 1. */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { gantryBin, tempDir } from '../helpers/paths.js';

function gantry(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [gantryBin, ...args], { input, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gantry dockerfile parse', () => {
  it('prints the BuildKit dump of a file', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'Dockerfile');
    writeFileSync(file, 'FROM busybox AS base\nRUN --mount=type=cache,target=/c echo hi\nENV A=1 B=2\n');
    const r = gantry(['dockerfile', 'parse', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '(from "busybox" "AS" "base")\n(run ["--mount=type=cache,target=/c"] "echo hi")\n(env "A" "1" "=" "B" "2" "=")\n');
  });

  it('reads standard input and prints typed stages as JSON', () => {
    const r = gantry(['dockerfile', 'parse', '--format', 'json', '-'], 'FROM a AS one\nFROM b\nCOPY --from=one /x /y\n');
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout);
    assert.equal(plan.stages.length, 2);
    assert.equal(plan.stages[1].commands[0].kind, 'copy');
    assert.deepEqual(plan.stages[1].dependencies.stages, [{ stage: 0, via: 'copy', ref: 'one', line: 3 }]);
  });

  it('lists the stages a --target needs', () => {
    const r = gantry(['dockerfile', 'parse', '--format', 'json', '--target', 'Test', '-'], 'FROM a AS build\nFROM b AS test\nCOPY --from=build /x /y\nFROM c AS release\n');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).target, { index: 1, name: 'test', needs: [0, 1] });
    const missing = gantry(['dockerfile', 'parse', '--format', 'json', '--target', 'tset', '-'], 'FROM a AS test\n');
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'Error: target stage "tset" could not be found (did you mean test?)\n');
  });

  it('reports an unknown instruction as Error: Dockerfile:<line> and exits 1', (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'Dockerfile');
    writeFileSync(file, 'FROM busybox\n\nRUNN echo\n');
    const r = gantry(['dockerfile', 'parse', '--format', 'json', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: Dockerfile:3: unknown instruction: RUNN (did you mean RUN?)\n');
  });

  it('reports an unterminated heredoc with its line range', () => {
    const r = gantry(['dockerfile', 'parse', '-'], 'FROM busybox\nRUN <<EOF\necho\n');
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'Error: Dockerfile:2-3: unterminated heredoc\n');
  });
});
