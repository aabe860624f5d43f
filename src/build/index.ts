/**
 * build/ — `gantry build`: a Dockerfile and a context become an image. The frontend (`dockerfile/`)
 * parses; the solver (`solver.ts`) walks the stages with a per-step cache; steps run on snapshots
 * (`workspace.ts`) under the OCI runtime (`run-step.ts`) or copy files (`copy.ts`); the exporter
 * below writes the config and manifest and names the image. Progress goes out as events; the
 * terminal is the CLI's business.
 *
 * @example
 * ```ts
 * const store = openStore({ root });
 * const { imageId } = await build(store, { dockerfile: { text, filename: 'Dockerfile' }, contextDir: '.', tags: ['app:1'] });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { CheckViolationError, lintDockerfile, parseDockerfile, PatternMatcher, type Dockerfile } from '../dockerfile/index.js';
import { digestOf, MediaType, parseNormalizedNamed, referenceString, type Descriptor, type Digest, type ImageConfig, type Manifest, type Platform } from '../oci/index.js';
import { discardProgress, type ProgressSink } from '../progress.js';
import { writeBlob, type ImageRecord, type Store } from '../store/index.js';
import { BuildContext, type ContextFilter } from './context.js';
import type { UrlFetch } from './add.js';
import type { RunRuntime } from './run-step.js';
import { Solver } from './solver.js';
import type { StageState } from './stage-state.js';
import { StatCache } from './stat-cache.js';
import { Workspace } from './workspace.js';
import { traced, traceLine } from '../trace.js';
import { createHash } from 'node:crypto';

export { BuildStepError, BaseImageNotFoundError } from './solver.js';
export { RunStepError, SecretMissingError } from './run-errors.js';
export { BuildContext } from './context.js';
export type { UrlFetch } from './add.js';
export { buildablePlatforms, resolveBuildPlatform, UnsupportedPlatformError } from './platform.js';
export { applyChanges, InvalidChangeError } from './changes.js';

export interface BuildOptions {
  dockerfile: { text: string; filename: string };
  /** The context directory; undefined for a Dockerfile read from stdin with no context. */
  contextDir?: string;
  /** `.dockerignore` patterns (already read). */
  ignorePatterns?: string[];
  tags?: string[];
  target?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  noCache?: boolean;
  noCacheFilter?: string[];
  secrets?: ReadonlyMap<string, Uint8Array>;
  network?: 'default' | 'host' | 'none';
  addHosts?: string[];
  shmSize?: number;
  ulimits?: string[];
  /** SOURCE_DATE_EPOCH: history and config times, and layer mtimes clamped. */
  sourceDateEpoch?: number;
  /** `--runtime`. */
  runtime?: string;
  /** `--storage-driver`. */
  storageDriver?: string;
  /**
   * COPY through a mounted root even on the overlay driver, instead of writing the snapshot's upper
   * directory directly (tests check that both give the same layers).
   */
  copyThroughMount?: boolean;
  /** Runs the Dockerfile checks for `BuildResult.checks` (default true; `-q` prints none, so skips them). */
  checks?: boolean;
  progress?: ProgressSink;
  signal?: AbortSignal;
  fetchImage?: (reference: string) => Promise<Digest>;
  /** `--pull`: resolve every base image through `fetchImage`, even when the store has it. */
  pull?: boolean;
  /**
   * How ADD downloads http(s) sources (default: the global fetch). The CLI gives the registry
   * transport, whose connections trust NODE_EXTRA_CA_CERTS (see tls-trust.ts) and certs.d.
   */
  fetchUrl?: UrlFetch;
  /** `--platform`, already checked with `resolveBuildPlatform`. */
  platform?: Platform;
  /** Hooks that watch the build's costly work (tests count container runs and context file reads). */
  observer?: BuildObserver;
}

export interface BuildObserver {
  /** A RUN step starts a container with these arguments. */
  containerRun?(args: readonly string[]): void;
  /** A context file's data is read to checksum it (the stat cache did not know it). */
  contextFileRead?(path: string): void;
}

export interface BuildResult {
  imageId: Digest;
  manifest: Descriptor;
  config: Descriptor;
  image: ImageRecord;
  warnings: string[];
  /** The Dockerfile checks' findings (SecretsUsedInArgOrEnv, …), printed after the build as BuildKit does. */
  checks: BuildCheck[];
}

export interface BuildCheck {
  rule: string;
  message: string;
  /** 1-based Dockerfile line, when known. */
  line?: number;
}

/** BuildKit's summary of check findings after a build (`N warnings found …` and one line each). */
export function formatChecks(checks: readonly BuildCheck[]): string {
  if (checks.length === 0) return '';
  let out = ` ${checks.length} warning${checks.length === 1 ? '' : 's'} found (use docker --debug to expand):\n`;
  for (const c of checks) out += ` - ${c.rule}: ${c.message}${c.line === undefined ? '' : ` (line ${c.line})`}\n`;
  return out;
}

/**
 * Builds the image and names it with `tags`. On failure nothing is named and nothing stays
 * mounted; what was written is left to garbage collection once the build's lease is gone.
 * @throws {BuildStepError} naming the failing instruction; {DockerfileSyntaxError}
 */
export async function build(store: Store, options: BuildOptions): Promise<BuildResult> {
  traceLine('build.start');
  const progress = options.progress ?? discardProgress;
  const df = await traced('dockerfile.parse', async () => parseDockerfile(options.dockerfile.text, { filename: options.dockerfile.filename }));
  // -q prints no warnings, so the checks run only where `error=true` could make them fail the build.
  const checks = options.checks === false && !mayFailOnChecks(options, df) ? [] : buildChecks(options);
  const lease = await traced('lease.create', async () => store.leases.create({ expiresAt: Date.now() + 6 * 3600_000, labels: { 'gantry.build': randomBytes(6).toString('hex') } }));
  const statCache = options.contextDir === undefined ? undefined : await traced('statcache.load', async () => new StatCache(statCachePath(store, options.contextDir as string)));
  try {
    const driver = options.storageDriver === undefined ? {} : { driver: options.storageDriver };
    // snapshot/ loads with the first step that needs it (a cached build never does); a driver
    // named explicitly is checked now, so a wrong one fails every build as before.
    const named = options.storageDriver !== undefined || process.env.GANTRY_STORAGE_DRIVER !== undefined ? (await import('../snapshot/index.js')).openSnapshotter(store, driver) : undefined;
    const workspace = new Workspace(store, (snapshot) => named ?? snapshot.openSnapshotter(store, driver), lease.id, {
      ...(options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch }),
      ...(options.copyThroughMount === true ? { copyThroughMount: true } : {}),
    });
    const context =
      options.contextDir === undefined
        ? undefined
        : new BuildContext(options.contextDir, {
            filter: ignoreFilter(options.ignorePatterns ?? []),
            ...(statCache === undefined ? {} : { statCache }),
            ...(options.observer?.contextFileRead === undefined ? {} : { onFileRead: options.observer.contextFileRead.bind(options.observer) }),
            // Memory over throughput for the heap of a build that holds a large context (build/heap.ts);
            // small builds do not load node:v8 for it.
            onLargeWalk: () => void import('./heap.js').then((h) => h.keepYoungGenerationSmall()),
          });
    let runtime: Promise<RunRuntime> | undefined;
    const solver = new Solver(store, workspace, lease.id, () => (runtime ??= openRunRuntime(store.root, options.runtime, options.observer)), {
      dockerfile: df,
      filename: options.dockerfile.filename,
      context,
      ...(options.target === undefined ? {} : { target: options.target }),
      buildArgs: options.buildArgs ?? {},
      noCache: options.noCache === true,
      noCacheFilter: options.noCacheFilter ?? [],
      secrets: options.secrets ?? new Map(),
      network: options.network ?? 'default',
      addHosts: options.addHosts ?? [],
      ...(options.shmSize === undefined ? {} : { shmSize: options.shmSize }),
      ...(options.ulimits === undefined ? {} : { ulimits: options.ulimits }),
      ...(options.sourceDateEpoch === undefined ? {} : { sourceDateEpoch: options.sourceDateEpoch }),
      progress,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      ...(options.fetchImage === undefined ? {} : { fetchImage: options.fetchImage }),
      pull: options.pull === true,
      ...(options.fetchUrl === undefined ? {} : { fetchUrl: options.fetchUrl }),
      ...(options.platform === undefined ? {} : { platform: options.platform }),
    });
    const { state, warnings } = await traced('solve', () => solver.solve());
    const exportVertex = `export-${randomBytes(4).toString('hex')}`;
    progress.emit({ type: 'vertex', vertex: { id: exportVertex, name: 'exporting to image', started: Date.now() } });
    const result = await traced('export', () => exportImage(store, state, lease.id, options));
    progress.emit({ type: 'status', status: { id: 'write', vertex: exportVertex, name: `writing image ${result.imageId}`, current: 0, started: Date.now(), completed: Date.now() } });
    for (const t of options.tags ?? []) {
      progress.emit({ type: 'status', status: { id: `name-${t}`, vertex: exportVertex, name: `naming to ${fullName(t)}`, current: 0, started: Date.now(), completed: Date.now() } });
    }
    progress.emit({ type: 'vertex', vertex: { id: exportVertex, name: 'exporting to image', completed: Date.now() } });
    return { ...result, warnings, checks };
  } finally {
    await traced('statcache.save', async () => statCache?.save());
    store.leases.delete(lease.id);
    traceLine('build.end');
  }
}

/** A tag as BuildKit's exporter names it in progress: normalized, `:latest` added (`docker.io/library/app:latest`). */
function fullName(tag: string): string {
  const r = parseNormalizedNamed(tag);
  return r.tag === undefined && r.digest === undefined ? `${referenceString(r)}:latest` : referenceString(r);
}

/**
 * `# check=error=true` (or the BUILDKIT_DOCKERFILE_CHECK build arg) turned the checks' warnings into
 * a failure, as in BuildKit: nothing is built. The warnings travel with it, to be printed first.
 */
export class BuildCheckViolationError extends CheckViolationError {
  constructor(rules: string[], readonly checks: BuildCheck[], filename?: string) {
    super(rules, filename);
  }
}

/** @throws {BuildCheckViolationError} */
function buildChecks(options: BuildOptions): BuildCheck[] {
  const lint = lintDockerfile(options.dockerfile.text, { filename: options.dockerfile.filename, buildArgs: options.buildArgs ?? {} });
  const checks = lint.warnings.map((w) => {
    const line = w.location[0]?.start;
    return { rule: w.rule, message: w.message, ...(line === undefined ? {} : { line }) };
  });
  if (lint.config.error && checks.length > 0) {
    throw new BuildCheckViolationError([...new Set(checks.map((c) => c.rule))], checks, options.dockerfile.filename);
  }
  return checks;
}

/** Whether the checks could be configured to fail the build: a `check` directive or the build arg. */
function mayFailOnChecks(options: BuildOptions, df: Dockerfile): boolean {
  return options.buildArgs?.['BUILDKIT_DOCKERFILE_CHECK'] !== undefined || df.directives.some((d) => d.name === 'check');
}

function statCachePath(store: Store, contextDir: string): string {
  return join(store.root, 'cache', 'context', `${createHash('sha256').update(contextDir).digest('hex').slice(0, 32)}.json`);
}

/** The `.dockerignore` patterns as the context walker's filter. */
function ignoreFilter(patterns: readonly string[]): ContextFilter | undefined {
  if (patterns.length === 0) return undefined;
  const m = new PatternMatcher([...patterns]);
  return {
    excluded: (p) => m.matchesOrParentMatches(p),
    // With exclusions (`!keep`), an excluded directory may hold included files.
    mayIncludeBelow: () => m.exclusions,
  };
}

async function exportImage(store: Store, state: StageState, lease: string, options: BuildOptions): Promise<Omit<BuildResult, 'warnings' | 'checks'>> {
  // BuildKit's rule: the image is as old as its newest layer step (cached steps keep their time), so
  // a rebuild that changed nothing gives the same image ID; SOURCE_DATE_EPOCH overrides.
  const created =
    options.sourceDateEpoch !== undefined
      ? new Date(options.sourceDateEpoch * 1000).toISOString()
      : state.lastCreated ?? state.image.history.findLast((h) => h.created !== undefined)?.created ?? new Date().toISOString();
  const image: ImageConfig = structuredClone(state.image);
  const createdText = created.replace(/\.000Z$/, 'Z');
  image.created = createdText;
  for (const h of image.history ?? []) h.created ??= createdText;
  if (options.labels !== undefined && Object.keys(options.labels).length > 0) {
    image.config = { ...image.config, Labels: { ...(image.config?.Labels ?? {}), ...options.labels } };
  }
  image.rootfs = { type: 'layers', diff_ids: state.layers.map((l) => l.diffId) };
  const configBytes = Buffer.from(JSON.stringify(image));
  const configDigest = digestOf(configBytes);
  const config = await writeBlob(store.content, `build-config-${configDigest}`, configBytes, { digest: configDigest, size: configBytes.length }, { lease });
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: configDigest, size: configBytes.length },
    layers: state.layers.map((l) => l.descriptor),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = digestOf(manifestBytes);
  await writeBlob(store.content, `build-manifest-${manifestDigest}`, manifestBytes, { digest: manifestDigest, size: manifestBytes.length }, { lease });
  const manifestDesc: Descriptor = { mediaType: MediaType.OciManifest, digest: manifestDigest, size: manifestBytes.length };
  const configDesc: Descriptor = { mediaType: MediaType.OciConfig, digest: config.digest, size: config.size };
  const record = await store.images.put({
    manifest: manifestDesc,
    config: configDesc,
    layers: state.layers.map((l) => ({ descriptor: l.descriptor, diffId: l.diffId, ...(l.uncompressedSize === undefined ? {} : { uncompressedSize: l.uncompressedSize }) })),
    names: options.tags ?? [],
  });
  return { imageId: record.id, manifest: manifestDesc, config: configDesc, image: record };
}

/** The runtime half of RUN: opened once per build, on first use. */
async function openRunRuntime(gantryRoot: string, requested: string | undefined, observer: BuildObserver | undefined): Promise<RunRuntime> {
  const rt = await import('../runtime/index.js');
  const ctx = await rt.openRuntime({ gantryRoot, ...(requested === undefined ? {} : { runtime: requested }) });
  return {
    async prepare(o) {
      const { spec } = await rt.prepareContainer(ctx, {
        id: o.id,
        rootfs: o.rootfs,
        image: { config: { Env: o.env, User: o.user, WorkingDir: o.workdir } },
        overrides: {
          entrypoint: '',
          args: o.args,
          network: o.network,
          hostname: 'buildkitsandbox',
          addHosts: o.addHosts,
          ...(o.shmSize === undefined ? {} : { shmSize: o.shmSize }),
          ...(o.ulimits === undefined ? {} : { ulimits: o.ulimits }),
        },
      });
      return spec;
    },
    async run(o) {
      observer?.containerRun?.(o.spec.process?.args ?? []);
      const { exitCode } = await rt.runContainer(ctx, {
        id: o.id,
        spec: o.spec,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(o.signal === undefined ? {} : { signal: o.signal }),
        onStart: (proc) => {
          proc.stdout?.on('data', (d: Buffer) => o.onOutput(1, d));
          proc.stderr?.on('data', (d: Buffer) => o.onOutput(2, d));
        },
      });
      return exitCode ?? 1;
    },
  };
}
