/**
 * Drives an OCI runtime binary with runc's command line (crun accepts the same): `create`, `start`,
 * `run`, `kill`, `delete`, `state`, `pause`, `resume`, `ps`, `list`. Each runtime keeps its state under
 * its own `--root` (gantry uses `<gantry-root>/runtime/<name>`), so gantry's containers never mix with
 * another tool's.
 *
 * Failures become `RuntimeError`s carrying the runtime's own message (runc logs
 * `level=error msg="…"`; crun prints plain text), never the whole stderr dump.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { GantryError, NotFoundError, type ErrorKind } from '../errors.js';

/** A failure reported by the runtime binary. */
export class RuntimeError extends GantryError {
  constructor(kind: ErrorKind, code: string, message: string, readonly runtimeMessage: string, options: { cause?: unknown; hint?: string } = {}) {
    super(kind, code, message, options);
  }
}

/** No container with that ID in the runtime's state. */
export class ContainerNotFoundError extends NotFoundError {
  constructor(id: string) {
    super('CONTAINER_NOT_FOUND', `No such container: ${id}`);
  }
}

/** `runc state` output. */
export interface RuntimeState {
  ociVersion: string;
  id: string;
  /** `creating`, `created`, `running`, `paused`, `stopped`. */
  status: string;
  pid: number;
  bundle: string;
  rootfs?: string;
  created?: string;
  annotations?: Record<string, string>;
}

export interface ExecOptions {
  signal?: AbortSignal;
}

export interface RunSpawnOptions {
  /** `--detach` (the runtime returns once the container runs; its stdio are the runtime's). */
  detach?: boolean;
  pidFile?: string;
  consoleSocket?: string;
  stdio?: StdioOptions;
  /** Start the runtime in its own session (see `startContainer` for why). */
  newSession?: boolean;
  /** Extra environment (merged over ours). */
  env?: NodeJS.ProcessEnv;
}

/** Pulls the last `msg="…"` out of runc's logfmt stderr, or the last non-empty line (crun). */
export function runtimeMessage(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /\blevel=(?:error|fatal)\b.*?\bmsg="((?:[^"\\]|\\.)*)"/.exec(lines[i]!);
    if (m !== null) {
      try {
        return JSON.parse(`"${m[1]!}"`) as string;
      } catch {
        return m[1]!;
      }
    }
  }
  return (lines[lines.length - 1] ?? '').trim();
}

/** An OCI runtime binary with runc's CLI and a state directory. */
export class OciRuntime {
  /**
   * @param name `runc`, `crun`, or the basename of a custom binary (names the state dir)
   * @param binary absolute path of the executable
   * @param root the runtime's `--root` (state) directory
   */
  constructor(
    readonly name: string,
    readonly binary: string,
    readonly root: string,
  ) {}

  /**
   * Whether the runtime may hold state for container `id`. runc and crun keep one directory per
   * container under their `--root` from `create` until `delete`; without it, `state` and `delete`
   * can only answer "does not exist", so callers skip those processes (each costs a Go runtime
   * start, ~30–100 ms). Any other runtime is asked.
   */
  mayHaveState(id: string): boolean {
    if (this.name !== 'runc' && this.name !== 'crun') return true;
    // An ID with a slash or dots could point outside the state dir: let the runtime judge it.
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(id) || id === '.' || id === '..') return true;
    return existsSync(join(this.root, id));
  }

  /** The global arguments every call starts with. */
  globalArgs(): string[] {
    return ['--root', this.root];
  }

  /** Runs `<binary> --root R ...args` to completion; resolves stdout; throws RuntimeError on failure. */
  async exec(args: readonly string[], options: ExecOptions = {}): Promise<string> {
    const child = spawn(this.binary, [...this.globalArgs(), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const code = await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (c, sig) => resolve(c ?? 128 + signalNumber(sig)));
    });
    if (code !== 0) {
      const msg = runtimeMessage(err) || `exit status ${code}`;
      if (/does not exist|no such file or directory.*(status|state\.json)|container .* not found/i.test(msg)) {
        throw new ContainerNotFoundError(args[args.length - 1] ?? '');
      }
      throw new RuntimeError('failed-precondition', 'RUNTIME_FAILED', `Cannot ${args[0] ?? 'run'} container: ${this.name}: ${msg}`, msg);
    }
    return out;
  }

  /** Spawns `run` (or `create` when `detach` is used with `create`). The caller owns the child. */
  spawnRun(id: string, bundle: string, options: RunSpawnOptions = {}): ChildProcess {
    const args = [...this.globalArgs(), 'run', '--bundle', bundle];
    if (options.detach === true) args.push('--detach');
    if (options.pidFile !== undefined) args.push('--pid-file', options.pidFile);
    if (options.consoleSocket !== undefined) args.push('--console-socket', options.consoleSocket);
    args.push(id);
    return spawn(this.binary, args, {
      stdio: options.stdio ?? 'inherit',
      detached: options.newSession === true,
      env: { ...process.env, ...options.env },
    });
  }

  /** `create`: sets the container up, its process waits for `start`. */
  async create(id: string, bundle: string, options: ExecOptions & { pidFile?: string } = {}): Promise<void> {
    const args = ['create', '--bundle', bundle];
    if (options.pidFile !== undefined) args.push('--pid-file', options.pidFile);
    await this.exec([...args, id], options);
  }

  async start(id: string, options: ExecOptions = {}): Promise<void> {
    await this.exec(['start', id], options);
  }

  /** Sends `signal` (a name like `SIGTERM`/`TERM` or a number) to the container's init (or all its processes). */
  async kill(id: string, signal: string | number = 'SIGTERM', options: ExecOptions & { all?: boolean } = {}): Promise<void> {
    const args = ['kill'];
    if (options.all === true) args.push('--all');
    await this.exec([...args, id, String(signal)], options);
  }

  /** Removes the container's state; `force` kills it first. A container that does not exist is not an error. */
  async delete(id: string, options: ExecOptions & { force?: boolean } = {}): Promise<void> {
    if (!this.mayHaveState(id)) return;
    try {
      await this.exec(options.force === true ? ['delete', '--force', id] : ['delete', id], options);
    } catch (err) {
      if (err instanceof ContainerNotFoundError) return;
      throw err;
    }
  }

  /** The container's state, or undefined when the runtime does not know it. */
  async state(id: string, options: ExecOptions = {}): Promise<RuntimeState | undefined> {
    if (!this.mayHaveState(id)) return undefined;
    try {
      return JSON.parse(await this.exec(['state', id], options)) as RuntimeState;
    } catch (err) {
      if (err instanceof ContainerNotFoundError) return undefined;
      throw err;
    }
  }

  async pause(id: string, options: ExecOptions = {}): Promise<void> {
    await this.exec(['pause', id], options);
  }

  async resume(id: string, options: ExecOptions = {}): Promise<void> {
    await this.exec(['resume', id], options);
  }

  /** Host PIDs of the container's processes. */
  async ps(id: string, options: ExecOptions = {}): Promise<number[]> {
    const out = await this.exec(['ps', '--format', 'json', id], options);
    return (JSON.parse(out) as number[] | null) ?? [];
  }

  /** One sample of the container's cgroup statistics (`runc events --stats`): what `stats` needs of it. */
  async stats(id: string, options: ExecOptions = {}): Promise<RuntimeStats> {
    const out = await this.exec(['events', '--stats', id], options);
    return (JSON.parse(out) as { data: RuntimeStats }).data;
  }

  /** Every container in this runtime's state dir. */
  async list(options: ExecOptions = {}): Promise<RuntimeState[]> {
    const out = await this.exec(['list', '--format', 'json'], options);
    return (JSON.parse(out.trim() || 'null') as RuntimeState[] | null) ?? [];
  }
}

const SIGNALS: Readonly<Record<string, number>> = {
  SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9,
  SIGUSR1: 10, SIGSEGV: 11, SIGUSR2: 12, SIGPIPE: 13, SIGALRM: 14, SIGTERM: 15, SIGSTKFLT: 16, SIGCHLD: 17,
  SIGCONT: 18, SIGSTOP: 19, SIGTSTP: 20, SIGTTIN: 21, SIGTTOU: 22, SIGURG: 23, SIGXCPU: 24, SIGXFSZ: 25,
  SIGVTALRM: 26, SIGPROF: 27, SIGWINCH: 28, SIGIO: 29, SIGPWR: 30, SIGSYS: 31,
};

/** Linux's number for a signal name (`SIGKILL`, `KILL`), 0 when unknown or null. */
export function signalNumber(sig: string | null | undefined): number {
  if (sig === null || sig === undefined) return 0;
  const name = sig.toUpperCase().startsWith('SIG') ? sig.toUpperCase() : `SIG${sig.toUpperCase()}`;
  return SIGNALS[name] ?? 0;
}

/**
 * A `--stop-signal` / `kill -s` value as the runtime takes it: a known name (with or without SIG) or a
 * number 1..64. @throws {InvalidArgumentError}
 */
export function normalizeSignal(sig: string): string {
  if (/^\d+$/.test(sig) && Number(sig) >= 1 && Number(sig) <= 64) return sig;
  const n = signalNumber(sig);
  if (n === 0) throw new RuntimeError('invalid-argument', 'INVALID_SIGNAL', `Invalid signal: ${sig}`, '');
  return Object.keys(SIGNALS).find((k) => SIGNALS[k] === n)!;
}

/** The parts of runc's stats event (libcontainer's `types.Stats`) that `stats` reads. */
export interface RuntimeStats {
  cpu?: { usage?: { total?: number; percpu?: number[] } };
  memory?: { usage?: { usage?: number; limit?: number }; raw?: Record<string, number> };
  pids?: { current?: number };
  blkio?: { ioServiceBytesRecursive?: { op?: string; value?: number }[] };
  network_interfaces?: { rx_bytes?: number; tx_bytes?: number }[] | null;
}
