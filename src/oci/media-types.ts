/** Media types of the OCI image spec and of Docker's image manifest v2 schema 2. */

export const MediaType = {
  OciDescriptor: 'application/vnd.oci.descriptor.v1+json',
  OciLayoutHeader: 'application/vnd.oci.layout.header.v1+json',
  OciIndex: 'application/vnd.oci.image.index.v1+json',
  OciManifest: 'application/vnd.oci.image.manifest.v1+json',
  OciConfig: 'application/vnd.oci.image.config.v1+json',
  OciLayer: 'application/vnd.oci.image.layer.v1.tar',
  OciLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  OciLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  OciLayerNondistributable: 'application/vnd.oci.image.layer.nondistributable.v1.tar',
  OciLayerNondistributableGzip: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  OciLayerNondistributableZstd: 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  OciEmpty: 'application/vnd.oci.empty.v1+json',

  DockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  DockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  DockerConfig: 'application/vnd.docker.container.image.v1+json',
  DockerLayer: 'application/vnd.docker.image.rootfs.diff.tar',
  DockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  DockerLayerForeignGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  DockerPluginConfig: 'application/vnd.docker.plugin.v1+json',
  DockerManifestV1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
  DockerManifestV1: 'application/vnd.docker.distribution.manifest.v1+json',
} as const;

export type MediaTypeName = (typeof MediaType)[keyof typeof MediaType];

export type Compression = 'none' | 'gzip' | 'zstd';

export function isIndexMediaType(mt: string | undefined): boolean {
  return mt === MediaType.OciIndex || mt === MediaType.DockerManifestList;
}

export function isManifestMediaType(mt: string | undefined): boolean {
  return mt === MediaType.OciManifest || mt === MediaType.DockerManifest;
}

export function isConfigMediaType(mt: string | undefined): boolean {
  return mt === MediaType.OciConfig || mt === MediaType.DockerConfig;
}

export function isLayerMediaType(mt: string | undefined): boolean {
  if (mt === undefined) return false;
  return (
    mt.startsWith('application/vnd.oci.image.layer.') ||
    mt.startsWith('application/vnd.docker.image.rootfs.')
  );
}

/** The compression a layer media type declares. */
export function layerCompression(mt: string): Compression {
  if (mt.endsWith('+gzip') || mt.endsWith('.tar.gzip')) return 'gzip';
  if (mt.endsWith('+zstd')) return 'zstd';
  return 'none';
}

/** The layer media type for a manifest format and compression. */
export function layerMediaType(format: 'oci' | 'docker', compression: Compression): string {
  if (format === 'docker') {
    if (compression === 'zstd') return MediaType.OciLayerZstd; // docker accepts the OCI type for zstd
    return compression === 'gzip' ? MediaType.DockerLayerGzip : MediaType.DockerLayer;
  }
  if (compression === 'gzip') return MediaType.OciLayerGzip;
  if (compression === 'zstd') return MediaType.OciLayerZstd;
  return MediaType.OciLayer;
}
