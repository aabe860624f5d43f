import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PlainProgress } from './plain.js';
import { humanBytes } from './bytes.js';

function render(events: (p: PlainProgress) => void): string {
  let out = '';
  const p = new PlainProgress({ write: (s: string) => (out += s) });
  events(p);
  return out;
}

test('PlainProgress numbers vertices and prints DONE, CACHED and ERROR as BuildKit does', () => {
  const out = render((p) => {
    p.emit({ type: 'vertex', vertex: { id: 'a', name: '[internal] load build definition from Dockerfile', started: 0 } });
    p.emit({ type: 'vertex', vertex: { id: 'a', name: '[internal] load build definition from Dockerfile', started: 0, completed: 40 } });
    p.emit({ type: 'vertex', vertex: { id: 'b', name: '[1/2] FROM busybox', started: 50, cached: true, completed: 50 } });
    p.emit({ type: 'vertex', vertex: { id: 'c', name: '[2/2] RUN false', started: 100 } });
    p.emit({ type: 'log', log: { vertex: 'c', stream: 2, data: Buffer.from('oops\npartial'), timestamp: 612 } });
    p.emit({ type: 'vertex', vertex: { id: 'c', name: '[2/2] RUN false', started: 100, completed: 700, error: 'exit code: 1' } });
  });
  const lines = out.split('\n');
  assert.deepEqual(lines.slice(0, 7), [
    '#1 [internal] load build definition from Dockerfile',
    '#1 DONE 0.0s',
    '',
    '#2 [1/2] FROM busybox',
    '#2 CACHED',
    '',
    '#3 [2/2] RUN false',
  ]);
  assert.equal(lines[7], '#3 0.512 oops');
  assert.match(lines[8] ?? '', /^#3 \d+\.\d{3} partial$/);
  assert.equal(lines[9], '#3 ERROR: exit code: 1');
});

test('PlainProgress prints a status line once it completes', () => {
  const out = render((p) => {
    p.emit({ type: 'vertex', vertex: { id: 'x', name: 'exporting to image', started: 0 } });
    p.emit({ type: 'status', status: { id: 's', vertex: 'x', name: 'transferring context:', current: 37, started: 0 } });
    p.emit({ type: 'status', status: { id: 's', vertex: 'x', name: 'transferring context:', current: 37, started: 0, completed: 100 } });
  });
  assert.equal(out, '#1 exporting to image\n#1 transferring context: 37B 0.1s done\n');
});

test('humanBytes() uses decimal units like BuildKit', () => {
  assert.equal(humanBytes(37), '37B');
  assert.equal(humanBytes(1200), '1.20kB');
  assert.equal(humanBytes(15_730_000), '15.73MB');
});
