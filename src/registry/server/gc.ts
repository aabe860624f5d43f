/**
 * `registry gc`: removes blobs nothing refers to, optionally untagged manifests, and stale uploads.
 *
 * Mark: for each repository, the roots are its manifest revisions (with `deleteUntagged`, only the
 * tagged ones, plus revisions younger than the grace period); from a manifest we reach its config
 * and layers, an index's manifests, and the manifests whose subject it is (referrers live as long as
 * what they refer to). Sweep: every blob not marked is deleted, unless it is younger than the grace
 * period.
 *
 * Why a grace period rather than stopping the registry (distribution requires read-only mode): a
 * push is many requests (blobs first, the manifest last), so between them the new blobs are
 * referenced by nothing, and a lock held for one request cannot protect them. Instead:
 * - a blob is "young" by its mtime; uploads create it fresh;
 * - every server path that lets a client rely on an existing blob refreshes its mtime: a blob HEAD
 *   (clients skip uploading what exists), a mount, a dedup upload (rename over it) and a manifest
 *   PUT (for each blob it references);
 * - the sweep first renames a candidate into `_trash/` (atomic), re-reads its mtime there, and only
 *   then deletes it; if it was refreshed in between it goes back. A refresh that comes after the
 *   rename fails (the blob is gone), so the server treats the blob as unknown: the manifest PUT gets
 *   MANIFEST_BLOB_UNKNOWN and the client uploads it again. No interleaving leaves a manifest pointing
 *   at a deleted blob; the worst case is a retry.
 * `gc.lock` keeps two gc runs apart; it is created exclusively and names the holder's pid (a lock
 * whose process is gone is taken over).
 */
import { isDigest, parseDigest, type Digest } from '../../oci/index.js';
import { checkManifest } from './manifest-check.js';
import { mark } from './gc-mark.js';
import type { StorageDriver } from './storage/driver.js';
import { listOrEmpty, readOrUndefined, statOrUndefined } from './storage/links.js';
import {
  BLOBS,
  blobPath,
  layerLinkPath,
  layersPath,
  REPOSITORIES,
  referrerEntryPath,
  referrersPath,
  revisionLinkPath,
  revisionsPath,
  tagLinkPath,
  tagsPath,
  TRASH,
  uploadDataPath,
  uploadPath,
  uploadStartedAtPath,
  uploadsPath,
} from './storage/paths.js';
import { TMP_DIR } from './storage/fs-driver.js';

export interface GcOptions {
  dryRun?: boolean;
  deleteUntagged?: boolean;
  /** Blobs and manifests modified more recently than this are kept (ms; default one hour). */
  graceMs?: number;
  /** Uploads idle longer than this are removed (ms; default 24 hours). */
  uploadMaxAgeMs?: number;
  now?: Date;
  /** Progress lines (`marking …`, `deleting …`). */
  onLog?: (line: string) => void;
}

export interface GcReport {
  dryRun: boolean;
  repositories: number;
  markedBlobs: number;
  deletedBlobs: { digest: Digest; size: number }[];
  deletedManifests: { name: string; digest: Digest }[];
  purgedUploads: { name: string; uuid: string }[];
  keptYoung: number;
  freedBytes: number;
}

type Node = string; // `b:<digest>` a blob, `m:<repository>@<digest>` a manifest of a repository

interface RepoInfo {
  name: string;
  revisions: Digest[];
  tagged: Set<string>;
  young: Set<string>;
}

export async function collectGarbage(driver: StorageDriver, options: GcOptions = {}): Promise<GcReport> {
  const now = (options.now ?? new Date()).getTime();
  const grace = options.graceMs ?? 60 * 60 * 1000;
  const uploadMaxAge = options.uploadMaxAgeMs ?? 24 * 60 * 60 * 1000;
  const dry = options.dryRun === true;
  const say = options.onLog ?? (() => {});
  const report: GcReport = {
    dryRun: dry,
    repositories: 0,
    markedBlobs: 0,
    deletedBlobs: [],
    deletedManifests: [],
    purgedUploads: [],
    keptYoung: 0,
    freedBytes: 0,
  };

  if (!dry) await restoreTrash(driver);

  const repos: RepoInfo[] = [];
  for (const name of await walkRepositories(driver)) {
    report.repositories++;
    const revisions: Digest[] = [];
    const young = new Set<string>();
    for (const alg of await listOrEmpty(driver, revisionsPath(name))) {
      for (const hex of await listOrEmpty(driver, `${revisionsPath(name)}/${alg}`)) {
        const d = `${alg}:${hex}`;
        if (!isDigest(d)) continue;
        revisions.push(d);
        const st = await statOrUndefined(driver, revisionLinkPath(name, d));
        if (st !== undefined && now - st.modTime.getTime() < grace) young.add(d);
      }
    }
    const tagged = new Set<string>();
    for (const tag of await listOrEmpty(driver, tagsPath(name))) {
      const link = (await readOrUndefined(driver, tagLinkPath(name, tag)))?.trim();
      if (link !== undefined && isDigest(link)) tagged.add(link);
    }
    repos.push({ name, revisions, tagged, young });

    for (const uuid of await listOrEmpty(driver, uploadsPath(name))) {
      // Idle time from the files' mtimes: `startedat` when it began, `data` when it last grew.
      const started = await statOrUndefined(driver, uploadStartedAtPath(name, uuid));
      const data = await statOrUndefined(driver, uploadDataPath(name, uuid));
      const lastActive = Math.max(started?.modTime.getTime() ?? 0, data?.modTime.getTime() ?? 0);
      if (now - lastActive <= uploadMaxAge) continue;
      say(`${dry ? 'would purge' : 'purging'} upload ${name} ${uuid}`);
      report.purgedUploads.push({ name, uuid });
      if (!dry) await driver.delete(uploadPath(name, uuid));
    }
  }

  // Reading each manifest once: its references, by digest.
  const parsed = new Map<string, { blobs: Digest[]; manifests: Digest[] }>();
  const refsOfManifest = async (d: Digest): Promise<{ blobs: Digest[]; manifests: Digest[] }> => {
    const hit = parsed.get(d);
    if (hit !== undefined) return hit;
    let refs = { blobs: [] as Digest[], manifests: [] as Digest[] };
    try {
      const body = await driver.getContent(blobPath(d));
      const checked = checkManifest(body, '');
      refs = { blobs: checked.blobs.map((x) => x.digest), manifests: checked.manifests.map((x) => x.digest) };
    } catch {
      // An unreadable manifest still keeps its own blob; it refers to nothing we can see.
    }
    parsed.set(d, refs);
    return refs;
  };

  // Build the graph (async reads first), then mark (pure).
  const edges = new Map<Node, Node[]>();
  const roots: Node[] = [];
  for (const repo of repos) {
    const revisionSet = new Set<string>(repo.revisions);
    for (const d of repo.revisions) {
      const node = `m:${repo.name}@${d}`;
      const refs = await refsOfManifest(d);
      const out: Node[] = [`b:${d}`, ...refs.blobs.map((b) => `b:${b}`)];
      for (const child of refs.manifests) if (revisionSet.has(child)) out.push(`m:${repo.name}@${child}`);
      for (const entry of await listOrEmpty(driver, referrersPath(repo.name, d))) {
        const referrer = entry.replace('-', ':');
        if (revisionSet.has(referrer)) out.push(`m:${repo.name}@${referrer}`);
      }
      edges.set(node, out);
      if (options.deleteUntagged !== true || repo.tagged.has(d) || repo.young.has(d)) roots.push(node);
    }
  }
  say(`marking from ${roots.length} manifests in ${repos.length} repositories`);
  const marked = mark(roots, (n) => edges.get(n) ?? []);

  for (const repo of repos) {
    for (const d of repo.revisions) {
      if (marked.has(`m:${repo.name}@${d}`)) continue;
      say(`${dry ? 'would delete' : 'deleting'} manifest ${repo.name}@${d}`);
      report.deletedManifests.push({ name: repo.name, digest: d });
      if (!dry) await deleteRevision(driver, repo.name, d);
    }
  }

  const markedBlobs = new Set<string>();
  for (const n of marked) if (n.startsWith('b:')) markedBlobs.add(n.slice(2));
  report.markedBlobs = markedBlobs.size;

  const deleted = new Set<string>();
  for (const alg of await listOrEmpty(driver, BLOBS)) {
    for (const prefix of await listOrEmpty(driver, `${BLOBS}/${alg}`)) {
      for (const hex of await listOrEmpty(driver, `${BLOBS}/${alg}/${prefix}`)) {
        const d = `${alg}:${hex}`;
        if (!isDigest(d) || markedBlobs.has(d)) continue;
        const st = await statOrUndefined(driver, blobPath(d));
        if (st === undefined) continue;
        if (now - st.modTime.getTime() < grace) {
          report.keptYoung++;
          continue;
        }
        if (!dry && !(await sweepBlob(driver, d, grace))) {
          report.keptYoung++;
          continue;
        }
        say(`${dry ? 'would delete' : 'deleting'} blob ${d}`);
        report.deletedBlobs.push({ digest: d, size: st.size });
        report.freedBytes += st.size;
        deleted.add(d);
      }
    }
  }

  if (!dry) {
    // Links to blobs that are gone would make a repository claim what it cannot serve.
    for (const repo of repos) {
      for (const alg of await listOrEmpty(driver, layersPath(repo.name))) {
        for (const hex of await listOrEmpty(driver, `${layersPath(repo.name)}/${alg}`)) {
          const d = `${alg}:${hex}`;
          if (deleted.has(d)) await driver.delete(layerLinkPath(repo.name, d as Digest));
        }
      }
    }
    for (const name of await listOrEmpty(driver, TMP_DIR)) {
      const st = await statOrUndefined(driver, `${TMP_DIR}/${name}`);
      if (st !== undefined && now - st.modTime.getTime() > grace) await driver.delete(`${TMP_DIR}/${name}`);
    }
  }
  return report;
}

/**
 * Sets a blob aside, re-checks it was not refreshed meanwhile, then deletes it.
 * @returns false when the blob was put back (a client started relying on it)
 */
async function sweepBlob(driver: StorageDriver, d: Digest, grace: number): Promise<boolean> {
  const trashed = `${TRASH}/${d.replace(':', '-')}`;
  try {
    await driver.move(blobPath(d), trashed);
  } catch {
    return false; // gone already, or moved by someone else
  }
  const st = await statOrUndefined(driver, trashed);
  if (st !== undefined && Date.now() - st.modTime.getTime() < grace) {
    await driver.move(trashed, blobPath(d));
    return false;
  }
  await driver.delete(trashed);
  return true;
}

/** Puts back blobs a crashed gc left in `_trash/`: they are judged again from scratch. */
async function restoreTrash(driver: StorageDriver): Promise<void> {
  for (const entry of await listOrEmpty(driver, TRASH)) {
    const d = entry.replace('-', ':');
    if (!isDigest(d)) continue;
    if ((await statOrUndefined(driver, blobPath(d))) === undefined) await driver.move(`${TRASH}/${entry}`, blobPath(d));
    else await driver.delete(`${TRASH}/${entry}`);
  }
}

async function deleteRevision(driver: StorageDriver, name: string, d: Digest): Promise<void> {
  let subject: Digest | undefined;
  try {
    const doc = JSON.parse((await driver.getContent(blobPath(d))).toString('utf8')) as { subject?: { digest?: string } };
    if (typeof doc.subject?.digest === 'string') subject = parseDigest(doc.subject.digest);
  } catch {
    subject = undefined;
  }
  if (subject !== undefined) await driver.delete(referrerEntryPath(name, subject, d));
  await driver.delete(revisionLinkPath(name, d));
}

/** Every repository directory (with manifests, layers or uploads), by walking `repositories/`. */
async function walkRepositories(driver: StorageDriver): Promise<string[]> {
  const out: string[] = [];
  const walk = async (path: string, name: string): Promise<void> => {
    const entries = await listOrEmpty(driver, path);
    if (name !== '' && entries.some((e) => e.startsWith('_'))) out.push(name);
    for (const e of entries) if (!e.startsWith('_') && !e.startsWith('.')) await walk(`${path}/${e}`, name === '' ? e : `${name}/${e}`);
  };
  await walk(REPOSITORIES, '');
  return out.sort();
}

