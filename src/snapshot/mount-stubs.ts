/**
 * Mount stubs: runc mounts /proc, /sys, /dev, /etc/hosts, /etc/resolv.conf and /etc/hostname (and
 * any bind target) over paths in the root filesystem, creating them when the image lacks them. Those
 * empty files and directories land in the snapshot's upper dir, but they are artefacts of running,
 * not changes a user made: a RUN step's layer and a `commit` must not carry them (docker and BuildKit
 * leave them out too). Shared by build (RUN) and container (run, commit).
 */
import { lstatSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveInRoot } from '../layer/index.js';

/** Targets runc mounts over in every container. */
export const RUNTIME_MOUNT_TARGETS: readonly string[] = ['/proc', '/sys', '/dev', '/etc/hosts', '/etc/resolv.conf', '/etc/hostname'];

/**
 * The root-relative paths that running with mounts on `targets` would create in `root` (for each
 * target, its first missing component). Call before the container first runs.
 */
export function findMountStubs(root: string, targets: readonly string[]): string[] {
  const stubs = new Set<string>();
  for (const t of targets) {
    const s = firstMissing(root, t);
    if (s !== undefined) stubs.add(s);
  }
  return [...stubs];
}

/** Removes mount stubs (created only as mount points) from an upper directory; non-empty ones stay. */
export async function removeStubs(upper: string, stubs: readonly string[]): Promise<void> {
  for (const s of stubs) {
    const p = join(upper, s);
    if (isEmptyTree(p)) rmSync(p, { recursive: true, force: true });
  }
}

function isEmptyTree(p: string): boolean {
  let st;
  try {
    st = lstatSync(p);
  } catch {
    return false;
  }
  if (st.isFile()) return st.size === 0;
  if (!st.isDirectory()) return false;
  return readdirSync(p).every((n) => isEmptyTree(join(p, n)));
}

/** The first component of `target` missing under `root` (as a root-relative path), if any. */
function firstMissing(root: string, target: string): string | undefined {
  const parts = target.split('/').filter((p) => p !== '' && p !== '.');
  for (let i = 1; i <= parts.length; i++) {
    const rel = parts.slice(0, i).join('/');
    try {
      lstatSync(resolveInRoot(root, rel));
    } catch {
      return rel;
    }
  }
  return undefined;
}
