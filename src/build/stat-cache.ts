/**
 * A stat cache for a build context: path → (size, mtime, ctime, inode, mode) → content digest.
 *
 * Loaded before a build and saved after it, one file per context directory. A digest is trusted
 * only when every stat field matches what was recorded with it; ctime is among them because no
 * user tool can set it, so a content change that keeps mtime and size is still seen.
 *
 * Above the per-file records it keeps whole selections: the checksum a COPY's sources had, under a
 * fingerprint of their paths and stat fields. A rebuild that changed nothing finds its selection
 * there after the walk and never indexes the per-file records. The file is a JSON header line
 * (version, selections) followed by the per-file records, `\0`-separated, each
 * `digest size mtimeMs ctimeMs ino mode path` (the path is last, so it may hold spaces; it cannot
 * hold `\0`).
 *
 * Memory: a context of 20,000 files is the case to size for, and this process also holds the walk's
 * entries and, later, a layer write. So the stored records stay in the file's bytes (outside the
 * JS heap): only a path → offset index is made, a record's fields are read from the bytes when
 * that path is looked up, and `save` copies unchanged records' bytes as they are. A record's stat
 * key is compared as text (the numbers as JS formats them, the form they were written in), which
 * needs no number parsing and round-trips exactly.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StatKey {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
  mode: number;
}

const VERSION = 2;
/** Selections kept: a context serves a few COPY steps in a few Dockerfiles. */
const MAX_SELECTIONS = 64;
const SPACE = 0x20;
const NUL = 0;

/** A stat key as the record file holds it: `size mtimeMs ctimeMs ino mode`. */
const keyText = (k: StatKey): string => `${k.size} ${k.mtimeMs} ${k.ctimeMs} ${k.ino} ${k.mode}`;

/** The per-file records of a loaded cache file, indexed by path, their bytes left where they are. */
class StoredRecords {
  readonly #body: Buffer;
  /** path → record number. */
  readonly #index = new Map<string, number>();
  /** Per record: offset of its first byte, of the space after its digest, of its path. */
  readonly #start: Uint32Array;
  readonly #digestEnd: Uint32Array;
  readonly #pathStart: Uint32Array;

  constructor(body: Buffer) {
    this.#body = body;
    let count = body.length === 0 ? 0 : 1;
    for (let at = body.indexOf(NUL); at >= 0; at = body.indexOf(NUL, at + 1)) count++;
    this.#start = new Uint32Array(count);
    this.#digestEnd = new Uint32Array(count);
    this.#pathStart = new Uint32Array(count);
    let n = 0;
    let start = 0;
    while (start < body.length) {
      let end = body.indexOf(NUL, start);
      if (end < 0) end = body.length;
      // digest size mtimeMs ctimeMs ino mode path: the path starts after the sixth space.
      let sp = start - 1;
      let digestEnd = -1;
      for (let i = 0; i < 6 && sp < end; i++) {
        sp = body.indexOf(SPACE, sp + 1);
        if (sp < 0 || sp >= end) sp = end;
        if (i === 0) digestEnd = sp;
      }
      if (sp < end) {
        this.#start[n] = start;
        this.#digestEnd[n] = digestEnd;
        this.#pathStart[n] = sp + 1;
        this.#index.set(body.toString('utf8', sp + 1, end), n); // a later duplicate wins, as Map.set did
        n++;
      }
      start = end + 1;
    }
  }

  /** The record number of `path`'s record when its stat key is `key`. */
  find(path: string, key: StatKey): number | undefined {
    const n = this.#index.get(path);
    if (n === undefined) return undefined;
    return this.#body.toString('latin1', (this.#digestEnd[n] as number) + 1, (this.#pathStart[n] as number) - 1) === keyText(key) ? n : undefined;
  }

  digest(n: number): string {
    return this.#body.toString('latin1', this.#start[n] as number, this.#digestEnd[n] as number);
  }

  /** Record `n`'s bytes, `digest … path`, without its separator. */
  bytes(n: number): Buffer {
    const end = this.#body.indexOf(NUL, this.#pathStart[n] as number);
    return this.#body.subarray(this.#start[n] as number, end < 0 ? this.#body.length : end);
  }
}

/** Appends to a file through one reused buffer (no string or Buffer per record is kept). */
class FileWriter {
  readonly #fd: number;
  readonly #buf = Buffer.allocUnsafe(1 << 16);
  #len = 0;

  constructor(fd: number) {
    this.#fd = fd;
  }

  string(s: string): void {
    if (this.#buf.length - this.#len < s.length * 3) this.flush();
    if (s.length * 3 > this.#buf.length) writeAll(this.#fd, Buffer.from(s));
    else this.#len += this.#buf.write(s, this.#len);
  }

  bytes(b: Uint8Array): void {
    if (this.#buf.length - this.#len < b.length) this.flush();
    if (b.length > this.#buf.length) writeAll(this.#fd, b);
    else {
      this.#buf.set(b, this.#len);
      this.#len += b.length;
    }
  }

  byte(v: number): void {
    if (this.#len === this.#buf.length) this.flush();
    this.#buf[this.#len++] = v;
  }

  flush(): void {
    writeAll(this.#fd, this.#buf.subarray(0, this.#len));
    this.#len = 0;
  }
}

function writeAll(fd: number, b: Uint8Array): void {
  for (let off = 0; off < b.length; ) off += writeSync(fd, b, off, b.length - off);
}

export class StatCache {
  readonly #file: string | undefined;
  /** The per-file part of the file, indexed on first need. */
  #body: Buffer | undefined;
  #stored: StoredRecords | undefined;
  #observed: ReadonlyMap<string, StatKey> = new Map();
  /** path → digest computed this time, at the path's observed stat. */
  #fresh = new Map<string, string>();
  /** fingerprint → checksum, most recently used last. */
  readonly #selections = new Map<string, string>();
  /** The most recently used fingerprint (the last key of #selections). */
  #lastSelection: string | undefined;
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
      for (const [fp, digest] of header.selections ?? []) {
        this.#selections.set(fp, digest);
        this.#lastSelection = fp;
      }
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
    if (current === this.#observed) return;
    this.#observed = current;
    this.#fresh = new Map(); // digests were recorded at the stats of the previous map
  }

  /** The checksum recorded for a selection whose fingerprint (paths and stat fields) is `fp`. */
  selection(fp: string): string | undefined {
    const d = this.#selections.get(fp);
    if (d !== undefined && this.#lastSelection !== fp) {
      this.#selections.delete(fp); // most recently used last (a hit on the last one writes nothing)
      this.#selections.set(fp, d);
      this.#lastSelection = fp;
      this.#selectionsDirty = true;
    }
    return d;
  }

  /** Records the checksum of the selection with fingerprint `fp`. */
  recordSelection(fp: string, checksum: string): void {
    this.#selections.delete(fp);
    this.#selections.set(fp, checksum);
    this.#lastSelection = fp;
    while (this.#selections.size > MAX_SELECTIONS) this.#selections.delete(this.#selections.keys().next().value as string);
    this.#selectionsDirty = true;
  }

  /** The digest recorded for `path` if its current stat equals the recorded one. */
  lookup(path: string): string | undefined {
    const fresh = this.#fresh.get(path);
    if (fresh !== undefined) return fresh;
    const now = this.#observed.get(path);
    if (now === undefined) return undefined;
    const stored = this.#records();
    const n = stored?.find(path, now);
    return n === undefined ? undefined : stored?.digest(n);
  }

  /** Records the digest just computed for `path` at its observed stat. */
  record(path: string, digest: string): void {
    if (!this.#observed.has(path)) return;
    this.#fresh.set(path, digest);
    this.#dirty = true;
  }

  /** Writes the cache atomically: entries of paths seen this time, fresh digests over stored ones. */
  save(): void {
    if (this.#file === undefined) return;
    if (!this.#dirty && !this.#selectionsDirty) return;
    const header = JSON.stringify({ version: VERSION, selections: [...this.#selections] });
    mkdirSync(dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      const out = new FileWriter(fd);
      out.string(`${header}\n`);
      if (!this.#dirty && this.#stored === undefined) {
        if (this.#body !== undefined) out.bytes(this.#body); // only the selections changed: the records stay as they were
      } else {
        const stored = this.#records();
        let first = true;
        for (const [path, key] of this.#observed) {
          const fresh = this.#fresh.get(path);
          const n = fresh === undefined ? stored?.find(path, key) : undefined;
          if (fresh === undefined && n === undefined) continue;
          if (!first) out.byte(NUL);
          first = false;
          if (fresh !== undefined) out.string(`${fresh} ${keyText(key)} ${path}`);
          else out.bytes((stored as StoredRecords).bytes(n as number));
        }
      }
      out.flush();
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#file);
  }

  #records(): StoredRecords | undefined {
    if (this.#stored === undefined && this.#body !== undefined) this.#stored = new StoredRecords(this.#body);
    return this.#stored;
  }
}
