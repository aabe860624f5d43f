/**
 * A push-style check that a byte stream is a tar archive, for `image import`: the tarball itself
 * becomes the layer (as docker does), so we never parse it into entries, but a file that is not a
 * tar (an HTML error page, a truncated download) must be refused rather than stored as a layer.
 *
 * Follows Go's archive/tar reader, which is what docker applies the layer with: header checksums
 * (unsigned, or signed as old tars wrote), sizes in octal or base-256, PAX `size` overrides, no
 * body for header-only types (links, devices, dirs, fifos); the stream may end at an entry
 * boundary with or without the two zero blocks, never inside a header or a body.
 */
import { ArchiveDataError } from './errors.js';

const BLOCK = 512;
const HEADER_ONLY = new Set(['1', '2', '3', '4', '5', '6']);
const MAX_PAX = 1 << 20;

function bad(message: string): ArchiveDataError {
  return new ArchiveDataError('ARCHIVE_BAD_DOCUMENT', `Cannot import: the input is not a tar archive (${message})`);
}

function parseNumber(field: Buffer): number {
  if (field.length > 0 && ((field[0] as number) & 0x80) !== 0) {
    // base-256 (GNU): big-endian, first byte's high bit is the marker
    let n = (field[0] as number) & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + (field[i] as number);
    return n;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw bad(`bad number ${JSON.stringify(text)} in a header`);
  return parseInt(text, 8);
}

function checksumOk(h: Buffer): boolean {
  const stored = parseNumber(h.subarray(148, 156));
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : (h[i] as number);
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

export class TarCheck {
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  /** Bytes of body (plus padding) still to skip. */
  #skip = 0;
  /** A PAX header's body being collected, and its size. */
  #pax: { need: number; chunks: Buffer[]; have: number; padding: number } | undefined;
  #paxSize: number | undefined;
  #zeroBlocks = 0;
  #entries = 0;
  #offset = 0;

  /** Entries seen so far. */
  get entries(): number {
    return this.#entries;
  }

  update(chunk: Uint8Array): void {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (buf.length > 0) {
      if (this.#zeroBlocks >= 2) return; // after the end marker anything goes (padding to a record)
      if (this.#skip > 0) {
        const n = Math.min(this.#skip, buf.length);
        this.#skip -= n;
        this.#offset += n;
        buf = buf.subarray(n);
        continue;
      }
      if (this.#pax !== undefined) {
        const p = this.#pax;
        const n = Math.min(p.need - p.have, buf.length);
        p.chunks.push(Buffer.from(buf.subarray(0, n)));
        p.have += n;
        this.#offset += n;
        buf = buf.subarray(n);
        if (p.have === p.need) {
          this.#paxSize = paxSize(Buffer.concat(p.chunks));
          this.#skip = p.padding;
          this.#pax = undefined;
        }
        continue;
      }
      const need = BLOCK - this.#pendingBytes;
      const n = Math.min(need, buf.length);
      this.#pending.push(Buffer.from(buf.subarray(0, n)));
      this.#pendingBytes += n;
      buf = buf.subarray(n);
      if (this.#pendingBytes === BLOCK) {
        const header = Buffer.concat(this.#pending);
        this.#pending = [];
        this.#pendingBytes = 0;
        this.#header(header);
        this.#offset += BLOCK;
      }
    }
  }

  #header(h: Buffer): void {
    if (h.every((b) => b === 0)) {
      this.#zeroBlocks++;
      return;
    }
    if (this.#zeroBlocks > 0) throw bad(`data after a zero block at byte ${this.#offset}`);
    if (!checksumOk(h)) throw bad(`bad header checksum at byte ${this.#offset}`);
    const type = h.toString('latin1', 156, 157);
    let size = parseNumber(h.subarray(124, 136));
    const padding = (n: number): number => (BLOCK - (n % BLOCK)) % BLOCK;
    if (type === 'x' || type === 'g') {
      if (size > MAX_PAX) throw bad(`a PAX header of ${size} bytes`);
      if (size === 0) return;
      this.#pax = type === 'x' ? { need: size, chunks: [], have: 0, padding: padding(size) } : undefined;
      if (this.#pax === undefined) this.#skip = size + padding(size);
      return;
    }
    if (type === 'L' || type === 'K') {
      this.#skip = size + padding(size);
      return;
    }
    this.#entries++;
    if (this.#paxSize !== undefined) size = this.#paxSize;
    this.#paxSize = undefined;
    if (HEADER_ONLY.has(type)) size = 0;
    this.#skip = size + padding(size);
  }

  /** Call at the end of the stream. @throws {ArchiveDataError} when it ended inside a header or body */
  end(): void {
    if (this.#zeroBlocks >= 2) return;
    if (this.#pendingBytes > 0 || this.#skip > 0 || this.#pax !== undefined) throw bad('it ends inside an entry: truncated');
  }
}

function paxSize(body: Buffer): number | undefined {
  let size: number | undefined;
  let i = 0;
  while (i < body.length) {
    const sp = body.indexOf(0x20, i);
    if (sp < 0) break;
    const len = Number(body.toString('latin1', i, sp));
    if (!Number.isSafeInteger(len) || len <= 0 || i + len > body.length) throw bad('a malformed PAX record');
    const rec = body.toString('utf8', sp + 1, i + len - 1);
    const eq = rec.indexOf('=');
    if (eq > 0 && rec.slice(0, eq) === 'size') {
      const v = Number(rec.slice(eq + 1));
      if (!Number.isSafeInteger(v) || v < 0) throw bad('a bad PAX size');
      size = v;
    }
    i += len;
  }
  return size;
}
