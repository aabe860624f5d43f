/** Mount points, from /proc/self/mountinfo: removal code never deletes through a live mount. */
import { readFileSync } from 'node:fs';
import { resolve, sep } from 'node:path';

/** True when `dir` or anything under it is a mount point (false where mountinfo is unreadable). */
export function isMountedUnder(dir: string): boolean {
  let info: string;
  try {
    info = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return false;
  }
  const base = resolve(dir);
  for (const line of info.split('\n')) {
    const mountPoint = line.split(' ')[4];
    if (mountPoint === undefined) continue;
    const mp = mountPoint.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (mp === base || mp.startsWith(base + sep)) return true;
  }
  return false;
}
