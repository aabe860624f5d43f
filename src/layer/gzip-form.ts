/**
 * The gzip form of a layer stored uncompressed: which media type it takes, and the manifest that
 * names it. Layers gantry makes are stored as plain tars (ARCHITECTURE.md "Layers"); where they
 * leave for a consumer that expects compressed layers (a registry, an OCI layout export) they are
 * gzip'd with `gzipParallel` — deterministic, so the same layer always gets the same digest — and
 * the manifest is rewritten to name the compressed descriptors.
 */
import { encodeManifest, MediaType, type Descriptor, type Manifest } from '../oci/index.js';

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

/**
 * A manifest with the layers at the keys of `replaced` swapped for the given descriptors (media
 * type, digest, size; annotations and URLs kept). With nothing replaced, the bytes as they are, so
 * an image whose layers are all compressed keeps its manifest digest.
 */
export function replaceLayerDescriptors(stored: Uint8Array, replaced: ReadonlyMap<number, Descriptor>): Buffer {
  if (replaced.size === 0) return Buffer.from(stored);
  const m = JSON.parse(Buffer.from(stored).toString('utf8')) as Manifest;
  m.layers = m.layers.map((l, i) => {
    const r = replaced.get(i);
    return r === undefined ? l : { ...l, mediaType: r.mediaType, digest: r.digest, size: r.size };
  });
  return encodeManifest(m);
}
