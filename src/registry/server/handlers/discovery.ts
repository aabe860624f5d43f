/** Content discovery: the tags list, the catalog and the referrers API, and the `/v2/` check. */
import { isDigest, MediaType } from '../../../oci/index.js';
import { RegistryError } from '../errcodes.js';
import { sendJson } from '../respond.js';
import { lexicalCompare, nextLink, paginate, type Page } from '../http-params.js';
import type { Handler } from '../context.js';

/** Without `n`, the catalog still pages (a registry may hold many repositories). */
const CATALOG_DEFAULT_N = 1000;

function page(sorted: string[], url: URL, defaultN?: number): Page {
  try {
    return paginate(sorted, url.searchParams.get('n'), url.searchParams.get('last'), defaultN);
  } catch (err) {
    throw new RegistryError('UNSUPPORTED', { status: 400, message: 'invalid pagination', detail: String((err as Error).message) });
  }
}

export const base: Handler = async (_req, res) => {
  sendJson(res, 200, {});
};

export const listTags: Handler = async (_req, res, { name, url }, ctx) => {
  if (!(await ctx.storage.manifests.exists(name))) throw new RegistryError('NAME_UNKNOWN', { detail: { name } });
  const tags = (await ctx.storage.manifests.tags(name)).sort(lexicalCompare);
  const p = page(tags, url);
  const headers: Record<string, string> = {};
  if (p.next !== undefined) headers.Link = nextLink(`/v2/${name}/tags/list`, p.items.length, p.next);
  sendJson(res, 200, { name, tags: p.items }, headers);
};

export const catalog: Handler = async (_req, res, { url }, ctx) => {
  const repos = (await ctx.storage.repositories()).sort(lexicalCompare);
  const p = page(repos, url, CATALOG_DEFAULT_N);
  const headers: Record<string, string> = {};
  if (p.next !== undefined) headers.Link = nextLink('/v2/_catalog', p.items.length, p.next);
  sendJson(res, 200, { repositories: p.items }, headers);
};

/**
 * The referrers of a subject as an OCI index. A long list is paged (the spec lets a registry page
 * this response with a `Link: <…>; rel="next"` header, the URL being the registry's own): entries
 * are ordered by digest, a page holds at most `n` (the client's, capped at the server's page size)
 * and the next page starts after the last digest shown (`last`), the filter carried along.
 */
export const referrers: Handler = async (_req, res, { name, reference, url }, ctx) => {
  if (!isDigest(reference)) throw new RegistryError('DIGEST_INVALID', { detail: { digest: reference } });
  const artifactType = url.searchParams.get('artifactType') ?? undefined;
  const all = await ctx.storage.manifests.referrers(name, reference, artifactType);
  const byDigest = new Map(all.map((d) => [d.digest as string, d]));
  const sorted = [...byDigest.keys()].sort();
  const n = url.searchParams.get('n');
  const limit = n !== null && /^\d+$/.test(n) && Number(n) > 0 ? Math.min(Number(n), ctx.referrersPageSize) : ctx.referrersPageSize;
  // (A bad `n` is not refused here, unlike the tags list: it means the server's page size.)
  const p = paginate(sorted, String(limit), url.searchParams.get('last'));
  const headers: Record<string, string> = { 'Content-Type': MediaType.OciIndex };
  if (artifactType !== undefined) headers['OCI-Filters-Applied'] = 'artifactType';
  if (p.next !== undefined) {
    const q = new URLSearchParams({ n: String(limit), last: p.next });
    if (artifactType !== undefined) q.set('artifactType', artifactType);
    headers.Link = `</v2/${name}/referrers/${reference}?${q.toString()}>; rel="next"`;
  }
  sendJson(res, 200, { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: p.items.map((d) => byDigest.get(d)!) }, headers);
};
