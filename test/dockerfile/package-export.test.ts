/** The library surface: `gantry/dockerfile` (package.json `exports`) resolves to the built module. */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';

describe('gantry/dockerfile export', () => {
  it('resolves through the package exports map and parses', async () => {
    const df = (await import('gantry/dockerfile' as string)) as typeof import('../../src/dockerfile/index.js');
    assert.equal(df.dump(df.parse('FROM a\nRUN b\n').ast), '(from "a")\n(run "b")');
    assert.equal(typeof df.parseDockerfile, 'function');
  });
});
