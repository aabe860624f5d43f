/**
 * HEALTHCHECK: `NONE` (disable the base image's check) or `CMD …` with `--interval --timeout
 * --start-period --start-interval --retries`. Durations are Go durations (`30s`, `1m30s`, `500ms`);
 * a non-zero duration below 1ms is refused, as BuildKit refuses it.
 */
import { goQuote } from '../../go-compat.js';
import { goUpper, parseGoDuration, parseGoInt } from '../_go.js';
import type { Flag } from './bflags.js';
import { base, errAtLeastOneArgument, handleJSONArgs, InstructionError, type InstructionBase, type ParseRequest } from './types.js';

/** The image config's Healthcheck, durations in nanoseconds (0 = inherit the default). */
export interface HealthConfig {
  /** `["NONE"]`, `["CMD", argv…]` or `["CMD-SHELL", command]`. */
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export interface HealthcheckInstruction extends InstructionBase {
  kind: 'healthcheck';
  health: HealthConfig;
}

const MIN_DURATION = 1_000_000n; // 1ms

/** A flag's duration in nanoseconds; 0 when empty. Throws for a value below 1ms other than 0. */
export function parseOptInterval(name: string, value: string): number {
  if (value === '') return 0;
  let d: bigint;
  try {
    d = parseGoDuration(value);
  } catch (e) {
    throw new InstructionError((e as Error).message);
  }
  if (d === 0n) return 0;
  if (d < MIN_DURATION) throw new InstructionError(`Interval ${goQuote(name)} cannot be less than 1ms`);
  // int64 nanoseconds beyond 2^53 (about 104 days) lose precision as a JSON number anyway.
  return Number(d);
}

export function parseHealthcheck(req: ParseRequest): HealthcheckInstruction {
  if (req.args.length === 0) throw errAtLeastOneArgument('HEALTHCHECK');
  const typ = goUpper(req.args[0]!);
  const args = req.args.slice(1);
  const none: HealthConfig = { test: [typ], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  if (typ === 'NONE') {
    // BuildKit checks no flags for NONE.
    if (args.length !== 0) throw new InstructionError('HEALTHCHECK NONE takes no arguments');
    return { kind: 'healthcheck', ...base(req), health: none };
  }
  const flags: Record<string, Flag> = {
    interval: req.flags.addString('interval', ''),
    timeout: req.flags.addString('timeout', ''),
    'start-period': req.flags.addString('start-period', ''),
    'start-interval': req.flags.addString('start-interval', ''),
    retries: req.flags.addString('retries', ''),
  };
  req.flags.parse();
  if (typ !== 'CMD') throw new InstructionError(`Unknown type ${goQuote(typ)} in HEALTHCHECK (try CMD)`);
  const cmd = handleJSONArgs(args, req.json);
  if (cmd.length === 0) throw new InstructionError('Missing command after HEALTHCHECK CMD');
  const health: HealthConfig = {
    test: [req.json ? typ : 'CMD-SHELL', ...cmd],
    interval: parseOptInterval('interval', flags.interval!.value),
    timeout: parseOptInterval('timeout', flags.timeout!.value),
    startPeriod: parseOptInterval('start-period', flags['start-period']!.value),
    startInterval: parseOptInterval('start-interval', flags['start-interval']!.value),
    retries: 0,
  };
  const retries = flags.retries!.value;
  if (retries !== '') {
    let n: bigint;
    try {
      n = parseGoInt(retries, 10, 32);
    } catch (e) {
      throw new InstructionError((e as Error).message);
    }
    if (n < 0n) throw new InstructionError(`--retries cannot be negative (${n})`);
    health.retries = Number(n);
  }
  return { kind: 'healthcheck', ...base(req), health };
}
