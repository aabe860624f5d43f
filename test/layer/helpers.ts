/**
 * Helpers for the layer tests: a comparable snapshot of a directory tree, tar builders and byte
 * collectors.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { sys } from '../../src/native/index.js';
import { writeTar, type TarWriterEntry } from '../../src/layer/tar/writer.js';
import type { TarHeader } from '../../src/layer/tar/header.js';

export interface TreeRecord {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime?: number;
  content?: string;
  link?: string;
  rdev?: number;
  xattrs?: Record<string, string>;
  /** Index of the first path sharing this inode (hardlinks), if any. */
  sameAs?: string;
}

/** Everything a layer records about a tree, sorted by path; `mtimes` adds file mtimes (seconds). */
export function snapshotTree(root: string, options: { mtimes?: boolean } = {}): TreeRecord[] {
  const out: TreeRecord[] = [];
  const inodes = new Map<number, string>();
  const visit = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const p = rel === '' ? name : `${rel}/${name}`;
      const host = join(root, p);
      const st = lstatSync(host);
      const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isCharacterDevice() ? 'char' : st.isBlockDevice() ? 'block' : st.isFIFO() ? 'fifo' : 'other';
      const r: TreeRecord = { path: p, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
      if (options.mtimes === true && type !== 'symlink') r.mtime = Math.floor(st.mtimeMs / 1000);
      if (type === 'file') {
        r.content = createHash('sha256').update(readFileSync(host)).digest('hex').slice(0, 16);
        if (st.nlink > 1) {
          const first = inodes.get(st.ino);
          if (first !== undefined) r.sameAs = first;
          else inodes.set(st.ino, p);
        }
      }
      if (type === 'symlink') r.link = readlinkSync(host);
      if (type === 'char' || type === 'block') r.rdev = st.rdev;
      const names = sys().llistxattr(host).filter((n) => !n.startsWith('trusted.overlay.')).sort();
      if (names.length > 0) r.xattrs = Object.fromEntries(names.map((n) => [n, sys().lgetxattr(host, n)!.toString('hex')]));
      out.push(r);
      if (type === 'dir') visit(p);
    }
  };
  visit('');
  return out;
}

export async function collect(it: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const c of it) parts.push(c);
  return Buffer.concat(parts);
}

export async function* chunks(buf: Uint8Array, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

const base = { mode: 0o644, uid: 0, gid: 0, size: 0, mtime: 1_600_000_000 };
export type EntrySpec = Partial<TarHeader> & { path: string; body?: string | Buffer };

/** A tar from short entry specs (type defaults to file, size from the body). */
export async function tarOf(entries: EntrySpec[]): Promise<Buffer> {
  const list: TarWriterEntry[] = entries.map(({ body, ...h }) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const header: TarHeader = { ...base, type: 'file', ...h, size: data?.length ?? 0 };
    return data === undefined ? { header } : { header, body: data };
  });
  return collect(writeTar(list));
}
