/**
 * The tar header model shared by the reader and the writer, and the numeric field codecs
 * (octal, GNU base-256). Layout: POSIX ustar (IEEE 1003.1-1988) with POSIX.1-2001 PAX extensions.
 */

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'char-device' | 'block-device' | 'fifo';

/** One archive member as gantry sees it, after PAX and GNU long-name headers are folded in. */
export interface TarHeader {
  /** Slash-separated, relative; directories without a trailing slash. */
  path: string;
  type: TarEntryType;
  /** Permission bits including setuid (0o4000), setgid (0o2000) and sticky (0o1000). */
  mode: number;
  uid: number;
  gid: number;
  uname?: string;
  gname?: string;
  /** Body size in bytes; 0 for everything but regular files. */
  size: number;
  /** Modification time in whole seconds since the epoch (may be negative). */
  mtime: number;
  /** Symlink target, or the path (inside the archive) a hardlink refers to. */
  linkpath?: string;
  devmajor?: number;
  devminor?: number;
  /** Extended attributes (`SCHILY.xattr.<name>`), values binary. */
  xattrs?: Map<string, Buffer>;
}

export const BLOCK = 512;

/** Field offsets and lengths of the ustar header. */
export const F = {
  name: [0, 100],
  mode: [100, 8],
  uid: [108, 8],
  gid: [116, 8],
  size: [124, 12],
  mtime: [136, 12],
  chksum: [148, 8],
  typeflag: [156, 1],
  linkname: [157, 100],
  magic: [257, 6],
  version: [263, 2],
  uname: [265, 32],
  gname: [297, 32],
  devmajor: [329, 8],
  devminor: [337, 8],
  prefix: [345, 155],
} as const satisfies Record<string, readonly [number, number]>;

export const TYPEFLAG: Record<TarEntryType, number> = {
  file: 0x30, // '0'
  hardlink: 0x31,
  symlink: 0x32,
  'char-device': 0x33,
  'block-device': 0x34,
  directory: 0x35,
  fifo: 0x36,
};

/** The largest value an octal field of `len` bytes holds (len - 1 digits and a terminator). */
export function octalMax(len: number): number {
  return 8 ** (len - 1) - 1;
}

/** Sum of the header's bytes with the checksum field counted as spaces (unsigned, as POSIX says). */
export function checksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum;
}

/** The historic signed-char variant, which some old writers used; accepted on read. */
export function signedChecksum(block: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i]! << 24) >> 24;
  return sum;
}
