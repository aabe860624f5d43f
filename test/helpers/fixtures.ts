/**
 * Base filesystems for tests, made locally (no registry here): a busybox root filesystem from the
 * host's busybox-static, with the same shape as the bench's localhost/busybox image.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export const BUSYBOX = '/bin/busybox';

/** True when busybox-static is installed (tests that need it skip otherwise). */
export function haveBusybox(): boolean {
  return existsSync(BUSYBOX);
}

/** Fills `dir` with a minimal busybox root filesystem: /bin with applet links, /etc/passwd, /tmp. */
export function makeBusyboxRootfs(dir: string): void {
  for (const d of ['bin', 'tmp', 'etc', 'root', 'proc', 'sys', 'dev']) mkdirSync(join(dir, d), { recursive: true });
  copyFileSync(BUSYBOX, join(dir, 'bin', 'busybox'));
  chmodSync(join(dir, 'bin', 'busybox'), 0o755);
  const applets = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const a of applets) {
    if (a === 'busybox') continue;
    const p = join(dir, 'bin', a);
    if (!existsSync(p)) symlinkSync('busybox', p);
  }
  writeFileSync(join(dir, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  writeFileSync(join(dir, 'etc', 'group'), 'root:x:0:\nnogroup:x:65534:\n');
  chmodSync(join(dir, 'tmp'), 0o1777);
}
