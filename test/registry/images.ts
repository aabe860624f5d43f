/** Small OCI images for registry tests: made from a tar, as an OCI layout, or put into a gantry store. */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { openStore, writeBlob, type Store } from '../../src/store/index.js';
import { digestOf, MediaType } from '../../src/oci/index.js';

export interface Img {
  manifest: Buffer;
  config: Buffer;
  /** The gzip'd layer. */
  layer: Buffer;
  digest: string;
}

/** `root` as a tar made with tar(1), the same bytes each time. */
export function tarOf(root: string): Buffer {
  return spawnSync('tar', ['-C', root, '--sort=name', '--mtime=@0', '--owner=0', '--group=0', '-cf', '-', '.'], { maxBuffer: 1 << 30 }).stdout;
}

/** An OCI manifest naming `config` and `layers` (all of `layerType`). */
export function ociManifest(config: Buffer, layers: Buffer[], layerType: string = MediaType.OciLayerGzip): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config: { mediaType: MediaType.OciConfig, digest: digestOf(config), size: config.length },
      layers: layers.map((l) => ({ mediaType: layerType, digest: digestOf(l), size: l.length })),
    }),
  );
}

/** A linux/amd64 image of one gzip'd layer holding `tar`, with `config` as its config's `config`. */
export function makeImage(tar: Buffer, config: Record<string, unknown>): Img {
  const layer = gzipSync(tar, { level: 1 });
  const cfg = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: [digestOf(tar)] } }));
  const manifest = ociManifest(cfg, [layer]);
  return { manifest, config: cfg, layer, digest: digestOf(manifest) };
}

/** The image as an OCI layout `dir/name` (skopeo's and buildah's source); returns its path. */
export function ociLayout(dir: string, img: Img, name = `layout-${randomBytes(4).toString('hex')}`): string {
  const out = join(dir, name);
  mkdirSync(join(out, 'blobs', 'sha256'), { recursive: true });
  for (const b of [img.layer, img.config, img.manifest]) writeFileSync(join(out, 'blobs', 'sha256', digestOf(b).slice(7)), b);
  writeFileSync(join(out, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(out, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaType.OciManifest, digest: img.digest, size: img.manifest.length }] }));
  return out;
}

/**
 * Writes `blobs` and the OCI `manifest` into a gantry store (an open one, or the store at a root,
 * opened and closed here) and names the image `names`.
 */
export async function putImage(
  target: Store | string,
  manifest: Buffer,
  blobs: Buffer[],
  names: string[],
): Promise<Awaited<ReturnType<Store['images']['putManifest']>>> {
  const store = typeof target === 'string' ? openStore({ root: target }) : target;
  try {
    for (const b of [...blobs, manifest]) await writeBlob(store.content, `t-${digestOf(b)}`, b, { digest: digestOf(b), size: b.length });
    return await store.images.putManifest({ mediaType: MediaType.OciManifest, digest: digestOf(manifest), size: manifest.length }, { names });
  } finally {
    if (typeof target === 'string') store.close();
  }
}
