/**
 * docker's newer `image ls` view (`--tree`, docker CLI 29's tree table) in its plain form, as
 * docker prints it when stdout is not a terminal:
 *
 * ```
 * IMAGE            ID             DISK USAGE   CONTENT SIZE   EXTRA
 * myimage:latest   87428fc52280           0B             0B
 * ```
 *
 * One row per tag (sorted; untagged images last as `<untagged>`), the name column as wide as the
 * widest name, sizes right-aligned, and an EXTRA column of chips (`U` for images in use).
 */
import { displayWidth } from './tabwriter.js';
import { truncateID } from './image-list.js';
import { imageSize } from './units.js';

/** One image for the tree view. */
export interface TreeImage {
  id: string;
  /** Familiar `repo:tag` names. */
  repoTags: readonly string[];
  /** Disk usage (unpacked size), bytes. */
  size: number;
  /** Content size (stored blobs), bytes. */
  contentSize: number;
  containers: number;
}

const UNTAGGED = '<untagged>';
const SPACING = '   ';

interface Row {
  name: string | undefined;
  id: string;
  diskUsage: string;
  contentSize: string;
  inUse: boolean;
}

function padLeft(s: string, width: number): string {
  return ' '.repeat(Math.max(width - displayWidth(s), 0)) + s;
}

function padRight(s: string, width: number): string {
  return s + ' '.repeat(Math.max(width - displayWidth(s), 0));
}

/** Renders the tree view's plain table. */
export function formatImageTree(images: readonly TreeImage[]): string {
  const rows: Row[] = [];
  for (const img of images) {
    const base = {
      id: truncateID(img.id),
      diskUsage: imageSize(img.size),
      contentSize: imageSize(img.contentSize),
      inUse: img.containers > 0,
    };
    const tags = [...img.repoTags].sort();
    if (tags.length === 0) rows.push({ ...base, name: undefined });
    for (const t of tags) rows.push({ ...base, name: t });
  }
  rows.sort((a, b) => {
    if ((a.name === undefined) !== (b.name === undefined)) return a.name === undefined ? 1 : -1;
    const na = a.name ?? '';
    const nb = b.name ?? '';
    return na < nb ? -1 : na > nb ? 1 : 0;
  });
  const chips = rows.some((r) => r.inUse) ? ['U'] : [];
  const extraWidth = Math.max('Extra'.length, chips.length);
  const nameWidth = Math.max('Image'.length, ...rows.map((r) => (r.name ?? UNTAGGED).length));
  let out = [padRight('IMAGE', nameWidth), padRight('ID', 12), padRight('DISK USAGE', 10), padRight('CONTENT SIZE', 12), padRight('EXTRA', extraWidth)].join(SPACING);
  out += '\n';
  for (const r of rows) {
    const name = r.name ?? UNTAGGED;
    let line = name.length > nameWidth ? `${name}\n${' '.repeat(nameWidth)}` : padRight(name, nameWidth);
    const extra = chips.map(() => (r.inUse ? 'U' : ' ')).join('');
    line += SPACING + padRight(r.id, 12) + SPACING + padLeft(r.diskUsage, 10) + SPACING + padLeft(r.contentSize, 12) + SPACING + padRight(extra, extraWidth);
    out += `${line}\n`;
  }
  return out;
}
