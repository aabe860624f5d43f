/**
 * An in-memory storage driver for fast unit tests of everything above the driver. Directories are
 * implicit: a path is a directory when some file lives under it.
 */
import { Readable } from 'node:stream';
import { checkPath, PathNotFoundError, type FileInfo, type FileWriter, type StorageDriver } from './driver.js';

interface MemFile {
  data: Buffer;
  modTime: Date;
}

export class MemoryDriver implements StorageDriver {
  readonly name = 'inmemory';
  readonly #files = new Map<string, MemFile>();

  #file(path: string): MemFile {
    checkPath(path, this.name);
    const f = this.#files.get(path);
    if (f === undefined) throw new PathNotFoundError(path, this.name);
    return f;
  }

  #isDir(path: string): boolean {
    const prefix = `${path}/`;
    for (const k of this.#files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }

  async getContent(path: string): Promise<Buffer> {
    return Buffer.from(this.#file(path).data);
  }

  async putContent(path: string, data: Uint8Array): Promise<void> {
    checkPath(path, this.name);
    this.#files.set(path, { data: Buffer.from(data), modTime: new Date() });
  }

  async reader(path: string, options: { offset?: number; end?: number } = {}): Promise<Readable> {
    const f = this.#file(path);
    const slice = f.data.subarray(options.offset ?? 0, options.end ?? f.data.length);
    return Readable.from([Buffer.from(slice)]);
  }

  async writer(path: string): Promise<FileWriter> {
    checkPath(path, this.name);
    let f = this.#files.get(path);
    if (f === undefined) {
      f = { data: Buffer.alloc(0), modTime: new Date() };
      this.#files.set(path, f);
    }
    const file = f;
    let closed = false;
    return {
      get size() {
        return file.data.length;
      },
      async write(chunk: Uint8Array) {
        if (closed) throw new Error('Cannot write: the writer is closed');
        file.data = Buffer.concat([file.data, chunk]);
        file.modTime = new Date();
      },
      async commit() {
        closed = true;
      },
      async cancel() {
        closed = true;
      },
    };
  }

  async stat(path: string): Promise<FileInfo> {
    checkPath(path, this.name);
    const f = this.#files.get(path);
    if (f !== undefined) return { path, size: f.data.length, modTime: f.modTime, isDir: false };
    if (this.#isDir(path)) return { path, size: 0, modTime: new Date(0), isDir: true };
    throw new PathNotFoundError(path, this.name);
  }

  async list(path: string): Promise<string[]> {
    checkPath(path, this.name);
    const prefix = `${path}/`;
    const names = new Set<string>();
    for (const k of this.#files.keys()) {
      if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]!);
    }
    if (names.size === 0) throw new PathNotFoundError(path, this.name);
    return [...names];
  }

  async move(from: string, to: string): Promise<void> {
    checkPath(to, this.name);
    const f = this.#file(from);
    this.#files.delete(from);
    this.#files.set(to, f);
  }

  async delete(path: string): Promise<void> {
    checkPath(path, this.name);
    this.#files.delete(path);
    const prefix = `${path}/`;
    for (const k of [...this.#files.keys()]) if (k.startsWith(prefix)) this.#files.delete(k);
  }

  async touch(path: string): Promise<void> {
    this.#file(path).modTime = new Date();
  }

  /** Test hook: ages every file by `ms`, so the gc grace period no longer protects them. */
  ageAll(ms: number): void {
    for (const f of this.#files.values()) f.modTime = new Date(f.modTime.getTime() - ms);
  }

  /** Test hook: ages a file so the GC grace period no longer protects it. */
  setModTime(path: string, modTime: Date): void {
    this.#file(path).modTime = modTime;
  }
}
