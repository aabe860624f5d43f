/**
 * `container diff`: the container's changes as docker lists them, `A` added, `C` changed, `D`
 * deleted, one absolute path a line in path order. Read from the same entries a commit would write
 * (the upper dir alone on overlay), so diff and commit always agree; mount stubs are left out.
 */
import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { classifyWhiteout, layerEntries } from '../layer/index.js';
import type { ContainerRecord } from '../store/index.js';
import { snapshotKey, storedConfig, type Containers } from './containers.js';

export interface Change {
  kind: 'A' | 'C' | 'D';
  path: string;
}

export function containerChanges(c: Containers, rec: ContainerRecord, options: { signal?: AbortSignal } = {}): Change[] {
  const key = snapshotKey(rec);
  const source = c.snapshots.diffSource(key);
  const lowers = source.kind === 'overlay' ? source.lowers : source.kind === 'compare' ? [source.lower] : [];
  const stubs = new Set(storedConfig(rec).stubs ?? []);
  const upper = c.snapshots.upperDir(key);
  const inLower = (rel: string): boolean =>
    lowers.some((l) => {
      try {
        lstatSync(join(l, rel));
        return true;
      } catch {
        return false;
      }
    });
  const out: Change[] = [];
  for (const e of layerEntries(source, options.signal)) {
    const rel = e.header.path.replace(/\/$/, '');
    const wh = classifyWhiteout(rel);
    if (wh?.kind === 'whiteout') {
      out.push({ kind: 'D', path: `/${wh.target}` });
      continue;
    }
    if (wh !== undefined) continue;
    if (isStub(rel, stubs, upper)) continue;
    out.push({ kind: inLower(rel) ? 'C' : 'A', path: `/${rel}` });
  }
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A path created only as a mount point (or inside one that is still empty apart from stubs). */
function isStub(rel: string, stubs: ReadonlySet<string>, upper: string): boolean {
  for (const s of stubs) {
    if (rel === s || rel.startsWith(`${s}/`)) {
      try {
        const st = lstatSync(join(upper, s));
        return st.isDirectory() || st.size === 0;
      } catch {
        return true;
      }
    }
  }
  return false;
}
