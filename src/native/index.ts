/**
 * native/ — the few Linux system calls Node lacks, from gantry's own N-API addon
 * (`native/gantry_sys.c`, built by node-gyp into `build/Release/gantry_sys.node`).
 *
 * The addon is loaded lazily on first use, so commands that never touch xattrs or device nodes do
 * not pay for it and still run where it was not built. Errors thrown by the calls look like Node's
 * system errors (`code: 'ENOTSUP'`, `errno`, `syscall`, `path`).
 *
 * @example
 * ```ts
 * import { sys } from '../native/index.js';
 * const cap = sys().lgetxattr('/bin/ping', 'security.capability'); // Buffer | null
 * ```
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FailedPreconditionError } from '../errors.js';

/** The functions the addon exports. Paths are never followed when they end in a symlink (l* calls). */
export interface GantrySys {
  /** Names of the link's extended attributes. */
  llistxattr(path: string): string[];
  /** The attribute's value (binary-safe), or null when the link has no such attribute. */
  lgetxattr(path: string, name: string): Buffer | null;
  lsetxattr(path: string, name: string, value: Uint8Array): void;
  lremovexattr(path: string, name: string): void;
  /** mknod(2); `mode` includes the type bits (S_IFCHR, S_IFBLK, S_IFIFO) and the permissions. */
  mknod(path: string, mode: number, major: number, minor: number): void;
  mkfifo(path: string, mode: number): void;
  /** Splits a `stat().rdev` into [major, minor] with glibc's encoding. */
  devNumbers(rdev: number): [number, number];
  /** mount(2); empty `fstype`/`data` pass NULL. `flags` are MS_* bits (see `MS`). */
  mount(source: string, target: string, fstype: string, flags: number, data: string): void;
  /** umount2(2) on the thread pool (an overlay's unmount syncs its disk); `flags` are MNT_* bits (see `MNT`). */
  umount2(target: string, flags: number): Promise<void>;
  /**
   * One directory's entries (no `.`/`..`, readdir order) with their lstat: per entry 7 numbers
   * in `stats` — mode, uid, gid, size, mtimeMs, ctimeMs, ino (times as fs.Stats computes them).
   * Absent from addons built before it (callers fall back to node:fs).
   */
  lstatDir?(dir: string): { names: string[]; stats: Float64Array };
  /**
   * Writes `fd`'s dirty pages in [offset, offset+length) to disk and drops them from the page
   * cache (sync_file_range, then POSIX_FADV_DONTNEED), on the thread pool; length 0 means to the
   * end of the file. Not a durability barrier (fsync is). Absent from addons built before it.
   */
  writeThrough?(fd: number, offset: number, length: number): Promise<void>;
}

/** mount(2) flags gantry uses (linux/mount.h). */
export const MS = { RDONLY: 1, REMOUNT: 32, BIND: 4096 } as const;
/** umount2(2) flags (sys/mount.h). */
export const MNT = { DETACH: 2 } as const;

export class NativeAddonMissingError extends FailedPreconditionError {
  constructor(path: string, cause: unknown) {
    super('NATIVE_ADDON_MISSING', `Cannot load gantry's native addon: ${path} is missing or does not load`, {
      hint: 'Build it with `npm run build:native` (or run scripts/setup.sh)',
      cause,
    });
  }
}

const ADDON = join('build', 'Release', 'gantry_sys.node');
let loaded: GantrySys | undefined;

/** The repository root: the nearest folder above this module that holds package.json and binding.gyp. */
function findRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'binding.gyp')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The loaded addon.
 * @throws {NativeAddonMissingError} when it was not built
 */
export function sys(): GantrySys {
  if (loaded !== undefined) return loaded;
  const root = process.env.GANTRY_NATIVE_DIR ?? findRoot();
  const path = root === undefined ? ADDON : join(root, ADDON);
  try {
    const require = createRequire(import.meta.url);
    loaded = require(path) as GantrySys;
  } catch (err) {
    throw new NativeAddonMissingError(path, err);
  }
  return loaded;
}

let missing = false;

/**
 * The addon, or undefined where it is not built, for callers that have a slower way without it.
 * A miss is remembered: such callers ask once per mount or directory.
 */
export function optionalSys(): GantrySys | undefined {
  if (loaded !== undefined || missing) return loaded;
  try {
    return sys();
  } catch {
    missing = true;
    return undefined;
  }
}
