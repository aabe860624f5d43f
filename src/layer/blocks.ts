/**
 * Fixed-size blocks filled from bytes or straight from a file: the unit the parallel gzip
 * compresses and the raw layer writer writes. Block buffers come from a free list that the
 * consumer refills, so a long stream reuses a few buffers (fresh memory is slow to touch here).
 */

/** Fills fixed-size blocks; full ones wait in `full` until taken. */
export class BlockFiller {
  readonly #size: number;
  readonly #free: Buffer[];
  #block: Buffer;
  #fill = 0;
  full: Buffer[] = [];

  constructor(size: number, free: Buffer[]) {
    this.#size = size;
    this.#free = free;
    this.#block = free.pop() ?? Buffer.allocUnsafe(size);
  }

  #advance(n: number): void {
    this.#fill += n;
    if (this.#fill < this.#size) return;
    this.full.push(this.#block);
    this.#block = this.#free.pop() ?? Buffer.allocUnsafe(this.#size);
    this.#fill = 0;
  }

  put(bytes: Uint8Array): void {
    for (let off = 0; off < bytes.byteLength; ) {
      const n = Math.min(this.#size - this.#fill, bytes.byteLength - off);
      this.#block.set(n === bytes.byteLength ? bytes : bytes.subarray(off, off + n), this.#fill);
      off += n;
      this.#advance(n);
    }
  }

  /**
   * One read of at most `max` bytes of `body`, no further than the end of the current block; the
   * count read. With `probe`, one byte more is asked for when the block has room: more than `max`
   * back means the body is longer than it should be (the caller fails, the block's content no
   * longer matters), and `eof` says whether a short answer proved the end (a regular file's read
   * is short only there), which saves the separate probe read per file.
   */
  read(body: { readInto(target: Uint8Array, offset: number, length: number): number }, max: number, probe = false): { n: number; eof: boolean } {
    const room = this.#size - this.#fill;
    const ask = probe && max < room ? max + 1 : Math.min(max, room);
    const n = body.readInto(this.#block, this.#fill, ask);
    this.#advance(Math.min(n, room));
    return { n, eof: n < ask };
  }

  take(): Buffer[] {
    const out = this.full;
    this.full = [];
    return out;
  }

  /** The partly filled last block, if any. */
  rest(): Buffer | undefined {
    return this.#fill > 0 ? this.#block.subarray(0, this.#fill) : undefined;
  }
}
