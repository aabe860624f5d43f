/**
 * Unpacking an image's layers into committed snapshots named by chainID, once per layer: images
 * that share a base share its unpacked trees, and a layer is never extracted twice, except a tree
 * that a crash may have damaged (written before the last boot: see `needsRenewal`), which is
 * extracted again in place. Two processes that unpack the same layer at once both succeed; the
 * first commit wins (see `commit`).
 */
import { randomBytes } from 'node:crypto';
import { applyLayer } from '../layer/index.js';
import type { Digest } from '../oci/index.js';
import { DataLossError } from '../errors.js';
import { verifiedStream, type ContentProvider, type LayerRecord } from '../store/index.js';
import type { Snapshotter } from './snapshotter.js';

export interface UnpackOptions {
  signal?: AbortSignal;
  lease?: string;
  /** Called before each layer that needs extracting (for progress). */
  onLayer?: (layer: LayerRecord, index: number) => void;
}

export class LayerDiffIdMismatchError extends DataLossError {
  constructor(layer: Digest, expected: Digest, actual: Digest) {
    super('DIFFID_MISMATCH', `Cannot unpack layer ${layer}: its content has diffID ${actual}, the image says ${expected}`);
  }
}

/**
 * Makes sure every layer of `layers` (base first) is a committed snapshot named by its chainID.
 * @returns the chainID of the top layer (the parent for a container or step), or undefined for no layers
 */
export async function unpackLayers(
  content: ContentProvider,
  snapshotter: Snapshotter,
  layers: readonly LayerRecord[],
  options: UnpackOptions = {},
): Promise<Digest | undefined> {
  let parent: Digest | undefined;
  for (const [i, layer] of layers.entries()) {
    const existing = snapshotter.stat(layer.chainId);
    if (existing?.kind === 'committed' && !snapshotter.needsRenewal(layer.chainId)) {
      parent = layer.chainId;
      continue;
    }
    options.onLayer?.(layer, i);
    const key = `extract-${randomBytes(6).toString('hex')}-${layer.chainId}`;
    await snapshotter.prepare(key, parent, options.lease === undefined ? {} : { lease: options.lease });
    try {
      const reader = await content.reader(layer, options.signal === undefined ? {} : { signal: options.signal });
      try {
        const source = verifiedStream(reader.stream(options.signal === undefined ? {} : { signal: options.signal }), layer);
        const applied = await applyLayer(source, snapshotter.upperDir(key), {
          mode: snapshotter.driver === 'overlay' ? 'overlay' : 'flatten',
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        if (applied.diffId !== layer.diffId) throw new LayerDiffIdMismatchError(layer.digest, layer.diffId, applied.diffId);
      } finally {
        await reader.close();
      }
      // A tree that needs renewal is replaced by this one (see `commit`).
      await snapshotter.commit(layer.chainId, key);
    } catch (err) {
      await snapshotter.remove(key).catch(() => {});
      throw err;
    }
    parent = layer.chainId;
  }
  return parent;
}
