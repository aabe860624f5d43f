/** Pure parsers of the request headers and parameters the registry routes read. */

/** A byte range `[start, end)` of a blob of `size` bytes. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Parses a `Range: bytes=…` header (RFC 9110) for a blob of `size` bytes.
 * @returns the range; `undefined` to serve the whole blob (no header, several ranges, or a unit
 * we do not know, all of which RFC 9110 lets a server ignore); `'unsatisfiable'` for 416
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined | 'unsatisfiable' {
  if (header === undefined) return undefined;
  const m = /^bytes=\s*(\d*)-(\d*)\s*$/.exec(header);
  if (m === null) return undefined;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(a);
  const last = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || (b !== '' && Number(b) < start)) return 'unsatisfiable';
  return { start, end: last + 1 };
}

/**
 * Parses an upload's `Content-Range: <start>-<end>` (inclusive; distribution also accepts a
 * `bytes ` prefix, so do we). Undefined when the header is malformed.
 */
export function parseContentRange(header: string): { start: number; end: number } | undefined {
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (m === null) return undefined;
  return { start: Number(m[1]), end: Number(m[2]) };
}

/** The media type of a Content-Type header without parameters, lower-cased. */
export function bareMediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

/** The media types an Accept header lists (parameters and q-values dropped). */
export function acceptedTypes(headers: string | string[] | undefined): string[] {
  const all = Array.isArray(headers) ? headers.join(',') : (headers ?? '');
  return all
    .split(',')
    .map((t) => bareMediaType(t))
    .filter((t) => t !== '');
}

/**
 * Tag and catalog order. The spec asks for "lexical (case-insensitive alphanumeric)" order; ties
 * between names that differ only in case fall back to byte order so the order is total.
 */
export function lexicalCompare(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  if (la !== lb) return la < lb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export interface Page {
  items: string[];
  /** The `last` to ask for the next page, when there is one. */
  next?: string;
}

/**
 * One page of a sorted list, the spec's `n`/`last` way: entries after `last`, at most `n`.
 * @throws {RangeError} when `n` is not a non-negative integer
 */
export function paginate(sorted: readonly string[], n: string | null, last: string | null, defaultN?: number): Page {
  let limit = defaultN;
  if (n !== null) {
    if (!/^\d+$/.test(n)) throw new RangeError(`Cannot paginate: n "${n}" is not a non-negative integer`);
    limit = Number(n);
  }
  const after = last === null ? sorted : sorted.filter((t) => lexicalCompare(t, last) > 0);
  if (limit === undefined || after.length <= limit) return { items: [...after] };
  const items = after.slice(0, limit);
  if (limit === 0) return { items };
  return { items, next: items[items.length - 1]! };
}

/** The RFC 5988 `Link` header for the next page. */
export function nextLink(path: string, n: number, last: string): string {
  return `<${path}?n=${n}&last=${encodeURIComponent(last)}>; rel="next"`;
}
