/**
 * Whiteouts: how a layer says "this path, present in a lower layer, is gone". The one place that
 * knows both spellings and translates between them.
 *
 * - OCI (image-spec layer.md): an empty file `.wh.NAME` beside NAME removes NAME; `.wh..wh..opq` in
 *   a directory makes it opaque (nothing from lower layers shows through, the directory itself stays).
 * - overlayfs: a 0/0 character device named NAME hides NAME; the xattr `trusted.overlay.opaque=y`
 *   (or `user.overlay.opaque` on a `userxattr` mount) makes a directory opaque.
 *
 * Layer tars always carry the OCI form. Overlay upper dirs hold the overlay form; lower dirs
 * unpacked for overlay mounts must hold it too.
 */
import type { Stats } from 'node:fs';
import { sys } from '../native/index.js';
import { errnoCode } from '../errors.js';

export const WHITEOUT_PREFIX = '.wh.';
export const WHITEOUT_META_PREFIX = '.wh..wh.';
export const WHITEOUT_OPAQUE = '.wh..wh..opq';

export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';
export const OVERLAY_USER_OPAQUE_XATTR = 'user.overlay.opaque';
/** Xattrs overlayfs interprets: a layer must never set them (they would redirect or hide lower files). */
export const OVERLAY_XATTR_PREFIXES = ['trusted.overlay.', 'user.overlay.'] as const;

/** What an archive name means, whiteout-wise. */
export type WhiteoutKind =
  | { kind: 'whiteout'; target: string }
  | { kind: 'opaque'; dir: string }
  /** Another `.wh..wh.` name (aufs metadata such as `.wh..wh.plnk`): not a file, not applied. */
  | { kind: 'meta' };

/** Splits a relative archive path into its parent (`''` for the root) and base name. */
export function splitParent(path: string): [string, string] {
  const i = path.lastIndexOf('/');
  return i < 0 ? ['', path] : [path.slice(0, i), path.slice(i + 1)];
}

function join(dir: string, base: string): string {
  return dir === '' ? base : `${dir}/${base}`;
}

/** Classifies an OCI archive path; undefined for ordinary entries. */
export function classifyWhiteout(path: string): WhiteoutKind | undefined {
  const [dir, base] = splitParent(path);
  if (!base.startsWith(WHITEOUT_PREFIX)) return undefined;
  if (base === WHITEOUT_OPAQUE) return { kind: 'opaque', dir };
  if (base.startsWith(WHITEOUT_META_PREFIX)) return { kind: 'meta' };
  return { kind: 'whiteout', target: join(dir, base.slice(WHITEOUT_PREFIX.length)) };
}

/** The OCI whiteout entry name that removes `path`. */
export function whiteoutPath(path: string): string {
  const [dir, base] = splitParent(path);
  return join(dir, WHITEOUT_PREFIX + base);
}

/** The OCI entry name that makes directory `dir` opaque. */
export function opaquePath(dir: string): string {
  return join(dir, WHITEOUT_OPAQUE);
}

/** True for overlayfs's whiteout: a character device with device number 0/0. */
export function isOverlayWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/** True when the directory at `hostPath` carries overlayfs's opaque mark. */
export function isOverlayOpaque(hostPath: string): boolean {
  for (const name of [OVERLAY_OPAQUE_XATTR, OVERLAY_USER_OPAQUE_XATTR]) {
    try {
      const v = sys().lgetxattr(hostPath, name);
      if (v !== null && v.length === 1 && v[0] === 0x79) return true; // 'y'
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EPERM') throw err;
    }
  }
  return false;
}

/** Writes overlayfs's whiteout for the path: a 0/0 character device. */
export function makeOverlayWhiteout(hostPath: string): void {
  sys().mknod(hostPath, 0o020000, 0, 0);
}

/** Marks a directory opaque for overlayfs. */
export function markOverlayOpaque(hostPath: string, xattr: string = OVERLAY_OPAQUE_XATTR): void {
  sys().lsetxattr(hostPath, xattr, Buffer.from('y'));
}

/** True for xattr names a layer must not carry into an overlay tree. */
export function isOverlayXattr(name: string): boolean {
  return OVERLAY_XATTR_PREFIXES.some((p) => name.startsWith(p));
}
