/**
 * Makes small images in a store through its public API, for tests that need images before
 * archive/import exist: a config plus gzip layers, each layer a real tar with one file.
 */
import { gzipSync } from 'node:zlib';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { MediaType } from '../../src/oci/media-types.js';
import { writeBlob, type ImageRecord, type Store } from '../../src/store/index.js';

export interface TestImageSpec {
  /** Names to give it (`busybox:latest`). */
  names?: string[];
  /** One layer per entry: path → content. Default: one layer with a file unique to `seed`. */
  layers?: Record<string, string>[];
  labels?: Record<string, string>;
  /** RFC 3339; default 2020-01-01T00:00:00Z. */
  created?: string;
  parent?: Digest;
  /** Makes the config (hence the ID) unique. */
  seed?: string;
  /** Writes the blobs under this lease. */
  lease?: string;
  /** Store the layers as plain tars (`application/vnd.oci.image.layer.v1.tar`), as gantry stores the layers it makes. */
  uncompressed?: boolean;
}

/** A ustar archive of regular files, with fixed metadata (deterministic bytes). */
export function tarOf(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files).sort()) {
    const body = Buffer.from(text);
    const h = Buffer.alloc(512);
    h.write(name, 0, 100, 'utf8');
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(body.length.toString(8).padStart(11, '0') + '\0', 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write('0', 156);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
    blocks.push(h, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** Puts an image built from `spec` into the store and returns its record. */
export async function putTestImage(store: Store, spec: TestImageSpec = {}): Promise<ImageRecord> {
  const opts = spec.lease === undefined ? {} : { lease: spec.lease };
  const seed = spec.seed ?? Math.random().toString(36).slice(2);
  const layerFiles = spec.layers ?? [{ [`file-${seed}`]: `content of ${seed}\n` }];
  const layers = [];
  for (const files of layerFiles) {
    const tar = tarOf(files);
    const blob = spec.uncompressed === true ? tar : gzipSync(tar, { level: 1 });
    const mediaType = spec.uncompressed === true ? MediaType.OciLayer : MediaType.OciLayerGzip;
    const desc = await writeBlob(store.content, `test-layer-${digestOf(blob)}`, blob, { digest: digestOf(blob), size: blob.length, mediaType }, opts);
    layers.push({ descriptor: { ...desc, mediaType }, diffId: digestOf(tar), uncompressedSize: tar.length });
  }
  const config = {
    created: spec.created ?? '2020-01-01T00:00:00Z',
    architecture: 'amd64',
    os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: spec.labels ?? {} },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: [{ created_by: `test image ${seed}` }],
  };
  const configBytes = Buffer.from(JSON.stringify(config));
  const configDesc = await writeBlob(store.content, `test-config-${digestOf(configBytes)}`, configBytes, {
    digest: digestOf(configBytes),
    size: configBytes.length,
    mediaType: MediaType.OciConfig,
  }, opts);
  const manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: configDesc.digest, size: configDesc.size },
    layers: layers.map((l) => ({ mediaType: l.descriptor.mediaType, digest: l.descriptor.digest, size: l.descriptor.size })),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDesc = await writeBlob(store.content, `test-manifest-${digestOf(manifestBytes)}`, manifestBytes, {
    digest: digestOf(manifestBytes),
    size: manifestBytes.length,
    mediaType: MediaType.OciManifest,
  }, opts);
  const input = {
    manifest: { ...manifestDesc, mediaType: MediaType.OciManifest },
    config: { ...configDesc, mediaType: MediaType.OciConfig },
    layers,
    names: spec.names ?? [],
    ...(spec.parent === undefined ? {} : { parent: spec.parent }),
  };
  return store.images.put(input);
}
