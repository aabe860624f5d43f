/**
 * Repository names and tags as the distribution spec defines them. Validated here because every route
 * carries a name: a bad one is refused before it reaches storage, where names become directories
 * (the grammar forbids `..`, leading `_` and empty components, which is what keeps paths safe).
 */

// path-component ( "/" path-component )*, each component [a-z0-9]+ joined by `.`, `_`, `__` or `-+`.
const NAME = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;

/** Many clients cap `host/name` at 255 characters; distribution refuses longer names outright. */
export const MAX_NAME_LENGTH = 255;

export function isRepositoryName(name: string): boolean {
  return name.length > 0 && name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

export function isTag(tag: string): boolean {
  return TAG.test(tag);
}
