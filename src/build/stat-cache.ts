/**
 * A stat cache for a build context: path → (size, mtime, ctime, inode, mode) → content digest.
 *
 * Loaded before a build and saved after it, one file per context directory. A digest is trusted
 * only when every stat field matches what was recorded with it; ctime is among them because no
 * user tool can set it, so a content change that keeps mtime and size is still seen.
 *
 * Above the per-file records it keeps whole selections: the checksum a COPY's sources had, under a
 * fingerprint of their paths and stat fields. A rebuild that changed nothing finds its selection
 * there after the walk and never parses the per-file records (20,000 of them cost more to parse
 * than the walk itself). The file is a JSON header line (version, selections) followed by the
 * per-file records, `\0`-separated, each `digest size mtimeMs ctimeMs ino mode path` (the path is
 * last, so it may hold spaces; it cannot hold `\0`).
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

const VERSION = 2;
/** Selections kept: a context serves a few COPY steps in a few Dockerfiles. */
const MAX_SELECTIONS = 64;

export class StatCache {
  readonly #file: string | undefined;
  /** The per-file part of the file, decoded and parsed on first need. */
  #body: Buffer | undefined;
  #stored: Map<string, Record_> | undefined;
  #observed: ReadonlyMap<string, StatKey> = new Map();
  readonly #fresh = new Map<string, Record_>();
  /** fingerprint → checksum, most recently used last. */
  readonly #selections = new Map<string, string>();
  #dirty = false;
  #selectionsDirty = false;

  /** Opens the cache kept in `file` (missing or unreadable → empty). Without a file it lives in memory. */
  constructor(file?: string) {
    this.#file = file;
    if (file === undefined) return;
    try {
      const data = readFileSync(file);
      const nl = data.indexOf(10);
      const header = JSON.parse(data.toString('utf8', 0, nl < 0 ? data.length : nl)) as { version: number; selections?: [string, string][] };
      if (header.version !== VERSION) return;
      for (const [fp, digest] of header.selections ?? []) this.#selections.set(fp, digest);
      this.#body = nl < 0 ? undefined : data.subarray(nl + 1);
    } catch {
      // A missing or corrupt cache only costs re-reading the files.
    }
  }

  /**
   * Takes the current stat of every path of the context (the walker's map, kept by reference, not
   * copied): lookups compare against it and `save` keeps only these paths.
   */
  observe(current: ReadonlyMap<string, StatKey>): void {
    this.#observed = current;
  }

  /** The checksum recorded for a selection whose fingerprint (paths and stat fields) is `fp`. */
  selection(fp: string): string | undefined {
    const d = this.#selections.get(fp);
    if (d !== undefined && [...this.#selections.keys()].at(-1) !== fp) {
      this.#selections.delete(fp); // most recently used last (a hit on the last one writes nothing)
      this.#selections.set(fp, d);
      this.#selectionsDirty = true;
    }
    return d;
  }

  /** Records the checksum of the selection with fingerprint `fp`. */
  recordSelection(fp: string, checksum: string): void {
    this.#selections.delete(fp);
    this.#selections.set(fp, checksum);
    while (this.#selections.size > MAX_SELECTIONS) this.#selections.delete(this.#selections.keys().next().value as string);
    this.#selectionsDirty = true;
  }

  /** The digest recorded for `path` if its current stat equals the recorded one. */
  lookup(path: string): string | undefined {
    const fresh = this.#fresh.get(path);
    if (fresh !== undefined) return fresh.digest;
    const now = this.#observed.get(path);
    const old = this.#records().get(path);
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
    if (!this.#dirty && !this.#selectionsDirty) return;
    let body: string;
    if (!this.#dirty && this.#stored === undefined) {
      body = this.#body?.toString('utf8') ?? ''; // only the selections changed: the records stay as they were
    } else {
      const stored = this.#records();
      const parts: string[] = [];
      for (const [path, key] of this.#observed) {
        const r = this.#fresh.get(path) ?? stored.get(path);
        if (r !== undefined && sameKey(key, r)) parts.push(`${r.digest} ${r.size} ${r.mtimeMs} ${r.ctimeMs} ${r.ino} ${r.mode} ${path}`);
      }
      body = parts.join('\0');
    }
    const header = JSON.stringify({ version: VERSION, selections: [...this.#selections] });
    mkdirSync(dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${header}\n${body}`);
    renameSync(tmp, this.#file);
  }

  #records(): Map<string, Record_> {
    if (this.#stored !== undefined) return this.#stored;
    const m = new Map<string, Record_>();
    const body = this.#body?.toString('utf8') ?? '';
    this.#body = undefined;
    if (body !== '') {
      for (const rec of body.split('\0')) {
        // digest size mtimeMs ctimeMs ino mode path
        let at = 0;
        const fields: string[] = [];
        for (let i = 0; i < 6; i++) {
          const sp = rec.indexOf(' ', at);
          if (sp < 0) break;
          fields.push(rec.slice(at, sp));
          at = sp + 1;
        }
        if (fields.length !== 6) continue;
        m.set(rec.slice(at), {
          digest: fields[0] as string,
          size: Number(fields[1]),
          mtimeMs: Number(fields[2]),
          ctimeMs: Number(fields[3]),
          ino: Number(fields[4]),
          mode: Number(fields[5]),
        });
      }
    }
    this.#stored = m;
    return m;
  }
}

function sameKey(a: StatKey, b: StatKey): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.mode === b.mode;
}
