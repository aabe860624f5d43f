/**
 * `commit`: a container's changes become a new image. The top layer is the diff of the container's
 * writable snapshot (overlay: its upper dir alone; deletions as OCI whiteouts), without the stubs
 * runc created as mount points; the config is the image's with `--change` applied; the history gets
 * one entry (docker's: the container's command, the message, the author); the parent is the
 * container's image. A running container is frozen (`--pause`, the default) while the layer is read.
 */
import { applyChanges } from '../build/changes.js';
import { createLayer } from '../layer/index.js';
import { digestOf, MediaType, type History, type ImageConfig } from '../oci/index.js';
import { pauseContainer, resumeContainer } from '../runtime/index.js';
import { removeStubs } from '../snapshot/index.js';
import { writeBlob, type ContainerRecord, type ImageRecord } from '../store/index.js';
import { isRunning, snapshotKey, storedConfig, type Containers } from './containers.js';

export interface CommitOptions {
  /** `REPOSITORY[:TAG]`; none makes a dangling image. */
  reference?: string;
  message?: string;
  author?: string;
  changes?: readonly string[];
  /** Freeze a running container while the layer is taken (default true). */
  pause?: boolean;
  signal?: AbortSignal;
}

/** Commits the container's changes as a new image and returns its record. */
export async function commitContainer(c: Containers, rec: ContainerRecord, o: CommitOptions = {}): Promise<ImageRecord> {
  rec = await c.sync(rec);
  const base = c.store.images.get(rec.imageId);
  const baseConfig = await c.imageConfig(base, o.signal);
  const key = snapshotKey(rec);
  const stored = storedConfig(rec);
  const lease = c.store.leases.create({ expiresAt: Date.now() + 3600_000 });
  const pause = o.pause !== false && rec.state === 'running';
  try {
    if (pause) await pauseContainer(c.runtime, rec.id);
    let layer;
    try {
      await removeStubs(c.snapshots.upperDir(key), stored.stubs ?? []);
      const writer = await c.store.content.writer(`commit-${rec.id}-${Date.now()}`, { lease: lease.id });
      try {
        // Uncompressed, as docker commit stores it: compressed once, by push (see ARCHITECTURE.md "Layers").
        const written = await createLayer(c.snapshots.diffSource(key), writer, {
          compression: 'none',
          // Real modification times, as docker keeps them (no SOURCE_DATE_EPOCH clamp from the env).
          sourceDateEpoch: null,
          ...(o.signal === undefined ? {} : { signal: o.signal }),
        });
        const desc = await writer.commit(written.size, written.digest);
        layer = { descriptor: { mediaType: written.mediaType, digest: desc.digest, size: desc.size }, diffId: written.diffId, uncompressedSize: written.uncompressedSize };
      } catch (err) {
        await writer.abort();
        throw err;
      }
    } finally {
      if (pause && isRunning(c.store.containers.get(rec.id))) await resumeContainer(c.runtime, rec.id);
    }
    const created = new Date().toISOString();
    const entry: History = { created, created_by: [stored.path, ...stored.args].join(' ') };
    if (o.author !== undefined && o.author !== '') entry.author = o.author;
    if (o.message !== undefined && o.message !== '') entry.comment = o.message;
    const config: ImageConfig = {
      ...baseConfig,
      created,
      config: applyChanges(baseConfig.config ?? {}, o.changes ?? []),
      rootfs: { type: 'layers', diff_ids: [...baseConfig.rootfs.diff_ids, layer.diffId] },
      history: [...(baseConfig.history ?? []), entry],
    };
    if (o.author !== undefined && o.author !== '') config.author = o.author;
    else delete config.author;
    const cb = Buffer.from(JSON.stringify(config));
    const cd = await writeBlob(c.store.content, `commit-config-${digestOf(cb)}`, cb, { digest: digestOf(cb), size: cb.length }, { lease: lease.id });
    const layers = [
      ...base.layers.map((l) => ({ descriptor: { mediaType: l.mediaType, digest: l.digest, size: l.size }, diffId: l.diffId, ...(l.uncompressedSize === undefined ? {} : { uncompressedSize: l.uncompressedSize }) })),
      layer,
    ];
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: cd.digest, size: cd.size },
      layers: layers.map((l) => l.descriptor),
    };
    const mb = Buffer.from(JSON.stringify(manifest));
    const md = await writeBlob(c.store.content, `commit-manifest-${digestOf(mb)}`, mb, { digest: digestOf(mb), size: mb.length }, { lease: lease.id });
    return await c.store.images.put({
      manifest: { mediaType: MediaType.OciManifest, digest: md.digest, size: md.size },
      config: { mediaType: MediaType.OciConfig, digest: cd.digest, size: cd.size },
      layers,
      names: o.reference === undefined ? [] : [o.reference],
      parent: base.id,
    });
  } finally {
    c.store.leases.delete(lease.id);
  }
}
