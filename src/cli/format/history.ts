/**
 * docker's `image history` view: history entries derived from an image config (newest first,
 * the top one carrying the image ID, the rest `<missing>`), and the table
 * `IMAGE CREATED CREATED BY SIZE COMMENT` with `-q`, `--no-trunc`, `-H=false` and `--format`
 * over `.ID .CreatedSince .CreatedAt .CreatedBy .Size .Comment`. Pure: data in, text out.
 */
import { writeFormatted } from './formatter.js';
import { goRFC3339 } from './go-time.js';
import { displayWidth } from './tabwriter.js';
import { humanDuration, imageSize } from './units.js';
import { TABLE_FORMAT_KEY } from './docker-template.js';
import { truncateID } from './image-list.js';

/** One history entry as docker's API returns it (`image.HistoryResponseItem`). */
export interface HistoryItem {
  id: string;
  /** Unix seconds (0 when unknown). */
  created: number;
  createdBy: string;
  tags: string[];
  size: number;
  comment: string;
}

/** The parts of an OCI/docker image config that history reads. */
export interface HistoryConfig {
  history?: Array<{ created?: string; created_by?: string; comment?: string; empty_layer?: boolean; author?: string }>;
}

/**
 * Builds docker's history items: one per config history entry, sized by its layer when it made
 * one, newest first; the newest carries `imageId` and `tags`, the others `<missing>`.
 * @param layerSizes uncompressed sizes of the image's layers, base first
 */
export function historyItems(config: HistoryConfig, layerSizes: readonly number[], imageId: string, tags: readonly string[]): HistoryItem[] {
  const items: HistoryItem[] = [];
  let layer = 0;
  for (const h of config.history ?? []) {
    let size = 0;
    if (h.empty_layer !== true) {
      size = layerSizes[layer] ?? 0;
      layer++;
    }
    const ms = h.created === undefined ? NaN : Date.parse(h.created);
    items.push({
      id: '<missing>',
      created: Number.isNaN(ms) ? 0 : Math.floor(ms / 1000),
      createdBy: h.created_by ?? '',
      tags: [],
      size,
      comment: h.comment ?? '',
    });
  }
  items.reverse();
  const top = items[0];
  if (top !== undefined) {
    top.id = imageId;
    top.tags = [...tags];
  }
  return items;
}

/**
 * docker's `formatter.Ellipsis`: cut to `max` display columns, the last one an ellipsis.
 */
export function ellipsis(s: string, max: number): string {
  if (max <= 0) return '';
  const runes = [...s];
  if (max === 1) return runes[0] ?? '';
  if (displayWidth(s) <= max) return s;
  let w = 0;
  let out = '';
  for (const r of runes) {
    const cw = displayWidth(r) || 1;
    if (w + cw > max - 1) break;
    out += r;
    w += cw;
  }
  return `${out}…`;
}

/** Images created before 2000 show `N/A` as their age (docker's epoch rule). */
const EPOCH_2000 = Date.UTC(2000, 0, 1) / 1000;

/** A history entry as templates see it (docker's `*image.historyContext`). */
export class HistoryContext {
  static goType = '*image.historyContext';
  readonly #h: HistoryItem;
  readonly #trunc: boolean;
  readonly #human: boolean;
  readonly #now: Date;

  constructor(h: HistoryItem, trunc: boolean, human: boolean, now: Date) {
    this.#h = h;
    this.#trunc = trunc;
    this.#human = human;
    this.#now = now;
  }
  ID(): string {
    return this.#trunc ? truncateID(this.#h.id) : this.#h.id;
  }
  CreatedAt(): string {
    return goRFC3339(new Date(this.#h.created * 1000));
  }
  CreatedSince(): string {
    if (!this.#human) return this.CreatedAt();
    if (this.#h.created <= EPOCH_2000) return 'N/A';
    return `${humanDuration(this.#now.getTime() - this.#h.created * 1000)} ago`;
  }
  CreatedBy(): string {
    const createdBy = this.#h.createdBy.replace(/\t/g, ' ');
    return this.#trunc ? ellipsis(createdBy, 45) : createdBy;
  }
  Size(): string {
    return this.#human ? imageSize(this.#h.size) : String(this.#h.size);
  }
  Comment(): string {
    return this.#h.comment;
  }
  toJSON(): Record<string, string> {
    return {
      Comment: this.Comment(),
      CreatedAt: this.CreatedAt(),
      CreatedBy: this.CreatedBy(),
      CreatedSince: this.CreatedSince(),
      ID: this.ID(),
      Size: this.Size(),
    };
  }
}

export const HISTORY_HEADERS: Readonly<Record<string, string>> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

export interface HistoryOptions {
  format?: string;
  quiet?: boolean;
  /** `-H` (default true). */
  human?: boolean;
  noTrunc?: boolean;
  now: Date;
}

/** docker's `newHistoryFormat`. */
export function historyFormat(source: string, quiet: boolean, human: boolean): string {
  if (source !== TABLE_FORMAT_KEY) return source;
  if (quiet) return '{{.ID}}';
  return human
    ? 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}'
    : 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
}

/**
 * Renders `image history` output.
 * @throws {FormatError}
 */
export function formatHistory(items: readonly HistoryItem[], options: HistoryOptions): string {
  const source = options.format === undefined || options.format === '' ? TABLE_FORMAT_KEY : options.format;
  const human = options.human !== false;
  const format = historyFormat(source, options.quiet === true, human);
  const trunc = options.noTrunc !== true;
  return writeFormatted(format, HISTORY_HEADERS, items.map((h) => new HistoryContext(h, trunc, human, options.now)));
}
