/**
 * The solver: turns a parsed Dockerfile into an image. It builds only the stages the target needs,
 * runs independent stages concurrently, and walks each stage's instructions in order: metadata
 * instructions change the config; RUN, COPY, ADD and WORKDIR change the filesystem, each under a
 * cache key (DESIGN.md, Cache keys) looked up before anything runs.
 *
 * Cache keys chain through the filesystem only: a step's key is the hash of the previous
 * filesystem step's key (or the base image's ID), the step in canonical form with the values it
 * sees (environment, user, working directory, expanded words) and, for COPY/ADD, the content digest
 * of its sources. Proxy build args and secrets are never part of a key.
 */
import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  BuildArgs,
  expandInstruction,
  parseDockerfile,
  parseMount,
  stageGraph,
  stagesForTarget,
  type AddInstruction,
  type Command,
  type CopyInstruction,
  type Dockerfile,
  type RunInstruction,
  type Stage,
  type WorkdirInstruction,
} from '../dockerfile/index.js';
import { FailedPreconditionError, GantryError, InvalidArgumentError, NotFoundError } from '../errors.js';
import type { ContainerConfig, Digest, ImageConfig, Platform } from '../oci/index.js';
import type { ProgressSink } from '../progress.js';
import { readBlob, type Store } from '../store/index.js';
import { BuildContext } from './context.js';
import { cleanSource, copyInto, matchSources, parseChmod, type DestTree, type Owner } from './copy.js';
import { applyMeta, isMetaInstruction } from './meta.js';
import { download, isArchiveFile, isUrl, unpackArchive, type Download, type UrlFetch } from './add.js';
import type { RunRuntime } from './run-step.js';
import { cloneState, commitHistory, stageWorkdir, withShell, type StageState, type StateLayer } from './stage-state.js';
import { Workspace } from './workspace.js';
import { resolveBuildPlatform } from './platform.js';
import { traced } from '../trace.js';

export interface SolveRequest {
  dockerfile: Dockerfile;
  /** Shown in messages and progress (`Dockerfile`). */
  filename: string;
  context: BuildContext | undefined;
  target?: string;
  buildArgs: Record<string, string>;
  noCache: boolean;
  /** Stage names whose steps ignore the cache. */
  noCacheFilter: string[];
  secrets: ReadonlyMap<string, Uint8Array>;
  network: 'default' | 'host' | 'none';
  addHosts: string[];
  shmSize?: number;
  ulimits?: string[];
  /** Seconds since the epoch for history and config times (SOURCE_DATE_EPOCH). */
  sourceDateEpoch?: number;
  progress: ProgressSink;
  signal?: AbortSignal;
  /** Finds an image that is not in the store (a pull), or undefined when there is no way. */
  fetchImage?: (reference: string) => Promise<Digest>;
  /** `--pull`: every base image goes through `fetchImage` even when the store has the name. */
  pull?: boolean;
  /** How ADD downloads http(s) sources (default: the global fetch). */
  fetchUrl?: UrlFetch;
  /** `--platform` (one this machine builds, normalized): TARGETPLATFORM and the image's platform. */
  platform?: Platform;
}

export interface SolveResult {
  state: StageState;
  warnings: string[];
}

export class BaseImageNotFoundError extends NotFoundError {
  constructor(reference: string) {
    super('BASE_IMAGE_NOT_FOUND', `${reference}: not found in the local store`, {
      hint: 'Make it with `gantry image bootstrap`, `gantry image load` or `gantry image import`, or pull it',
    });
  }
}

/** An error at a Dockerfile instruction: the CLI prints the instruction's lines. */
export class BuildStepError extends GantryError {
  constructor(
    readonly step: string,
    readonly lines: { start: number; end: number },
    readonly filename: string,
    cause: unknown,
    readonly outputTail: string[] = [],
  ) {
    super(
      cause instanceof GantryError ? cause.kind : 'internal',
      cause instanceof GantryError ? cause.code : 'BUILD_STEP_FAILED',
      `failed to solve: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
}

interface StepResult {
  layer?: StateLayer;
  /** When the step ran (RFC 3339): kept by the cache, so a rebuild from cache gives the same image. */
  created?: string;
}

const RESULT_TYPE = 'regular';
/** BuildKit's record type for its own bookkeeping; here the content checksums of stage sources. */
const CHECKSUM_TYPE = 'internal';
/** Go's filepath.Match metacharacters: a source with one is a pattern, not a path. */
const WILDCARD_SOURCE = /[*?[\\]/;

export class Solver {
  readonly #store: Store;
  readonly #ws: Workspace;
  readonly #runtime: () => Promise<RunRuntime>;
  readonly #req: SolveRequest;
  readonly #stages = new Map<number, Promise<StageState>>();
  readonly #buildArgs: BuildArgs;
  readonly #warnings: string[] = [];
  readonly #created: string | undefined;
  /** The build's lease: what the build reads or writes is added to it, so a concurrent prune leaves it. */
  readonly #lease: string;
  #vertex = 0;
  readonly #vertexNames = new Map<string, { name: string; started: number }>();

  constructor(store: Store, workspace: Workspace, lease: string, runtime: () => Promise<RunRuntime>, req: SolveRequest) {
    this.#store = store;
    this.#ws = workspace;
    this.#lease = lease;
    this.#runtime = runtime;
    this.#req = req;
    this.#created = req.sourceDateEpoch === undefined ? undefined : new Date(req.sourceDateEpoch * 1000).toISOString().replace('.000Z', 'Z');
    const metaArgs = req.dockerfile.metaArgs.flatMap((a) => a.args.map((d) => (d.value === undefined ? { key: d.key } : { key: d.key, value: d.value })));
    this.#buildArgs = new BuildArgs(metaArgs, {
      buildArgs: req.buildArgs,
      escape: req.dockerfile.escapeToken,
      ...(req.target === undefined ? {} : { targetStage: req.target }),
      ...(req.platform === undefined ? {} : { targetPlatform: req.platform }),
    });
  }

  /** Builds the target stage (and what it needs) and returns its final state. */
  async solve(): Promise<SolveResult> {
    const df = this.#req.dockerfile;
    const graph = stageGraph(df.stages, { escapeToken: df.escapeToken, resolveBaseName: (st: Stage) => this.#buildArgs.expandFrom(st.baseName).result });
    const { target, stages } = stagesForTarget(graph, this.#req.target, { filename: this.#req.filename });
    // Start every needed stage now: independent ones run concurrently, dependents wait.
    for (const s of stages) void this.#stage(s.index).catch(() => {});
    const state = await this.#stage(target.index);
    await Promise.allSettled(stages.map((s) => this.#stage(s.index)));
    const unconsumed = this.#buildArgs.unconsumedBuildArgs();
    if (unconsumed.length > 0) this.#warnings.push(`[Warning] One or more build-args [${unconsumed.join(' ')}] were not consumed`);
    return { state, warnings: this.#warnings };
  }

  #stage(index: number): Promise<StageState> {
    let p = this.#stages.get(index);
    if (p === undefined) {
      p = this.#buildStage(index);
      this.#stages.set(index, p);
    }
    return p;
  }

  #stageName(stage: Stage): string {
    return stage.name !== '' ? stage.name : `stage-${stage.index}`;
  }

  async #buildStage(index: number): Promise<StageState> {
    const df = this.#req.dockerfile;
    const stage = df.stages[index] as Stage;
    const name = this.#stageName(stage);
    const total = (stage.baseName.toLowerCase() === 'scratch' ? 0 : 1) + stage.commands.filter((c) => ['add', 'copy', 'run', 'workdir'].includes(c.kind)).length;
    let counter = 0;
    // A lone stage has no name in progress lines (BuildKit: `[2/4] RUN …`).
    const prefix = df.stages.length === 1 ? '' : `${name} `;
    const label = (text: string): string => (total === 0 ? text : `[${prefix}${String(++counter).padStart(String(total).length)}/${total}] ${text}`);

    // `FROM --platform=…` (expanded with the global args, e.g. $BUILDPLATFORM) must be one this
    // machine builds, as `--platform` must; it sets the stage's image platform.
    let platform = this.#req.platform;
    if (stage.platform !== '') {
      try {
        platform = resolveBuildPlatform(this.#buildArgs.expandFrom(stage.platform).result);
      } catch (err) {
        throw this.#stepError(stage.from, err);
      }
    }
    const baseName = this.#buildArgs.expandFrom(stage.baseName).result;
    const baseStage = df.stages.find((s, i) => i < index && s.name !== '' && s.name === baseName.toLowerCase());
    let state: StageState;
    if (baseStage !== undefined) {
      const base = await this.#stage(baseStage.index);
      state = cloneState(base, this.#buildArgs.stage(base.args));
      if (base.baseOnBuild.length > 0) state.baseOnBuild = [];
    } else if (baseName.toLowerCase() === 'scratch') {
      state = this.#emptyState();
    } else {
      const v = this.#startVertex(label(`FROM ${baseName}`));
      try {
        state = await traced('base.image', () => this.#imageState(baseName));
        this.#endVertex(v, { cached: true });
      } catch (err) {
        this.#endVertex(v, { error: err });
        throw this.#stepError(stage.from, err);
      }
    }
    state.image.config.Env = state.args.imageEnv();
    if (platform !== undefined) {
      state.image.os = platform.os;
      state.image.architecture = platform.architecture;
      if (platform.variant === undefined) delete state.image.variant;
      else state.image.variant = platform.variant;
    }

    // A base image's ONBUILD triggers run first, in the child build, and are then cleared.
    const triggers = state.image.config.OnBuild ?? [];
    if (triggers.length > 0 && baseStage === undefined) {
      const parsed = parseDockerfile(`FROM scratch\n${triggers.join('\n')}\n`).stages[0]?.commands ?? [];
      for (const c of parsed) await this.#dispatch(state, stage, c, label, true);
    }
    if (baseStage === undefined) delete state.image.config.OnBuild;
    for (const c of stage.commands) {
      this.#req.signal?.throwIfAborted();
      await this.#dispatch(state, stage, c, label, false);
    }
    return state;
  }

  #emptyState(): StageState {
    const image: StageState['image'] = {
      architecture: hostArch(),
      os: 'linux',
      config: {},
      rootfs: { type: 'layers', diff_ids: [] },
      history: [],
    };
    return { image, layers: [], fsKey: 'scratch', args: this.#buildArgs.stage(undefined, []), cmdSet: false, baseOnBuild: [] };
  }

  async #imageState(reference: string): Promise<StageState> {
    let record;
    try {
      if (this.#req.pull === true && this.#req.fetchImage !== undefined) return await this.#imageStateOf(this.#store.images.get(await this.#req.fetchImage(reference)));
      record = this.#store.images.resolve(reference);
    } catch (err) {
      if (!(err instanceof NotFoundError) || this.#req.fetchImage === undefined) {
        throw err instanceof NotFoundError ? new BaseImageNotFoundError(reference) : err;
      }
      const id = await this.#req.fetchImage(reference);
      record = this.#store.images.get(id);
    }
    return this.#imageStateOf(record);
  }

  /** Adds blobs the build will read to its lease: a prune running meanwhile must not collect them. */
  #hold(digests: readonly Digest[]): void {
    // One transaction for all of them (each addResource alone would be its own BEGIN IMMEDIATE).
    this.#store.db.write(() => {
      for (const id of digests) this.#store.leases.addResource(this.#lease, { type: 'content', id });
    });
  }

  async #imageStateOf(record: ReturnType<Store['images']['get']>): Promise<StageState> {
    // Held before they are read: `system prune -a` may untag the base image while the build runs.
    this.#hold([record.config.digest, ...record.layers.map((l) => l.digest)]);
    const config = JSON.parse(Buffer.from(await readBlob(this.#store.content, record.config)).toString('utf8')) as ImageConfig;
    const image = structuredClone(config) as StageState['image'];
    delete image.created;
    image.config = (config.config ?? {}) as ContainerConfig;
    image.history = config.history ?? [];
    const layers: StateLayer[] = record.layers.map((l) => ({
      descriptor: { mediaType: l.mediaType, digest: l.digest, size: l.size },
      diffId: l.diffId,
      ...(l.uncompressedSize === undefined ? {} : { uncompressedSize: l.uncompressedSize }),
    }));
    return {
      image,
      layers,
      fsKey: record.id,
      args: this.#buildArgs.stage(undefined, config.config?.Env ?? []),
      cmdSet: false,
      baseOnBuild: [],
    };
  }

  async #dispatch(state: StageState, stage: Stage, raw: Command, label: (t: string) => string, onbuild: boolean): Promise<void> {
    const filename = this.#req.filename;
    let c: Command;
    try {
      // ARG defaults are expanded by the args model itself (once, with the right scope).
      c = raw.kind === 'arg' ? raw : expandInstruction(raw, {
        word: (w) => state.args.expandWord(w).result,
        words: (w) => state.args.expandWords(w).words,
      }, { filename });
    } catch (err) {
      throw this.#stepError(raw, err);
    }
    if (isMetaInstruction(c)) {
      try {
        applyMeta(state, c, this.#created);
      } catch (err) {
        throw this.#stepError(raw, err);
      }
      return;
    }
    const text = label(`${onbuild ? 'ONBUILD ' : ''}${uppercaseFirst(c.code)}`);
    const noCache = this.#req.noCache || this.#req.noCacheFilter.includes(stage.name) || this.#req.noCacheFilter.includes(this.#stageName(stage));
    switch (c.kind) {
      case 'run':
        return this.#step(state, raw, text, noCache, () => this.#runKey(state, c), (key) => this.#run(state, c, key), this.#runHistory(state, c));
      case 'copy':
      case 'add':
        return this.#copyStep(state, raw, c, text, noCache);
      case 'workdir':
        return this.#workdir(state, raw, c, text, noCache);
      default:
        return;
    }
  }

  /** The generic filesystem step: key, cache lookup, execution, history. */
  async #step(
    state: StageState,
    raw: Command,
    text: string,
    noCache: boolean,
    keyOf: () => Promise<string>,
    exec: (key: string) => Promise<StepResult>,
    history: string,
    /** For a `--link` step: the key the next step chains from (the step's own key is base-independent). */
    nextFsKey?: (key: string) => string,
  ): Promise<void> {
    const v = this.#startVertex(text);
    try {
      const key = await traced(`key ${text}`, keyOf);
      let result = noCache ? undefined : await traced('cache.lookup', () => this.#cached(key));
      if (result !== undefined) {
        this.#endVertex(v, { cached: true });
      } else {
        result = { ...(await traced(`exec ${text}`, () => exec(key))), created: this.#created ?? new Date().toISOString() };
        this.#record(key, text, result);
        this.#endVertex(v, {});
      }
      if (result.layer !== undefined) {
        state.layers.push(result.layer);
        state.image.rootfs.diff_ids.push(result.layer.diffId);
      }
      commitHistory(state, history, result.layer !== undefined, this.#created ?? result.created, !history.startsWith('WORKDIR '));
      if (result.created !== undefined && (state.lastCreated === undefined || result.created > state.lastCreated)) state.lastCreated = result.created;
      state.fsKey = nextFsKey === undefined ? key : nextFsKey(key);
    } catch (err) {
      this.#endVertex(v, { error: err });
      throw this.#stepError(raw, err, text);
    }
  }

  async #cached(key: string): Promise<StepResult | undefined> {
    for (const rec of this.#store.buildCache.findByKey(key)) {
      if (rec.type !== RESULT_TYPE) continue;
      const layerRes = rec.resources.find((r) => r.type === 'content');
      const meta = rec.description.match(/^step:(.*)$/s);
      if (meta === null) continue;
      let parsed: { layer?: StateLayer; created?: string };
      try {
        parsed = JSON.parse(meta[1] as string) as { layer?: StateLayer; created?: string };
      } catch {
        continue;
      }
      if (parsed.layer !== undefined) {
        if (layerRes === undefined) continue;
        // Held, then checked: from here on a concurrent `builder prune` cannot take the layer.
        this.#hold([parsed.layer.descriptor.digest]);
        try {
          await this.#store.content.info(parsed.layer.descriptor.digest);
        } catch {
          continue; // the blob was collected: run the step again
        }
      }
      this.#store.buildCache.touch(rec.id);
      return { ...(parsed.layer === undefined ? {} : { layer: parsed.layer }), ...(parsed.created === undefined ? {} : { created: parsed.created }) };
    }
    return undefined;
  }

  #record(key: string, _text: string, result: StepResult): void {
    const resources = result.layer === undefined ? [] : [{ type: 'content' as const, id: result.layer.descriptor.digest }];
    this.#store.buildCache.put({
      id: randomBytes(16).toString('hex'),
      type: RESULT_TYPE,
      description: `step:${JSON.stringify({ ...(result.layer === undefined ? {} : { layer: result.layer }), created: result.created })}`,
      cacheKey: key,
      size: result.layer?.descriptor.size ?? 0,
      resources,
    });
  }

  // ---------------------------------------------------------------- RUN

  #runArgs(state: StageState, c: RunInstruction): { args: string[]; pipeFiles: { name: string; data: string }[] } {
    const cmd = c.command;
    if (cmd.files.length === 0) return { args: withShell(state, cmd.cmdLine, cmd.prependShell), pipeFiles: [] };
    const first = cmd.cmdLine[0] ?? '';
    const file = cmd.files[0];
    const data = (f: { data: string; chomp: boolean }): string => (f.chomp ? f.data.replace(/^\t+/gm, '') : f.data);
    if (cmd.files.length === 1 && file !== undefined && /^<<-?['"]?[A-Za-z0-9_]+['"]?$/.test(first.trim())) {
      // A lone heredoc with a shebang is a script run directly; otherwise the shell runs the text.
      if (data(file).startsWith('#!')) return { args: [`/dev/pipes/${file.name}`], pipeFiles: [{ name: file.name, data: data(file) }] };
      return { args: withShell(state, [data(file)], true), pipeFiles: [] };
    }
    let full = first;
    for (const f of cmd.files) full += `\n${data(f)}${f.name}`;
    return { args: withShell(state, [full], true), pipeFiles: [] };
  }

  #runHistory(state: StageState, c: RunInstruction): string {
    return `RUN ${state.args.runHistory(this.#runArgs(state, c).args)}`;
  }

  #mounts(state: StageState, c: RunInstruction) {
    return (c.mounts ?? c.mountSpecs.map((m) => parseMount(m.spec, (w) => state.args.expandWord(w).result)));
  }

  async #runKey(state: StageState, c: RunInstruction): Promise<string> {
    const { args, pipeFiles } = this.#runArgs(state, c);
    const mounts = await Promise.all(
      this.#mounts(state, c).map(async (m) => ({
        type: m.type,
        target: m.target,
        source: m.source,
        readOnly: m.readOnly,
        id: m.id,
        sharing: m.sharing,
        // A bind from a stage or image depends on its content; from the context, on the files.
        from: m.type === 'bind' ? (m.from !== '' ? (await this.#fromState(m.from, state)).fsKey : await this.#contextKey([m.source === '' ? '.' : m.source])) : '',
      })),
    );
    return hashKey({
      op: 'run',
      parent: state.fsKey,
      args,
      env: envList(state),
      user: state.image.config.User ?? '',
      cwd: stageWorkdir(state),
      network: c.network,
      security: c.security,
      mounts,
      pipeFiles,
    });
  }

  async #run(state: StageState, c: RunInstruction, _key: string): Promise<StepResult> {
    if (c.security === 'insecure') {
      // A privileged container with every capability and host devices: gantry runs RUN steps
      // sandboxed only, as BuildKit does unless its daemon and the build grant the entitlement.
      throw new FailedPreconditionError(
        'INSECURE_NOT_ALLOWED',
        'Cannot run RUN --security=insecure: granting entitlement security.insecure is not allowed (gantry build runs every RUN step sandboxed)',
      );
    }
    const { args, pipeFiles } = this.#runArgs(state, c);
    const mounts = this.#mounts(state, c);
    const network = c.network === 'none' || (c.network === 'default' && this.#req.network === 'none') ? 'none' : 'host';
    let stubs: string[] = [];
    // run-step (with snapshot/ and layer/ behind it) loads with the first RUN that runs, not for a cached build.
    const [runtime, { runInRoot, removeStubs }] = await Promise.all([this.#runtime(), import('./run-step.js')]);
    const vertexId = this.#currentVertex;
    const change = await this.#ws.change(
      state.layers,
      async (rootfs) => {
        stubs = await runInRoot(
          rootfs,
          {
            args,
            env: envList(state),
            extraEnv: this.#buildArgs.proxyEnv(),
            user: state.image.config.User ?? '',
            workdir: stageWorkdir(state),
            network,
            pipeFiles,
            mounts,
            viewOf: async (from) => this.#ws.openView((await this.#fromState(from, state)).layers, this.#req.signal),
            contextDir: this.#req.context?.root,
            secrets: this.#req.secrets,
            cacheDir: join(this.#store.root, 'cache-mounts'),
            cacheMounts: this.#store.cacheMounts,
            addHosts: this.#req.addHosts,
            ...(this.#req.shmSize === undefined ? {} : { shmSize: this.#req.shmSize }),
            ...(this.#req.ulimits === undefined ? {} : { ulimits: this.#req.ulimits }),
            ...(this.#req.signal === undefined ? {} : { signal: this.#req.signal }),
            onOutput: (stream, data) => this.#req.progress.emit({ type: 'log', log: { vertex: vertexId, stream, data, timestamp: Date.now() } }),
          },
          runtime,
        );
      },
      { ...(this.#req.signal === undefined ? {} : { signal: this.#req.signal }), cleanup: (upper) => removeStubs(upper, stubs) },
    );
    return change.layer === undefined ? {} : { layer: change.layer };
  }

  // ---------------------------------------------------------------- COPY / ADD

  async #copyStep(state: StageState, raw: Command, c: CopyInstruction | AddInstruction, text: string, noCache: boolean): Promise<void> {
    const from = c.kind === 'copy' ? c.from : '';
    const history = await this.#copyHistory(c, from);
    // BuildKit merges a `--link` copy (without --chmod) as its own layer, made on scratch: a rebuilt
    // base keeps the step cached, and the layer can be rebased without being recreated.
    const linked = c.link && c.chmod === '';
    await this.#step(
      state,
      raw,
      text,
      noCache,
      async () => {
        const local = c.sources.filter((x) => c.kind !== 'add' || !isUrl(x));
        const urls = c.kind === 'add' ? await Promise.all(c.sources.filter(isUrl).map((u) => this.#download(u, (c as AddInstruction).checksum))) : [];
        const sourceKey =
          from !== '' ? await this.#stageSourceKey(state, from, local) : local.length > 0 ? await this.#contextKey(local) : '';
        return hashKey({
          urls: urls.map((d) => [d.url, d.digest]),
          unpack: c.kind === 'add' ? c.unpack : undefined,
          op: c.kind,
          // A linked copy is made on an empty root: its layer, hence its key, is independent of the base.
          parent: linked ? 'link' : state.fsKey,
          sources: c.sources,
          inline: c.sourceContents,
          sourceKey,
          dest: c.dest,
          cwd: stageWorkdir(state),
          chown: c.chown,
          chmod: c.chmod,
          link: c.link,
          parents: c.kind === 'copy' ? c.parents : false,
          exclude: c.exclude,
          // Where gantry's copy rules changed (2: --exclude matched below each source, --parents
          // kept from the `/./` pivot), a result cached under the old rules is not reused.
          rules: c.exclude.length > 0 || (c.kind === 'copy' && c.parents) ? 2 : undefined,
          user: state.image.config.User ?? '',
        });
      },
      async () => {
        const chmod = parseChmod(c.chmod);
        const add = c.kind === 'add' ? await this.#addPlan(c) : undefined;
        /** The copy proper, into a mounted root (a host path) or an overlay upper directory written directly. */
        const copy = async (dest: string | DestTree, owner: Owner | undefined, rootfs: string | undefined): Promise<void> => {
          const common = {
            dest: c.dest,
            workdir: stageWorkdir(state),
            destRoot: dest,
            ...(owner === undefined ? {} : { owner }),
            ...(chmod === undefined ? {} : { chmod }),
            parents: c.kind === 'copy' ? c.parents : false,
            excludes: c.exclude,
            command: c.kind.toUpperCase(),
            ...(this.#req.signal === undefined ? {} : { signal: this.#req.signal }),
          };
          if (c.sourceContents.length > 0 && rootfs !== undefined) {
            await writeInlineFiles(rootfs, c, common.workdir, owner, chmod);
            if (c.sources.length === 0) return;
          }
          if (from !== '') {
            const src = await this.#fromState(from, state);
            await this.#ws.view(src.layers, async (srcRoot) => {
              await copyInto({ ...common, srcRoot, sources: c.sources, resetOwner: false }, async () => listTree(srcRoot));
            });
          } else {
            let sources = c.sources;
            if (add !== undefined) sources = rootfs === undefined ? add.rest : await this.#addExtras(rootfs, c as AddInstruction, add, common.workdir, owner, chmod);
            if (sources.length === 0) return;
            const ctx = this.#requireContext();
            const entries = await ctx.entries();
            await traced('copy.files', () => copyInto(
              { ...common, srcRoot: ctx.root, sources, sourceCount: c.sources.length, resetOwner: true, visible: (p) => entries.has(p), knownStat: (p) => entries.get(p) },
              async () => entries.keys(),
            ));
          }
        };
        // Heredoc files, ADD's downloads and its archives are written by code that takes a host
        // root, so such a step is mounted; everything else (nearly every COPY) writes the overlay
        // upper directory itself (the snapshotter decides: vfs always mounts).
        const direct = c.sourceContents.length === 0 && (add === undefined || add.direct);
        const change = await this.#ws.change(
          linked ? [] : state.layers,
          async (rootfs) => copy(rootfs, c.chown === '' ? undefined : await resolveOwner(rootfs, c.chown), rootfs),
          direct
            ? {
                direct: async ({ upper, lowers }) => {
                  const { OverlayUpperTree } = await import('../layer/index.js');
                  const tree = new OverlayUpperTree(upper, lowers);
                  await copy(tree, c.chown === '' ? undefined : await resolveOwner(tree, c.chown), undefined);
                },
              }
            : {},
        );
        return change.layer === undefined ? {} : { layer: change.layer };
      },
      history,
      linked ? (key) => hashKey({ op: 'merge', parent: state.fsKey, layer: key }) : undefined,
    );
  }

  readonly #downloads = new Map<string, Promise<Download>>();

  /** One download per URL and build: the key and the copy use the same bytes. */
  #download(url: string, checksum: string): Promise<Download> {
    let d = this.#downloads.get(url);
    if (d === undefined) {
      d = download(url, checksum, {
        ...(this.#req.signal === undefined ? {} : { signal: this.#req.signal }),
        ...(this.#req.fetchUrl === undefined ? {} : { fetch: this.#req.fetchUrl }),
      });
      this.#downloads.set(url, d);
    }
    return d;
  }

  /**
   * What ADD's sources are: per source, a URL, local archives to unpack (each match of a wildcard)
   * or plain files to copy; `rest` is what the plain copy gets, `direct` when that is all there is.
   */
  async #addPlan(c: AddInstruction): Promise<AddPlan> {
    const archives = new Map<string, string[]>();
    const rest: string[] = [];
    let direct = true;
    for (const src of c.sources) {
      if (isUrl(src)) {
        direct = false;
        continue;
      }
      if (c.unpack === false) {
        rest.push(src);
        continue;
      }
      const ctx = this.#requireContext();
      const entries = await ctx.entries();
      const matches = matchSources(src, entries.keys());
      const found: string[] = [];
      for (const m of matches) {
        const e = entries.get(m);
        if (e?.type === 'file' && (await isArchiveFile(join(ctx.root, m)))) found.push(m);
        else rest.push(m === '' ? '.' : m);
      }
      if (matches.length === 0) rest.push(src); // copyInto reports the missing source
      if (found.length > 0) direct = false;
      archives.set(src, found);
    }
    return { archives, rest, direct };
  }

  /**
   * ADD's URL sources and local archives, done here (in source order); returns the sources left for
   * the plain copy. URLs become files of mode 0600 (BuildKit); archives are unpacked into the
   * destination directory.
   */
  async #addExtras(rootfs: string, c: AddInstruction, plan: AddPlan, workdir: string, owner: Owner | undefined, chmod: number | undefined): Promise<string[]> {
    const { resolveInRoot } = await import('../layer/index.js');
    const { writeFileSync, chownSync, utimesSync } = await import('node:fs');
    const destAbs = c.dest.startsWith('/') ? c.dest : `${workdir}/${c.dest}`;
    const destIsDir = c.dest.endsWith('/') || c.sources.length > 1;
    for (const src of c.sources) {
      if (isUrl(src)) {
        const d = await this.#download(src, c.checksum);
        const target = destIsDir ? `${destAbs.replace(/\/+$/, '')}/${d.name}` : destAbs;
        await mkdirInRoot(rootfs, target.slice(0, target.lastIndexOf('/')) || '/', owner);
        const host = resolveInRoot(rootfs, target);
        if (c.unpack === true) {
          const { mkdtempSync, rmSync } = await import('node:fs');
          const { tmpdir } = await import('node:os');
          const tmp = mkdtempSync(join(tmpdir(), 'gantry-add-'));
          try {
            writeFileSync(join(tmp, 'a'), d.data);
            await mkdirInRoot(rootfs, destAbs, owner);
            await unpackArchive(join(tmp, 'a'), resolveInRoot(rootfs, destAbs, { followLast: true }));
          } finally {
            rmSync(tmp, { recursive: true, force: true });
          }
          continue;
        }
        writeFileSync(host, d.data, { mode: chmod ?? 0o600 });
        if (owner !== undefined) chownSync(host, owner.uid, owner.gid);
        if (d.mtime !== undefined && !Number.isNaN(d.mtime.getTime())) utimesSync(host, d.mtime, d.mtime);
        continue;
      }
      // Local archives (each match of a wildcard too) are unpacked; everything else is copied.
      for (const m of plan.archives.get(src) ?? []) {
        const ctx = this.#requireContext();
        await mkdirInRoot(rootfs, destAbs, owner);
        await unpackArchive(join(ctx.root, m), resolveInRoot(rootfs, destAbs, { followLast: true }), this.#req.signal === undefined ? {} : { signal: this.#req.signal });
      }
    }
    return plan.rest;
  }

  async #copyHistory(c: CopyInstruction | AddInstruction, _from: string): Promise<string> {
    // BuildKit's commit message: `COPY|ADD [--parents] [--chown=…] [--chmod=…] <srcs> [<<heredoc…] <dest>`;
    // `--from`, `--link` and `--exclude` are not part of it.
    const flags: string[] = [];
    if (c.kind === 'copy' && c.parents) flags.push('--parents');
    if (c.chown !== '') flags.push(`--chown=${c.chown}`);
    if (c.chmod !== '') flags.push(`--chmod=${c.chmod}`);
    return [c.kind.toUpperCase(), ...flags, ...c.sources, ...c.sourceContents.map((f) => `<<${f.path}`), c.dest].join(' ');
  }

  #requireContext(): BuildContext {
    if (this.#req.context === undefined) {
      throw new InvalidArgumentError('NO_BUILD_CONTEXT', 'Cannot copy from the build context: the Dockerfile was read from stdin without a context');
    }
    return this.#req.context;
  }

  async #contextKey(sources: readonly string[]): Promise<string> {
    const ctx = this.#requireContext();
    const entries = await ctx.entries();
    const selected: string[] = [];
    for (const s of sources) {
      const matches = matchSources(s, entries.keys());
      for (const m of matches) {
        if (m !== '.' && !entries.has(m)) throw new NotFoundError('COPY_SOURCE_NOT_FOUND', `failed to compute cache key: failed to calculate checksum of ref: "/${cleanSource(s)}": not found`);
        selected.push(m === '.' ? '' : m);
      }
      if (matches.length === 0) throw new NotFoundError('COPY_SOURCE_NOT_FOUND', `failed to compute cache key: failed to calculate checksum of ref: "/${cleanSource(s)}": not found`);
    }
    await traced('context.walk', () => ctx.entries());
    return traced('context.checksum', () => ctx.checksum(selected, { ignoreOwner: true, ...(this.#req.signal === undefined ? {} : { signal: this.#req.signal }) }));
  }

  async #stageSourceKey(state: StageState, from: string, sources: readonly string[]): Promise<string> {
    const src = await this.#fromState(from, state);
    // The source stage's content under the selected paths: a rebuilt stage that yields the same
    // files keeps this step cached, as BuildKit's content checksums do. Layers are content
    // addressed, so the checksum of given sources in given layers never changes: it is kept as an
    // internal cache record, and a rebuild mounts and walks nothing to find it again.
    const memoKey = hashKey({ op: 'source-checksum', diffIds: src.layers.map((l) => l.diffId), sources });
    for (const rec of this.#store.buildCache.findByKey(memoKey)) {
      if (rec.type === CHECKSUM_TYPE && rec.description.startsWith('checksum:')) return rec.description.slice('checksum:'.length);
    }
    const checksum = await traced('source.checksum', () =>
      this.#ws.view(src.layers, async (root) => {
        // Named sources are walked alone; a wildcard needs the whole tree to match against.
        const cleaned = sources.map(cleanSource);
        const named = cleaned.every((s) => !WILDCARD_SOURCE.test(s));
        const ctx = new BuildContext(root, named ? { only: cleaned.map((s) => (s === '.' ? '' : s)) } : {});
        const all = await ctx.entries();
        const selected = sources.flatMap((s) => matchSources(s, all.keys())).map((m) => (m === '.' ? '' : m));
        return ctx.checksum(selected);
      }),
    );
    this.#store.buildCache.put({ id: randomBytes(16).toString('hex'), type: CHECKSUM_TYPE, description: `checksum:${checksum}`, cacheKey: memoKey, size: 0, resources: [] });
    return checksum;
  }

  /** The state a `--from` names: a stage (by name or index) or an image. */
  async #fromState(from: string, current: StageState): Promise<StageState> {
    const df = this.#req.dockerfile;
    const lower = from.toLowerCase();
    const byName = df.stages.find((s) => s.name !== '' && s.name === lower);
    if (byName !== undefined) return this.#stage(byName.index);
    if (/^[0-9]+$/.test(from)) {
      const i = Number(from);
      if (i < df.stages.length) return this.#stage(i);
    }
    void current;
    return this.#imageState(from);
  }

  // ---------------------------------------------------------------- WORKDIR

  async #workdir(state: StageState, raw: Command, c: WorkdirInstruction, text: string, noCache: boolean): Promise<void> {
    const wd = c.path.startsWith('/') ? normalizePath(c.path) : normalizePath(`${stageWorkdir(state)}/${c.path}`);
    state.image.config.WorkingDir = wd;
    if (wd === '/') {
      commitHistory(state, `WORKDIR ${wd}`, false, this.#created);
      return;
    }
    const user = state.image.config.User ?? '';
    await this.#step(
      state,
      raw,
      text,
      noCache,
      async () => hashKey({ op: 'mkdir', parent: state.fsKey, path: wd, user }),
      async () => {
        const change = await this.#ws.change(state.layers, async (rootfs) => {
          const owner = user === '' ? undefined : await resolveOwner(rootfs, user);
          await mkdirInRoot(rootfs, wd, owner);
        });
        return change.layer === undefined ? {} : { layer: change.layer };
      },
      `WORKDIR ${wd}`,
    );
  }

  // ---------------------------------------------------------------- progress and errors

  #currentVertex = '';

  #startVertex(name: string): string {
    const id = `v${++this.#vertex}-${randomBytes(4).toString('hex')}`;
    this.#currentVertex = id;
    const started = Date.now();
    this.#vertexNames.set(id, { name, started });
    this.#req.progress.emit({ type: 'vertex', vertex: { id, name, started } });
    return id;
  }

  #endVertex(id: string, how: { cached?: boolean; error?: unknown }): void {
    const now = Date.now();
    const known = this.#vertexNames.get(id);
    const vertex: { id: string; name: string; started?: number; completed: number; cached?: boolean; error?: string } = { id, name: known?.name ?? '', completed: now };
    if (known !== undefined) vertex.started = known.started;
    if (how.cached === true) vertex.cached = true;
    if (how.error !== undefined) vertex.error = how.error instanceof Error ? how.error.message : String(how.error);
    this.#req.progress.emit({ type: 'vertex', vertex });
  }

  /** `label` is the step's progress name (`[3/4] RUN …`), which BuildKit's error box shows. */
  #stepError(c: Command | Stage['from'], err: unknown, label?: string): Error {
    if (err instanceof BuildStepError) return err;
    const tail = (err as { lastLines?: string[] }).lastLines ?? [];
    return new BuildStepError(label ?? c.code, { start: c.location.startLine, end: c.location.endLine }, this.#req.filename, err, tail);
  }
}

// ---------------------------------------------------------------- helpers

function hostArch(): string {
  return process.arch === 'x64' ? 'amd64' : process.arch === 'ia32' ? '386' : process.arch;
}

function uppercaseFirst(code: string): string {
  const sp = code.indexOf(' ');
  return sp < 0 ? code.toUpperCase() : code.slice(0, sp).toUpperCase() + code.slice(sp);
}

/** The environment a RUN sees: the stage's variables (image env, ARG values, ENV). */
function envList(state: StageState): string[] {
  const env = state.args.env;
  const keys = (env as { keys?: () => string[] }).keys?.() ?? [];
  return keys.map((k) => `${k}=${env.get(k) ?? ''}`);
}

function hashKey(value: unknown): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(value)).digest('hex')}`;
}

function normalizePath(p: string): string {
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

async function listTree(root: string): Promise<string[]> {
  const ctx = new BuildContext(root);
  return [...(await ctx.entries()).keys()];
}

interface AddPlan {
  /** Per local source, its matches that are archives to unpack. */
  archives: Map<string, string[]>;
  /** The sources for the plain copy. */
  rest: string[];
  /** No URL and no archive: the plain copy is the whole step. */
  direct: boolean;
}

/**
 * Resolves `user[:group]` against the root filesystem's passwd and group files: a mounted root,
 * or an overlay upper directory's merged view.
 */
async function resolveOwner(root: string | { readText(path: string): string | undefined }, spec: string): Promise<Owner> {
  const { loadUserDb, resolveUser } = await import('../runtime/index.js');
  const db = typeof root === 'string' ? await loadUserDb(root) : { passwd: root.readText('/etc/passwd') ?? '', group: root.readText('/etc/group') ?? '' };
  const u = resolveUser(spec, db);
  return { uid: u.uid, gid: u.gid };
}

async function mkdirInRoot(rootfs: string, dir: string, owner: Owner | undefined): Promise<void> {
  const { resolveInRoot } = await import('../layer/index.js');
  const { mkdirSync, lstatSync, chownSync } = await import('node:fs');
  const parts = dir.split('/').filter((p) => p !== '');
  for (let i = 1; i <= parts.length; i++) {
    const host = resolveInRoot(rootfs, parts.slice(0, i).join('/'), { followLast: true });
    try {
      if (lstatSync(host).isDirectory()) continue;
    } catch {
      mkdirSync(host, { mode: 0o755 });
      if (owner !== undefined) chownSync(host, owner.uid, owner.gid);
    }
  }
}

async function writeInlineFiles(rootfs: string, c: CopyInstruction | AddInstruction, workdir: string, owner: Owner | undefined, chmod: number | undefined): Promise<void> {
  const { resolveInRoot } = await import('../layer/index.js');
  const { writeFileSync, chownSync } = await import('node:fs');
  const destDir = c.dest.startsWith('/') ? c.dest : `${workdir}/${c.dest}`;
  const isDir = c.dest.endsWith('/') || c.sourceContents.length > 1 || c.sources.length > 0;
  for (const f of c.sourceContents) {
    const target = isDir ? `${destDir.replace(/\/$/, '')}/${f.path}` : destDir;
    const parent = target.slice(0, target.lastIndexOf('/')) || '/';
    await mkdirInRoot(rootfs, parent, owner);
    const host = resolveInRoot(rootfs, target);
    writeFileSync(host, f.data, { mode: chmod ?? 0o644 });
    if (owner !== undefined) chownSync(host, owner.uid, owner.gid);
  }
}

