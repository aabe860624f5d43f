/**
 * The files of an image archive, read once and indexed by path: a tar stream (docker save, podman
 * save, skopeo's docker-archive, an OCI layout in a tar) or a directory (a plain OCI layout).
 *
 * A tar is read in one streaming pass and never held in memory: each regular file goes straight
 * into the content store (under the caller's lease, digest computed on the way; files under
 * `blobs/<alg>/<hex>` are verified against their name), except small metadata files
 * (`manifest.json`, `index.json`, `repositories`, legacy `<id>/json`) kept in memory. We cannot
 * decide what to keep from the format alone: docker writes `manifest.json` *after* the layers, so
 * the whole archive has been read before we know which files matter. Unreferenced blobs stay under
 * the lease and are collected once it ends.
 *
 * Links: hardlinks point at an earlier entry's content; symlinks are resolved through the index
 * (never on disk), confined to the archive, as go-containerregistry does for `test_link.tar`.
 */
import { createReadStream, existsSync } from 'node:fs';
import { lstat, readFile, realpath } from 'node:fs/promises';
import { posix, sep } from 'node:path';
import { readTar } from '../layer/index.js';
import { isDigest, type Digest, type Descriptor } from '../oci/index.js';
import type { ContentStore } from '../store/index.js';
import { ArchiveDataError } from './errors.js';

/** Largest metadata file kept in memory (manifest.json of a large bundle is well below this). */
const MAX_META_BYTES = 4 * 1024 * 1024;
const MAX_SYMLINK_HOPS = 40;

/** What the loader needs from an archive, whatever its container. */
export interface ArchiveFiles {
  /** The normalized path of `path` after following symlinks, or undefined if absent. */
  resolve(path: string): string | undefined;
  /** A small file's bytes (documents). @throws {ArchiveDataError} when absent or too large */
  read(path: string): Promise<Buffer>;
  /**
   * Puts the file into the content store (if not there yet) and returns its descriptor, checked
   * against `expected` when given.
   * @throws {ArchiveDataError} when absent or when the digest or size differs
   */
  ingest(path: string, expected?: { digest: Digest; size?: number }): Promise<Descriptor>;
}

type Entry = { kind: 'blob'; desc: Descriptor } | { kind: 'memory'; bytes: Buffer } | { kind: 'symlink'; target: string } | { kind: 'dir' };

/** Normalizes an archive entry path (`./a//b/` → `a/b`); undefined for paths that leave the archive. */
export function normalizeArchivePath(path: string): string | undefined {
  if (path.startsWith('/')) return undefined;
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') return undefined;
    parts.push(p);
  }
  return parts.join('/');
}

/** True for files we keep in memory rather than in the content store. */
function isMetadata(path: string, size: number): boolean {
  if (size > MAX_META_BYTES) return false;
  if (path.startsWith('blobs/')) return false;
  if (path.endsWith('/layer.tar') || path.endsWith('.tar') || path.endsWith('.tar.gz')) return false;
  return true;
}

function blobNameDigest(path: string): Digest | undefined {
  const m = /^blobs\/(sha256|sha512)\/([0-9a-f]+)$/.exec(path);
  if (m === null) return undefined;
  const d = `${m[1]}:${m[2]}`;
  return isDigest(d) ? d : undefined;
}

function missing(path: string): ArchiveDataError {
  return new ArchiveDataError('ARCHIVE_MISSING_FILE', `Cannot load the archive: it has no file "${path}"`);
}

class IndexedFiles implements ArchiveFiles {
  constructor(
    readonly entries: Map<string, Entry>,
    private readonly content: ContentStore,
  ) {}

  resolve(path: string): string | undefined {
    let p = normalizeArchivePath(path);
    for (let hops = 0; p !== undefined && hops <= MAX_SYMLINK_HOPS; hops++) {
      const e = this.entries.get(p);
      if (e === undefined) return undefined;
      if (e.kind !== 'symlink') return p;
      const target = e.target.startsWith('/') ? e.target : posix.join(posix.dirname(p), e.target);
      p = normalizeArchivePath(target.startsWith('/') ? target.slice(1) : target);
    }
    return undefined;
  }

  #entry(path: string): ({ kind: 'blob'; desc: Descriptor } | { kind: 'memory'; bytes: Buffer }) & { path: string } {
    const p = this.resolve(path);
    const e = p === undefined ? undefined : this.entries.get(p);
    if (p === undefined || e === undefined || e.kind === 'dir' || e.kind === 'symlink') throw missing(path);
    return { ...e, path: p };
  }

  async read(path: string): Promise<Buffer> {
    const e = this.#entry(path);
    if (e.kind === 'memory') return e.bytes;
    if (e.kind !== 'blob' || e.desc.size > MAX_META_BYTES) throw new ArchiveDataError('ARCHIVE_BAD_DOCUMENT', `Cannot load the archive: "${path}" is too large for a document`);
    const r = await this.content.reader(e.desc);
    try {
      return Buffer.from(await r.readAt(0, e.desc.size));
    } finally {
      await r.close();
    }
  }

  async ingest(path: string, expected?: { digest: Digest; size?: number }): Promise<Descriptor> {
    const e = this.#entry(path);
    let desc: Descriptor;
    if (e.kind === 'blob') desc = e.desc;
    else {
      const { writeBlob, digestOfBytes } = await helpers();
      const digest = digestOfBytes(e.bytes);
      desc = await writeBlob(this.content, `load-meta-${digest}`, e.bytes, { digest, size: e.bytes.length }, this.leaseOpts);
      this.entries.set(e.path, { kind: 'blob', desc });
    }
    checkExpected(path, desc, expected);
    return desc;
  }

  leaseOpts: { lease?: string } = {};
}

async function helpers(): Promise<{ writeBlob: typeof import('../store/index.js').writeBlob; digestOfBytes: (b: Buffer) => Digest }> {
  const { writeBlob } = await import('../store/index.js');
  const { digestOf } = await import('../oci/index.js');
  return { writeBlob, digestOfBytes: (b) => digestOf(b) };
}

function checkExpected(path: string, desc: Descriptor, expected?: { digest: Digest; size?: number }): void {
  if (expected === undefined) return;
  if (desc.digest !== expected.digest) {
    throw new ArchiveDataError('ARCHIVE_BAD_DOCUMENT', `Cannot load the archive: "${path}" has digest ${desc.digest}, expected ${expected.digest}`);
  }
  if (expected.size !== undefined && desc.size !== expected.size) {
    throw new ArchiveDataError('ARCHIVE_BAD_DOCUMENT', `Cannot load the archive: "${path}" has ${desc.size} bytes, expected ${expected.size}`);
  }
}

export interface ReadArchiveOptions {
  /** Lease that holds every blob written. */
  lease: string;
  signal?: AbortSignal;
  /** Called with the bytes read so far (progress). */
  onEntry?: (path: string, size: number) => void;
}

/**
 * Reads an (uncompressed) archive tar into the content store and an index.
 * @throws {ArchiveDataError} for a truncated tar, a path that leaves the archive, or a
 *   `blobs/<alg>/<hex>` file whose content does not match its name
 */
export async function readArchiveTar(content: ContentStore, source: AsyncIterable<Uint8Array>, options: ReadArchiveOptions): Promise<ArchiveFiles> {
  const entries = new Map<string, Entry>();
  const files = new IndexedFiles(entries, content);
  files.leaseOpts = { lease: options.lease };
  let n = 0;
  let missingEof = false;
  const tarOpts = {
    onWarning: (w: { code: string }) => {
      if (w.code === 'LAYER_MISSING_EOF') missingEof = true;
    },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  };
  for await (const entry of readTar(source, tarOpts)) {
    const h = entry.header;
    const path = normalizeArchivePath(h.path);
    if (path === undefined) {
      await entry.skip();
      throw new ArchiveDataError('ARCHIVE_BAD_PATH', `Cannot load the archive: entry "${h.path}" leaves the archive`);
    }
    if (path === '') {
      await entry.skip();
      continue;
    }
    options.onEntry?.(path, h.size);
    switch (h.type) {
      case 'directory':
        entries.set(path, { kind: 'dir' });
        break;
      case 'symlink':
        entries.set(path, { kind: 'symlink', target: h.linkpath ?? '' });
        break;
      case 'hardlink': {
        const target = files.resolve(h.linkpath ?? '');
        const e = target === undefined ? undefined : entries.get(target);
        if (e === undefined) throw new ArchiveDataError('ARCHIVE_BAD_PATH', `Cannot load the archive: "${path}" links to "${h.linkpath ?? ''}", which is not in the archive`);
        entries.set(path, e);
        break;
      }
      case 'file': {
        if (isMetadata(path, h.size)) {
          entries.set(path, { kind: 'memory', bytes: await entry.bytes() });
          break;
        }
        const named = blobNameDigest(path);
        const writer = await content.writer(`load-${process.pid}-${Date.now()}-${n++}`, { lease: options.lease });
        try {
          for await (const chunk of entry.body) await writer.write(chunk);
          const desc = await writer.commit(h.size, named);
          entries.set(path, { kind: 'blob', desc });
        } catch (err) {
          if (named !== undefined && (err as { code?: string }).code !== undefined && /MISMATCH/.test((err as { code: string }).code)) {
            throw new ArchiveDataError('ARCHIVE_BAD_DOCUMENT', `Cannot load the archive: "${path}" does not match its digest`, { cause: err });
          }
          throw err;
        } finally {
          await writer.abort();
        }
        break;
      }
      default:
        await entry.skip();
    }
  }
  if (missingEof) {
    // Every producer we know (Go's archive/tar, GNU tar) writes the marker: its absence means the
    // archive was cut short at an entry boundary.
    throw new ArchiveDataError('ARCHIVE_MISSING_FILE', 'Cannot load the archive: the tar ends without its end-of-archive marker (truncated?)');
  }
  return files;
}

/**
 * A plain OCI layout directory. Paths are confined to it: a symlink that leads outside is refused.
 */
export function directoryFiles(content: ContentStore, root: string, options: { lease: string; signal?: AbortSignal }): ArchiveFiles {
  const abs = (path: string): string | undefined => {
    const p = normalizeArchivePath(path);
    return p === undefined ? undefined : posix.join(root, p);
  };
  const confined = async (path: string): Promise<string> => {
    const a = abs(path);
    if (a === undefined) throw missing(path);
    let real: string;
    try {
      real = await realpath(a);
      if (!(await lstat(real)).isFile()) throw missing(path);
    } catch {
      throw missing(path);
    }
    const rootReal = await realpath(root);
    if (!real.startsWith(rootReal + sep)) throw new ArchiveDataError('ARCHIVE_BAD_PATH', `Cannot load the layout: "${path}" leads outside it`);
    return real;
  };
  const known = new Set<string>();
  return {
    resolve(path: string): string | undefined {
      const a = abs(path);
      return a !== undefined && existsSync(a) ? normalizeArchivePath(path) : undefined;
    },
    async read(path: string): Promise<Buffer> {
      const real = await confined(path);
      const st = await lstat(real);
      if (st.size > MAX_META_BYTES) throw new ArchiveDataError('ARCHIVE_BAD_DOCUMENT', `Cannot load the layout: "${path}" is too large for a document`);
      return readFile(real);
    },
    async ingest(path: string, expected?: { digest: Digest; size?: number }): Promise<Descriptor> {
      const real = await confined(path);
      const { writeBlob } = await import('../store/index.js');
      const named = blobNameDigest(normalizeArchivePath(path) ?? '');
      const digest = expected?.digest ?? named;
      try {
        const desc = await writeBlob(
          content,
          `load-dir-${process.pid}-${digest ?? real}`,
          createReadStream(real),
          { ...(digest === undefined ? {} : { digest }), ...(expected?.size === undefined ? {} : { size: expected.size }) },
          { lease: options.lease, ...(options.signal === undefined ? {} : { signal: options.signal }) },
        );
        known.add(desc.digest);
        checkExpected(path, desc, expected);
        return desc;
      } catch (err) {
        if (err instanceof ArchiveDataError) throw err;
        if (/MISMATCH/.test((err as { code?: string }).code ?? '')) {
          throw new ArchiveDataError('ARCHIVE_BAD_DOCUMENT', `Cannot load the layout: "${path}" does not match its digest`, { cause: err });
        }
        throw err;
      }
    },
  };
}
