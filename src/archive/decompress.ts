/**
 * Archives and root filesystem tarballs arrive as docker accepts them (moby's DecompressStream):
 * plain, gzip, zstd, bzip2 or xz. gzip and zstd go through layer/'s decompressor (zlib and
 * zstd-napi, in process); bzip2 and xz through the system's `bzip2 -dc` / `xz -dc`: no maintained
 * npm package decodes either at a useful speed, both tools are on every Debian system
 * (`bzip2`, `xz-utils`), and they only ever see data, never paths.
 */
import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { decompress as decompressLayer, detectCompression, peek } from '../layer/index.js';
import { FailedPreconditionError } from '../errors.js';
import { ArchiveDataError } from './errors.js';

export type InputCompression = 'none' | 'gzip' | 'zstd' | 'bzip2' | 'xz';

/** Which compression the first bytes show (the magic numbers moby checks). */
export function detectInputCompression(head: Uint8Array): InputCompression {
  if (head.length >= 3 && head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) return 'bzip2';
  if (head.length >= 6 && head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58 && head[4] === 0x5a && head[5] === 0x00) return 'xz';
  return detectCompression(head);
}

/** Runs `source` through `tool -dc`; a non-zero exit (corrupt or truncated input) ends the stream with an error. */
async function* throughTool(tool: 'bzip2' | 'xz', source: AsyncIterable<Uint8Array>, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'pipe'], ...(signal === undefined ? {} : { signal }) });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (err) => {
      reject(
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new FailedPreconditionError('NO_DECOMPRESSOR', `Cannot decompress ${tool} input: ${tool} is not installed`, { hint: `apt-get install ${tool === 'xz' ? 'xz-utils' : 'bzip2'}` })
          : err,
      );
    });
  });
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? 1)));
  await spawned;
  // Feed stdin concurrently; a write error (the tool died early) shows up as its exit code.
  const feeding = (async () => {
    try {
      for await (const chunk of source) {
        if (!child.stdin.write(chunk)) await new Promise<void>((r) => child.stdin.once('drain', r));
      }
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    } finally {
      child.stdin.end();
    }
  })();
  feeding.catch(() => {});
  child.stdin.on('error', () => {});
  try {
    for await (const chunk of Readable.from(child.stdout)) yield chunk as Uint8Array;
    await feeding;
    const code = await exited;
    if (code !== 0) {
      throw new ArchiveDataError('ARCHIVE_BAD_DOCUMENT', `Cannot decompress the ${tool} input: ${stderr.trim().split('\n').at(-1) ?? `exit code ${code}`}`);
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

/** Decompresses whatever docker would: plain, gzip, zstd, bzip2, xz. */
export async function decompressInput(
  source: AsyncIterable<Uint8Array>,
  options: { signal?: AbortSignal } = {},
): Promise<{ compression: InputCompression; stream: AsyncIterable<Uint8Array> }> {
  const { head, stream } = await peek(source, 6);
  const compression = detectInputCompression(head);
  if (compression === 'bzip2' || compression === 'xz') return { compression, stream: throughTool(compression, stream, options.signal) };
  const r = await decompressLayer(stream, options);
  return { compression: r.compression, stream: r.stream };
}
