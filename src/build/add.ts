/**
 * ADD's two extras over COPY, with BuildKit's rules:
 * - an http(s) URL source is downloaded (`--checksum=sha256:…` verified) and written as a file of
 *   mode 0600, named after the URL's last path element when the destination is a directory, with
 *   the server's Last-Modified as its mtime; it is not unpacked unless `--unpack` says so;
 * - a local source file that is a tar archive (plain, gzip or zstd) is unpacked into the
 *   destination directory, keeping the archive's owners and modes (unless `--unpack=false`).
 */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import { InvalidArgumentError, UnavailableError } from '../errors.js';

export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

export interface Download {
  url: string;
  data: Buffer;
  /** sha256:<hex> of the data: the step's cache key depends on it. */
  digest: string;
  /** File name for a directory destination. */
  name: string;
  mtime?: Date;
}

/** An HTTP GET that follows redirects (the global fetch, or the CLI's transport with its CAs). */
export type UrlFetch = (url: string, init: { signal?: AbortSignal }) => Promise<Response>;

/** Downloads `url` (following redirects) and checks `checksum` when given. */
export async function download(url: string, checksum: string, options: { signal?: AbortSignal; fetch?: UrlFetch } = {}): Promise<Download> {
  let res: Response;
  try {
    res = await (options.fetch ?? fetch)(url, options.signal === undefined ? {} : { signal: options.signal });
  } catch (err) {
    throw new UnavailableError('ADD_URL_FAILED', `Cannot download ${url}: ${(err as Error).message}`);
  }
  if (!res.ok) throw new UnavailableError('ADD_URL_FAILED', `Cannot download ${url}: invalid response status ${res.status}`);
  const data = Buffer.from(await res.arrayBuffer());
  const digest = `sha256:${createHash('sha256').update(data).digest('hex')}`;
  if (checksum !== '') {
    const want = checksum.includes(':') ? checksum : `sha256:${checksum}`;
    if (!/^sha256:[0-9a-f]{64}$/.test(want)) throw new InvalidArgumentError('INVALID_CHECKSUM', `invalid checksum digest format: ${checksum}`);
    if (want !== digest) throw new InvalidArgumentError('CHECKSUM_MISMATCH', `digest mismatch ${digest}: ${want}`);
  }
  const path = new URL(res.url || url).pathname;
  const base = posix.basename(path);
  const lm = res.headers.get('last-modified');
  return { url, data, digest, name: base === '' || base === '/' ? '__unnamed__' : decodeURIComponent(base), ...(lm === null ? {} : { mtime: new Date(lm) }) };
}

/** True when the file starts like a tar archive, bare or gzip/zstd-compressed (what ADD unpacks). */
export async function isArchiveFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
    if (bytesRead >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return true;
    return bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    await fh.close();
  }
}

/** Unpacks an archive file into `hostDir` (a directory inside the step's root). */
export async function unpackArchive(file: string, hostDir: string, options: { signal?: AbortSignal } = {}): Promise<void> {
  const { applyLayer } = await import('../layer/index.js');
  const data = await readFile(file);
  await applyLayer((async function* () { yield data; })(), hostDir, { ...(options.signal === undefined ? {} : { signal: options.signal }), sameOwner: true });
}
