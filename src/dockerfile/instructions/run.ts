/**
 * RUN: a command run in the stage's filesystem, with `--mount`, `--network`, `--security` and
 * `--device`. Heredoc bodies are the command's inline files (`RUN <<EOF` … `EOF`, `RUN <<EOF python3`).
 */
import { goQuote } from '../../go-compat.js';
import { commandLine } from './cmd-entrypoint.js';
import { parseDevice, type RunDevice } from './run-device.js';
import { parseMount, type RunMount } from './run-mount.js';
import { base, InstructionError, type CommandLine, type Expanders, type InstructionBase, type ParseRequest } from './types.js';

export type NetworkMode = 'default' | 'none' | 'host';
export type SecurityMode = 'sandbox' | 'insecure';

/** A `--mount` as written, with the stage it names (known at parse time). */
export interface MountSpec {
  /** The flag's value, unexpanded (`type=cache,target=/root/.cache`). */
  spec: string;
  /** The `from=` value (a stage name, index or image), empty when none. */
  from: string;
}

export interface RunInstruction extends InstructionBase {
  kind: 'run';
  command: CommandLine;
  mountSpecs: MountSpec[];
  /**
   * The mounts, fully parsed and validated. Set by `expandInstruction`: BuildKit expands mount values
   * with the stage's variables before checking them, so they cannot be judged earlier.
   */
  mounts?: RunMount[];
  network: NetworkMode;
  security: SecurityMode;
  devices: RunDevice[];
  /** Names of the flags given (`mount`, `network`, …). */
  flagsUsed: string[];
}

export function parseRun(req: ParseRequest): RunInstruction {
  const mountFlag = req.flags.addStrings('mount');
  const networkFlag = req.flags.addString('network', 'default');
  const securityFlag = req.flags.addString('security', 'sandbox');
  const deviceFlag = req.flags.addStrings('device');
  req.flags.parse();
  const flagsUsed = req.flags.used();
  const command = commandLine(req);
  // Checked in BuildKit's order (its RUN hooks run by source file name): devices, mounts, network, security.
  const devices = deviceFlag.values.map(parseDevice);
  const mountSpecs = mountFlag.values.map((spec) => ({ spec, from: parseMount(spec).from }));
  const network = networkFlag.value;
  if (network !== 'default' && network !== 'none' && network !== 'host') {
    throw new InstructionError(`invalid network mode ${goQuote(network)}`);
  }
  const security = securityFlag.value;
  if (security !== 'sandbox' && security !== 'insecure') throw new InstructionError(`security ${goQuote(security)} is not valid`);
  return { kind: 'run', ...base(req), command, mountSpecs, network, security, devices, flagsUsed };
}

/** Mounts parsed with their values expanded (the RUN's command line is expanded by its shell). */
export function expandRun(c: RunInstruction, ex: Expanders): RunInstruction {
  return { ...c, mounts: c.mountSpecs.map((m) => parseMount(m.spec, ex.word)) };
}
