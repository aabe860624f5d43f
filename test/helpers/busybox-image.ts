/**
 * A real busybox image in a store, made through the public APIs (no registry here): the host's
 * busybox-static as a root filesystem, one gzip layer, a config like the bench's localhost/busybox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLayer } from '../../src/layer/index.js';
import { digestOf, MediaType } from '../../src/oci/index.js';
import { openStore, writeBlob, type ImageRecord, type Store } from '../../src/store/index.js';
import { makeBusyboxRootfs } from './fixtures.js';

/** Puts `busybox:latest` (or `names`) into the store and returns its record. */
export async function putBusyboxImage(store: Store, names: string[] = ['busybox:latest']): Promise<ImageRecord> {
  const dir = mkdtempSync(join(tmpdir(), 'gantry-busybox-'));
  try {
    makeBusyboxRootfs(dir);
    const ref = `busybox-layer-${process.pid}-${Date.now()}`;
    const writer = await store.content.writer(ref);
    const layer = await createLayer({ kind: 'tree', root: dir }, (c) => writer.write(c), { compression: 'gzip', sourceDateEpoch: 0 });
    const desc = await writer.commit(layer.size, layer.digest);
    const config = {
      created: '2024-01-01T00:00:00Z',
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created: '2024-01-01T00:00:00Z', created_by: 'busybox-static from the host' }],
    };
    const cb = Buffer.from(JSON.stringify(config));
    const cd = await writeBlob(store.content, `busybox-config-${digestOf(cb)}`, cb, { digest: digestOf(cb), size: cb.length });
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: cd.digest, size: cd.size },
      layers: [{ mediaType: layer.mediaType, digest: desc.digest, size: desc.size }],
    };
    const mb = Buffer.from(JSON.stringify(manifest));
    const md = await writeBlob(store.content, `busybox-manifest-${digestOf(mb)}`, mb, { digest: digestOf(mb), size: mb.length });
    return await store.images.put({
      manifest: { mediaType: MediaType.OciManifest, digest: md.digest, size: md.size },
      config: { mediaType: MediaType.OciConfig, digest: cd.digest, size: cd.size },
      layers: [{ descriptor: { mediaType: layer.mediaType, digest: desc.digest, size: desc.size }, diffId: layer.diffId, uncompressedSize: layer.uncompressedSize }],
      names,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes (or opens) the store at `root`, puts busybox:latest into it and closes it; returns the image's record. */
export async function busyboxStore(root: string): Promise<ImageRecord> {
  const store = openStore({ root });
  try {
    return await putBusyboxImage(store);
  } finally {
    store.close();
  }
}
