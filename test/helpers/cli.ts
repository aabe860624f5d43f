/**
 * The built CLI run as a child process: runGantry for tests that must not block the event loop (a
 * registry serving in-process, …), runGantrySync for the others.
 */
import { spawn, spawnSync } from 'node:child_process';
import { gantryBin } from './paths.js';

/** What one `gantry` run gave. */
export interface GantryRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `gantry ARGS` with `env` added to the environment; `input` (default nothing) is its stdin. */
export function runGantry(args: string[], env: Record<string, string>, input?: string): Promise<GantryRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [gantryBin, ...args], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdin.end(input ?? '');
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Runs `gantry ARGS` with `env` added to the environment and waits for it; stdin is empty. */
export function runGantrySync(args: string[], env: Record<string, string> = {}): GantryRun {
  const r = spawnSync(process.execPath, [gantryBin, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
