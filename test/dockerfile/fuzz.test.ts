/**
 * Fuzzing: random and mutated Dockerfiles (seeded, bounded) must either parse or be refused with a
 * DockerfileSyntaxError — never a TypeError, RangeError, hang or other crash — through every layer:
 * tree, dump, typed stages, stage graph, target selection and expansion.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  DockerfileSyntaxError,
  dump,
  expandInstruction,
  parse,
  parseDockerfile,
  stageGraph,
  stagesForTarget,
} from '../../src/dockerfile/index.js';
import { corpus } from './corpus/cases.js';

/** mulberry32: small, fast, and the same sequence on every machine for a seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEYWORDS = ['FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER',
  'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'from', 'Run', 'BOGUS'];
const PIECES = ['\\', '`', '"', "'", '<<', '<<-', '<<EOF', 'EOF', '$', '${', '}', '[', ']', '--', '--mount=', '--from=', '=',
  ',', '\n', '\r\n', '\t', ' ', '#', '# escape=`', '# syntax=x', '\ufeff', '\u0000', '\u00a0', '\u0085', 'é', '😀', 'AS',
  'as', 'NONE', 'CMD', '0', '1ms', 'type=cache', 'target=/x', 'from=a', '[\"a\"]', '[1]', '{', ':', '-', '\\\n', '`\n'];

function randomDockerfile(rnd: () => number): string {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const lines: string[] = [];
  const n = 1 + Math.floor(rnd() * 12);
  for (let i = 0; i < n; i++) {
    let line = rnd() < 0.85 ? pick(KEYWORDS) : '';
    const words = Math.floor(rnd() * 6);
    for (let j = 0; j < words; j++) line += (rnd() < 0.6 ? ' ' : '') + pick(PIECES) + (rnd() < 0.3 ? 'x' : '');
    lines.push(line);
  }
  return lines.join(rnd() < 0.9 ? '\n' : '\r\n');
}

function mutate(text: string, rnd: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const pos = Math.floor(rnd() * (s.length + 1));
    const r = rnd();
    if (r < 0.4) s = s.slice(0, pos) + PIECES[Math.floor(rnd() * PIECES.length)]! + s.slice(pos);
    else if (r < 0.7) s = s.slice(0, pos) + s.slice(pos + 1 + Math.floor(rnd() * 8));
    else {
      const lines = s.split('\n');
      const i = Math.floor(rnd() * lines.length);
      const j = Math.floor(rnd() * lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      s = lines.join('\n');
    }
  }
  return s;
}

const identity = { word: (w: string) => w, raw: (w: string) => w, words: (w: string) => [w] };

/** Every layer over `text`; only DockerfileSyntaxError may escape. */
function exercise(text: string): void {
  try {
    const tree = parse(text);
    dump(tree.ast);
    const df = parseDockerfile(text);
    for (const s of df.stages) for (const c of [s.from, ...s.commands]) expandInstruction(c, identity);
    stagesForTarget(stageGraph(df.stages, { escapeToken: df.escapeToken }));
  } catch (err) {
    if (err instanceof DockerfileSyntaxError) {
      assert.ok(err.reason.length > 0);
      return;
    }
    assert.fail(`unexpected ${String(err)}\n--- input ---\n${JSON.stringify(text)}\n${err instanceof Error ? err.stack : ''}`);
  }
}

describe('Dockerfile fuzzing', () => {
  it('random Dockerfiles parse or fail with a DockerfileSyntaxError (2,000 seeded cases)', () => {
    const rnd = prng(0x5eed);
    for (let i = 0; i < 2000; i++) exercise(randomDockerfile(rnd));
  });

  it('mutated corpus Dockerfiles parse or fail with a DockerfileSyntaxError (3,000 seeded cases)', () => {
    const rnd = prng(0xc0ffee);
    for (let i = 0; i < 3000; i++) exercise(mutate(corpus[i % corpus.length]!.dockerfile, rnd));
  });
});
