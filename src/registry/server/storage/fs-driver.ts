/**
 * The filesystem storage driver: logical path `/a/b` is `<root>/a/b`. Atomic replacement writes a
 * temporary file under `<root>/_tmp/` (same filesystem), fsyncs it and renames it into place, then
 * fsyncs the directory, so a crash leaves the old file or the new one and at worst a stray temp file
 * (removed by `registry gc`).
 */
import { createReadStream, promises as fsp, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { errnoCode } from '../../../errors.js';
import { checkPath, PathNotFoundError, type FileInfo, type FileWriter, type StorageDriver } from './driver.js';

export const TMP_DIR = '/_tmp';

export class FsDriver implements StorageDriver {
  readonly name = 'filesystem';
  readonly root: string;
  // Directories known to exist: saves a mkdir syscall per write on the hot path.
  readonly #dirs = new Set<string>();

  constructor(root: string) {
    this.root = root;
  }

  #abs(path: string): string {
    checkPath(path, this.name);
    return join(this.root, path);
  }

  #wrap(err: unknown, path: string): unknown {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return new PathNotFoundError(path, this.name);
    return err;
  }

  async #mkdirp(dir: string): Promise<void> {
    if (this.#dirs.has(dir)) return;
    await fsp.mkdir(dir, { recursive: true });
    this.#dirs.add(dir);
  }

  async getContent(path: string): Promise<Buffer> {
    try {
      return await fsp.readFile(this.#abs(path));
    } catch (err) {
      throw this.#wrap(err, path);
    }
  }

  async putContent(path: string, data: Uint8Array): Promise<void> {
    const target = this.#abs(path);
    const tmpDir = join(this.root, TMP_DIR);
    await this.#mkdirp(tmpDir);
    const tmp = join(tmpDir, `put-${randomBytes(8).toString('hex')}`);
    const fh = await fsp.open(tmp, 'wx', 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await this.#mkdirp(dirname(target));
      await this.#rename(tmp, target);
    } catch (err) {
      await fsp.rm(tmp, { force: true });
      throw err;
    }
  }

  async #rename(from: string, to: string): Promise<void> {
    try {
      await fsp.rename(from, to);
    } catch (err) {
      // A cached directory may have been removed by a delete (or by gc in another process).
      if (errnoCode(err) !== 'ENOENT') throw err;
      this.#dirs.delete(dirname(to));
      await this.#mkdirp(dirname(to));
      await fsp.rename(from, to);
    }
    await syncDir(dirname(to));
  }

  async reader(path: string, options: { offset?: number; end?: number } = {}): Promise<Readable> {
    const abs = this.#abs(path);
    // Open first so a missing file is an error here rather than an 'error' event mid-response.
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(abs, constants.O_RDONLY);
    } catch (err) {
      throw this.#wrap(err, path);
    }
    const start = options.offset ?? 0;
    const end = options.end === undefined ? undefined : options.end - 1;
    if (end !== undefined && end < start) {
      await fh.close();
      const { Readable } = await import('node:stream');
      return Readable.from([]);
    }
    return createReadStream('', { fd: fh, start, ...(end === undefined ? {} : { end }), highWaterMark: 256 * 1024 });
  }

  async writer(path: string): Promise<FileWriter> {
    const abs = this.#abs(path);
    await this.#mkdirp(dirname(abs));
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(abs, 'a', 0o644);
    } catch (err) {
      throw this.#wrap(err, path);
    }
    const size = (await fh.stat()).size;
    return new FsFileWriter(fh, size);
  }

  async stat(path: string): Promise<FileInfo> {
    try {
      const st = await fsp.stat(this.#abs(path));
      return { path, size: st.size, modTime: st.mtime, isDir: st.isDirectory() };
    } catch (err) {
      throw this.#wrap(err, path);
    }
  }

  async list(path: string): Promise<string[]> {
    try {
      return await fsp.readdir(this.#abs(path));
    } catch (err) {
      throw this.#wrap(err, path);
    }
  }

  async move(from: string, to: string): Promise<void> {
    const src = this.#abs(from);
    const dst = this.#abs(to);
    await this.#mkdirp(dirname(dst));
    try {
      await this.#rename(src, dst);
    } catch (err) {
      throw this.#wrap(err, from);
    }
  }

  async delete(path: string): Promise<void> {
    const abs = this.#abs(path);
    await fsp.rm(abs, { recursive: true, force: true });
    for (const d of this.#dirs) if (d === abs || d.startsWith(`${abs}/`)) this.#dirs.delete(d);
  }

  async touch(path: string): Promise<void> {
    const now = new Date();
    try {
      await fsp.utimes(this.#abs(path), now, now);
    } catch (err) {
      throw this.#wrap(err, path);
    }
  }
}

class FsFileWriter implements FileWriter {
  #fh: fsp.FileHandle | undefined;
  #size: number;

  constructor(fh: fsp.FileHandle, size: number) {
    this.#fh = fh;
    this.#size = size;
  }

  get size(): number {
    return this.#size;
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#fh === undefined) throw new Error('Cannot write: the writer is closed');
    let off = 0;
    while (off < chunk.byteLength) {
      const { bytesWritten } = await this.#fh.write(chunk, off, chunk.byteLength - off);
      off += bytesWritten;
      this.#size += bytesWritten;
    }
  }

  async commit(): Promise<void> {
    const fh = this.#fh;
    if (fh === undefined) return;
    this.#fh = undefined;
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async cancel(): Promise<void> {
    const fh = this.#fh;
    if (fh === undefined) return;
    this.#fh = undefined;
    await fh.close();
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await fsp.open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } catch (err) {
    // Some filesystems refuse fsync on directories; the rename itself is still atomic.
    if (errnoCode(err) !== 'EINVAL' && errnoCode(err) !== 'EISDIR') throw err;
  } finally {
    await fh.close();
  }
}
