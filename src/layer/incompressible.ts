/**
 * Spotting data that deflate cannot shrink (already-compressed files, random bytes) so the gzip
 * writer can store it instead of searching it for matches.
 *
 * Why: zlib at level 6 spends as long on random bytes as on text (~40 MB/s of CPU here) and then
 * emits them a hair larger than they came in; stored blocks cost a copy (~300 MB/s). Layers hold
 * such data often (a 1 GiB RUN output in the build benchmark is half /dev/urandom).
 *
 * How: a 64 KiB segment counts as incompressible when it looks random to three cheap tests, all
 * run on the main thread (~0.1 ms per MiB of text, ~0.5 ms per MiB of random bytes):
 * - order-0 entropy near 8 bits per byte (nothing for Huffman coding to gain) in two 4 KiB
 *   samples, its first and its last, so a segment where text meets random data is compressed;
 * - almost every 4-byte string distinct in the first sample (no repeats closer than 4 KiB);
 * - that sample's 4-byte strings met no more often than chance at every 16th position of the
 *   rest of the segment (no repeat of it 4–60 KiB later: periodic data of any period deflate's
 *   32 KiB window can reach).
 * The verdict is a pure function of the bytes, so the gzip output stays deterministic. What it
 * cannot see: random data in which some other stretch than the first 4 KiB recurs within 32 KiB.
 * Such a segment is stored though deflate would have shortened it: the layer is larger than it
 * could be, never wrong.
 */

/** Bytes classified at once; also the granularity of switching between stored and compressed. */
export const SEGMENT = 64 * 1024;
const SAMPLE = 4096;
/**
 * Random bytes give ~7.955 bits per byte over 4,096 samples (the estimate's bias is ~0.045, its
 * spread ~0.01); text gives 4–6, machine code ~6, already-compressed formats 7.95+.
 */
const MIN_ENTROPY = 7.9;
/** Random bytes give ~99% distinct hashed 4-byte strings in 2^18 buckets; a period P < 4 KiB gives ≤ P/4093. */
const MIN_DISTINCT = 0.9;

/** Every how many bytes the rest of the segment is probed for repeats of the first sample. */
const PROBE_STEP = 16;
/**
 * Probe hits allowed: chance gives ~1.6% (4,093 strings in 2^18 buckets) of 3,840 probes ≈ 60 ± 8;
 * one repeat of the sample adds 4096 / PROBE_STEP = 256.
 */
const MAX_PROBE_HITS = 160;

/** c·log2(c) for every count a sample can hold. */
const C_LOG_C = (() => {
  const t = new Float64Array(SAMPLE + 1);
  for (let c = 2; c <= SAMPLE; c++) t[c] = c * Math.log2(c);
  return t;
})();
const LOG_N = Math.log2(SAMPLE);

// Scratch space, reused: the classifier runs on the main thread for every segment.
const counts = new Uint32Array(256);
const seen = new Uint32Array((1 << 18) / 32);

const hash4 = (v: number): number => Math.imul(v, 0x9e3779b1) >>> 14;
const word = (buf: Uint8Array, i: number): number => ((buf[i]! << 24) | (buf[i + 1]! << 16) | (buf[i + 2]! << 8) | buf[i + 3]!) >>> 0;

function highEntropy(buf: Uint8Array, at: number): boolean {
  counts.fill(0);
  for (let i = at; i < at + SAMPLE; i++) counts[buf[i]!]!++;
  let sum = 0;
  for (let b = 0; b < 256; b++) sum += C_LOG_C[counts[b]!]!;
  return LOG_N - sum / SAMPLE >= MIN_ENTROPY;
}

/** Records the sample's hashed 4-byte strings in `seen`; false when too few are distinct. */
function fewRepeats(buf: Uint8Array, at: number): boolean {
  seen.fill(0);
  let distinct = 0;
  let v = (buf[at]! << 16) | (buf[at + 1]! << 8) | buf[at + 2]!;
  for (let i = at + 3; i < at + SAMPLE; i++) {
    v = ((v << 8) | buf[i]!) >>> 0;
    const h = hash4(v);
    const bit = 1 << (h & 31);
    const w = h >>> 5;
    if ((seen[w]! & bit) === 0) {
      seen[w]! |= bit;
      distinct++;
    }
  }
  return distinct >= MIN_DISTINCT * (SAMPLE - 3);
}

/** False when the strings recorded by `fewRepeats` recur in [from, to) more often than chance. */
function noEcho(buf: Uint8Array, from: number, to: number): boolean {
  let hits = 0;
  for (let i = from; i + 4 <= to; i += PROBE_STEP) {
    const h = hash4(word(buf, i));
    if ((seen[h >>> 5]! & (1 << (h & 31))) !== 0 && ++hits > MAX_PROBE_HITS) return false;
  }
  return true;
}

/** True when the `SEGMENT`-sized (or shorter) piece at `start` looks incompressible. */
export function looksIncompressible(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start < 4 * SAMPLE) return false; // too short to judge, and too short to matter
  return highEntropy(buf, start) && highEntropy(buf, end - SAMPLE) && fewRepeats(buf, start) && noEcho(buf, start + SAMPLE, end);
}

/** A piece of a block to deflate one way: `stored` pieces are emitted as stored blocks. */
export interface Run {
  start: number;
  end: number;
  stored: boolean;
}

/**
 * Cuts `block` into runs of compressible and incompressible segments (segments counted from the
 * block's start; blocks start at multiples of the block size, so the cut depends only on the bytes).
 */
export function classifyRuns(block: Uint8Array): Run[] {
  const runs: Run[] = [];
  for (let start = 0; start < block.length; start += SEGMENT) {
    const end = Math.min(block.length, start + SEGMENT);
    const stored = looksIncompressible(block, start, end);
    const last = runs[runs.length - 1];
    if (last !== undefined && last.stored === stored) last.end = end;
    else runs.push({ start, end, stored });
  }
  if (runs.length === 0) runs.push({ start: 0, end: 0, stored: false });
  return runs;
}
