/**
 * A stat cache for a build context: path → (size, mtime, ctime, inode, mode) → content digest.
 *
 * Loaded before a build and saved after it, one small JSON file per context directory. A digest is
 * trusted only when every stat field matches what was recorded with it; ctime is among them because
 * no user tool can set it, so a content change that keeps mtime and size is still seen.
 */
import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StatKey {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  mode: number;
}

interface Record_ extends StatKey {
  digest: string;
}

const VERSION = 1;

export class StatCache {
  readonly #file: string | undefined;
  readonly #stored = new Map<string, Record_>();
  readonly #observed = new Map<string, StatKey>();
  readonly #fresh = new Map<string, Record_>();
  #dirty = false;

  /** Opens the cache kept in `file` (missing or unreadable → empty). Without a file it lives in memory. */
  constructor(file?: string) {
    this.#file = file;
    if (file === undefined) return;
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as { version: number; entries: [string, Record_][] };
      if (data.version === VERSION) for (const [p, r] of data.entries) this.#stored.set(p, r);
    } catch {
      // A missing or corrupt cache only costs re-reading the files.
    }
  }

  /** Notes the current stat of a path (called by the walker). */
  observe(path: string, key: StatKey): void {
    this.#observed.set(path, key);
  }

  /** The digest recorded for `path` if its current stat equals the recorded one. */
  lookup(path: string): string | undefined {
    const now = this.#observed.get(path);
    const fresh = this.#fresh.get(path);
    if (fresh !== undefined) return fresh.digest;
    const old = this.#stored.get(path);
    if (now === undefined || old === undefined || !sameKey(now, old)) return undefined;
    return old.digest;
  }

  /** Records the digest just computed for `path` at its observed stat. */
  record(path: string, digest: string): void {
    const now = this.#observed.get(path);
    if (now === undefined) return;
    this.#fresh.set(path, { ...now, digest });
    this.#dirty = true;
  }

  /** Writes the cache atomically: entries of paths seen this time, fresh digests over stored ones. */
  save(): void {
    if (this.#file === undefined) return;
    const entries: [string, Record_][] = [];
    for (const [path, key] of this.#observed) {
      const r = this.#fresh.get(path) ?? this.#stored.get(path);
      if (r !== undefined && sameKey(key, r)) entries.push([path, r]);
    }
    if (!this.#dirty && entries.length === this.#stored.size) return;
    mkdirSync(dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: VERSION, entries }));
    renameSync(tmp, this.#file);
  }
}

function sameKey(a: StatKey, b: StatKey): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.mode === b.mode;
}
