/**
 * The tar writer: POSIX ustar headers, with PAX extended headers for whatever ustar cannot hold
 * (long or non-ASCII paths and link targets, ids and sizes past the octal fields, long user and
 * group names, extended attributes).
 *
 * Output is deterministic for a given list of headers: no atime/ctime, no pid-derived PAX header
 * names, PAX records sorted, mtimes in whole seconds and optionally clamped to SOURCE_DATE_EPOCH.
 */
import { LayerFormatError } from '../errors.js';
import { BLOCK, F, TYPEFLAG, checksum, octalMax, type TarHeader } from './header.js';
import { encodePax } from './pax.js';
import { BlockFiller } from '../blocks.js';

export interface TarWriterEntry {
  header: TarHeader;
  /** The body of a regular file: exactly `header.size` bytes. */
  body?: Uint8Array | AsyncIterable<Uint8Array> | DirectBody;
}

/**
 * A body that can also be read straight into the writer's buffers (`writeTarBlocks`): a file
 * read with read(2) into the block being filled, with no buffer of its own and no copy.
 */
export interface DirectBody extends AsyncIterable<Uint8Array> {
  /** Reads up to `length` bytes into `target` at `offset`; the count read, 0 at the end. */
  readInto(target: Uint8Array, offset: number, length: number): number;
  /** Releases what the reads hold (a file descriptor); idempotent. */
  close(): void;
}

function isDirect(body: TarWriterEntry['body']): body is DirectBody {
  return body !== undefined && typeof (body as Partial<DirectBody>).readInto === 'function';
}

export interface TarWriteOptions {
  /** Clamp every mtime to this (seconds): reproducible builds' SOURCE_DATE_EPOCH. */
  sourceDateEpoch?: number;
  signal?: AbortSignal;
}

/** Two zero blocks end an archive. */
export const END_OF_ARCHIVE: Buffer = Buffer.alloc(2 * BLOCK);

const ZERO = Buffer.alloc(BLOCK);

/** Zero bytes that pad a body of `size` bytes to a whole block. */
export function bodyPadding(size: number): Buffer {
  const rest = size % BLOCK;
  return rest === 0 ? ZERO.subarray(0, 0) : ZERO.subarray(0, BLOCK - rest);
}

function isAscii(b: Buffer): boolean {
  for (const c of b) if (c >= 0x80 || c === 0) return false;
  return true;
}

function putString(block: Buffer, [off, len]: readonly [number, number], value: Buffer): void {
  value.copy(block, off, 0, Math.min(len, value.length));
}

function putOctal(block: Buffer, [off, len]: readonly [number, number], value: number): void {
  const digits = value.toString(8).padStart(len - 1, '0');
  block.write(digits, off, len - 1, 'ascii');
  block[off + len - 1] = 0;
}

/** GNU base-256: high bit of the first byte set, the value big-endian in the rest. */
function putBase256(block: Buffer, [off, len]: readonly [number, number], value: number): void {
  let v = BigInt(value);
  for (let i = off + len - 1; i > off; i--) {
    block[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  block[off] = 0x80;
}

/** Splits a long ASCII path into ustar's prefix (≤155) and name (≤100) at a slash, if possible. */
function splitUstar(path: Buffer): [Buffer, Buffer] | undefined {
  if (path.length > 256) return undefined;
  for (let i = Math.min(155, path.length - 1); i > 0; i--) {
    if (path[i] !== 0x2f) continue;
    const name = path.subarray(i + 1);
    if (name.length === 0) continue; // a directory's trailing slash
    if (name.length > 100) return undefined; // any slash further left gives a longer name
    return [path.subarray(0, i), name];
  }
  return undefined;
}

/**
 * Encodes the header block(s) of one entry: a PAX extended header when needed, then the ustar header.
 * @throws {LayerFormatError} `LAYER_UNREPRESENTABLE` for values no tar format can hold
 */
export function encodeHeader(h: TarHeader, options: Pick<TarWriteOptions, 'sourceDateEpoch'> = {}): Buffer {
  const pax: Array<[string, Uint8Array | string]> = [];
  const block = Buffer.alloc(BLOCK);
  const type = TYPEFLAG[h.type];
  if (type === undefined) throw new LayerFormatError('LAYER_UNREPRESENTABLE', `Cannot write "${h.path}": unknown entry type "${h.type}"`);
  if (h.path.length === 0 || h.path.includes('\0')) throw new LayerFormatError('LAYER_UNREPRESENTABLE', `Cannot write entry "${h.path}": the path is empty or holds NUL`);

  let path = h.path;
  if (h.type === 'directory' && !path.endsWith('/')) path += '/';
  const pathBytes = Buffer.from(path, 'utf8');
  if (pathBytes.length <= 100 && isAscii(pathBytes)) {
    putString(block, F.name, pathBytes);
  } else {
    const split = isAscii(pathBytes) ? splitUstar(pathBytes) : undefined;
    if (split !== undefined) {
      putString(block, F.prefix, split[0]);
      putString(block, F.name, split[1]);
    } else {
      pax.push(['path', path]);
      putString(block, F.name, pathBytes.subarray(0, 100));
    }
  }

  if (h.linkpath !== undefined) {
    if (h.linkpath.includes('\0')) throw new LayerFormatError('LAYER_UNREPRESENTABLE', `Cannot write "${h.path}": the link target holds NUL`);
    const link = Buffer.from(h.linkpath, 'utf8');
    if (link.length > 100 || !isAscii(link)) pax.push(['linkpath', h.linkpath]);
    putString(block, F.linkname, link.subarray(0, 100));
  }

  putOctal(block, F.mode, h.mode & 0o7777);
  for (const key of ['uid', 'gid'] as const) {
    const v = h[key];
    if (!Number.isSafeInteger(v) || v < 0) throw new LayerFormatError('LAYER_UNREPRESENTABLE', `Cannot write "${h.path}": ${key} ${v} is not a valid id`);
    if (v > octalMax(8)) {
      pax.push([key, String(v)]);
      putOctal(block, F[key], 0);
    } else putOctal(block, F[key], v);
  }

  const size = h.type === 'file' ? h.size : 0;
  if (!Number.isSafeInteger(size) || size < 0) throw new LayerFormatError('LAYER_UNREPRESENTABLE', `Cannot write "${h.path}": size ${size} is invalid`);
  if (size > octalMax(12)) {
    pax.push(['size', String(size)]);
    putOctal(block, F.size, 0);
  } else putOctal(block, F.size, size);

  let mtime = Math.floor(h.mtime);
  if (options.sourceDateEpoch !== undefined && mtime > options.sourceDateEpoch) mtime = options.sourceDateEpoch;
  if (mtime < 0 || mtime > octalMax(12)) {
    pax.push(['mtime', String(mtime)]);
    putOctal(block, F.mtime, 0);
  } else putOctal(block, F.mtime, mtime);

  block[F.typeflag[0]] = type;
  block.write('ustar\x0000', F.magic[0], 8, 'latin1');

  for (const key of ['uname', 'gname'] as const) {
    const v = h[key];
    if (v === undefined || v === '') continue;
    const b = Buffer.from(v, 'utf8');
    if (b.length > 32 || !isAscii(b)) pax.push([key, v]);
    else putString(block, F[key], b);
  }

  if (h.type === 'char-device' || h.type === 'block-device') {
    for (const key of ['devmajor', 'devminor'] as const) {
      const v = h[key] ?? 0;
      if (v > octalMax(8)) putBase256(block, F[key], v); // PAX has no keyword for device numbers
      else putOctal(block, F[key], v);
    }
  } else {
    putOctal(block, F.devmajor, 0);
    putOctal(block, F.devminor, 0);
  }

  if (h.xattrs !== undefined) {
    for (const [name, value] of h.xattrs) pax.push([`SCHILY.xattr.${name}`, value]);
  }

  block.write(`${checksum(block).toString(8).padStart(6, '0')}\0 `, F.chksum[0], 8, 'latin1');
  if (pax.length === 0) return block;

  pax.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const records = encodePax(pax);
  const paxBlock = Buffer.alloc(BLOCK);
  // A fixed name (as Go writes it), never GNU's pid-based one: output must not depend on the process.
  const base = path.replace(/\/$/, '').split('/').pop() ?? '';
  const dir = path.replace(/\/$/, '').split('/').slice(0, -1).join('/');
  const paxName = Buffer.from(`${dir === '' ? '' : dir + '/'}PaxHeaders.0/${base}`, 'utf8');
  putString(paxBlock, F.name, isAscii(paxName) ? paxName.subarray(0, 100) : Buffer.from('PaxHeaders.0/entry'));
  putOctal(paxBlock, F.mode, 0o644);
  putOctal(paxBlock, F.uid, 0);
  putOctal(paxBlock, F.gid, 0);
  putOctal(paxBlock, F.size, records.length);
  putOctal(paxBlock, F.mtime, 0);
  paxBlock[F.typeflag[0]] = 0x78; // 'x'
  paxBlock.write('ustar\x0000', F.magic[0], 8, 'latin1');
  paxBlock.write(`${checksum(paxBlock).toString(8).padStart(6, '0')}\0 `, F.chksum[0], 8, 'latin1');
  return Buffer.concat([paxBlock, records, bodyPadding(records.length), block]);
}

/**
 * Streams a tar archive of `entries`, ending with the end-of-archive blocks. Bodies are passed
 * through as they arrive (nothing is buffered whole); pull-based, so back-pressure is the consumer's pace.
 * @throws {LayerFormatError} `LAYER_SIZE_MISMATCH` when a body's length differs from its header's size
 */
export async function* writeTar(
  entries: AsyncIterable<TarWriterEntry> | Iterable<TarWriterEntry>,
  options: TarWriteOptions = {},
): AsyncGenerator<Uint8Array> {
  for await (const entry of entries) {
    options.signal?.throwIfAborted();
    yield encodeHeader(entry.header, options);
    if (entry.header.type !== 'file') continue;
    const size = entry.header.size;
    let written = 0;
    const body = entry.body ?? new Uint8Array(0);
    if (body instanceof Uint8Array) {
      written = body.byteLength;
      if (written === size && size > 0) yield body;
    } else {
      for await (const chunk of body) {
        written += chunk.byteLength;
        if (written > size) break;
        yield chunk;
      }
    }
    if (written !== size) throw sizeMismatch(entry.header.path, written, size);
    const pad = bodyPadding(size);
    if (pad.length > 0) yield pad;
  }
  yield END_OF_ARCHIVE;
}

function sizeMismatch(path: string, written: number, size: number): LayerFormatError {
  return new LayerFormatError('LAYER_SIZE_MISMATCH', `Cannot write "${path}": its body has ${written > size ? 'more' : 'fewer'} bytes than the ${size} its header declares`, {
    hint: 'The file changed while the layer was being written',
  });
}

export interface TarBlockOptions extends TarWriteOptions {
  /** Bytes per block yielded (every block but the last is full). */
  blockSize: number;
  /** Buffers of `blockSize` bytes to fill before allocating new ones; the consumer gives blocks back here. */
  free?: Buffer[];
}

const PROBE = Buffer.alloc(1);

/**
 * The same archive as `writeTar`, byte for byte, cut into blocks of `blockSize` bytes: what a
 * block compressor wants. Direct bodies are read into the blocks themselves (one copy, the
 * kernel's), other bodies are copied in; blocks come from `free` when it holds any.
 * @throws {LayerFormatError} `LAYER_SIZE_MISMATCH` when a body's length differs from its header's size
 */
export async function* writeTarBlocks(
  entries: AsyncIterable<TarWriterEntry> | Iterable<TarWriterEntry>,
  options: TarBlockOptions,
): AsyncGenerator<Buffer> {
  const out = new BlockFiller(options.blockSize, options.free ?? []);
  for await (const entry of entries) {
    options.signal?.throwIfAborted();
    out.put(encodeHeader(entry.header, options));
    if (entry.header.type === 'file') {
      const size = entry.header.size;
      const body = entry.body ?? new Uint8Array(0);
      let written = 0;
      if (isDirect(body)) {
        try {
          let eof = false;
          while (written < size) {
            const r = out.read(body, size - written, true);
            if (r.n === 0) break;
            written += r.n;
            eof = r.eof;
            for (const b of out.take()) yield b;
          }
          // One more byte means the file grew since it was stat'ed (known already when the last
          // read had room to ask for it).
          if (written === size && size > 0 && !eof && body.readInto(PROBE, 0, 1) > 0) written++;
        } finally {
          body.close();
        }
      } else if (body instanceof Uint8Array) {
        written = body.byteLength;
        if (written === size) out.put(body);
      } else {
        for await (const chunk of body) {
          written += chunk.byteLength;
          if (written > size) break;
          out.put(chunk);
          for (const b of out.take()) yield b;
        }
      }
      if (written !== size) throw sizeMismatch(entry.header.path, written, size);
      out.put(bodyPadding(size));
    }
    for (const b of out.take()) yield b;
  }
  out.put(END_OF_ARCHIVE);
  for (const b of out.take()) yield b;
  const rest = out.rest();
  if (rest !== undefined) yield rest;
}
