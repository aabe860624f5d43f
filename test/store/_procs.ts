/** Child processes for multi-process store tests (see _child.ts). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled child script. */
export const CHILD = join(fileURLToPath(new URL('.', import.meta.url)), '_child.js');

/** Runs the child in `mode` until it prints `ready` (and then `delayMs` more), then kills it with SIGKILL. */
export async function killWhenReady(args: string[], delayMs = 0): Promise<void> {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready')) {
        if (delayMs === 0) child.kill('SIGKILL');
        else setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.once('exit', (code, sig) => (sig === 'SIGKILL' ? resolve() : reject(new Error(`child exited ${code} before ready: ${out}`))));
  });
}

