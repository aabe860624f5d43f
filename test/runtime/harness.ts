/**
 * Integration-test harness for runtime/: a busybox root filesystem in a temp dir, a gantry root with
 * runc's state inside it, and `run()` that prepares and runs a container with piped stdio. Every
 * container a test starts is force-deleted, and the temp dir removed, when the test file ends, even
 * when a test fails.
 */
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { makeBusyboxRootfs, haveBusybox } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/paths.js';
import {
  deleteContainer, openRuntime, prepareContainer, runContainer, type RunOverrides, type RuntimeContext,
} from '../../src/runtime/index.js';

/** Why the runtime tests cannot run here, or undefined when they can. */
export function runtimeSkipReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (runc without rootless setup)';
  if (!haveBusybox()) return 'needs busybox-static';
  try {
    execFileSync('runc', ['--version'], { stdio: 'ignore' });
  } catch {
    if (!existsSync('/usr/sbin/runc')) return 'needs runc';
  }
  return undefined;
}

export interface Harness {
  ctx: RuntimeContext;
  rootfs: string;
  dir: string;
  /** A fresh container ID (cleaned up at the end). */
  newId(): string;
  /** Force-deletes every container started through the harness and removes the temp dir. */
  cleanup(): Promise<void>;
  run(overrides: RunOverrides & { addHosts?: string[]; init?: boolean }, options?: { stdin?: string; id?: string }): Promise<RunResult>;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

let counter = 0;

/** Sets up a harness for one test file: call in `before`, and `cleanup()` in `after`. */
export async function makeHarness(): Promise<Harness> {
  const dir = tempDir(undefined, 'gantry-rt-'); // removed by cleanup()
  const rootfs = join(dir, 'rootfs');
  makeBusyboxRootfs(rootfs);
  const ctx = await openRuntime({ gantryRoot: join(dir, 'root') });
  const ids: string[] = [];
  const cleanup = async (): Promise<void> => {
    for (const id of ids) await deleteContainer(ctx, id, { force: true }).catch(() => undefined);
    await deleteAllContainers(join(dir, 'root'));
    execFileSync('rm', ['-rf', dir]);
  };
  const newId = (): string => {
    const id = `gt${process.pid}x${++counter}`;
    ids.push(id);
    return id;
  };
  return {
    cleanup,
    ctx,
    rootfs,
    dir,
    newId,
    async run(overrides, options = {}) {
      const id = options.id ?? newId();
      await prepareContainer(ctx, { id, rootfs, overrides });
      let stdout = '';
      let stderr = '';
      const { exitCode } = await runContainer(ctx, {
        id,
        stdio: [options.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        onStart(proc) {
          proc.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
          proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
          if (options.stdin !== undefined) proc.stdin?.end(options.stdin);
        },
      });
      return { exitCode: exitCode!, stdout, stderr };
    },
  };
}

/**
 * Force-deletes every container in the runc state under `gantryRoot` (whatever started it: the CLI, a
 * killed driver), so a failed test leaves no container running.
 */
export async function deleteAllContainers(gantryRoot: string): Promise<void> {
  if (!existsSync(join(gantryRoot, 'runtime'))) return;
  const ctx = await openRuntime({ gantryRoot });
  for (const c of await ctx.runtime.list().catch(() => [])) await deleteContainer(ctx, c.id, { force: true }).catch(() => undefined);
}

/** `sh -c script` as run arguments. */
export function sh(script: string): RunOverrides {
  return { args: ['sh', '-c', script] };
}
