/**
 * Where tests find things: the repository root, the shared folder beside it (conformance data,
 * bench workloads), and fresh temporary directories that are removed when the test ends.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestContext } from 'node:test';

/** The repository root (tests run from dist/test/…, sources live beside). */
export const repoRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root');
    dir = up;
  }
  return dir;
})();

/** `../shared` beside the checkout (or $GANTRY_SHARED); undefined when absent. */
export function sharedDir(): string | undefined {
  const dir = process.env.GANTRY_SHARED ?? resolve(repoRoot, '..', 'shared');
  return existsSync(dir) ? dir : undefined;
}

/** A path under `../shared/conformance/`, or undefined (the test should skip with a notice). */
export function conformancePath(...parts: string[]): string | undefined {
  const shared = sharedDir();
  if (shared === undefined) return undefined;
  const p = join(shared, 'conformance', ...parts);
  return existsSync(p) ? p : undefined;
}

/** A fresh temporary directory, removed after the test (or suite) finishes. */
export function tempDir(t: Pick<TestContext, 'after'> | undefined, prefix = 'gantry-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t?.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The built CLI entry (`bin/gantry`). */
export const gantryBin: string = join(repoRoot, 'bin', 'gantry');
