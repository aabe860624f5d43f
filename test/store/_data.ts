/** Deterministic test bytes: the same (seed, size) gives the same bytes in any process. */
export function testBytes(seed: number, size: number): Buffer {
  const b = Buffer.allocUnsafe(size);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** `data` in chunks of `n` bytes, as an async source. */
export async function* chunks(data: Uint8Array, n = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += n) yield data.subarray(i, i + n);
}
