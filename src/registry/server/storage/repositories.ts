/** The catalog: every repository that has manifests, found by walking `repositories/`. */
import type { StorageDriver } from './driver.js';
import { listOrEmpty } from './links.js';
import { REPOSITORIES } from './paths.js';

/** All repository names, sorted. A directory is a repository when it holds `_manifests`. */
export async function listRepositories(driver: StorageDriver): Promise<string[]> {
  const out: string[] = [];
  const walk = async (prefix: string, name: string): Promise<void> => {
    const entries = await listOrEmpty(driver, prefix);
    if (name !== '' && entries.includes('_manifests')) out.push(name);
    for (const e of entries) {
      if (e.startsWith('_') || e.startsWith('.')) continue;
      await walk(`${prefix}/${e}`, name === '' ? e : `${name}/${e}`);
    }
  };
  await walk(REPOSITORIES, '');
  return out.sort();
}
