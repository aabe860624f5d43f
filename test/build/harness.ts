/**
 * Integration harness for build/: a store in a temp dir with busybox in it, a context directory,
 * and `run()` that builds a Dockerfile there and hands back the image's config and layer contents.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TestContext } from 'node:test';
import { build, type BuildOptions, type BuildResult } from '../../src/build/index.js';
import { decompress, readTar, type TarHeader } from '../../src/layer/index.js';
import type { ImageConfig } from '../../src/oci/index.js';
import { openStore, openVerified, readBlob, type Store } from '../../src/store/index.js';
import { busyboxStore, putBusyboxImage } from '../helpers/busybox-image.js';
import { runGantrySync, type GantryRun } from '../helpers/cli.js';
import { haveBusybox } from '../helpers/fixtures.js';
import { tempDir } from '../helpers/paths.js';
import { runtimeSkipReason } from '../runtime/harness.js';

export function buildSkipReason(): string | undefined {
  if (!haveBusybox()) return 'needs busybox-static';
  return runtimeSkipReason();
}

export interface LayerFile {
  header: TarHeader;
  data: string;
}

export interface Built extends BuildResult {
  imageConfig: ImageConfig;
  /** Each layer's entries by path. */
  layers: Map<string, LayerFile>[];
  logs: string;
}

export interface BuildEnv {
  store: Store;
  root: string;
  context: string;
  /** Writes files (path → content) into the context. */
  files(files: Record<string, string>): void;
  run(dockerfile: string, options?: Partial<BuildOptions>): Promise<Built>;
}

export async function buildEnv(t: TestContext): Promise<BuildEnv> {
  const dir = tempDir(t, 'gantry-build-');
  const root = join(dir, 'root');
  const context = join(dir, 'ctx');
  mkdirSync(context);
  const store = openStore({ root });
  t.after(() => store.close());
  await putBusyboxImage(store);
  return {
    store,
    root,
    context,
    files(files) {
      for (const [p, c] of Object.entries(files)) {
        mkdirSync(dirname(join(context, p)), { recursive: true });
        writeFileSync(join(context, p), c);
      }
    },
    async run(dockerfile, options = {}) {
      let logs = '';
      const result = await build(store, {
        dockerfile: { text: dockerfile, filename: 'Dockerfile' },
        contextDir: context,
        progress: {
          emit(e) {
            if (e.type === 'log') logs += Buffer.from(e.log.data).toString('utf8');
          },
        },
        ...options,
      });
      const { config, layers } = await inspect(store, result);
      return { ...result, imageConfig: config, layers, logs };
    },
  };
}

export async function inspect(store: Store, result: BuildResult): Promise<{ config: ImageConfig; layers: Map<string, LayerFile>[] }> {
  const config = JSON.parse(Buffer.from(await readBlob(store.content, result.config)).toString('utf8')) as ImageConfig;
  const layers: Map<string, LayerFile>[] = [];
  for (const l of result.image.layers) {
    const m = new Map<string, LayerFile>();
    const { stream } = await decompress(await openVerified(store.content, l));
    for await (const e of readTar(stream)) {
      const data = e.header.type === 'file' ? (await e.bytes()).toString('utf8') : '';
      m.set(e.header.path.replace(/\/$/, ''), { header: e.header, data });
    }
    layers.push(m);
  }
  return { config, layers };
}

/** A store with busybox, an empty context folder, and the built CLI run against that store. */
export interface CliBuildEnv {
  root: string;
  ctx: string;
  gantry: (args: string[], env?: Record<string, string>) => GantryRun;
}

export async function cliBuildEnv(t: Pick<TestContext, 'after'>, prefix: string): Promise<CliBuildEnv> {
  const dir = tempDir(t, prefix);
  const root = join(dir, 'root');
  const ctx = join(dir, 'ctx');
  mkdirSync(ctx);
  await busyboxStore(root);
  return { root, ctx, gantry: (args, env = {}) => runGantrySync(['--root', root, ...args], env) };
}
