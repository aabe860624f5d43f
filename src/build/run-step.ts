/**
 * RUN: a command in a container on top of the stage's filesystem, under the OCI runtime, with the
 * stage's environment, user and working directory, and the mounts `--mount` asks for. What the
 * command changes becomes the step's layer.
 *
 * Secrets reach the command only through a tmpfs file (or an environment variable for this one
 * process): never a layer, the config, the history, the cache key (which records only the secret's
 * id) or a log line we print.
 */
import { randomBytes, createHash } from 'node:crypto';
import { chmodSync, chownSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { RunMount } from '../dockerfile/index.js';
import { FailedPreconditionError } from '../errors.js';
import { RunStepError, SecretMissingError } from './run-errors.js';
import { resolveInRoot } from '../layer/index.js';
import type { Spec } from '../runtime/index.js';
import { findMountStubs, mountAll, RUNTIME_MOUNT_TARGETS, unmount } from '../snapshot/index.js';

/**
 * Holds on cache mount directories, by name, across processes: `use` keeps prune away while a RUN
 * has it mounted; `lock` is `sharing=locked`'s exclusive hold. Both wait when they must.
 */
export interface CacheMountGuard {
  use(name: string, options?: { signal?: AbortSignal }): Promise<() => void>;
  lock(name: string, options?: { signal?: AbortSignal }): Promise<() => void>;
}

/** What the solver hands a RUN besides the instruction. */
export interface RunContext {
  args: string[];
  env: string[];
  /** Environment for this process only (proxies, secret envs): not in the key or the history. */
  extraEnv: string[];
  user: string;
  workdir: string;
  network: 'host' | 'none';
  /** Heredoc files to put at /dev/pipes (a heredoc script with a shebang). */
  pipeFiles: { name: string; data: string }[];
  mounts: RunMount[];
  /** Mounts a read-only view of a mount's `from` (a stage or an image); release unmounts it. */
  viewOf: (from: string) => Promise<{ root: string; release: () => Promise<void> }>;
  /** Host directory of the build context (bind mounts without `from`). */
  contextDir: string | undefined;
  /** Secret values by id. */
  secrets: ReadonlyMap<string, Uint8Array>;
  /** Host directory for cache mounts. */
  cacheDir: string;
  /** Marks on the cache mounts this RUN uses (see store/mount-locks.ts). */
  cacheMounts: CacheMountGuard;
  addHosts: readonly string[];
  shmSize?: number;
  ulimits?: readonly string[];
  signal?: AbortSignal;
  onOutput: (stream: 1 | 2, data: Uint8Array) => void;
}

export { RunStepError, SecretMissingError };

/** The runtime's part of a RUN, separated so the solver can open the runtime lazily and once. */
export interface RunRuntime {
  prepare(options: { id: string; rootfs: string; env: string[]; user: string; workdir: string; args: string[]; network: 'host' | 'none'; addHosts: readonly string[]; shmSize?: number; ulimits?: readonly string[] }): Promise<Spec>;
  run(options: { id: string; spec: Spec; onOutput: (stream: 1 | 2, data: Uint8Array) => void; signal?: AbortSignal }): Promise<number>;
}

interface Prepared {
  specMounts: Spec['mounts'];
  env: string[];
  cleanups: (() => Promise<void>)[];
}

/**
 * Runs the command on `rootfs` (mounted by the workspace). Returns the paths that did not exist
 * before and were created only to serve as mount points (to be removed from the diff).
 */
export async function runInRoot(rootfs: string, ctx: RunContext, runtime: RunRuntime): Promise<string[]> {
  const id = `build-${randomBytes(12).toString('hex')}`;
  // The working directory exists for the command (BuildKit creates it).
  mkdirp(rootfs, ctx.workdir);
  const targets = [...RUNTIME_MOUNT_TARGETS, ...ctx.mounts.map(mountTarget).filter((t) => t !== ''), ...(ctx.pipeFiles.length > 0 ? ['/dev/pipes'] : [])];
  const stubs = findMountStubs(rootfs, targets);
  const prepared: Prepared = { specMounts: [], env: [...ctx.extraEnv], cleanups: [] };
  try {
    await prepareMounts(ctx, prepared);
    if (ctx.pipeFiles.length > 0) {
      const dir = await tempDir(ctx.cacheDir, 'pipes');
      prepared.cleanups.push(() => rm(dir, { recursive: true, force: true }));
      for (const f of ctx.pipeFiles) {
        writeFileSync(join(dir, f.name), f.data, { mode: 0o755 });
      }
      prepared.specMounts.push({ destination: '/dev/pipes', type: 'bind', source: dir, options: ['rbind', 'ro'] });
    }
    const spec = await runtime.prepare({
      id,
      rootfs,
      env: [...ctx.env, ...prepared.env],
      user: ctx.user,
      workdir: ctx.workdir,
      args: ctx.args,
      network: ctx.network,
      addHosts: ctx.addHosts,
      ...(ctx.shmSize === undefined ? {} : { shmSize: ctx.shmSize }),
      ...(ctx.ulimits === undefined ? {} : { ulimits: ctx.ulimits }),
    });
    spec.mounts.push(...prepared.specMounts);
    const tail = new LineTail(10);
    const exitCode = await runtime.run({
      id,
      spec,
      onOutput: (stream, data) => {
        tail.push(data);
        ctx.onOutput(stream, data);
      },
      ...(ctx.signal === undefined ? {} : { signal: ctx.signal }),
    });
    if (exitCode !== 0) throw new RunStepError(ctx.args, exitCode, tail.lines());
    return stubs;
  } finally {
    for (const c of prepared.cleanups.reverse()) await c().catch(() => {});
  }
}

/** Kept for build's callers: the stub helpers now live in snapshot/ (container commit uses them too). */
export { removeStubs } from '../snapshot/index.js';

/** Where a mount lands: a secret without a target goes to `/run/secrets/<id>` (BuildKit). */
function mountTarget(m: RunContext['mounts'][number]): string {
  if (m.target !== '' || m.type !== 'secret') return m.target;
  return `/run/secrets/${m.id}`;
}

function mkdirp(root: string, dir: string): void {
  const parts = dir.split('/').filter((p) => p !== '' && p !== '.');
  for (let i = 1; i <= parts.length; i++) {
    const host = resolveInRoot(root, parts.slice(0, i).join('/'), { followLast: true });
    try {
      if (lstatSync(host).isDirectory()) continue;
    } catch {
      mkdirSync(host, { mode: 0o755 });
    }
  }
}

async function tempDir(base: string, kind: string): Promise<string> {
  const dir = join(base, '..', 'run-tmp', `${kind}-${randomBytes(8).toString('hex')}`);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  return dir;
}

async function prepareMounts(ctx: RunContext, out: Prepared): Promise<void> {
  const signal = ctx.signal === undefined ? {} : { signal: ctx.signal };
  for (const m of ctx.mounts) {
    switch (m.type) {
      case 'cache': {
        const id = m.id !== '' ? m.id : m.target;
        const name = createHash('sha256').update(id).digest('hex').slice(0, 32);
        let source = join(ctx.cacheDir, name);
        if (m.sharing === 'locked') {
          const release = await ctx.cacheMounts.lock(name, signal);
          out.cleanups.push(async () => release());
        } else if (m.sharing === 'private') {
          source = `${source}-${randomBytes(4).toString('hex')}`;
        }
        // Marked in use before it is made, so a prune never takes it from under the RUN.
        const release = await ctx.cacheMounts.use(posix.basename(source), signal);
        out.cleanups.push(async () => release());
        if (m.sharing === 'private') out.cleanups.push(() => rm(source, { recursive: true, force: true }));
        if (!existsDir(source)) {
          mkdirSync(source, { recursive: true, mode: m.mode ?? 0o755 });
          chownSync(source, m.uid ?? 0, m.gid ?? 0);
          if (m.mode !== undefined) chmodSync(source, m.mode);
        }
        out.specMounts.push({ destination: m.target, type: 'bind', source, options: ['rbind', m.readOnly ? 'ro' : 'rw'] });
        break;
      }
      case 'tmpfs': {
        const opts = ['nosuid', 'nodev', 'mode=1777'];
        if (m.sizeLimit > 0) opts.push(`size=${m.sizeLimit}`);
        out.specMounts.push({ destination: m.target, type: 'tmpfs', source: 'tmpfs', options: opts });
        break;
      }
      case 'secret': {
        const id = m.id !== '' ? m.id : posix.basename(m.target);
        const value = ctx.secrets.get(id);
        if (value === undefined) {
          if (m.required) throw new SecretMissingError(id);
          break;
        }
        if (m.env !== undefined && m.env !== '') {
          out.env.push(`${m.env}=${Buffer.from(value).toString('utf8')}`);
          if (m.target === '') break;
        }
        // /dev/shm is tmpfs: the secret never touches a disk.
        const dir = join('/dev/shm', `gantry-secret-${randomBytes(12).toString('hex')}`);
        mkdirSync(dir, { mode: 0o700 });
        out.cleanups.push(() => rm(dir, { recursive: true, force: true }));
        const file = join(dir, 'secret');
        writeFileSync(file, value, { mode: m.mode ?? 0o400 });
        chownSync(file, m.uid ?? 0, m.gid ?? 0);
        const target = mountTarget({ ...m, id });
        out.specMounts.push({ destination: target, type: 'bind', source: file, options: ['rbind', 'ro'] });
        break;
      }
      case 'ssh': {
        if (m.required) throw new FailedPreconditionError('SSH_UNSUPPORTED', 'Cannot mount an SSH agent: gantry build has no --ssh yet');
        break;
      }
      case 'bind': {
        let root: string;
        if (m.from === '') {
          if (ctx.contextDir === undefined) throw new FailedPreconditionError('NO_CONTEXT', 'Cannot bind-mount from the build context: the build has no context');
          root = ctx.contextDir;
        } else {
          // A view of the stage or image: mounted read-only for the step, unmounted after.
          const view = await ctx.viewOf(m.from);
          root = view.root;
          out.cleanups.push(view.release);
        }
        const source = m.source === '' ? root : resolveInRoot(root, m.source, { followLast: true });
        if (!m.readOnly) {
          // A writable bind sees its changes only during the step (BuildKit discards them): an
          // overlay with a throw-away upper keeps the source untouched.
          const tmp = await tempDir(ctx.cacheDir, 'bindrw');
          mkdirSync(join(tmp, 'upper'));
          mkdirSync(join(tmp, 'work'));
          mkdirSync(join(tmp, 'merged'));
          await mountAll([{ type: 'overlay', source: 'overlay', options: [`lowerdir=${source}`, `upperdir=${tmp}/upper`, `workdir=${tmp}/work`] }], join(tmp, 'merged'));
          out.cleanups.push(async () => {
            await unmount(join(tmp, 'merged'));
            await rm(tmp, { recursive: true, force: true });
          });
          out.specMounts.push({ destination: m.target, type: 'bind', source: join(tmp, 'merged'), options: ['rbind', 'rw'] });
        } else {
          out.specMounts.push({ destination: m.target, type: 'bind', source, options: ['rbind', 'ro'] });
        }
        break;
      }
    }
  }
}

function existsDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The last lines of a process's output, for the error message of a failed step. */
class LineTail {
  readonly #max: number;
  readonly #lines: string[] = [];
  #partial = '';
  constructor(max: number) {
    this.#max = max;
  }
  push(data: Uint8Array): void {
    const parts = (this.#partial + Buffer.from(data).toString('utf8')).split('\n');
    this.#partial = parts.pop() ?? '';
    this.#lines.push(...parts);
    if (this.#lines.length > this.#max) this.#lines.splice(0, this.#lines.length - this.#max);
  }
  lines(): string[] {
    return this.#partial === '' ? [...this.#lines] : [...this.#lines, this.#partial].slice(-this.#max);
  }
}
