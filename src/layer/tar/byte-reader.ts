/**
 * Pull-based reading of exact byte counts from an async iterable of chunks, without copying
 * unless a read spans chunks. The reader never holds more than one source chunk beyond what was asked.
 */
export class ByteReader {
  readonly #it: AsyncIterator<Uint8Array>;
  readonly #signal: AbortSignal | undefined;
  #chunks: Uint8Array[] = [];
  #available = 0;
  #done = false;
  /** Bytes handed out so far (the position in the stream). */
  position = 0;

  constructor(source: AsyncIterable<Uint8Array>, signal?: AbortSignal) {
    this.#it = source[Symbol.asyncIterator]();
    this.#signal = signal;
  }

  /** Pulls one more chunk; false at the end of the source. */
  async #pull(): Promise<boolean> {
    if (this.#done) return false;
    this.#signal?.throwIfAborted();
    const r = await this.#it.next();
    if (r.done === true) {
      this.#done = true;
      return false;
    }
    if (r.value.byteLength > 0) {
      this.#chunks.push(r.value);
      this.#available += r.value.byteLength;
    }
    return true;
  }

  /** Exactly `n` bytes, or fewer only at the end of the source. */
  async read(n: number): Promise<Buffer> {
    while (this.#available < n) if (!(await this.#pull())) break;
    const want = Math.min(n, this.#available);
    const first = this.#chunks[0];
    if (first !== undefined && first.byteLength >= want) return this.#take(want);
    const out = Buffer.allocUnsafe(want);
    let off = 0;
    while (off < want) {
      const piece = this.#take(Math.min(want - off, this.#chunks[0]!.byteLength));
      out.set(piece, off);
      off += piece.byteLength;
    }
    return out;
  }

  /** Up to `n` bytes from what is buffered (pulling once if nothing is); empty only at the end. */
  async readSome(n: number): Promise<Buffer> {
    if (this.#available === 0 && !(await this.#pull())) {
      // #pull may return true with an empty chunk; loop until data or the end
      return Buffer.alloc(0);
    }
    while (this.#available === 0) if (!(await this.#pull())) return Buffer.alloc(0);
    return this.#take(Math.min(n, this.#chunks[0]!.byteLength));
  }

  /** Skips `n` bytes; returns how many were skipped (fewer only at the end). */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      const piece = await this.readSome(left);
      if (piece.byteLength === 0) break;
      left -= piece.byteLength;
    }
    return n - left;
  }

  /** Reads and discards the rest of the source; returns the byte count. */
  async drain(): Promise<number> {
    let n = 0;
    for (;;) {
      const piece = await this.readSome(1 << 20);
      if (piece.byteLength === 0) return n;
      n += piece.byteLength;
    }
  }

  /** Stops the source early (closes files, cancels decompression). */
  async close(): Promise<void> {
    if (!this.#done) {
      this.#done = true;
      await this.#it.return?.();
    }
  }

  #take(n: number): Buffer {
    const first = this.#chunks[0]!;
    const piece = first.subarray(0, n);
    if (n === first.byteLength) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#available -= n;
    this.position += n;
    return Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
  }
}
