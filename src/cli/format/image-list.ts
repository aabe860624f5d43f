/**
 * docker's classic `image ls` view: the default table `REPOSITORY TAG IMAGE ID CREATED SIZE`
 * (`DIGEST` with `--digests`), `-q`, `--no-trunc`, `raw`, `json` and custom `--format`
 * templates over docker's image fields (`.ID .Repository .Tag .Digest .CreatedSince .CreatedAt
 * .Size .Containers .SharedSize .UniqueSize`). Pure: images in, text out.
 *
 * One image becomes one row per repository:tag (and per digest when digests are shown), as
 * docker's `imageFormatTaggedAndDigest` expands it; an image without names is one `<none>` row.
 */
import { familiarName, type FamiliarParts, isValidTag, parseNormalizedNamed, splitNormalizedName, type Reference } from '../../oci/index.js';
import { goTimeString } from './go-time.js';
import { RAW_FORMAT_KEY, TABLE_FORMAT_KEY } from './docker-template.js';
import { goJSON, goJSONString } from './json.js';
import { writeFormatted } from './formatter.js';
import { DOCKER_TABLE_OPTIONS, isPlainCell, layoutUniform } from './tabwriter.js';
import { humanDuration, humanSize, imageSize } from './units.js';

/** One image as the store lists it (docker's `image.Summary`). */
export interface ImageSummary {
  /** The image ID (`sha256:<config digest>`). */
  id: string;
  /** Names as `repo:tag` (full or familiar form); `<none>:<none>` marks a dangling image. */
  repoTags: readonly string[];
  /** Names as `repo@digest`. */
  repoDigests: readonly string[];
  created: Date;
  /** Bytes. */
  size: number;
  /** How many containers use the image; -1 when not counted (prints `N/A`). */
  containers?: number;
  /** Bytes shared with other images; -1 when not computed (prints `N/A`). */
  sharedSize?: number;
  labels?: Readonly<Record<string, string>>;
}

/** One printed line: an image under one of its names. */
export interface ImageRow {
  id: string;
  repository: string;
  tag: string;
  digest: string;
  created: Date;
  size: number;
  containers: number;
  sharedSize: number;
  labels: Readonly<Record<string, string>>;
}

export interface ImageListOptions {
  /** `--format` value; `table` (the default), `raw`, `json`, or a template. */
  format?: string;
  quiet?: boolean;
  /** `--digests`. */
  digests?: boolean;
  noTrunc?: boolean;
  /** The clock for `CreatedSince`. */
  now: Date;
}

const DEFAULT_TABLE =
  'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const DEFAULT_TABLE_WITH_DIGEST =
  'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const RAW = 'repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n';
const RAW_WITH_DIGEST =
  'repository: {{ .Repository }}\ntag: {{.Tag}}\ndigest: {{.Digest}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n';

/** Column titles for table formats (docker's image SubHeaderContext). */
export const IMAGE_HEADERS: Readonly<Record<string, string>> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

/** docker's `NewImageFormat`: the template a `--format` value stands for. */
export function imageFormat(source: string, quiet: boolean, digest: boolean): string {
  if (source === TABLE_FORMAT_KEY) {
    if (quiet) return '{{.ID}}';
    return digest ? DEFAULT_TABLE_WITH_DIGEST : DEFAULT_TABLE;
  }
  if (source === RAW_FORMAT_KEY) {
    if (quiet) return 'image_id: {{.ID}}';
    return digest ? RAW_WITH_DIGEST : RAW;
  }
  if (source.startsWith(TABLE_FORMAT_KEY) && digest && !source.includes('{{.Digest}}')) return `${source}\t{{.Digest}}`;
  return source;
}

/** docker's `TruncateID`: drop the algorithm, keep 12 characters. */
export function truncateID(id: string): string {
  const i = id.indexOf(':');
  const hex = i >= 0 ? id.slice(i + 1) : id;
  return hex.length > 12 ? hex.slice(0, 12) : hex;
}

/** Go's zero time: docker prints no CreatedSince for it. */
const GO_ZERO_TIME_MS = -62135596800000;

/**
 * The columns of a row that depend only on its image: computed on first use and shared by the
 * image's rows (one per name), since formatting times and sizes costs far more than reading them.
 */
export class ImageColumns {
  readonly #row: ImageRow;
  readonly #trunc: boolean;
  readonly #nowMs: number;
  #id: string | undefined;
  #since: string | undefined;
  #at: string | undefined;
  #size: string | undefined;

  constructor(row: ImageRow, trunc: boolean, now: Date) {
    this.#row = row;
    this.#trunc = trunc;
    this.#nowMs = now.getTime();
  }
  /** Whether `row` shows the same image data as the row these columns were made for. */
  fits(row: ImageRow): boolean {
    return sameImageData(row, this.#row);
  }
  id(): string {
    return (this.#id ??= this.#trunc ? truncateID(this.#row.id) : this.#row.id);
  }
  createdSince(): string {
    if (this.#since === undefined) {
      const created = wholeSecondsMs(this.#row.created);
      this.#since = created === GO_ZERO_TIME_MS ? '' : `${humanDuration(this.#nowMs - created)} ago`;
    }
    return this.#since;
  }
  createdAt(): string {
    return (this.#at ??= goTimeString(new Date(wholeSecondsMs(this.#row.created))));
  }
  size(): string {
    return (this.#size ??= imageSize(this.#row.size));
  }
  /**
   * The row's `{{json .}}` around its three own fields (Digest, Repository, Tag, which sort
   * between the image's): the image's parts are encoded once.
   */
  jsonParts(ctx: ImageContext): readonly [string, string, string, string] {
    return (this.#json ??= [
      `{"Containers":${goJSONString(ctx.Containers())},"CreatedAt":${goJSONString(ctx.CreatedAt())},"CreatedSince":${goJSONString(ctx.CreatedSince())},"Digest":`,
      `,"ID":${goJSONString(ctx.ID())},"Repository":`,
      `,"SharedSize":${goJSONString(ctx.SharedSize())},"Size":${goJSONString(ctx.Size())},"Tag":`,
      `,"UniqueSize":${goJSONString(ctx.UniqueSize())}}`,
    ]);
  }
  #json: readonly [string, string, string, string] | undefined;
}

/**
 * A row as templates see it: docker's `*formatter.imageContext`, whose methods are the fields.
 * Its JSON form (`{{json .}}`, `--format json`) has every field, keys sorted, as docker's has.
 */
export class ImageContext {
  static goType = '*formatter.imageContext';
  readonly #row: ImageRow;
  readonly #columns: ImageColumns;

  /** `columns`: those of the row's image, when other rows share them (see formatImageList). */
  constructor(row: ImageRow, trunc: boolean, now: Date, columns: ImageColumns = new ImageColumns(row, trunc, now)) {
    this.#row = row;
    this.#columns = columns;
  }
  ID(): string {
    return this.#columns.id();
  }
  Repository(): string {
    return this.#row.repository;
  }
  Tag(): string {
    return this.#row.tag;
  }
  Digest(): string {
    return this.#row.digest;
  }
  CreatedSince(): string {
    return this.#columns.createdSince();
  }
  CreatedAt(): string {
    return this.#columns.createdAt();
  }
  Size(): string {
    return this.#columns.size();
  }
  Containers(): string {
    return this.#row.containers === -1 ? 'N/A' : String(this.#row.containers);
  }
  SharedSize(): string {
    return this.#row.sharedSize === -1 ? 'N/A' : humanSize(this.#row.sharedSize);
  }
  UniqueSize(): string {
    if (this.#row.size === -1 || this.#row.sharedSize === -1) return 'N/A';
    return humanSize(this.#row.size - this.#row.sharedSize);
  }
  /** What goJSON makes of toJSON(), with the image's parts encoded once (json.ts's JSONMarshaler). */
  marshalJSON(): string {
    const [a, b, c, d] = this.#columns.jsonParts(this);
    return `${a}${goJSONString(this.Digest())}${b}${goJSONString(this.Repository())}${c}${goJSONString(this.Tag())}${d}`;
  }
  toJSON(): Record<string, string> {
    return {
      Containers: this.Containers(),
      CreatedAt: this.CreatedAt(),
      CreatedSince: this.CreatedSince(),
      Digest: this.Digest(),
      ID: this.ID(),
      Repository: this.Repository(),
      SharedSize: this.SharedSize(),
      Size: this.Size(),
      Tag: this.Tag(),
      UniqueSize: this.UniqueSize(),
    };
  }
}

function wholeSecondsMs(d: Date): number {
  return Math.floor(d.getTime() / 1000) * 1000;
}

/** docker's `isDangling` (formatter variant): no names, or only `<none>:<none>` and `<none>@<none>`. */
export function isDanglingSummary(img: ImageSummary): boolean {
  if (img.repoTags.length === 0 && img.repoDigests.length === 0) return true;
  return (
    img.repoTags.length === 1 && img.repoTags[0] === '<none>:<none>' && img.repoDigests.length === 1 && img.repoDigests[0] === '<none>@<none>'
  );
}

/** A name split as a row shows it: the familiar repository and the tag or digest. */
export type RowName = FamiliarParts;

function parsedRowName(s: string): RowName | undefined {
  let ref: Reference;
  try {
    ref = parseNormalizedNamed(s);
  } catch {
    return undefined;
  }
  const out: RowName = { repository: familiarName(ref) };
  if (ref.tag !== undefined) out.tag = ref.tag;
  if (ref.digest !== undefined) out.digest = ref.digest;
  return out;
}

/**
 * Splits a name for a row. Names as the store keeps them (normalized: `docker.io/library/busybox:latest`)
 * are split by one regex test (splitNormalizedName), without building a reference: a row needs only
 * the familiar repository. Any other text goes through the reference parser. Undefined for an
 * invalid name.
 */
export function splitRowName(s: string): RowName | undefined {
  return splitNormalizedName(s) ?? parsedRowName(s);
}

/** Appends `value` to the list `key` maps to, in first-seen key order. */
function group(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function row(img: ImageSummary, repository: string, tag: string, digest: string): ImageRow {
  return {
    id: img.id,
    repository,
    tag,
    digest,
    created: img.created,
    size: img.size,
    containers: img.containers ?? -1,
    sharedSize: img.sharedSize ?? -1,
    labels: img.labels ?? NO_LABELS,
  };
}
const NO_LABELS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * Expands images into printed rows. `showDigests` is `--digests`; `needDigest` is true when the
 * digests are shown or the format mentions `{{.Digest}}`.
 */
export function imageRows(images: readonly ImageSummary[], showDigests: boolean, needDigest: boolean): ImageRow[] {
  const rows: ImageRow[] = [];
  const repoTags = new Map<string, string[]>();
  const repoDigests = new Map<string, string[]>();
  // Loops over arrays are indexed, not for…of: until V8 optimizes a loop (a listing ends before it
  // does) every iterator step allocates a result object, and a listing's allocations are its GC time.
  for (let ii = 0; ii < images.length; ii++) {
    const img = images[ii] as ImageSummary;
    if (isDanglingSummary(img)) {
      rows.push(row(img, '<none>', '<none>', '<none>'));
      continue;
    }
    repoTags.clear();
    repoDigests.clear();
    // The store lists an image's names sorted, so they come in runs of one repository with several
    // tags: a name that is the previous one's repository part plus another tag splits to that
    // repository without a full parse (what splitRowName would find: a tag holds no `:`, `/` or `@`).
    let runName = '';
    let runRepository = '';
    for (let k = 0; k < img.repoTags.length; k++) {
      const s = img.repoTags[k] as string;
      if (runName !== '' && s.length > runName.length + 1 && s.charCodeAt(runName.length) === 58 && s.startsWith(runName)) {
        const tag = s.slice(runName.length + 1);
        if (isValidTag(tag)) {
          group(repoTags, runRepository, tag);
          continue;
        }
      }
      const n = splitRowName(s);
      if (n?.tag !== undefined) {
        group(repoTags, n.repository, n.tag);
        const at = s.length - n.tag.length - 1;
        if (n.digest === undefined && s.charCodeAt(at) === 58 && s.endsWith(n.tag)) {
          runName = s.slice(0, at);
          runRepository = n.repository;
        }
      }
    }
    for (let k = 0; k < img.repoDigests.length; k++) {
      const n = splitRowName(img.repoDigests[k] as string);
      if (n?.digest !== undefined) group(repoDigests, n.repository, n.digest);
    }
    for (const [repo, tags] of repoTags) {
      const digests = repoDigests.get(repo);
      repoDigests.delete(repo); // digests of a tagged repository are not rows of their own
      for (let k = 0; k < tags.length; k++) {
        const tag = tags[k] as string;
        if (!needDigest || digests === undefined) rows.push(row(img, repo, tag, '<none>'));
        else for (const digest of digests) rows.push(row(img, repo, tag, digest));
      }
    }
    for (const [repo, digests] of repoDigests) {
      if (showDigests) for (const digest of digests) rows.push(row(img, repo, '<none>', digest));
      else rows.push(row(img, repo, '<none>', ''));
    }
  }
  return rows;
}

/**
 * Renders `image ls` output.
 * @throws {FormatError} for a bad `--format` (`template parsing error: …`)
 */
export function formatImageList(images: readonly ImageSummary[], options: ImageListOptions): string {
  const source = options.format === undefined || options.format === '' ? TABLE_FORMAT_KEY : options.format;
  const format = imageFormat(source, options.quiet === true, options.digests === true);
  const needDigest = options.digests === true || format.includes('{{.Digest}}');
  const trunc = options.noTrunc !== true;
  const rows = imageRows(images, options.digests === true, needDigest);
  const columns = sharedColumns(rows, trunc, options.now);
  if (format === DEFAULT_TABLE || format === DEFAULT_TABLE_WITH_DIGEST) {
    const table = defaultTable(rows, columns, format === DEFAULT_TABLE_WITH_DIGEST);
    if (table !== undefined) return table;
  }
  const contexts = rows.map((r, i) => new ImageContext(r, trunc, options.now, columns[i]));
  return writeFormatted(format, IMAGE_HEADERS, contexts);
}

/** Whether two rows show the same image data (so may share one ImageColumns). */
function sameImageData(a: ImageRow, b: ImageRow): boolean {
  return a.id === b.id && a.created === b.created && a.size === b.size && a.containers === b.containers && a.sharedSize === b.sharedSize;
}

/**
 * Each row's columns: the rows of one image (next to each other) share one ImageColumns. The test
 * is sameImageData written out: a call per row (ImageColumns.fits, as it was) is what V8 sent to its
 * optimizing compiler in a 1,000-row listing, ~5–10 ms of another thread's time that the process
 * then waited for at exit.
 */
function sharedColumns(rows: readonly ImageRow[], trunc: boolean, now: Date): ImageColumns[] {
  const out = new Array<ImageColumns>(rows.length);
  let columns: ImageColumns | undefined;
  let made: ImageRow | undefined; // the row `columns` was made for
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as ImageRow;
    if (
      columns === undefined ||
      made === undefined ||
      r.id !== made.id ||
      r.created !== made.created ||
      r.size !== made.size ||
      r.containers !== made.containers ||
      r.sharedSize !== made.sharedSize
    ) {
      columns = new ImageColumns(r, trunc, now);
      made = r;
    }
    out[i] = columns;
  }
  return out;
}

const DEFAULT_HEADER = ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'];
const DEFAULT_HEADER_WITH_DIGEST = ['REPOSITORY', 'TAG', 'DIGEST', 'IMAGE ID', 'CREATED', 'SIZE'];

/**
 * docker's default table (DEFAULT_TABLE, or DEFAULT_TABLE_WITH_DIGEST for `--digests`) made
 * directly from the rows: the cells the template prints (`{{if .CreatedSince}}…{{else}}N/A{{end}}`
 * included) and the header its column titles give, laid out as the tab writer lays out a uniform
 * table. The template engine and a second pass over the joined text cost most of a 1,000-row
 * listing. Names are references, ASCII by their grammar; should a cell not be plain printable ASCII
 * all the same, this is undefined and the caller runs the template (the tab writer then measures it).
 */
function defaultTable(rows: readonly ImageRow[], rowColumns: readonly ImageColumns[], withDigest: boolean): string | undefined {
  const cells: string[][] = new Array<string[]>(rows.length + 1);
  cells[0] = withDigest ? DEFAULT_HEADER_WITH_DIGEST : DEFAULT_HEADER;
  let previous: ImageColumns | undefined;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as ImageRow;
    if (!isPlainCell(r.repository) || !isPlainCell(r.tag) || (withDigest && !isPlainCell(r.digest))) return undefined;
    const columns = rowColumns[i] as ImageColumns;
    if (columns !== previous) {
      if (!isPlainCell(columns.id())) return undefined;
      previous = columns;
    }
    const since = columns.createdSince();
    const created = since === '' ? 'N/A' : since;
    cells[i + 1] = withDigest
      ? [r.repository, r.tag, r.digest, columns.id(), created, columns.size()]
      : [r.repository, r.tag, columns.id(), created, columns.size()];
  }
  return layoutUniform(cells, DOCKER_TABLE_OPTIONS, true);
}

/** `{{json .}}` of one row, for callers that stream rows themselves. */
export function imageRowJSON(row: ImageRow, options: { noTrunc?: boolean; now: Date }): string {
  return goJSON(new ImageContext(row, options.noTrunc !== true, options.now));
}
