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

export const referrers: Handler = async (_req, res, { name, reference, url }, ctx) => {
  if (!isDigest(reference)) throw new RegistryError('DIGEST_INVALID', { detail: { digest: reference } });
  const artifactType = url.searchParams.get('artifactType') ?? undefined;
  const manifests = await ctx.storage.manifests.referrers(name, reference, artifactType);
  const headers: Record<string, string> = { 'Content-Type': MediaType.OciIndex };
  if (artifactType !== undefined) headers['OCI-Filters-Applied'] = 'artifactType';
  sendJson(res, 200, { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }, headers);
};
