/** The OCI content descriptor and the platform object it may carry. */
import type { Digest } from './digest.js';

/** An OCI platform, as it appears in an index entry or an image config. */
export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  features?: string[];
}

/** Points at content by digest: the unit of reference between manifests, configs and layers. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  data?: string;
  artifactType?: string;
  platform?: Platform;
}

/** A descriptor without its optional parts, for comparing identity. */
export function sameContent(a: Descriptor, b: Descriptor): boolean {
  return a.digest === b.digest && a.size === b.size;
}
