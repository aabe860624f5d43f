/**
 * Where the registry keeps things, as logical driver paths. The layout, under `--root`:
 *
 * ```
 * <root>
 * ├── blobs/<alg>/<first 2 hex>/<hex>          blob bytes (layers, configs, manifests); immutable,
 * │                                             named by digest, written only by verified rename
 * ├── repositories/<name…>/                    a repository (its name may hold `/`: nested dirs)
 * │   ├── _layers/<alg>/<hex>                  link: the repository may serve this blob
 * │   ├── _manifests/
 * │   │   ├── revisions/<alg>/<hex>            link: a manifest of this repository; content is
 * │   │   │                                     `<digest>\n<media type>\n`
 * │   │   └── tags/<tag>                       link: the digest the tag points at
 * │   ├── _referrers/<alg>/<subject hex>/<alg>-<hex>
 * │   │                                         the referrer's descriptor (JSON) for the referrers API
 * │   └── _uploads/<uuid>/
 * │       ├── data                             bytes received so far (appended by PATCH/PUT)
 * │       └── startedat                        ISO time the upload began (stale uploads are purged)
 * ├── _tmp/                                    staging for atomic file replacement (fs driver)
 * ├── _trash/                                  blobs gc has set aside while re-checking them
 * └── gc.lock                                  held by a running `registry gc`
 * ```
 *
 * Repository path components match `[a-z0-9]+…` (see `names.ts`), so they never begin with `_`:
 * the `_`-prefixed names above cannot collide with a repository.
 */
import { digestAlgorithm, digestHex, type Digest } from '../../../oci/index.js';

export const BLOBS = '/blobs';
export const REPOSITORIES = '/repositories';
export const TRASH = '/_trash';
export const GC_LOCK = '/gc.lock';

export function blobPath(d: Digest): string {
  const hex = digestHex(d);
  return `${BLOBS}/${digestAlgorithm(d)}/${hex.slice(0, 2)}/${hex}`;
}

export function repositoryPath(name: string): string {
  return `${REPOSITORIES}/${name}`;
}

export function layerLinkPath(name: string, d: Digest): string {
  return `${repositoryPath(name)}/_layers/${digestAlgorithm(d)}/${digestHex(d)}`;
}

export function layersPath(name: string): string {
  return `${repositoryPath(name)}/_layers`;
}

export function manifestsPath(name: string): string {
  return `${repositoryPath(name)}/_manifests`;
}

export function revisionsPath(name: string): string {
  return `${manifestsPath(name)}/revisions`;
}

export function revisionLinkPath(name: string, d: Digest): string {
  return `${revisionsPath(name)}/${digestAlgorithm(d)}/${digestHex(d)}`;
}

export function tagsPath(name: string): string {
  return `${manifestsPath(name)}/tags`;
}

export function tagLinkPath(name: string, tag: string): string {
  return `${tagsPath(name)}/${tag}`;
}

export function referrersPath(name: string, subject: Digest): string {
  return `${repositoryPath(name)}/_referrers/${digestAlgorithm(subject)}/${digestHex(subject)}`;
}

export function referrerEntryPath(name: string, subject: Digest, referrer: Digest): string {
  return `${referrersPath(name, subject)}/${digestAlgorithm(referrer)}-${digestHex(referrer)}`;
}

export function uploadsPath(name: string): string {
  return `${repositoryPath(name)}/_uploads`;
}

export function uploadPath(name: string, uuid: string): string {
  return `${uploadsPath(name)}/${uuid}`;
}

export function uploadDataPath(name: string, uuid: string): string {
  return `${uploadPath(name, uuid)}/data`;
}

export function uploadStartedAtPath(name: string, uuid: string): string {
  return `${uploadPath(name, uuid)}/startedat`;
}
