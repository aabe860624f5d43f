/**
 * PAX extended header records: `"<len> <key>=<value>\n"`, where `<len>` counts the whole record
 * including its own digits. Values are kept as bytes: `SCHILY.xattr.*` values are binary
 * (security.capability holds a little-endian struct), which is where several npm tar packages
 * go wrong by decoding them as UTF-8.
 */
import { LayerFormatError } from '../errors.js';

/** Encodes records in the order given (callers sort them for deterministic output). */
export function encodePax(records: ReadonlyArray<readonly [string, Uint8Array | string]>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of records) {
    const k = Buffer.from(key, 'utf8');
    const v = typeof value === 'string' ? Buffer.from(value, 'utf8') : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    if (k.includes(0x3d) || k.length === 0) throw new LayerFormatError('LAYER_UNREPRESENTABLE', `Cannot encode PAX key "${key}": it is empty or holds "="`);
    const body = k.length + v.length + 3; // space, '=', newline
    let len = body + String(body).length;
    if (String(len).length !== String(body).length) len = body + String(len).length;
    parts.push(Buffer.from(`${len} `, 'ascii'), k, Buffer.from('='), v, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

/** Parses a PAX record block into key → raw value bytes. */
export function parsePax(data: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let pos = 0;
  while (pos < data.length) {
    // A block may be NUL-padded after its last record.
    if (data[pos] === 0) break;
    const space = data.indexOf(0x20, pos);
    if (space < 0 || space - pos > 20) throw bad('a record has no length');
    const lenText = data.toString('ascii', pos, space);
    if (!/^[1-9][0-9]*$/.test(lenText)) throw bad(`a record length "${lenText}" is not a number`);
    const len = Number(lenText);
    const end = pos + len;
    if (end > data.length || len < space - pos + 4) throw bad('a record runs past the header');
    if (data[end - 1] !== 0x0a) throw bad('a record does not end with a newline');
    const eq = data.indexOf(0x3d, space + 1);
    if (eq < 0 || eq >= end - 1) throw bad('a record has no "="');
    const key = data.toString('utf8', space + 1, eq);
    if (key.length === 0) throw bad('a record has an empty key');
    out.set(key, data.subarray(eq + 1, end - 1));
    pos = end;
  }
  return out;
}

function bad(reason: string): LayerFormatError {
  return new LayerFormatError('LAYER_BAD_PAX', `Cannot read PAX extended header: ${reason}`);
}
