/**
 * Repository names and tags as the distribution spec defines them. Validated here because every route
 * carries a name: a bad one is refused before it reaches storage, where names become directories
 * (the grammar forbids `..`, leading `_` and empty components, which is what keeps paths safe).
 *
 * The tag grammar and the length limit come from `oci/reference.ts`. The name is the reference
 * grammar's *path* alone: in a registry URL there is no domain, so `localhost/app` is two path
 * components here, where a reference parser would read `localhost` as a host.
 */
import { referenceGrammar, REPOSITORY_NAME_MAX_LENGTH } from '../../oci/index.js';

// path-component ( "/" path-component )*, each component [a-z0-9]+ joined by `.`, `_`, `__` or `-+`.
const PATH = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;

/** Many clients cap `host/name` at 255 characters; distribution refuses longer names outright. */
export const MAX_NAME_LENGTH = REPOSITORY_NAME_MAX_LENGTH;

export function isRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && PATH.test(name);
}

export function isTag(tag: string): boolean {
  return referenceGrammar.tag.test(tag);
}
