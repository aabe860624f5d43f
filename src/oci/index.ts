/**
 * oci/ — the model of the OCI image spec: digests, descriptors, media types, manifests, indexes,
 * image configs, references and platforms. Pure: it knows nothing of disks, processes or the network.
 *
 * - `reference.ts`: image references as docker parses them (`debian` → `docker.io/library/debian:latest`).
 * - `platform.ts`: `--platform` strings and containerd's matchers; which index entry this machine runs.
 * - `validate.ts`: checks every document gantry reads (manifest, index, config, OCI layout, docker-archive).
 * - `encode.ts`: deterministic bytes for the documents gantry writes.
 *
 * @example
 * ```ts
 * import { parseDockerRef, parseManifestOrIndex, bestMatch, hostPlatform, digestOf } from '../oci/index.js';
 * const ref = parseDockerRef('busybox');                 // docker.io/library/busybox:latest
 * const doc = parseManifestOrIndex(bytes, mediaType);     // validated
 * if (doc.kind === 'index') bestMatch(doc.index.manifests, hostPlatform());
 * const id = digestOf(configBytes);                       // the image ID
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
