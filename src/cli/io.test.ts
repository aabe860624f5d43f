import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { tempDir } from '../../test/helpers/paths.js';
import { writeOut, type CommandIO } from './io.js';

/** A CommandIO whose stdout stream collects what is written to it, with `fd` as the direct descriptor. */
function fakeIO(fd: number | undefined): { io: CommandIO; streamed: () => string } {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const io: CommandIO = {
    stdout,
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: {},
    signal: new AbortController().signal,
    ...(fd === undefined ? {} : { stdoutFd: () => fd }),
  };
  return { io, streamed: () => Buffer.concat(chunks).toString() };
}

test('writeOut writes to the stream when there is no descriptor to write to', async () => {
  const { io, streamed } = fakeIO(undefined);
  await writeOut(io, 'REPOSITORY   TAG\n');
  assert.equal(streamed(), 'REPOSITORY   TAG\n');
});

test('writeOut writes all of the text to the descriptor, none to the stream', async (t) => {
  const file = join(tempDir(t), 'out');
  const fd = openSync(file, 'w');
  const { io, streamed } = fakeIO(fd);
  const text = `${'x'.repeat(100_000)}\u00e9\n`;
  try {
    await writeOut(io, text);
  } finally {
    closeSync(fd);
  }
  assert.equal(readFileSync(file, 'utf8'), text);
  assert.equal(streamed(), '');
});

test('a descriptor that would block hands the rest to the stream, in order', async (t) => {
  const fifo = join(tempDir(t), 'fifo');
  execFileSync('mkfifo', [fifo]);
  // Read-write and non-blocking: the pipe's buffer (64 KiB) fills, then write(2) says EAGAIN.
  const fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
  const { io, streamed } = fakeIO(fd);
  const text = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`).join('');
  try {
    await writeOut(io, text);
    const direct = Buffer.alloc(text.length);
    let n = 0;
    for (;;) {
      try {
        const r = readSync(fd, direct, n, direct.length - n, null);
        if (r === 0) break;
        n += r;
      } catch {
        break; // EAGAIN: the pipe is empty
      }
    }
    assert.ok(n > 0 && n < text.length, `${n} bytes went to the pipe`);
    assert.equal(direct.subarray(0, n).toString() + streamed(), text);
  } finally {
    closeSync(fd);
  }
});
