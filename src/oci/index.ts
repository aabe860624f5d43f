/**
 * oci/ — the model of the OCI image spec: digests, descriptors, media types, manifests, indexes,
 * image configs, references and platforms. Pure: it knows nothing of disks, processes or the network.
 *
 * @example
 * ```ts
 * import { parseDigest, digestOf, chainIds } from '../oci/index.js';
 * const id = digestOf(configBytes); // the image ID
 * ```
 */
export * from './digest.js';
export * from './media-types.js';
export * from './descriptor.js';
export * from './manifest.js';
export * from './image-config.js';
export * from './reference.js';
export * from './path-match.js';
export * from './platform.js';
export * from './layout.js';
export * from './validate.js';
export * from './encode.js';
