/**
 * The streaming tar reader: ustar, GNU (long names `L`, long links `K`, base-256 numbers) and PAX
 * (extended `x` and global `g` headers, `SCHILY.xattr.*` kept binary).
 *
 * Hostile input is expected: every header's checksum is verified, metadata entries (PAX, GNU long
 * names) are capped in size, the entry count and path length are capped, and a stream that ends
 * inside a header or a body fails with `LAYER_TRUNCATED` rather than yielding a short file.
 *
 * Contract: read each entry's `body` to its end, or call `skip()`, before asking for the next
 * entry; an entry left unread is skipped when the next one is requested.
 */
import { LayerFormatError, type LayerWarning } from '../errors.js';
import { BLOCK, F, checksum, signedChecksum, type TarEntryType, type TarHeader } from './header.js';
import { ByteReader } from './byte-reader.js';
import { parsePax } from './pax.js';

export interface TarReadLimits {
  /** Largest PAX or GNU long-name entry, in bytes (node-tar's cap: 1 MiB). */
  maxMetaSize: number;
  /** Most entries in one archive. */
  maxEntries: number;
  /** Longest path or link target, in bytes. */
  maxPathLength: number;
}

export const DEFAULT_TAR_LIMITS: TarReadLimits = {
  maxMetaSize: 1 << 20,
  maxEntries: 5_000_000,
  maxPathLength: 4096,
};

export interface TarReadOptions {
  /** Turn recoverable problems (unknown entry types, a missing end-of-archive marker) into errors. */
  strict?: boolean;
  limits?: Partial<TarReadLimits>;
  signal?: AbortSignal;
  onWarning?: (w: LayerWarning) => void;
}

export interface TarEntry {
  readonly header: TarHeader;
  /** The body's bytes (regular files only; empty otherwise). Read it once. */
  readonly body: AsyncIterable<Uint8Array>;
  /** Discards what is left of the body. */
  skip(): Promise<void>;
  /** Reads the whole body into memory: for small bodies only. */
  bytes(): Promise<Buffer>;
}

const TYPES: Record<number, TarEntryType> = {
  0x30: 'file',
  0x00: 'file',
  0x37: 'file', // contiguous file: a regular file everywhere that matters
  0x31: 'hardlink',
  0x32: 'symlink',
  0x33: 'char-device',
  0x34: 'block-device',
  0x35: 'directory',
  0x36: 'fifo',
};

interface RawHeader {
  typeflag: number;
  name: string;
  linkname: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  uname: string;
  gname: string;
  devmajor: number;
  devminor: number;
}

function cstring(block: Buffer, [off, len]: readonly [number, number]): string {
  const end = block.indexOf(0, off);
  return block.toString('utf8', off, end < 0 || end > off + len ? off + len : end);
}

function numeric(block: Buffer, field: readonly [number, number], what: string): number {
  const [off, len] = field;
  const first = block[off]!;
  if (first & 0x80) {
    // GNU base-256: two's complement big-endian, the top bit of the first byte a marker
    let v = BigInt(first & 0x7f) - (first & 0x40 ? 0x80n : 0n);
    for (let i = off + 1; i < off + len; i++) v = (v << 8n) | BigInt(block[i]!);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new LayerFormatError('LAYER_BAD_HEADER', `Cannot read tar header: ${what} is out of range`);
    }
    return Number(v);
  }
  const text = block.toString('latin1', off, off + len).replace(/[\0 ]+$/, '').replace(/^[\0 ]+/, '');
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw new LayerFormatError('LAYER_BAD_HEADER', `Cannot read tar header: ${what} "${text}" is not an octal number`);
  return parseInt(text, 8);
}

function isZero(block: Buffer): boolean {
  for (let i = 0; i < block.length; i++) if (block[i] !== 0) return false;
  return true;
}

function decodeRaw(block: Buffer): RawHeader {
  const stored = numeric(block, F.chksum, 'checksum');
  if (stored !== checksum(block) && stored !== signedChecksum(block)) {
    throw new LayerFormatError('LAYER_BAD_CHECKSUM', `Cannot read tar header: checksum ${stored.toString(8)} does not match the header's bytes (${checksum(block).toString(8)})`);
  }
  const magic = block.toString('latin1', F.magic[0], F.magic[0] + 6);
  let name = cstring(block, F.name);
  // Only POSIX ustar has a prefix field; in GNU headers those bytes hold atime/ctime.
  if (magic === 'ustar\0') {
    const prefix = cstring(block, F.prefix);
    if (prefix !== '') name = `${prefix}/${name}`;
  }
  const hasNames = magic.startsWith('ustar');
  return {
    typeflag: block[F.typeflag[0]]!,
    name,
    linkname: cstring(block, F.linkname),
    mode: numeric(block, F.mode, 'mode'),
    uid: numeric(block, F.uid, 'uid'),
    gid: numeric(block, F.gid, 'gid'),
    size: numeric(block, F.size, 'size'),
    mtime: numeric(block, F.mtime, 'mtime'),
    uname: hasNames ? cstring(block, F.uname) : '',
    gname: hasNames ? cstring(block, F.gname) : '',
    devmajor: hasNames ? numeric(block, F.devmajor, 'devmajor') : 0,
    devminor: hasNames ? numeric(block, F.devminor, 'devminor') : 0,
  };
}

function paxInt(value: Buffer, key: string): number {
  const text = value.toString('ascii');
  // mtime may carry a fraction ("1700000000.123456789"); ids and sizes may not.
  const ok = key === 'mtime' ? /^-?[0-9]+(\.[0-9]+)?$/.test(text) : /^[0-9]+$/.test(text);
  const n = ok ? Math.floor(Number(text)) : NaN;
  if (!Number.isSafeInteger(n)) throw new LayerFormatError('LAYER_BAD_PAX', `Cannot read PAX extended header: ${key} "${text.slice(0, 40)}" is not a valid number`);
  return n;
}

/**
 * Reads a tar stream entry by entry.
 * @throws {LayerFormatError} on truncated or corrupt input, or input over a limit
 */
export async function* readTar(source: AsyncIterable<Uint8Array>, options: TarReadOptions = {}): AsyncGenerator<TarEntry> {
  const limits = { ...DEFAULT_TAR_LIMITS, ...options.limits };
  const reader = new ByteReader(source, options.signal);
  const warn = (w: LayerWarning): void => {
    if (options.strict === true) throw new LayerFormatError('LAYER_BAD_HEADER', w.message);
    options.onWarning?.(w);
  };
  const global = new Map<string, Buffer>();
  let local = new Map<string, Buffer>();
  let longName: string | undefined;
  let longLink: string | undefined;
  let entries = 0;
  let finished = false;

  const truncated = (what: string): LayerFormatError =>
    new LayerFormatError('LAYER_TRUNCATED', `Cannot read tar: the stream ends inside ${what} (at byte ${reader.position})`);

  const readMeta = async (size: number, what: string): Promise<Buffer> => {
    if (size > limits.maxMetaSize) {
      throw new LayerFormatError('LAYER_LIMIT_EXCEEDED', `Cannot read tar: a ${what} of ${size} bytes exceeds the ${limits.maxMetaSize}-byte limit`);
    }
    const data = await reader.read(size);
    if (data.length < size) throw truncated(`a ${what}`);
    const pad = (BLOCK - (size % BLOCK)) % BLOCK;
    if ((await reader.skip(pad)) < pad) throw truncated(`a ${what}`);
    return Buffer.from(data); // a copy: it outlives the chunk it came from
  };

  try {
    for (;;) {
      const block = await reader.read(BLOCK);
      if (block.length === 0) {
        warn({ code: 'LAYER_MISSING_EOF', message: 'Cannot find the end-of-archive marker: the tar stream ends without it' });
        break;
      }
      if (block.length < BLOCK) throw truncated('a header');
      if (isZero(block)) {
        const next = await reader.read(BLOCK);
        if (next.length === 0) warn({ code: 'LAYER_MISSING_EOF', message: 'Cannot find the end-of-archive marker: the tar stream ends after one zero block' });
        else if (next.length < BLOCK || !isZero(next)) {
          throw new LayerFormatError('LAYER_BAD_HEADER', `Cannot read tar: a zero block at byte ${reader.position - 2 * BLOCK} is followed by data`);
        }
        break;
      }
      const raw = decodeRaw(block);
      if (raw.size < 0) throw new LayerFormatError('LAYER_BAD_HEADER', `Cannot read tar header "${raw.name}": negative size`);

      switch (raw.typeflag) {
        case 0x78: // 'x': PAX extended header for the next entry
          for (const [k, v] of parsePax(await readMeta(raw.size, 'PAX extended header'))) local.set(k, v);
          continue;
        case 0x67: // 'g': PAX global header
          for (const [k, v] of parsePax(await readMeta(raw.size, 'PAX global header'))) {
            if (v.length === 0) global.delete(k);
            else global.set(k, v);
          }
          continue;
        case 0x4c: // 'L': GNU long name
          longName = (await readMeta(raw.size, 'GNU long name')).toString('utf8').replace(/\0+$/, '');
          continue;
        case 0x4b: // 'K': GNU long link
          longLink = (await readMeta(raw.size, 'GNU long link name')).toString('utf8').replace(/\0+$/, '');
          continue;
      }

      if (++entries > limits.maxEntries) {
        throw new LayerFormatError('LAYER_LIMIT_EXCEEDED', `Cannot read tar: it has more than ${limits.maxEntries} entries`);
      }
      const pax = new Map([...global, ...local]);
      local = new Map();
      let type = TYPES[raw.typeflag];
      let path = longName ?? raw.name;
      let linkpath = longLink ?? raw.linkname;
      longName = longLink = undefined;
      if (type === undefined) {
        // GNU sparse files would unpack wrong if treated as regular files: refuse them.
        if (raw.typeflag === 0x53) throw new LayerFormatError('LAYER_UNSUPPORTED_ENTRY', `Cannot read "${path}": GNU sparse entries are not supported`);
        warn({ code: 'LAYER_ENTRY_IGNORED', message: `Cannot unpack "${path}": unknown entry type "${String.fromCharCode(raw.typeflag)}"; skipped`, path });
        const skip = raw.size + ((BLOCK - (raw.size % BLOCK)) % BLOCK);
        if ((await reader.skip(skip)) < skip) throw truncated(`the body of "${path}"`);
        continue;
      }
      if (type === 'file' && raw.typeflag === 0 && path.endsWith('/')) type = 'directory'; // pre-POSIX directories

      let size = raw.size;
      const header: TarHeader = {
        path,
        type,
        mode: raw.mode & 0o7777,
        uid: raw.uid,
        gid: raw.gid,
        size: 0,
        mtime: raw.mtime,
      };
      if (raw.uname !== '') header.uname = raw.uname;
      if (raw.gname !== '') header.gname = raw.gname;
      for (const [key, value] of pax) {
        switch (key) {
          case 'path': path = value.toString('utf8'); break;
          case 'linkpath': linkpath = value.toString('utf8'); break;
          case 'size': size = paxInt(value, key); break;
          case 'uid': header.uid = paxInt(value, key); break;
          case 'gid': header.gid = paxInt(value, key); break;
          case 'mtime': header.mtime = paxInt(value, key); break;
          case 'uname': header.uname = value.toString('utf8'); break;
          case 'gname': header.gname = value.toString('utf8'); break;
          default:
            if (key.startsWith('SCHILY.xattr.')) {
              header.xattrs ??= new Map();
              header.xattrs.set(key.slice('SCHILY.xattr.'.length), Buffer.from(value));
            } else if (key.startsWith('GNU.sparse.')) {
              throw new LayerFormatError('LAYER_UNSUPPORTED_ENTRY', `Cannot read "${path}": PAX sparse files are not supported`);
            }
        }
      }
      header.path = type === 'directory' ? path.replace(/\/+$/, '') || '/' : path;
      if (Buffer.byteLength(path) > limits.maxPathLength || Buffer.byteLength(linkpath) > limits.maxPathLength) {
        throw new LayerFormatError('LAYER_LIMIT_EXCEEDED', `Cannot read "${path.slice(0, 100)}…": the path or link target exceeds ${limits.maxPathLength} bytes`);
      }
      if (header.path === '') throw new LayerFormatError('LAYER_BAD_HEADER', 'Cannot read tar header: an entry has an empty path');
      if (type === 'symlink' || type === 'hardlink') header.linkpath = linkpath;
      if (type === 'char-device' || type === 'block-device') {
        header.devmajor = raw.devmajor;
        header.devminor = raw.devminor;
      }
      // Only regular files have bodies; a hardlink or device with a size still has its bytes skipped.
      if (type === 'file') header.size = size;

      let remaining = size;
      const padding = (BLOCK - (size % BLOCK)) % BLOCK;
      let padded = false;
      const finish = async (): Promise<void> => {
        if (remaining > 0) {
          const n = await reader.skip(remaining);
          remaining -= n;
          if (remaining > 0) throw truncated(`the body of "${header.path}"`);
        }
        if (!padded) {
          padded = true;
          if ((await reader.skip(padding)) < padding) throw truncated(`the body of "${header.path}"`);
        }
      };
      const body = async function* (): AsyncGenerator<Uint8Array> {
        while (remaining > 0) {
          const piece = await reader.readSome(remaining);
          if (piece.byteLength === 0) throw truncated(`the body of "${header.path}"`);
          remaining -= piece.byteLength;
          yield piece;
        }
        await finish();
      };
      const entry: TarEntry = {
        header,
        body: { [Symbol.asyncIterator]: body },
        skip: finish,
        async bytes() {
          const parts: Uint8Array[] = [];
          for await (const p of body()) parts.push(p);
          return Buffer.concat(parts);
        },
      };
      yield entry;
      await finish();
    }
    // Whatever follows the end marker (tar's record padding) still belongs to the stream's bytes.
    await reader.drain();
    finished = true;
  } finally {
    if (!finished) await reader.close().catch(() => {});
  }
}
