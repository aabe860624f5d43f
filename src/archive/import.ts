/**
 * `image import`: a root filesystem tarball becomes a one-layer image. As docker does, the tarball
 * itself is the layer (decompressed if it came compressed) and the history entry says where it came
 * from. The layer is stored uncompressed (its digest is its diffID), as gantry stores every layer it
 * makes; push compresses it (see ARCHITECTURE.md "Layers").
 */
import { coalesce } from '../layer/index.js';
import { decompressInput } from './decompress.js';
import { TarCheck } from './tar-check.js';
import { digestOf, MediaType, type ContainerConfig, type Digest, type ImageConfig } from '../oci/index.js';
import { writeBlob, type ImageRecord, type Store } from '../store/index.js';

export interface ImportOptions {
  /** Names for the image (`debian:bookworm`); none makes a dangling image, as docker does. */
  names?: string[];
  /** The image's runtime config (after `--change`). */
  config?: ContainerConfig;
  /** `-m`: the history comment; default `Imported from <source>`. */
  message?: string;
  /** Shown in the default comment: `-` (stdin and files, as the docker CLI sends both) or a URL. */
  source: string;
  /** RFC 3339 creation time; default now. */
  created?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  signal?: AbortSignal;
  /**
   * Awaited once the layer is stored and before the image is recorded; a throw abandons the import
   * with nothing recorded (bootstrap: the producer's exit status decides).
   */
  beforeCommit?: () => Promise<void>;
}

/** Imports a (possibly compressed) tar stream as a one-layer image. */
export async function importRootfs(store: Store, source: AsyncIterable<Uint8Array>, options: ImportOptions): Promise<ImageRecord> {
  const lease = store.leases.create({ expiresAt: Date.now() + 3600_000 });
  try {
    const { stream } = await decompressInput(source, options.signal === undefined ? {} : { signal: options.signal });
    const check = new TarCheck();
    async function* tapped(): AsyncGenerator<Uint8Array> {
      for await (const c of stream) {
        check.update(c);
        yield c;
      }
      check.end();
    }
    const writer = await store.content.writer(`import-${process.pid}-${Date.now()}`, { lease: lease.id });
    let desc;
    try {
      // 1 MiB writes: a pipe gives 64 KiB pieces, and each write is a trip to the thread pool.
      for await (const chunk of coalesce(tapped(), 1 << 20)) {
        options.signal?.throwIfAborted();
        await writer.write(chunk);
      }
      desc = await writer.commit();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    // The content store hashed the bytes as it wrote them: uncompressed, that digest is the diffID.
    const diffId: Digest = desc.digest;
    await options.beforeCommit?.();
    const created = options.created ?? new Date().toISOString();
    const comment = options.message ?? `Imported from ${options.source}`;
    // As moby's ImportImage writes it: the message is both the image's comment and the one history entry's.
    const config: ImageConfig = {
      created,
      comment,
      architecture: options.architecture ?? (process.arch === 'x64' ? 'amd64' : process.arch),
      os: options.os ?? 'linux',
      ...(options.variant === undefined ? {} : { variant: options.variant }),
      config: options.config ?? {},
      rootfs: { type: 'layers', diff_ids: [diffId] },
      history: [{ created, comment }],
    };
    const cb = Buffer.from(JSON.stringify(config));
    const cd = await writeBlob(store.content, `import-config-${digestOf(cb)}`, cb, { digest: digestOf(cb), size: cb.length }, { lease: lease.id });
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: cd.digest, size: cd.size },
      layers: [{ mediaType: MediaType.OciLayer, digest: desc.digest, size: desc.size }],
    };
    const mb = Buffer.from(JSON.stringify(manifest));
    const md = await writeBlob(store.content, `import-manifest-${digestOf(mb)}`, mb, { digest: digestOf(mb), size: mb.length }, { lease: lease.id });
    return await store.images.put({
      manifest: { mediaType: MediaType.OciManifest, digest: md.digest, size: md.size },
      config: { mediaType: MediaType.OciConfig, digest: cd.digest, size: cd.size },
      layers: [{ descriptor: { mediaType: MediaType.OciLayer, digest: desc.digest, size: desc.size }, diffId, uncompressedSize: desc.size }],
      names: options.names ?? [],
    });
  } finally {
    store.leases.delete(lease.id);
  }
}
