import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TransferProgress, progressBar } from './transfer.js';

function capture(isTTY: boolean): { out: { write(s: string): boolean; isTTY: boolean; columns: number }; text: () => string } {
  let text = '';
  return { out: { write: (s: string) => ((text += s), true), isTTY, columns: 120 }, text: () => text };
}

test('plain output prints one line per phase change and no byte counts, like docker without a terminal', () => {
  const c = capture(false);
  const p = new TransferProgress(c.out);
  p.emit({ type: 'vertex', vertex: { id: 'sha256:aaa', name: 'aaaaaaaaaaaa' } });
  for (const [name, current] of [['Pulling fs layer', 0], ['Downloading', 10], ['Downloading', 20], ['Verifying Checksum', 30], ['Download complete', 30], ['Pull complete', 30]] as const) {
    p.emit({ type: 'status', status: { id: 'transfer', vertex: 'sha256:aaa', name, current, total: 30, unit: 'bytes' } });
  }
  p.close();
  assert.equal(
    c.text(),
    ['aaaaaaaaaaaa: Pulling fs layer', 'aaaaaaaaaaaa: Verifying Checksum', 'aaaaaaaaaaaa: Download complete', 'aaaaaaaaaaaa: Pull complete', ''].join('\n'),
  );
});

test('a terminal gets a bar with sizes while a layer downloads, repainted in place', () => {
  const c = capture(true);
  const p = new TransferProgress(c.out);
  p.emit({ type: 'vertex', vertex: { id: 'sha256:bbb', name: 'bbbbbbbbbbbb' } });
  p.emit({ type: 'status', status: { id: 'transfer', vertex: 'sha256:bbb', name: 'Downloading', current: 5_000_000, total: 10_000_000, unit: 'bytes' } });
  p.close();
  assert.match(c.text(), /bbbbbbbbbbbb: Downloading \[=+> +\]  5\.00MB\/10\.00MB/);
  p.emit({ type: 'status', status: { id: 'transfer', vertex: 'sha256:bbb', name: 'Pull complete', current: 10_000_000, total: 10_000_000, unit: 'bytes' } });
  p.close();
  assert.match(c.text(), /\x1b\[1A\x1b\[2Kbbbbbbbbbbbb: Pull complete\n$/);
});

test('progressBar fills in proportion and keeps its width', () => {
  assert.equal(progressBar(0, 100).length, 52);
  assert.equal(progressBar(50, 100), `[${'='.repeat(25)}>${' '.repeat(24)}]`);
  assert.equal(progressBar(100, 100), `[${'='.repeat(50)}]`);
});
