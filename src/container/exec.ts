/**
 * `exec`: another process in a running container, through the runtime's `exec` with a process
 * description derived from the container's own (capabilities, rlimits, no-new-privileges, …) and
 * docker's `-e`, `-u`, `-w`, `-t`, `-d` applied. Exit codes as docker: the process's own, 126/127
 * when the command cannot be invoked or found.
 */
import { spawn, type StdioOptions } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleDir, checkCommand, loadUserDb, resolveUser, signalNumber, type Spec } from '../runtime/index.js';
import type { ContainerRecord } from '../store/index.js';
import { ContainerNotRunningError } from './errors.js';
import type { Containers } from './containers.js';

export interface ExecOptions {
  args: string[];
  env?: string[];
  user?: string;
  workdir?: string;
  tty?: boolean;
  detach?: boolean;
  stdio?: StdioOptions;
}

/** Runs the process; resolves with its exit code (0 once started, for `detach`). */
export async function execInContainer(c: Containers, rec: ContainerRecord, o: ExecOptions): Promise<number> {
  rec = await c.sync(rec);
  if (rec.state !== 'running') throw new ContainerNotRunningError(rec.id);
  const bundle = bundleDir(c.runtime, rec.id);
  const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as Spec;
  const rootfs = c.rootfs(rec.id);
  const process_ = structuredClone(spec.process);
  process_.args = o.args;
  process_.terminal = o.tty === true;
  delete process_.consoleSize;
  if (o.workdir !== undefined) process_.cwd = o.workdir;
  if (o.user !== undefined) {
    const u = resolveUser(o.user, await loadUserDb(rootfs));
    process_.user = { uid: u.uid, gid: u.gid, ...(u.additionalGids.length > 0 ? { additionalGids: u.additionalGids } : {}) };
  }
  const env = [...(process_.env ?? [])];
  for (const e of o.env ?? []) {
    const name = e.split('=')[0] ?? e;
    const value = e.includes('=') ? e : process.env[name] === undefined ? undefined : `${name}=${process.env[name]}`;
    if (value === undefined) continue;
    const i = env.findIndex((x) => x.split('=')[0] === name);
    if (i >= 0) env[i] = value;
    else env.push(value);
  }
  process_.env = env;
  await checkCommand(rootfs, { ...spec, process: process_ });
  const dir = await mkdtemp(join(tmpdir(), 'gantry-exec-'));
  try {
    const file = join(dir, 'process.json');
    await writeFile(file, JSON.stringify(process_));
    const rt = c.runtime.runtime;
    const args = [...rt.globalArgs(), 'exec', '--process', file];
    if (o.detach === true) args.push('--detach');
    args.push(rec.id);
    const child = spawn(rt.binary, args, { stdio: o.detach === true ? 'ignore' : (o.stdio ?? 'inherit') });
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, sig) => resolve(code ?? 128 + signalNumber(sig)));
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
