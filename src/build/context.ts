/**
 * The build context: the directory a build reads COPY/ADD sources from, seen through `.dockerignore`.
 *
 * It answers two questions for the solver: which context paths a source pattern selects, and the
 * content digest of a selection (file data, mode, ownership, link targets — not mtimes), which goes
 * into the COPY step's cache key. Digests of unchanged files come from a stat cache (path → size,
 * mtime, ctime, inode → digest), so a rebuild that changed nothing reads no file again: ctime is in
 * the key because a write always moves it, even when a tool restores mtime and size.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Digest } from '../oci/index.js';
import { StatCache, type StatKey } from './stat-cache.js';

/** Decides which context paths the build may see (`.dockerignore`). Paths are relative, `/`-separated. */
export interface ContextFilter {
  /** True when the path is excluded. */
  excluded(path: string): boolean;
  /**
   * True when an excluded directory may still hold included paths (an exception such as `!dir/keep`
   * exists below it), so the walker must descend into it.
   */
  mayIncludeBelow(dir: string): boolean;
}

export const includeEverything: ContextFilter = { excluded: () => false, mayIncludeBelow: () => true };

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface ContextEntry {
  /** Relative to the context root, `/`-separated, no leading `./`. */
  path: string;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtimeMs: number;
  linkTarget?: string;
}

export class BuildContext {
  readonly root: string;
  readonly #filter: ContextFilter;
  readonly #statCache: StatCache | undefined;
  readonly #onFileRead: ((path: string) => void) | undefined;
  #entries: Map<string, ContextEntry> | undefined;

  constructor(root: string, options: { filter?: ContextFilter; statCache?: StatCache; onFileRead?: (path: string) => void } = {}) {
    this.root = root;
    this.#onFileRead = options.onFileRead;
    this.#filter = options.filter ?? includeEverything;
    this.#statCache = options.statCache;
  }

  /** Every included path, walked once (lstat only; no file is read). Sorted by path. */
  async entries(): Promise<Map<string, ContextEntry>> {
    if (this.#entries) return this.#entries;
    const out = new Map<string, ContextEntry>();
    const walk = async (rel: string): Promise<void> => {
      const dir = rel === '' ? this.root : join(this.root, rel);
      const names = (await readdir(dir)).sort();
      const stats = await Promise.all(names.map((n) => lstat(join(dir, n))));
      for (let i = 0; i < names.length; i++) {
        const name = names[i] as string;
        const st = stats[i];
        if (st === undefined) continue;
        const path = rel === '' ? name : `${rel}/${name}`;
        const isDir = st.isDirectory();
        const excluded = this.#filter.excluded(path);
        if (!excluded) {
          const entry: ContextEntry = {
            path,
            type: isDir ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other',
            mode: st.mode,
            uid: st.uid,
            gid: st.gid,
            size: isDir ? 0 : st.size,
            mtimeMs: st.mtimeMs,
          };
          if (entry.type === 'symlink') entry.linkTarget = await readlink(join(dir, name));
          out.set(path, entry);
          this.#statCache?.observe(path, statKey(st));
        }
        if (isDir && (!excluded || this.#filter.mayIncludeBelow(path))) await walk(path);
      }
    };
    await walk('');
    this.#entries = out;
    return out;
  }

  /** The entry at `path` and everything below it (a directory's contents), in path order. */
  async tree(path: string): Promise<ContextEntry[]> {
    const all = await this.entries();
    if (path === '' || path === '.') return [...all.values()];
    const top = all.get(path);
    if (top === undefined) return [];
    const prefix = `${path}/`;
    const out = [top];
    if (top.type === 'dir') for (const [p, e] of all) if (p.startsWith(prefix)) out.push(e);
    return out;
  }

  /**
   * The digest of a selection of context paths and everything below them: what a COPY step's cache
   * key depends on. Unchanged files' data digests come from the stat cache.
   */
  async checksum(paths: readonly string[], options: { signal?: AbortSignal; ignoreOwner?: boolean } = {}): Promise<Digest> {
    const h = createHash('sha256');
    const seen = new Set<string>();
    for (const p of paths) {
      for (const e of await this.tree(p)) {
        if (seen.has(e.path)) continue;
        seen.add(e.path);
        options.signal?.throwIfAborted();
        const data = e.type === 'file' ? await this.fileDigest(e) : '';
        // Permission bits and type, owner, link target, content: what ends up in the image. A COPY
        // from the build context resets owners to 0:0 (docker's client sends them so), so there
        // the owner is left out and a chown in the context keeps the step cached, as with docker.
        const owner = options.ignoreOwner === true ? '' : `${e.uid}:${e.gid}`;
        h.update(`${e.path}\0${e.type}\0${(e.mode & 0o7777).toString(8)}\0${owner}\0${e.linkTarget ?? ''}\0${data}\n`);
      }
    }
    return `sha256:${h.digest('hex')}` as Digest;
  }

  /** The sha256 of one regular file's data, from the stat cache when the file is unchanged. */
  async fileDigest(e: ContextEntry): Promise<string> {
    const cached = this.#statCache?.lookup(e.path);
    if (cached !== undefined) return cached;
    this.#onFileRead?.(e.path);
    const h = createHash('sha256');
    for await (const chunk of createReadStream(join(this.root, e.path))) h.update(chunk as Buffer);
    const digest = h.digest('hex');
    this.#statCache?.record(e.path, digest);
    return digest;
  }
}

function statKey(st: { size: number; mtimeMs: number; ctimeMs: number; ino: number; mode: number }): StatKey {
  return { size: st.size, mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, ino: st.ino, mode: st.mode };
}
