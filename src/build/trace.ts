/**
 * Phase timings of a build for whoever tunes it: with `GANTRY_TRACE=1` in the environment each
 * traced phase prints one line to stderr when it ends (`gantry-trace <ms since start> <phase> <ms>`,
 * plus the process's CPU time and RSS), so a benchmark can see where a build's time goes without a
 * profiler. Off by default and then costs one boolean test per phase.
 */
const enabled = process.env.GANTRY_TRACE !== undefined && process.env.GANTRY_TRACE !== '' && process.env.GANTRY_TRACE !== '0';
const t0 = performance.now();

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

/** Reports a phase measured by the caller (or an instant event when `ms` is omitted). */
export function traceLine(phase: string, ms?: number): void {
  if (!enabled) return;
  const cpu = process.cpuUsage();
  const rssMiB = process.memoryUsage.rss() / 1048576;
  process.stderr.write(
    `gantry-trace ${(performance.now() - t0).toFixed(0).padStart(6)} ${phase}${ms === undefined ? '' : ` ${ms.toFixed(1)}ms`} cpu=${((cpu.user + cpu.system) / 1000).toFixed(0)}ms rss=${rssMiB.toFixed(0)}MiB\n`,
  );
}

