/**
 * A container's life under the runtime: its bundle (config.json plus generated /etc files), a
 * foreground run with stdio passed through, signals forwarded and the exit status propagated, or a
 * detached run watched by a monitor that outlives gantry.
 *
 * Foreground: `runc run` owns the container as its child; it forwards every signal it receives to the
 * container's init, exits with the container's status (128+n when a signal killed it), and with
 * `terminal: true` allocates the pseudo-terminal, proxies it, puts our terminal in raw mode and follows
 * SIGWINCH. Node cannot receive a file descriptor over a unix socket (SCM_RIGHTS), so it could not hold a
 * console master itself; letting runc hold it is the robust way. Without a TTY runc runs in its own
 * session, so a Ctrl-C at the terminal reaches only us and is forwarded once (not twice); with a TTY the
 * terminal is raw, Ctrl-C is a byte the container's line discipline turns into SIGINT.
 *
 * Detached: a `/bin/sh` monitor in its own session runs `runc run` with stdout and stderr on the
 * container's log file and writes the exit status to `exit-code` when the container ends. sh was chosen
 * over conmon (podman's monitor) because conmon's protocol (sync pipes, attach sockets, its own log
 * format and exit files) is podman's private interface and would tie us to one version; over a node
 * monitor because sh costs ~1 MB instead of ~40 MB per container. runc, not the monitor, is the
 * container's parent and subreaper, so the exit status is exact.
 */
import { type ChildProcess, spawn, type StdioOptions } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { errnoCode, FailedPreconditionError, InvalidArgumentError } from '../errors.js';
import { OciRuntime, RuntimeError, signalNumber } from './runc.js';
import { specToJson } from './spec.js';
import type { Spec } from './spec-types.js';

/** The files of one container's bundle directory. */
export interface BundlePaths {
  dir: string;
  config: string;
  log: string;
  exitCode: string;
  pidFile: string;
  monitorPid: string;
  /** The FIFO a detached container with a TTY reads its input from (made by its monitor). */
  ttyStdin: string;
}

export function bundlePaths(dir: string): BundlePaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    log: join(dir, 'container.log'),
    exitCode: join(dir, 'exit-code'),
    pidFile: join(dir, 'container.pid'),
    monitorPid: join(dir, 'monitor.pid'),
    ttyStdin: join(dir, 'tty-stdin'),
  };
}

/** Container IDs become directory and cgroup names: keep them to docker's alphabet. */
export function checkContainerId(id: string): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/.test(id)) {
    throw new InvalidArgumentError('INVALID_CONTAINER_ID', `Invalid container name (${id}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  }
}

/**
 * Writes `config.json` into the bundle dir (created if needed; mode 0600: it may hold secrets in env).
 * Synchronous inside: a few KB on the path of every start (see `writeEtcFiles`).
 */
export async function writeBundle(dir: string, spec: Spec): Promise<BundlePaths> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const paths = bundlePaths(dir);
  writeFileSync(paths.config, specToJson(spec), { mode: 0o600 });
  return Promise.resolve(paths);
}

export interface ExitStatus {
  /** The container's exit code; 128+n when signal n killed it (137 for SIGKILL, which includes an OOM kill). */
  exitCode: number;
}

/** A container running in the foreground. */
export interface ContainerProcess {
  /** PID of the runtime process (its parent). */
  readonly pid: number | undefined;
  /** Present when the matching stdio was `pipe`. */
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** Resolves when the container has exited and its runtime state is gone. */
  wait(): Promise<ExitStatus>;
  /** Sends a signal to the container's init via the runtime (works whatever our relation to it). */
  kill(signal?: string): Promise<void>;
}

/** The signals a foreground run forwards from gantry to the container (docker's sig-proxy). */
export const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

export interface StartForegroundOptions {
  runtime: OciRuntime;
  id: string;
  /** The bundle directory holding config.json (see `writeBundle`). */
  bundle: string;
  /** Default `inherit` (the terminal). `pipe` to read the output; a TTY needs `inherit`. */
  stdio?: StdioOptions;
  /** Forward SIGINT/SIGTERM/SIGHUP/SIGQUIT/SIGUSR1/SIGUSR2 received by gantry to the container. */
  forwardSignals?: boolean;
  /** Aborting kills the container (SIGKILL); `wait()` then resolves with its status (137). */
  signal?: AbortSignal;
  /** The spec's `process.terminal` (decides the session layout, see the module doc). */
  terminal?: boolean;
}

/** Starts `runc run` in the foreground. */
export function startForeground(options: StartForegroundOptions): ContainerProcess {
  checkContainerId(options.id);
  const { runtime, id } = options;
  const terminal = options.terminal === true;
  const inherited = options.stdio === undefined || options.stdio === 'inherit' || (Array.isArray(options.stdio) && options.stdio.every((s, i) => s === 'inherit' || s === i));
  if (terminal && !inherited) {
    throw new InvalidArgumentError('TTY_NEEDS_TERMINAL', 'Cannot allocate a TTY: the container\'s stdio must be the terminal (inherit)');
  }
  const child: ChildProcess = runtime.spawnRun(id, options.bundle, { stdio: options.stdio ?? 'inherit', newSession: !terminal });
  const forwarders: [NodeJS.Signals, () => void][] = [];
  if (options.forwardSignals === true) {
    for (const sig of FORWARDED_SIGNALS) {
      const f = (): void => {
        if (child.exitCode === null && child.signalCode === null) child.kill(sig);
      };
      process.on(sig, f);
      forwarders.push([sig, f]);
    }
  }
  const onAbort = (): void => {
    runtime.kill(id, 'SIGKILL').catch(() => child.kill('SIGKILL'));
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted === true) onAbort();

  // runc removes a container it ran in the foreground, whether it started or not; only a runtime that
  // was itself killed (or never ran) leaves state behind, and only then is a `delete` worth a process.
  let cleanExit = false;
  const done = new Promise<ExitStatus>((resolve, reject) => {
    child.once('error', (err) => {
      reject(new RuntimeError('unavailable', 'RUNTIME_START_FAILED', `Cannot start ${runtime.name}: ${err.message}`, err.message, { cause: err }));
    });
    child.once('exit', (code, sig) => {
      cleanExit = code !== null;
      resolve({ exitCode: code ?? 128 + signalNumber(sig) });
    });
  }).finally(async () => {
    for (const [sig, f] of forwarders) process.off(sig, f);
    options.signal?.removeEventListener('abort', onAbort);
    if (!cleanExit) await runtime.delete(id, { force: true }).catch(() => undefined);
  });
  return {
    pid: child.pid,
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    wait: () => done,
    kill: async (signal = 'SIGTERM') => runtime.kill(id, signal),
  };
}

// $1: the exit file; $2: a directory to remove after the exit ('' to keep it, for `--rm`); $3: the runtime's
// stdin ('' for /dev/null, else a FIFO to create and hold open read-write: it never reaches EOF, so a
// detached TTY's shell waits for input as under docker instead of reading an end of file); then the command.
const MONITOR_SCRIPT =
  'exit_file=$1; remove=$2; stdin=${3:-/dev/null}; shift 3; [ "$stdin" = /dev/null ] || mkfifo -m 600 "$stdin" || { echo 125 >"$exit_file"; exit 1; }; "$@" <>"$stdin"; code=$?; printf "%s\\n" "$code" >"$exit_file.tmp" && mv "$exit_file.tmp" "$exit_file"; [ -n "$remove" ] && rm -rf "$remove"; exit 0';

/** Quotes a word for `sh -c` (the command line `script -c` hands to the shell). */
function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export interface StartDetachedOptions {
  runtime: OciRuntime;
  id: string;
  bundle: string;
  /** Remove the bundle once the container has exited (`--rm`). */
  removeOnExit?: boolean;
  signal?: AbortSignal;
}

/**
 * Starts the container under a detached monitor and resolves once its process runs (with its host PID).
 * Its stdout and stderr both go to the bundle's `container.log` (runc copies each through its own pipe,
 * so lines keep their order within a stream, not across the two, as with docker's log drivers).
 * @throws {RuntimeError} with the runtime's message when the container does not start
 */
export async function startDetached(options: StartDetachedOptions): Promise<{ pid?: number }> {
  checkContainerId(options.id);
  const { runtime, id } = options;
  const spec = JSON.parse(await readFile(join(options.bundle, 'config.json'), 'utf8')) as Spec;
  const paths = bundlePaths(options.bundle);
  await rm(paths.exitCode, { force: true });
  await rm(paths.pidFile, { force: true });
  let command = [runtime.binary, ...runtime.globalArgs(), 'run', '--bundle', options.bundle, '--pid-file', paths.pidFile, id];
  let stdin = '';
  if (spec.process.terminal === true) {
    // `runc run` with a terminal needs a controlling terminal of its own to proxy the container's
    // console through (it refuses without one, and Node cannot take the console master over a
    // socket). util-linux `script` gives it one: a pty whose output it copies to the log, and it
    // exits with runc's status (-e). Docker's logs of a TTY container hold the same CRLF text.
    const script = (process.env.PATH ?? '/usr/bin:/bin').split(':').map((d) => join(d || '.', 'script')).find((p) => existsSync(p));
    if (script === undefined) {
      throw new FailedPreconditionError('DETACHED_TTY_NEEDS_SCRIPT', 'Cannot run a detached container with a TTY: util-linux `script` is not installed', {
        hint: 'Install util-linux (bsdutils on Debian), or run it in the foreground with -t, or detached without -t',
      });
    }
    command = [script, '-qefc', command.map(shellQuote).join(' '), '/dev/null'];
    stdin = paths.ttyStdin;
    await rm(stdin, { force: true });
  }
  const log = await open(paths.log, 'a', 0o600);
  let monitor: ChildProcess;
  try {
    monitor = spawn(
      '/bin/sh',
      ['-c', MONITOR_SCRIPT, 'gantry-monitor', paths.exitCode, options.removeOnExit === true ? options.bundle : '', stdin, ...command],
      { detached: true, stdio: ['ignore', log.fd, log.fd], env: { ...process.env, SHELL: '/bin/sh' } },
    );
  } finally {
    await log.close();
  }
  monitor.unref();
  if (monitor.pid !== undefined) await writeFile(paths.monitorPid, `${monitor.pid}\n`);
  // runc writes the pid file once the container's process has been started; the monitor writes the exit
  // file if it ends first (a failed start). Files, not `runc state` calls, so waiting costs no processes.
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    options.signal?.throwIfAborted();
    const pid = await readNumber(paths.pidFile);
    if (pid !== undefined) return { pid };
    // With removeOnExit, a container that ran and ended between two looks has already been removed.
    if (options.removeOnExit === true && !existsSync(options.bundle)) return {};
    const code = await readNumber(paths.exitCode);
    if (code !== undefined) {
      const text = await readFile(paths.log, 'utf8').catch(() => '');
      const msg = text.split('\n').filter((l) => /level=(error|fatal)/.test(l)).pop();
      throw new RuntimeError('failed-precondition', 'RUNTIME_FAILED', `Cannot start container ${id}: ${msg === undefined ? `exit status ${code}` : runtimeMessageOf(msg)}`, msg ?? '');
    }
    await sleep(delay);
  }
}

function runtimeMessageOf(line: string): string {
  const m = /msg="((?:[^"\\]|\\.)*)"/.exec(line);
  if (m === null) return line;
  try {
    return JSON.parse(`"${m[1]!}"`) as string;
  } catch {
    return m[1]!;
  }
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const t = (await readFile(path, 'utf8')).trim();
    return /^\d+$/.test(t) ? Number(t) : undefined;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/** What is known about a container from the runtime and its bundle. */
export interface ContainerStatus {
  /** `created`, `running`, `paused`, `exited`, or `unknown` (no runtime state, no exit record). */
  status: 'created' | 'running' | 'paused' | 'exited' | 'unknown';
  pid?: number;
  exitCode?: number;
}

/** The container's status: runtime state first, then the monitor's exit record. */
export async function containerStatus(runtime: OciRuntime, id: string, bundle: string): Promise<ContainerStatus> {
  const st = await runtime.state(id);
  if (st !== undefined && st.status !== 'stopped') {
    const status = st.status === 'paused' ? 'paused' : st.status === 'created' || st.status === 'creating' ? 'created' : 'running';
    return { status, pid: st.pid };
  }
  const paths = bundlePaths(bundle);
  let code = await readNumber(paths.exitCode);
  if (code === undefined) {
    // The runtime reports the process gone (or, after `runc run` ends, forgets it) a moment before
    // the detached monitor has its status written (longer under `script`, for a TTY): wait for the
    // monitor rather than report no code.
    const monitor = await readNumber(paths.monitorPid);
    for (let i = 0; code === undefined && monitor !== undefined && alive(monitor) && i < 250; i++) {
      await sleep(20);
      code = await readNumber(paths.exitCode);
    }
  }
  if (code !== undefined) return { status: 'exited', exitCode: code };
  return { status: st?.status === 'stopped' ? 'exited' : 'unknown' };
}

/** Resolves with the exit status of a detached container once its monitor has recorded it. */
export async function waitDetached(bundle: string, options: { signal?: AbortSignal } = {}): Promise<ExitStatus> {
  const paths = bundlePaths(bundle);
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    options.signal?.throwIfAborted();
    const code = await readNumber(paths.exitCode);
    if (code !== undefined) return { exitCode: code };
    await sleep(delay);
  }
}

/**
 * The container's log (stdout and stderr interleaved). With `follow`, keeps reading until the container
 * has exited and everything it wrote has been read.
 */
export async function* readLog(bundle: string, options: { follow?: boolean; fromEnd?: boolean; signal?: AbortSignal } = {}): AsyncIterable<Buffer> {
  const paths = bundlePaths(bundle);
  // `fromEnd`: only what is written from now on (`attach`).
  let offset = options.fromEnd === true ? await stat(paths.log).then((st) => st.size, () => 0) : 0;
  for (;;) {
    options.signal?.throwIfAborted();
    const exited = (await readNumber(paths.exitCode)) !== undefined;
    let size = 0;
    try {
      size = (await stat(paths.log)).size;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    if (size > offset) {
      for await (const chunk of createReadStream(paths.log, { start: offset, end: size - 1 })) {
        yield chunk as Buffer;
      }
      offset = size;
    }
    if (options.follow !== true || exited) return;
    await sleep(100);
  }
}

/**
 * Stops a container: `signal` (default SIGTERM), then SIGKILL after `timeoutSeconds` (default 10).
 * A container that is not running is left as it is.
 */
export async function stopContainer(runtime: OciRuntime, id: string, bundle: string, options: { signal?: string; timeoutSeconds?: number } = {}): Promise<void> {
  const st = await runtime.state(id);
  if (st === undefined || st.status === 'stopped') return;
  await runtime.kill(id, options.signal ?? 'SIGTERM').catch(() => undefined);
  const deadline = Date.now() + (options.timeoutSeconds ?? 10) * 1000;
  while (Date.now() < deadline) {
    const s = await containerStatus(runtime, id, bundle);
    if (s.status === 'exited' || s.status === 'unknown') return;
    await sleep(100);
  }
  await runtime.kill(id, 'SIGKILL').catch(() => undefined);
}

/**
 * Removes a container: kills it if `force`, deletes its runtime state, waits for a detached monitor to
 * finish recording, then removes the bundle directory. Safe to call twice.
 */
export async function removeContainer(runtime: OciRuntime, id: string, bundle: string, options: { force?: boolean } = {}): Promise<void> {
  // Nothing to do (a foreground run removes both): the common case of `run --rm` and `start`.
  if (!runtime.mayHaveState(id) && !existsSync(bundle)) return;
  const st = await runtime.state(id);
  if (st !== undefined && st.status !== 'stopped' && options.force !== true) {
    throw new RuntimeError('conflict', 'CONTAINER_RUNNING', `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`, '');
  }
  await runtime.delete(id, { force: true });
  const monitorPid = await readNumber(bundlePaths(bundle).monitorPid);
  if (monitorPid !== undefined) {
    for (let i = 0; i < 100 && alive(monitorPid); i++) await sleep(20);
  }
  await rm(bundle, { recursive: true, force: true });
}

/**
 * Whether `pid` is a running process. A zombie is not: a detached monitor has exited once its
 * state is `Z`, however late its parent (init, after gantry exited) reaps it; this VM's init
 * reaps about once a second, and each `start` of a stopped container waited for that.
 */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const line = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = line.charAt(line.lastIndexOf(')') + 2); // after "pid (comm) "; comm may hold ')'
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
