/**
 * docker `run` flags as the CLI receives them (strings, repeatable lists) → `RunOverrides`. Parsing
 * lives here, beside the rules it feeds, so every front end (the `run` command, the builder's RUN
 * steps, tests) gets docker's exact behaviour and messages.
 *
 * Networking: `host` is the default (docker's default is a bridge, which gantry does not have yet);
 * `none` gives a private network namespace with only `lo`. `bridge`/`default` are refused with a hint
 * rather than silently given the host's network.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, NotImplementedError } from '../errors.js';
import { expandEnvArg, parseEnvFile } from './env.js';
import type { NetworkMode, RunOverrides } from './image-config.js';
import { parseBytes, parseBytesOrUnlimited, parseCpus, parseInteger } from './units.js';
import type { ResourceRequest } from './cgroups.js';

/** The `run`/`create` flags that shape a container (commander's camelCase names). */
export interface DockerRunFlags {
  entrypoint?: string;
  env?: string[];
  envFile?: string[];
  workdir?: string;
  user?: string;
  groupAdd?: string[];
  hostname?: string;
  tty?: boolean;
  readOnly?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  securityOpt?: string[];
  privileged?: boolean;
  tmpfs?: string[];
  volume?: string[];
  ulimit?: string[];
  shmSize?: string;
  addHost?: string[];
  network?: string;
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
  cpuShares?: string;
  pidsLimit?: string;
  init?: boolean;
  cgroupParent?: string;
}

/**
 * `--network` → a mode gantry supports.
 * @throws {NotImplementedError} ERR_NETWORK_UNSUPPORTED for bridge and container modes
 */
export function parseNetworkMode(value: string | undefined): NetworkMode {
  if (value === undefined || value === 'host') return 'host';
  if (value === 'none') return 'none';
  throw new NotImplementedError('NETWORK_UNSUPPORTED', `Cannot use network "${value}": gantry supports only host (the default) and none`, {
    hint: 'Use --network host to share the host\'s network, or --network none for an isolated container',
  });
}

export interface FlagContext {
  /** The caller's environment, for `-e NAME` and bare names in env files. */
  callerEnv: Readonly<Record<string, string | undefined>>;
  /** Reads an env file (default: the filesystem). */
  readText?: (path: string) => Promise<string>;
}

/** The resource flags of `run`, `create` or `update` (docker's strings), parsed by docker's rules. @throws {InvalidArgumentError} */
export function resourceRequest(flags: Pick<DockerRunFlags, 'memory' | 'memorySwap' | 'memoryReservation' | 'cpus' | 'cpuShares' | 'pidsLimit'>): ResourceRequest {
  const r: ResourceRequest = {};
  if (flags.memory !== undefined) r.memory = parseBytes(flags.memory);
  if (flags.memorySwap !== undefined) r.memorySwap = parseBytesOrUnlimited(flags.memorySwap);
  if (flags.memoryReservation !== undefined) r.memoryReservation = parseBytes(flags.memoryReservation);
  if (flags.cpus !== undefined) r.nanoCpus = parseCpus(flags.cpus);
  if (flags.cpuShares !== undefined) r.cpuShares = parseInteger(flags.cpuShares, '--cpu-shares');
  if (flags.pidsLimit !== undefined) r.pidsLimit = parseInteger(flags.pidsLimit, '--pids-limit');
  return r;
}

/**
 * The overrides for `flags` and the arguments after the image.
 * @throws {InvalidArgumentError} with docker's messages for malformed values
 */
export async function runOverridesFromFlags(
  flags: DockerRunFlags,
  args: readonly string[],
  context: FlagContext,
): Promise<RunOverrides & { addHosts?: string[]; init?: boolean }> {
  const readText = context.readText ?? ((p: string) => readFile(p, 'utf8'));
  const env: string[] = [];
  for (const file of flags.envFile ?? []) {
    let text: string;
    try {
      text = await readText(file);
    } catch (err) {
      throw new InvalidArgumentError('ENV_FILE_UNREADABLE', `open ${file}: no such file or directory`, { cause: err });
    }
    env.push(...parseEnvFile(text, context.callerEnv, file));
  }
  for (const e of flags.env ?? []) {
    const v = expandEnvArg(e, context.callerEnv);
    if (v !== undefined) env.push(v);
  }
  const resources = resourceRequest(flags);

  const o: RunOverrides & { addHosts?: string[]; init?: boolean } = { args: [...args], env, network: parseNetworkMode(flags.network), resources };
  if (flags.entrypoint !== undefined) o.entrypoint = flags.entrypoint;
  if (flags.workdir !== undefined) o.workdir = flags.workdir;
  if (flags.user !== undefined) o.user = flags.user;
  if (flags.groupAdd !== undefined) o.groupAdd = flags.groupAdd;
  if (flags.hostname !== undefined) o.hostname = flags.hostname;
  if (flags.tty === true) o.tty = true;
  if (flags.readOnly === true) o.readOnly = true;
  if (flags.capAdd !== undefined) o.capAdd = flags.capAdd;
  if (flags.capDrop !== undefined) o.capDrop = flags.capDrop;
  if (flags.securityOpt !== undefined) o.securityOpt = flags.securityOpt;
  if (flags.privileged === true) o.privileged = true;
  if (flags.tmpfs !== undefined) o.tmpfs = flags.tmpfs;
  if (flags.volume !== undefined) o.volumes = flags.volume;
  if (flags.ulimit !== undefined) o.ulimits = flags.ulimit;
  if (flags.shmSize !== undefined) o.shmSize = parseBytes(flags.shmSize);
  if (flags.addHost !== undefined) o.addHosts = flags.addHost;
  if (flags.init === true) o.init = true;
  if (flags.cgroupParent !== undefined) o.cgroupParent = flags.cgroupParent;
  return o;
}
