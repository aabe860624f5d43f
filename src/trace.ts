/**
 * Timings for whoever tunes gantry, without a profiler: with `GANTRY_TRACE=1` in the environment
 * each traced phase (a build step's unpack, mount, layer write, …) and each mark (a container's
 * start and end) writes one line to stderr:
 *
 *     gantry-trace <ms since node started> <name>[ <duration>ms] cpu=<ms> rss=<MiB>
 *
 * Counted from node's time origin, so the CLI's own start-up shows as the time before the first
 * line. The benchmarks read these lines (`bench/build.ts`, `bench/run.ts`). Off (the default) a
 * phase or mark costs one boolean test. Imports only node:fs, so any part may use it.
 */
import { writeSync } from 'node:fs';

/** The line prefix the benchmarks parse. */
export const TRACE_PREFIX = 'gantry-trace';

const enabled = process.env.GANTRY_TRACE !== undefined && process.env.GANTRY_TRACE !== '' && process.env.GANTRY_TRACE !== '0';
// The time between the last line and node's 'exit' event is work still queued on the event loop.
if (enabled) process.once('exit', () => traceLine('node: exit event'));

/** Runs `fn` and, when tracing, reports how long it took under `phase`. */
export async function traced<T>(phase: string, fn: () => Promise<T>): Promise<T> {
  if (!enabled) return fn();
  const start = performance.now();
  try {
    return await fn();
  } finally {
    traceLine(phase, performance.now() - start);
  }
}

/** Reports a phase measured by the caller, or (without `ms`) that `name` has just finished. */
export function traceLine(name: string, ms?: number): void {
  if (!enabled) return;
  const cpu = process.cpuUsage();
  const rssMiB = process.memoryUsage.rss() / 1048576;
  // Synchronous: a line must be on stderr before the process can exit or exec, and in order.
  writeSync(
    2,
    `${TRACE_PREFIX} ${performance.now().toFixed(1).padStart(8)} ${name}${ms === undefined ? '' : ` ${ms.toFixed(1)}ms`} cpu=${((cpu.user + cpu.system) / 1000).toFixed(0)}ms rss=${rssMiB.toFixed(0)}MiB\n`,
  );
}
