/**
 * docker's `--filter key=value` flags and its image filters as pure predicates.
 *
 * Parsing follows docker/cli's `FilterOpt` (keys lower-cased and trimmed, values trimmed,
 * repeatable; the same key given twice keeps both values). Validation and matching follow the
 * daemon (moby `daemon/containerd/image_list.go`, `image_prune.go`, `internal/timestamp`):
 * different keys AND together; `label` values AND together; `reference` patterns OR together.
 */
import { InvalidArgumentError } from '../../errors.js';
import {
  familiarName,
  familiarString,
  parseNormalizedNamed,
  pathMatch,
  referenceString,
  tagNameOnly,
  type Reference,
} from '../../oci/index.js';
import { DurationSyntaxError, parseGoDuration } from './units.js';

/** Filter terms: each key with its set of values (docker's `filters.Args`). */
export type FilterArgs = Map<string, Set<string>>;

export class FilterError extends InvalidArgumentError {
  constructor(message: string) {
    super('INVALID_FILTER', message);
  }
}

/**
 * Parses repeated `--filter` values.
 * @throws {FilterError} `bad format of filter (expected name=value)`
 */
export function parseFilterFlags(values: readonly string[]): FilterArgs {
  const args: FilterArgs = new Map();
  for (const value of values) {
    if (value === '') continue;
    const eq = value.indexOf('=');
    if (eq < 0) throw new FilterError('bad format of filter (expected name=value)');
    addFilter(args, value.slice(0, eq).trim().toLowerCase(), value.slice(eq + 1).trim());
  }
  return args;
}

export function addFilter(args: FilterArgs, key: string, value: string): void {
  const set = args.get(key) ?? new Set<string>();
  set.add(value);
  args.set(key, set);
}

/** Filter keys `image ls` accepts. */
export const IMAGE_LIST_FILTERS: ReadonlySet<string> = new Set(['dangling', 'label', 'label!', 'before', 'since', 'reference', 'until']);
/** Filter keys `image prune` accepts. */
export const IMAGE_PRUNE_FILTERS: ReadonlySet<string> = new Set(['dangling', 'label', 'label!', 'until']);

/** @throws {FilterError} `invalid filter 'foo'` for a key outside `accepted` */
export function validateFilters(args: FilterArgs, accepted: ReadonlySet<string>): void {
  for (const key of [...args.keys()].sort()) {
    if (!accepted.has(key)) throw new FilterError(`invalid filter '${key}'`);
  }
}

/**
 * docker's `GetBoolOrDefault`: `1`/`true` or `0`/`false`; anything else, or both, is refused.
 * @throws {FilterError} `invalid filter 'dangling=[maybe]'`
 */
export function filterBool(args: FilterArgs, key: string, defaultValue: boolean): boolean {
  const values = args.get(key);
  if (values === undefined) return defaultValue;
  const isFalse = values.has('0') || values.has('false');
  const isTrue = values.has('1') || values.has('true');
  if (isFalse === isTrue) throw new FilterError(`invalid filter '${key}=[${[...values].sort().join(' ')}]'`);
  return isTrue;
}

// --- labels ------------------------------------------------------------------------------------

/** One label condition: `key` exists (or not), or equals `value` (or not). */
export interface LabelCheck {
  key: string;
  value?: string;
  negate: boolean;
}

/** The checks of `label=` and `label!=` values; `label=k!=v` flips, as docker does. */
export function labelChecks(args: FilterArgs): LabelCheck[] {
  const checks: LabelCheck[] = [];
  for (const name of ['label', 'label!']) {
    for (const l of args.get(name) ?? []) {
      const eq = l.indexOf('=');
      let key = eq < 0 ? l : l.slice(0, eq);
      const value = eq < 0 ? undefined : l.slice(eq + 1);
      let negate = name === 'label!';
      if (key.endsWith('!')) {
        key = key.slice(0, -1);
        negate = !negate;
      }
      checks.push(value === undefined ? { key, negate } : { key, value, negate });
    }
  }
  return checks;
}

/** True when `labels` satisfy every check. */
export function matchLabels(checks: readonly LabelCheck[], labels: Readonly<Record<string, string>>): boolean {
  // Indexed, not for…of: this runs once per listed image, and until V8 optimizes the loop each
  // iterator step allocates a result object (listings are short-lived: they never get there).
  for (let i = 0; i < checks.length; i++) {
    const c = checks[i] as LabelCheck;
    const exists = Object.prototype.hasOwnProperty.call(labels, c.key);
    if (c.value === undefined) {
      if (exists === c.negate) return false;
      continue;
    }
    if (!exists) {
      if (c.negate) continue;
      return false;
    }
    if ((labels[c.key] === c.value) === c.negate) return false;
  }
  return true;
}

// --- references --------------------------------------------------------------------------------

/**
 * docker's `reference=` match of one name: the pattern (Go `path.Match`) against the familiar
 * string, the familiar name, the full name with tag, and the full name.
 * @throws {BadPatternError} for a malformed pattern
 */
export function referenceMatches(pattern: string, name: string): boolean {
  let ref: Reference;
  try {
    ref = parseNormalizedNamed(name);
  } catch {
    return false;
  }
  const targets = [familiarString(ref), familiarName(ref), referenceString(tagNameOnly(ref)), ref.name];
  return targets.some((t) => pathMatch(pattern, t));
}

// --- time --------------------------------------------------------------------------------------

/**
 * docker's `timestamp.Parse` for `until=`: a Go duration before `now`, RFC 3339 (with or without
 * zone, fractions, or only part of the time), a date, or Unix seconds with optional fraction.
 * Times without a zone are in the local zone.
 * @throws {FilterError} with docker's message
 */
export function parseTimestamp(value: string, now: Date): Date {
  if (value.trim() === '') throw new FilterError('failed to parse value as time or duration: value is empty');
  if (value !== '0') {
    try {
      return new Date(now.getTime() - parseGoDuration(value));
    } catch (e) {
      if (!(e instanceof DurationSyntaxError)) throw e;
    }
  }
  const inLocation = !/[zZ+]/.test(value) && (value.match(/-/g)?.length ?? 0) !== 3;
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?(Z|z|[+-]\d{2}:\d{2})?$/.exec(value);
  if (m !== null && (m[8] === undefined) === inLocation) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
    const ms = Number(frac.padEnd(3, '0').slice(0, 3));
    const hasT = m[4] !== undefined;
    if (!hasT && value.includes('.')) throw new FilterError(`parsing time ${JSON.stringify(value)} as "2006-01-02T15:04:05.999999999": cannot parse "" as "T"`);
    let t: number;
    if (zone === undefined) {
      t = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms).getTime();
    } else {
      const off = zone === 'Z' || zone === 'z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
      t = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms) - off * 60000;
    }
    if (!Number.isNaN(t)) return new Date(t);
  }
  if (value.includes('-')) throw new FilterError(`parsing time ${JSON.stringify(value)}: cannot parse as RFC 3339`);
  const u = /^(-?\d+)(?:\.(\d*))?$/.exec(value);
  if (u === null) {
    const sec = value.split('.')[0] as string;
    throw new FilterError(`failed to parse value as time or duration: invalid seconds ${JSON.stringify(sec)}: invalid syntax`);
  }
  const frac = (u[2] ?? '').slice(0, 9).padEnd(9, '0');
  return new Date(Number(u[1]) * 1000 + Math.floor(Number(frac) / 1e6));
}

/** `until=` values as one cut-off: images created before every one of them. */
export function untilCutoff(args: FilterArgs, now: Date): Date | undefined {
  let cutoff: Date | undefined;
  for (const v of args.get('until') ?? []) {
    let t: Date;
    try {
      t = parseTimestamp(v, now);
    } catch (e) {
      throw new FilterError(`invalid value for 'until' filter: ${(e as Error).message}`);
    }
    if (cutoff === undefined || t < cutoff) cutoff = t;
  }
  return cutoff;
}

// --- images ------------------------------------------------------------------------------------

/** What the image filters look at. */
export interface FilterableImage {
  /** Full names: tags (`docker.io/library/busybox:latest`) and repo digests. */
  repoTags: readonly string[];
  repoDigests: readonly string[];
  /** The config's creation time; images without one never pass time filters. */
  created?: Date;
  labels: Readonly<Record<string, string>>;
}

export interface ImageFilterContext {
  now: Date;
  /**
   * The creation time of the image a `before=`/`since=` value names (reference or ID).
   * Throws (say, ImageNotFoundError) when there is no such image: docker fails the listing.
   */
  createdOf(reference: string): Date | undefined;
}

/** The outcome for one image: shown or not, and which of its names to show. */
export interface ImageMatch {
  keep: boolean;
  repoTags: readonly string[];
  repoDigests: readonly string[];
}

/**
 * Compiles `image ls` filters into a predicate. With `reference=`, only the matching names of an
 * image are kept (and an image without a matching name is dropped), as docker lists them.
 * @throws {FilterError} for unknown keys and bad values; whatever `createdOf` throws
 */
export function compileImageFilter(args: FilterArgs, ctx: ImageFilterContext): (img: FilterableImage) => ImageMatch {
  validateFilters(args, IMAGE_LIST_FILTERS);
  const dangling = args.has('dangling') ? filterBool(args, 'dangling', false) : undefined;
  const checks = labelChecks(args);
  const refs = [...(args.get('reference') ?? [])];
  let before: Date | undefined;
  for (const v of args.get('before') ?? []) {
    const c = ctx.createdOf(v);
    if (c !== undefined && (before === undefined || c < before)) before = c;
  }
  let since: Date | undefined;
  for (const v of args.get('since') ?? []) {
    const c = ctx.createdOf(v);
    if (c !== undefined && (since === undefined || c > since)) since = c;
  }
  const until = untilCutoff(args, ctx.now);

  return (img) => {
    const no: ImageMatch = { keep: false, repoTags: img.repoTags, repoDigests: img.repoDigests };
    const created = img.created?.getTime();
    if (before !== undefined && (created === undefined || !(created < before.getTime()))) return no;
    if (since !== undefined && (created === undefined || !(created > since.getTime()))) return no;
    if (until !== undefined && (created === undefined || !(created < until.getTime()))) return no;
    if (checks.length > 0 && !matchLabels(checks, img.labels)) return no;
    if (dangling !== undefined && dangling !== (img.repoTags.length === 0)) return no;
    if (refs.length === 0) return { keep: true, repoTags: img.repoTags, repoDigests: img.repoDigests };
    const pick = (names: readonly string[]): string[] => names.filter((n) => refs.some((p) => referenceMatches(p, n)));
    const repoTags = pick(img.repoTags);
    const repoDigests = pick(img.repoDigests);
    return { keep: repoTags.length + repoDigests.length > 0, repoTags, repoDigests };
  };
}

/** `image prune` filters in the shape the store's prune takes. */
export interface PruneFilters {
  /** `dangling=false` prunes all unused images, like `-a`. */
  all?: boolean;
  until?: number;
  labels: Array<{ key: string; value?: string }>;
  notLabels: Array<{ key: string; value?: string }>;
}

/**
 * Compiles `image prune` filters.
 * @throws {FilterError}
 */
export function compilePruneFilters(args: FilterArgs, now: Date): PruneFilters {
  validateFilters(args, IMAGE_PRUNE_FILTERS);
  const out: PruneFilters = { labels: [], notLabels: [] };
  if (args.has('dangling')) out.all = !filterBool(args, 'dangling', true);
  const until = untilCutoff(args, now);
  if (until !== undefined) out.until = until.getTime();
  for (const c of labelChecks(args)) {
    const l = c.value === undefined ? { key: c.key } : { key: c.key, value: c.value };
    (c.negate ? out.notLabels : out.labels).push(l);
  }
  return out;
}
