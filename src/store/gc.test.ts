import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mark } from './gc.js';

const graph = (edges: Record<string, string[]>) => (n: string): string[] => edges[n] ?? [];

test('mark() reaches everything reachable from the roots and nothing else', () => {
  const refs = graph({
    'image:a': ['content:m', 'content:c', 'layer:l1'],
    'layer:l1': ['snapshot:l1'],
    'snapshot:l1': ['snapshot:base'],
    'image:orphan-free': [],
    'lease:x': ['content:tmp'],
  });
  const m = mark(['image:a'], refs);
  assert.deepEqual([...m].sort(), ['content:c', 'content:m', 'image:a', 'layer:l1', 'snapshot:base', 'snapshot:l1']);
  assert.ok(!m.has('content:tmp'));
});

test('mark() survives cycles and shared children, visiting each node once', () => {
  let calls = 0;
  const edges: Record<string, string[]> = { a: ['b', 'c'], b: ['c', 'a'], c: ['a', 'b'] };
  const m = mark(['a', 'b'], (n) => {
    calls++;
    return edges[n] ?? [];
  });
  assert.deepEqual([...m].sort(), ['a', 'b', 'c']);
  assert.equal(calls, 3);
});

test('mark() with no roots marks nothing; roots are marked even without edges', () => {
  assert.equal(mark([], () => ['x']).size, 0);
  assert.deepEqual([...mark(['r'], () => [])], ['r']);
});

test('mark() handles a deep chain without recursion limits', () => {
  const m = mark(['n0'], (n) => {
    const i = Number(n.slice(1));
    return i < 100_000 ? [`n${i + 1}`] : [];
  });
  assert.equal(m.size, 100_001);
});
