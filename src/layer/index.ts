/**
 * layer/ — the bytes of layers: a filesystem change → an OCI layer tar (with whiteouts), and a
 * layer tar → a directory, safely; compression and the digests computed on the way.
 *
 * Owns: the PAX tar codec (`readTar`, `writeTar`), OCI ↔ overlay whiteout translation, in-root
 * path resolution (`resolveInRoot`), `applyLayer` and `createLayer`. Knows nothing of where trees
 * come from (snapshots, build steps) or where layers go (the content store): callers hand it a
 * stream and a directory, or directories and a sink.
 *
 * @example
 * ```ts
 * import { createLayer, applyLayer } from '../layer/index.js';
 * // commit an overlay container: upper dir → uncompressed layer (digest = diffID) in one pass,
 * // straight into a content store writer (a BlobSink); push gzips it later (gzip-form.ts)
 * const layer = await createLayer({ kind: 'overlay', upper, lowers }, writer, { compression: 'none', signal });
 * // unpack a pulled layer into a fresh overlay lowerdir
 * const { diffId } = await applyLayer(blobReader, lowerDir, { mode: 'overlay', signal });
 * ```
 */
export { applyLayer, normalizeEntryPath, DEFAULT_APPLY_LIMITS, type ApplyOptions, type ApplyResult, type ApplyLimits } from './apply.js';
export { createLayer, entryType, layerEntries, UnsupportedUpperError, type LayerSource, type CreateLayerOptions } from './diff.js';
export { writeLayer, coalesce, sourceDateEpochFromEnv, type BlobSink, type LayerSink, type WriteLayerOptions, type WrittenLayer } from './layer-writer.js';
export { decompress, detectCompression, gzipParallel, peek, zstdCompress, type GzipOptions } from './compression.js';
export { gzipForm, gzipLayerMediaType, replaceLayerDescriptors, replaceLayers, type GzipForm } from './gzip-form.js';
export { lstatIfAny, resolveInRoot, MAX_SYMLINK_HOPS, type ResolveOptions, type RootView } from './safe-path.js';
export { OverlayUpperTree, type MergedEntry } from './overlay-view.js';
export {
  classifyWhiteout, whiteoutPath, opaquePath, isOverlayWhiteout, isOverlayOpaque, makeOverlayWhiteout, markOverlayOpaque,
  isOverlayXattr, WHITEOUT_PREFIX, WHITEOUT_OPAQUE, WHITEOUT_META_PREFIX, OVERLAY_OPAQUE_XATTR, type WhiteoutKind,
} from './whiteout.js';
export { LayerFormatError, UnsafeEntryError, type LayerFormatCode, type LayerWarning } from './errors.js';
export { readTar, DEFAULT_TAR_LIMITS, type TarEntry, type TarReadOptions, type TarReadLimits } from './tar/reader.js';
export { writeTar, encodeHeader, END_OF_ARCHIVE, type TarWriterEntry, type TarWriteOptions } from './tar/writer.js';
export type { TarHeader, TarEntryType } from './tar/header.js';
