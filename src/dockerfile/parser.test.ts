import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DockerfileSyntaxError } from './errors.js';
import { dump } from './dump.js';
import { parse } from './parser.js';

function refusal(text: string): DockerfileSyntaxError {
  try {
    parse(text);
  } catch (e) {
    assert.ok(e instanceof DockerfileSyntaxError);
    return e;
  }
  assert.fail('expected a DockerfileSyntaxError');
}

describe('parse', () => {
  it('gives every instruction its first and last line, heredoc bodies included', () => {
    const { ast } = parse('# c\nFROM a\n\nRUN x \\\n  y\nCOPY <<EOF /f\nbody\nEOF\n');
    assert.deepEqual(ast.children.map((n) => [n.startLine, n.endLine]), [[2, 2], [4, 5], [6, 8]]);
    assert.equal(ast.startLine, 2);
    assert.equal(ast.endLine, 8);
  });

  it('keeps the original line and the builder flags of a node', () => {
    const n = parse('RUN --network=none --mount=type=cache,target=/c make\n').ast.children[0]!;
    assert.equal(n.original, 'RUN --network=none --mount=type=cache,target=/c make');
    assert.deepEqual(n.flags, ['--network=none', '--mount=type=cache,target=/c']);
    assert.equal(n.next?.value, 'make');
  });

  it('points the empty-continuation warning at the last line of the instruction', () => {
    const { warnings } = parse('FROM a\nRUN a \\\n\n  b\n');
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0]!.line, 4);
    assert.equal(warnings[0]!.url, 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/');
  });

  it('reports the file name it is given', () => {
    const e = refusal('FROM a\nRUN <<EOF\n');
    assert.equal(e.message, 'Dockerfile:2: unterminated heredoc');
    assert.deepEqual(e.lines, [{ start: 2, end: 2 }]);
    assert.throws(() => parse('FROM a\nRUN <<EOF\n', { filename: 'Dockerfile.dev' }), { message: 'Dockerfile.dev:2: unterminated heredoc' });
  });

  it('refuses a too-long first line as a file with no instructions, as BuildKit does', () => {
    assert.equal(refusal('LABEL a=' + 'b'.repeat(70_000)).reason, 'file with no instructions');
  });

  it('accepts a line just under 64 KiB and counts bytes, not characters', () => {
    assert.doesNotThrow(() => parse('FROM a\nLABEL a=' + 'b'.repeat(65_535 - 8) + '\n'));
    // 'é' is two bytes in UTF-8: 32,765 of them after the 8-byte prefix make 65,538 bytes.
    assert.equal(refusal('FROM a\nLABEL a=' + 'é'.repeat(32_765) + '\n').reason, 'dockerfile line greater than max allowed size of 65535');
  });

  it('strips a byte-order mark only at the very start', () => {
    assert.equal(dump(parse('\ufeffFROM a\nRUN \ufeffx\n').ast), '(from "a")\n(run "\\ufeffx")');
  });

  it('treats backtick as the escape character after # escape=`, also inside flags', () => {
    const { ast } = parse('# escape=`\nFROM a\nCOPY --chown=a`:b x `\n  /y\n');
    assert.equal(dump(ast), '(from "a")\n(copy ["--chown=a:b"] "x" "/y")');
  });

  it('reads non-ASCII flag values byte by byte as BuildKit does', () => {
    // BuildKit copies flag bytes one at a time as runes: UTF-8 "é" (C3 A9) becomes "Ã©".
    assert.deepEqual(parse('COPY --chown=é a b\n').ast.children[0]!.flags, ['--chown=Ã©']);
  });

  it('keeps the stray byte when BuildKit cuts HEALTHCHECK\'s type word inside a character', () => {
    // U+00A0 is C2 A0 in UTF-8; BuildKit takes the A0 byte as a blank and keeps C2 in the type word.
    assert.equal(dump(parse('HEALTHCHECK CMD\u00a0true\n').ast), '(healthcheck "CMD\\xc2" "true")');
  });

  it('ends the instruction at a JSON array that is followed by more text (shell form)', () => {
    assert.equal(dump(parse('CMD ["a"] b\n').ast), '(cmd "[\\"a\\"] b")');
  });
});
