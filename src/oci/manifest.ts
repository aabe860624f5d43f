/** Image manifests and indexes (OCI, and Docker v2 schema 2 / manifest lists, which share the shape). */
import type { Descriptor } from './descriptor.js';

export interface Manifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

export interface Index {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** Annotation keys gantry reads and writes. */
export const Annotation = {
  RefName: 'org.opencontainers.image.ref.name',
  Created: 'org.opencontainers.image.created',
  /** containerd's full image name, written by Docker 25+ in `docker save` index.json. */
  ContainerdImageName: 'io.containerd.image.name',
} as const;
