/**
 * Loading image records from the DB: one query per table, assembled in memory, so `list()` of a few
 * hundred images costs a handful of statements rather than one per image. Internal to store/.
 */
import type { Digest } from '../oci/index.js';
import type { MetadataDb } from './db.js';
import type { ImageListEntry, ImageRecord, LayerRecord } from './types.js';

export interface ImageRow {
  id: string;
  manifest_digest: string;
  manifest_type: string;
  manifest_size: number;
  config_type: string;
  config_size: number;
  created: string | null;
  created_ms: number | null;
  labels: string;
  parent: string | null;
  architecture: string;
  os: string;
  variant: string | null;
  added_at: number;
  last_tag_time: number | null;
}

interface NameRow {
  name: string;
  tag: string | null;
  digest: string | null;
  image_id: string;
}

interface LayerRow {
  image_id: string;
  position: number;
  chain_id: string;
  digest: string;
  media_type: string;
  size: number;
  diff_id: string;
  uncompressed_size: number | null;
}

/** Loads image records: all of them, or those whose IDs are given. */
export function loadImages(db: MetadataDb, ids?: readonly string[]): ImageRecord[] {
  const s = db.sqlite;
  let imageRows: ImageRow[];
  let nameRows: NameRow[];
  let layerRows: LayerRow[];
  const layerSql = `SELECT il.image_id, il.position, il.chain_id, il.digest, il.media_type, il.size, l.diff_id, l.uncompressed_size
      FROM image_layers il JOIN layers l ON l.chain_id = il.chain_id`;
  if (ids === undefined) {
    imageRows = s.prepare('SELECT * FROM images').all() as ImageRow[];
    nameRows = s.prepare('SELECT name, tag, digest, image_id FROM names').all() as NameRow[];
    layerRows = s.prepare(`${layerSql} ORDER BY il.image_id, il.position`).all() as LayerRow[];
  } else {
    if (ids.length === 0) return [];
    const marks = ids.map(() => '?').join(',');
    imageRows = s.prepare(`SELECT * FROM images WHERE id IN (${marks})`).all(...ids) as ImageRow[];
    nameRows = s.prepare(`SELECT name, tag, digest, image_id FROM names WHERE image_id IN (${marks})`).all(...ids) as NameRow[];
    layerRows = s.prepare(`${layerSql} WHERE il.image_id IN (${marks}) ORDER BY il.image_id, il.position`).all(...ids) as LayerRow[];
  }
  const containers = new Map<string, number>();
  for (const r of s.prepare('SELECT image_id, COUNT(*) AS n FROM containers GROUP BY image_id').all() as { image_id: string; n: number }[]) {
    containers.set(r.image_id, r.n);
  }
  const children = new Map<string, number>();
  for (const r of s.prepare('SELECT parent, COUNT(*) AS n FROM images WHERE parent IS NOT NULL GROUP BY parent').all() as {
    parent: string;
    n: number;
  }[]) {
    children.set(r.parent, r.n);
  }
  const tags = new Map<string, string[]>();
  const digests = new Map<string, string[]>();
  for (const n of nameRows) {
    const m = n.tag !== null ? tags : digests;
    let list = m.get(n.image_id);
    if (list === undefined) m.set(n.image_id, (list = []));
    list.push(n.name);
  }
  const layers = new Map<string, LayerRecord[]>();
  for (const l of layerRows) {
    let list = layers.get(l.image_id);
    if (list === undefined) layers.set(l.image_id, (list = []));
    const rec: LayerRecord = {
      digest: l.digest as Digest,
      mediaType: l.media_type,
      size: l.size,
      diffId: l.diff_id as Digest,
      chainId: l.chain_id as Digest,
    };
    if (l.uncompressed_size !== null) rec.uncompressedSize = l.uncompressed_size;
    list.push(rec);
  }
  return imageRows.map((r) => {
    const ls = layers.get(r.id) ?? [];
    const repoTags = (tags.get(r.id) ?? []).sort();
    const rec: ImageRecord = {
      id: r.id as Digest,
      manifest: { mediaType: r.manifest_type, digest: r.manifest_digest as Digest, size: r.manifest_size },
      config: { mediaType: r.config_type, digest: r.id as Digest, size: r.config_size },
      layers: ls,
      repoTags,
      repoDigests: (digests.get(r.id) ?? []).sort(),
      size: ls.reduce((sum, l) => sum + (l.uncompressedSize ?? l.size), 0),
      labels: JSON.parse(r.labels) as Record<string, string>,
      architecture: r.architecture,
      os: r.os,
      addedAt: r.added_at,
      containers: containers.get(r.id) ?? 0,
      children: children.get(r.id) ?? 0,
      dangling: repoTags.length === 0,
    };
    if (r.created !== null) rec.created = r.created;
    if (r.created_ms !== null) rec.createdMs = r.created_ms;
    if (r.parent !== null) rec.parent = r.parent as Digest;
    if (r.variant !== null) rec.variant = r.variant;
    if (r.last_tag_time !== null) rec.lastTagTime = r.last_tag_time;
    return rec;
  });
}

/**
 * The listing query: one row per image, newest first (then by ID), with its size and content size
 * summed over its layers, its container and child counts, and its tag and digest names sorted and
 * joined by spaces (a name never contains one). Every per-image figure is a correlated subquery on
 * an index: `image_layers`' primary key (image_id, position), `containers(image_id)`,
 * `images(parent)`, `names(image_id)`. (The sums as a grouped subquery LEFT JOINed to the images
 * made SQLite materialize it and build an automatic index on every listing: 3 ms of a 1,000-row
 * listing's ~8 ms query, against 1 ms for the two subqueries.)
 */
function listingSql(labels: boolean): string {
  const layers = 'FROM image_layers il JOIN layers l ON l.chain_id = il.chain_id WHERE il.image_id = i.id';
  return `SELECT i.id, i.created_ms,
      COALESCE((SELECT SUM(COALESCE(l.uncompressed_size, il.size)) ${layers}), 0),
      i.manifest_size + i.config_size + COALESCE((SELECT SUM(il.size) FROM image_layers il WHERE il.image_id = i.id), 0),
      (SELECT group_concat(n.name, ' ' ORDER BY n.name) FROM names n WHERE n.image_id = i.id AND n.tag IS NOT NULL),
      (SELECT group_concat(n.name, ' ' ORDER BY n.name) FROM names n WHERE n.image_id = i.id AND n.tag IS NULL),
      (SELECT COUNT(*) FROM containers c WHERE c.image_id = i.id),
      (SELECT COUNT(*) FROM images k WHERE k.parent = i.id),
      ${labels ? 'i.labels' : 'NULL'}
    FROM images i
    ORDER BY COALESCE(i.created_ms, 0) DESC, i.id`;
}

type ListingRow = [string, number | null, number, number, string | null, string | null, number, number, string | null];

/** How much of the DB a listing maps (SQLite maps at most the file's size). */
const LISTING_MMAP_BYTES = 256 * 1024 * 1024;

/** Every image as `image ls` needs it, in one statement (see listingSql). */
export function loadImageListing(db: MetadataDb, options: { labels?: boolean } = {}): ImageListEntry[] {
  // The query reads most of the DB's pages once. Memory-mapped, they are the page cache's own pages
  // (a fault per 16 pages, nothing copied) instead of a pread each into memory SQLite allocates,
  // which is fresh memory, slow to touch on some machines (~20 us a page on a Firecracker VM).
  db.sqlite.pragma(`mmap_size = ${LISTING_MMAP_BYTES}`);
  const rows = db.sqlite.prepare(listingSql(options.labels === true)).raw(true).all() as ListingRow[];
  const out: ImageListEntry[] = new Array<ImageListEntry>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    // Indexed reads: array destructuring runs the iterator protocol, an object per element until
    // V8 optimizes the loop (a listing ends long before).
    const row = rows[i] as ListingRow;
    const id = row[0];
    const createdMs = row[1];
    const size = row[2];
    const contentSize = row[3];
    const tags = row[4];
    const digests = row[5];
    const containers = row[6];
    const children = row[7];
    const labels = row[8];
    const e: ImageListEntry = {
      id: id as Digest,
      size,
      contentSize,
      repoTags: tags === null ? [] : tags.split(' '),
      repoDigests: digests === null ? [] : digests.split(' '),
      labels: labels === null ? {} : (JSON.parse(labels) as Record<string, string>),
      containers,
      children,
    };
    if (createdMs !== null) e.createdMs = createdMs;
    out[i] = e;
  }
  return out;
}
