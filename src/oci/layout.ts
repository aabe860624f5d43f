/**
 * The on-disk image formats gantry reads and writes besides its own store: the OCI image layout
 * (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) and docker-archive (`docker save`'s
 * `manifest.json`, which Docker 25+ writes beside an OCI layout in the same tar).
 */

/** The `oci-layout` file's content. */
export interface OciLayoutHeader {
  imageLayoutVersion: '1.0.0';
}

export const OCI_LAYOUT_VERSION = '1.0.0';
export const OCI_LAYOUT_FILE = 'oci-layout';
export const OCI_INDEX_FILE = 'index.json';
export const OCI_BLOBS_DIR = 'blobs';

/** One image of a docker-archive `manifest.json` (moby's `tarexport.manifestItem`). */
export interface DockerArchiveManifestEntry {
  /** Path of the image config inside the archive (`<hex>.json`, or `blobs/sha256/<hex>` since Docker 25). */
  Config: string;
  /** Tags in familiar form (`busybox:latest`); null or absent for an untagged image. */
  RepoTags?: string[] | null;
  /** Paths of the layer tars, lowest first. */
  Layers: string[];
  Parent?: string;
  /** Descriptors of layers that are not in the archive (foreign layers), by diffID. */
  LayerSources?: Record<string, import('./descriptor.js').Descriptor>;
}

export const DOCKER_ARCHIVE_MANIFEST_FILE = 'manifest.json';
