/**
 * The gzip form of a layer stored uncompressed: which media type it takes, and the manifest that
 * names it. Layers gantry makes are stored as plain tars (ARCHITECTURE.md "Layers"); where they
 * leave for a consumer that expects compressed layers (a registry, an OCI layout export) they are
 * gzip'd with `gzipParallel` — deterministic, so the same layer always gets the same digest — and
 * the manifest is rewritten to name the compressed descriptors.
 */
import { Digester, encodeManifest, MediaType, type Descriptor, type Digest, type Manifest } from '../oci/index.js';
import { gzipParallel } from './gzip-parallel.js';
import { tap } from './layer-writer.js';

/**
 * The media type an uncompressed layer takes gzip'd, in its own family (OCI stays OCI, docker's
 * stays docker's), or undefined when `stored` is not an uncompressed layer type.
 */
export function gzipLayerMediaType(stored: string): string | undefined {
  switch (stored) {
    case MediaType.OciLayer:
      return MediaType.OciLayerGzip;
    case MediaType.OciLayerNondistributable:
      return MediaType.OciLayerNondistributableGzip;
    case MediaType.DockerLayer:
      return MediaType.DockerLayerGzip;
    default:
      return undefined;
  }
}

/** A layer being gzip'd: the compressed chunks, and their descriptor once they have all been read. */
export interface GzipForm {
  chunks: AsyncGenerator<Uint8Array>;
  /** The compressed blob's descriptor as `mediaType`; call once, after `chunks` has ended. */
  descriptor(): Descriptor;
}

/** Gzips the uncompressed layer `source` with `gzipParallel`, digesting the compressed bytes on the way. */
export function gzipForm(source: AsyncIterable<Uint8Array>, mediaType: string): GzipForm {
  const digester = new Digester('sha256');
  return {
    chunks: tap(gzipParallel(source), digester),
    descriptor: () => ({ mediaType, digest: digester.digest(), size: digester.size }),
  };
}

/** `layers` with those at the keys of `replaced` taking its media type, digest and size (other fields kept). */
export function replaceLayers<T extends { mediaType: string; digest: Digest; size: number }>(layers: readonly T[], replaced: ReadonlyMap<number, Descriptor>): T[] {
  return layers.map((l, i) => {
    const r = replaced.get(i);
    return r === undefined ? l : { ...l, mediaType: r.mediaType, digest: r.digest, size: r.size };
  });
}

/**
 * A manifest with the layers at the keys of `replaced` swapped for the given descriptors (media
 * type, digest, size; annotations and URLs kept). With nothing replaced, the bytes as they are, so
 * an image whose layers are all compressed keeps its manifest digest.
 */
export function replaceLayerDescriptors(stored: Uint8Array, replaced: ReadonlyMap<number, Descriptor>): Buffer {
  if (replaced.size === 0) return Buffer.from(stored);
  const m = JSON.parse(Buffer.from(stored).toString('utf8')) as Manifest;
  m.layers = replaceLayers(m.layers, replaced);
  return encodeManifest(m);
}
