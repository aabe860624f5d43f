/**
 * `container inspect` (and `inspect` when every name is a container): docker's JSON array, or one
 * line per container with `-f`.
 */
import type { CommandIO, GlobalOptions } from '../io.js';
import { write } from '../io.js';
import { openCliStore } from './_store.js';
import { withContainers } from './_containers.js';

export async function runContainerInspect(args: string[], opts: { format?: string }, io: CommandIO, globals: GlobalOptions): Promise<number> {
  return withContainers(globals, io, async (c) => {
    const { containerInspect } = await import('./_container-views.js');
    const { executeRow, parseFormat } = await import('../format/index.js');
    const out: object[] = [];
    let failed = false;
    for (const n of args) {
      try {
        const rec = await c.resolve(n);
        out.push(containerInspect(rec, { rootfs: c.rootfs(rec.id), driver: c.snapshots.driver, upper: rec.snapshotKey === undefined ? undefined : c.snapshots.upperDir(rec.snapshotKey) }));
      } catch {
        failed = true;
        await write(io.stderr, `Error: No such container: ${n}\n`);
      }
    }
    if (opts.format !== undefined && opts.format !== 'json') {
      const tmpl = parseFormat(opts.format);
      for (const o of out) await write(io.stdout, `${executeRow(tmpl, o)}\n`);
    } else {
      await write(io.stdout, `${JSON.stringify(out, null, 4)}\n`);
    }
    return failed ? 1 : 0;
  });
}

/** True when every name is a container (docker's `inspect` looks for containers first). */
export async function allContainers(names: readonly string[], io: CommandIO, globals: GlobalOptions): Promise<boolean> {
  const store = await openCliStore(globals, io);
  try {
    return names.every((n) => {
      try {
        store.containers.resolve(n);
        return true;
      } catch {
        return false;
      }
    });
  } finally {
    store.close();
  }
}
