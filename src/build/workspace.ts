/**
 * Where build steps change filesystems: a step gets a mounted, writable root on top of its stage's
 * layers; afterwards its change is diffed into a layer (one streaming pass into the content store)
 * and the step's snapshot is committed as that layer's unpacked tree, so the next step mounts it at
 * once instead of extracting anything. A step whose change is empty adds no layer.
 *
 * Everything a build writes is held by the build's lease until cache records and the final image
 * refer to it; every mount is undone in `finally`, whatever the step did.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type * as Layer from '../layer/index.js';
import { chainIds, type Digest } from '../oci/index.js';
import type * as Snapshot from '../snapshot/index.js';
import type { Snapshotter } from '../snapshot/index.js';
import type { LayerRecord, Store } from '../store/index.js';
import type { StateLayer } from './stage-state.js';
import { traced } from '../trace.js';

// snapshot/ and layer/ (mount(8) through child_process, tar, compression) load with the first step
// that unpacks, mounts or writes, not for a build whose every step is cached.
let snapshotModule: typeof Snapshot | undefined;
const snapshot = async (): Promise<typeof Snapshot> => (snapshotModule ??= await import('../snapshot/index.js'));
const createLayer: typeof Layer.createLayer = async (...args) => (await import('../layer/index.js')).createLayer(...args);

/** A tar with no entries: the end-of-archive marker only. */
/** The diffIDs of an empty tar (end-of-archive blocks only, bare or padded to a 10 KiB record): a
 * diff with no entries. Sizes alone would also match a real tar of a few small files. */
const EMPTY_TAR_DIFF_IDS = new Set([1024, 10240].map((n) => `sha256:${createHash('sha256').update(Buffer.alloc(n)).digest('hex')}`));

/** A step's writable root that is not mounted: an overlay upper directory and its lower layers (top first). */
export interface UpperTree {
  upper: string;
  lowers: string[];
}

export interface StepChange<T> {
  result: T;
  /** The new layer, or undefined when the step changed nothing. */
  layer?: StateLayer;
}

export class Workspace {
  readonly #store: Store;
  readonly #openSnapshotter: (snapshot: typeof Snapshot) => Snapshotter;
  #opened: Snapshotter | undefined;
  readonly #lease: string;
  readonly #mountsDir: string;
  readonly #sourceDateEpoch: number | undefined;
  readonly #copyThroughMount: boolean;

  /**
   * `openSnapshotter` is called once, on first need, with snapshot/ loaded. `copyThroughMount`:
   * every step is mounted, `change`'s `direct` is never used (tests compare the two ways).
   */
  constructor(store: Store, openSnapshotter: (snapshot: typeof Snapshot) => Snapshotter, lease: string, options: { sourceDateEpoch?: number; copyThroughMount?: boolean } = {}) {
    this.#store = store;
    this.#openSnapshotter = openSnapshotter;
    this.#lease = lease;
    this.#mountsDir = join(store.layout.tmp, 'build-mounts');
    this.#sourceDateEpoch = options.sourceDateEpoch;
    this.#copyThroughMount = options.copyThroughMount === true;
  }

  /** snapshot/ (loaded on first need) and the snapshotter opened with it, once. */
  async #snap(): Promise<{ mod: typeof Snapshot; sn: Snapshotter }> {
    const mod = await snapshot();
    this.#opened ??= this.#openSnapshotter(mod);
    return { mod, sn: this.#opened };
  }

  /** The layers as store records (chainIDs computed), for unpacking. */
  static records(layers: readonly StateLayer[]): LayerRecord[] {
    const chain = chainIds(layers.map((l) => l.diffId));
    return layers.map((l, i) => ({
      digest: l.descriptor.digest,
      mediaType: l.descriptor.mediaType,
      size: l.descriptor.size,
      diffId: l.diffId,
      chainId: chain[i] as Digest,
      ...(l.uncompressedSize === undefined ? {} : { uncompressedSize: l.uncompressedSize }),
    }));
  }

  /** Unpacks `layers` (once each, shared) and returns the top chainID. */
  async unpack(layers: readonly StateLayer[], signal?: AbortSignal): Promise<Digest | undefined> {
    const { mod, sn } = await this.#snap();
    return mod.unpackLayers(this.#store.content, sn, Workspace.records(layers), {
      lease: this.#lease,
      ...(signal === undefined ? {} : { signal }),
    });
  }

  async #mountPoint(): Promise<string> {
    const dir = join(this.#mountsDir, randomBytes(8).toString('hex'));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return dir;
  }

  /**
   * Runs `fn` on a writable root on top of `layers` and turns its change into a layer.
   * `cleanup` runs after the root is unmounted, before the diff, with the upper directory (to take
   * out mount stubs a runtime created).
   * `direct`, when the snapshotter is overlay, runs instead of `fn` with the upper directory and
   * the lower layers, unmounted: a step that writes the upper directory itself (COPY, see
   * layer's OverlayUpperTree) saves the mount and overlayfs's cost per created file.
   */
  async change<T>(
    layers: readonly StateLayer[],
    fn: (rootfs: string) => Promise<T>,
    options: { signal?: AbortSignal; cleanup?: (upper: string) => Promise<void>; direct?: (tree: UpperTree) => Promise<T> } = {},
  ): Promise<StepChange<T>> {
    const parent = await traced('unpack', () => this.unpack(layers, options.signal));
    const { mod, sn } = await this.#snap();
    const key = `build-${randomBytes(8).toString('hex')}`;
    const mounts = await traced('snapshot.prepare', () => sn.prepare(key, parent, { lease: this.#lease }));
    let committed = false;
    try {
      const direct = sn.driver === 'overlay' && !this.#copyThroughMount ? options.direct : undefined;
      let result: T;
      if (direct !== undefined) result = await traced('step.body', () => direct({ upper: sn.upperDir(key), lowers: sn.lowerDirs(key) }));
      else result = await this.#mounted(mod, mounts, fn, options.signal);
      await options.cleanup?.(sn.upperDir(key));
      if (sn.driver === 'overlay' && (await readdir(sn.upperDir(key))).length === 0) {
        return { result };
      }
      const layer = await traced('layer.write', () => this.#writeLayer(sn, key, options.signal));
      if (layer === undefined) return { result };
      const chain = chainIds([...layers.map((l) => l.diffId), layer.diffId]);
      await traced('snapshot.commit', () => sn.commit(chain[chain.length - 1] as string, key));
      committed = true;
      return { result, layer };
    } finally {
      if (!committed) await sn.remove(key).catch(() => {});
    }
  }

  /** Runs `fn` on `mounts` mounted at a new mount point, and unmounts them, whatever it does. */
  async #mounted<T>(mod: typeof Snapshot, mounts: Snapshot.Mount[], fn: (rootfs: string) => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const rootfs = await this.#mountPoint();
    // Volatile: the step's own syncs (dpkg fsyncs every file it unpacks, the unmount syncs the
    // whole disk) are skipped. The tree is not synced at all: the layer blob is its durable copy,
    // and a crash of the machine makes it extracted again from that (snapshot/local.ts).
    await traced('mount', () => mod.mountAll(mod.volatileMounts(mounts), rootfs, signal === undefined ? {} : { signal }));
    try {
      return await traced('step.body', () => fn(rootfs));
    } finally {
      await traced('unmount', () => mod.unmount(rootfs));
      await rmdir(rootfs).catch(() => {});
    }
  }

  /** Runs `fn` with a read-only view of `layers` mounted (a stage's or image's files to copy from). */
  async view<T>(layers: readonly StateLayer[], fn: (rootfs: string) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const v = await this.openView(layers, signal);
    try {
      return await fn(v.root);
    } finally {
      await v.release();
    }
  }

  /** Mounts a read-only view of `layers`; `release` unmounts and forgets it (safe to call twice). */
  async openView(layers: readonly StateLayer[], signal?: AbortSignal): Promise<{ root: string; release: () => Promise<void> }> {
    const parent = await this.unpack(layers, signal);
    const root = await this.#mountPoint();
    if (parent === undefined) {
      // An empty image: an empty directory is its whole filesystem.
      return { root, release: () => rm(root, { recursive: true, force: true }) };
    }
    const { mod, sn } = await this.#snap();
    const key = `view-${randomBytes(8).toString('hex')}`;
    const mounts = await sn.view(key, parent, { lease: this.#lease });
    try {
      await mod.mountAll(mounts, root);
    } catch (err) {
      await sn.remove(key).catch(() => {});
      await rm(root, { recursive: true, force: true });
      throw err;
    }
    let released = false;
    return {
      root,
      release: async () => {
        if (released) return;
        released = true;
        await mod.unmount(root);
        await rmdir(root).catch(() => {});
        await sn.remove(key).catch(() => {});
      },
    };
  }

  /**
   * Diffs the snapshot into an uncompressed layer in the content store (its digest is its diffID);
   * undefined when the diff is empty. Uncompressed as BuildKit's and docker's local stores keep
   * them: gzip cost most of a cold build's layer time, and only a push needs the compressed bytes
   * (registry/client/push.ts compresses there, once, and remembers the result).
   */
  async #writeLayer(sn: Snapshotter, key: string, signal?: AbortSignal): Promise<StateLayer | undefined> {
    const ref = `build-layer-${key}`;
    // Written through: a built layer's blob is read again only by a push or a save (later steps
    // use the snapshot), so its pages need not stay cached. Keeping them cost W3's 1 GiB layer
    // 3.7 s instead of 1.5 s here: every new page-cache page of a VM whose free memory goes back
    // to the host is a fault on the host, and written through, the blob reuses the pages it frees.
    const writer = await this.#store.content.writer(ref, { lease: this.#lease, writeThrough: true });
    try {
      const written = await createLayer(sn.diffSource(key), writer, {
        compression: 'none',
        ...(this.#sourceDateEpoch === undefined ? {} : { sourceDateEpoch: this.#sourceDateEpoch }),
        ...(signal === undefined ? {} : { signal }),
      });
      if (EMPTY_TAR_DIFF_IDS.has(written.diffId)) {
        await writer.abort();
        return undefined;
      }
      const desc = await writer.commit(written.size, written.digest);
      return {
        descriptor: { mediaType: written.mediaType, digest: desc.digest, size: desc.size },
        diffId: written.diffId,
        uncompressedSize: written.uncompressedSize,
      };
    } catch (err) {
      await writer.abort();
      throw err;
    }
  }
}
