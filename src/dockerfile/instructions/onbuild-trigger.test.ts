import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseDockerfile } from '../stages.js';
import { parseOnbuildTrigger } from './onbuild-trigger.js';

describe('parseOnbuildTrigger', () => {
  it('round-trips an ONBUILD expression, heredoc included, at the FROM\'s location', () => {
    const df = parseDockerfile('FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n');
    const onbuild = df.stages[0]!.commands[0]!;
    assert.equal(onbuild.kind, 'onbuild');
    if (onbuild.kind !== 'onbuild') return;
    const c = parseOnbuildTrigger(onbuild.expression, { startLine: 7, endLine: 7 });
    assert.equal(c.kind, 'run');
    if (c.kind !== 'run') return;
    assert.deepEqual(c.command.files, [{ name: 'EOF', data: 'echo hi\n', chomp: false }]);
    assert.deepEqual(c.location, { startLine: 7, endLine: 7 });
  });

  it('refuses several instructions and points at the FROM', () => {
    assert.throws(() => parseOnbuildTrigger('RUN a\nRUN b', { startLine: 3, endLine: 3 }), {
      message: 'Dockerfile:3: onbuild trigger should be a single expression',
    });
    assert.throws(() => parseOnbuildTrigger('BOGUS x', { startLine: 3, endLine: 3 }), {
      message: 'Dockerfile:3: unknown instruction: BOGUS',
    });
  });
});
