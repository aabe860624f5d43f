/**
 * Phase marks for measuring where a container's start and end spend their time. With
 * `GANTRY_TRACE_PHASES=1` in the environment each mark writes `gantry-phase <ms> <name>` to stderr,
 * `<ms>` counted from the process's start (node's time origin), so the CLI's own start-up shows as
 * the time before the first mark. Off (the default) a mark costs one boolean test. The bench
 * (`bench/run.ts`) reads these lines to print a phase breakdown of `run --rm`.
 */
import { writeSync } from 'node:fs';

const enabled = process.env.GANTRY_TRACE_PHASES === '1';
// The time between the last mark and node's 'exit' event is work still queued on the event loop.
if (enabled) process.once('exit', () => markPhase('node: exit event'));

/** The line prefix `bench/run.ts` parses. */
export const PHASE_PREFIX = 'gantry-phase';

/** Records that `name` has just finished (a no-op unless GANTRY_TRACE_PHASES=1). */
export function markPhase(name: string): void {
  if (!enabled) return;
  // Synchronous: a mark must be on stderr before the process can exit or exec, and in order.
  writeSync(2, `${PHASE_PREFIX} ${performance.now().toFixed(1)} ${name}\n`);
}
