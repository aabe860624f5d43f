/**
 * `gc.lock` on the filesystem: created exclusively (O_EXCL) with the holder's pid, so two gc runs
 * never sweep at once. A lock whose pid no longer runs is stale (a killed gc) and is taken over.
 */
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, UnavailableError } from '../../errors.js';

export async function acquireGcLock(root: string): Promise<() => Promise<void>> {
  const path = join(root, 'gc.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o644);
      await fh.writeFile(`${process.pid}\n${new Date().toISOString()}\n`);
      await fh.close();
      return async () => {
        await rm(path, { force: true });
      };
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).split('\n')[0]);
      if (Number.isInteger(pid) && pid > 0 && alive(pid)) {
        throw new UnavailableError('REGISTRY_GC_LOCKED', `Cannot collect garbage: another gc (pid ${pid}) holds "${path}"`);
      }
      await rm(path, { force: true });
    }
  }
  throw new UnavailableError('REGISTRY_GC_LOCKED', `Cannot collect garbage: cannot take "${path}"`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return errnoCode(err) === 'EPERM';
  }
}
