/**
 * The heap policy of a build process.
 *
 * V8 doubles its young generation (up to 2 × 16 MiB semi-spaces on 64-bit) whenever many objects
 * survive a scavenge, which is exactly what a build of a large context does while it lists and
 * checksums 20,000 files: the records it keeps survive, so the young generation grows to its
 * maximum and stays there, ~30 MiB of resident memory that holds mostly garbage. Measured on a
 * 20,000-file COPY (W2): peak RSS 174 → ~135 MiB with the young generation kept at its initial
 * size, CPU time unchanged within noise (interleaved runs, load 5–9).
 *
 * `build()` calls it when the context walk passes a few thousand entries, so a small build does
 * not even load node:v8 for it. `--max-semi-space-size` only works on the command line (the heap's
 * limits are fixed when the isolate is made, and `bin/gantry` takes no node flags), but the growth
 * factor is read at every growth, so setting it to 1 at run time stops the growth from then on.
 */
import { setFlagsFromString } from 'node:v8';

let applied = false;

/** Keeps this process's young generation at its current size for the rest of its life. */
export function keepYoungGenerationSmall(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString('--semi-space-growth-factor=1');
}
