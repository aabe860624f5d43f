/**
 * The bodies of the read-only image commands (`image ls`, `image history`, `image inspect`),
 * loaded lazily by their command modules. Each reads the store through its public API and
 * prints with cli/format's docker-compatible views.
 */
import { isKind } from '../../errors.js';
import { familiarString, parseNormalizedNamed } from '../../oci/index.js';
import { readBlob, type ImageListEntry, type ImageRecord, type Store } from '../../store/index.js';
import { openCliStore, openCliStoreIfExists } from './_store.js';
import { ArgumentCountError, UsageError } from '../errors.js';
import {
  FilterError,
  addFilter,
  compileImageFilter,
  formatHistory,
  formatImageList,
  formatImageTree,
  formatInspect,
  historyItems,
  imageInspect,
  parseFilterFlags,
  type FilterArgs,
  type HistoryConfig,
  type ImageSummary,
  type InspectConfig,
} from '../format/index.js';
import { write, writeOut, type CommandIO, type GlobalOptions } from '../io.js';

export interface ImageLsOptions {
  all?: boolean;
  quiet?: boolean;
  digests?: boolean;
  trunc?: boolean; // commander's --no-trunc
  filter?: string[];
  format?: string;
  tree?: boolean;
}

function createdOf(r: ImageRecord): Date | undefined {
  return r.createdMs === undefined ? undefined : new Date(r.createdMs);
}

/** `--filter` values, with docker's flag error for a value without `=`. */
function filterArgs(values: readonly string[], commandPath: string): FilterArgs {
  try {
    return parseFilterFlags(values);
  } catch (e) {
    if (e instanceof FilterError) {
      const bad = values.find((v) => v !== '' && !v.includes('=')) ?? '';
      throw new UsageError(`invalid argument "${bad}" for "-f, --filter" flag: ${e.message}`, commandPath);
    }
    throw e;
  }
}

/** The subcommands of `gantry image` a mistyped `gantry images X` probably meant. */
const IMAGE_SUBCOMMANDS = new Set(['build', 'history', 'import', 'inspect', 'list', 'load', 'ls', 'prune', 'pull', 'push', 'rm', 'save', 'tag']);

/** `image ls` / `images`. */
export async function runImageLs(
  args: string[],
  opts: ImageLsOptions,
  io: CommandIO,
  globals: GlobalOptions,
  calledAs: string,
): Promise<number> {
  if (args.length > 1) throw new ArgumentCountError('at most 1 argument', `gantry ${calledAs}`);
  const filters = filterArgs(opts.filter ?? [], `gantry ${calledAs}`);
  if (opts.tree === true) {
    // docker refuses these combinations with these words.
    if (opts.quiet === true) throw new UsageError('--quiet is not yet supported with --tree');
    if (opts.trunc === false) throw new UsageError('--no-trunc is not yet supported with --tree');
    if (opts.digests === true) throw new UsageError('--show-digest is not yet supported with --tree');
    if (opts.format !== undefined) throw new UsageError('--format is not yet supported with --tree');
  }
  const matchName = args[0];
  if (matchName !== undefined && matchName !== '') addFilter(filters, 'reference', matchName);
  const now = new Date();
  // A root where no store was ever made lists as empty, and stays without one (docker's empty
  // daemon prints the header). `before=`/`since=` name images: those resolve in a store as always.
  const store = filters.has('before') || filters.has('since') ? await openCliStore(globals, io) : await openCliStoreIfExists(globals, io);
  const summaries: ImageSummary[] = [];
  const contentSizes = new Map<string, number>();
  try {
    const match = compileImageFilter(filters, {
      now,
      createdOf: (ref) => (store === undefined ? undefined : createdOf(store.images.resolve(ref))),
    });
    // One query, newest first; labels are decoded only for a label filter (rows never show them).
    const entries = store?.images.listing({ labels: filters.has('label') || filters.has('label!') }) ?? [];
    // Indexed, not for…of: an iterator step allocates until V8 optimizes the loop (a listing ends first).
    for (let i = 0; i < entries.length; i++) {
      const r = entries[i] as ImageListEntry;
      const created = r.createdMs === undefined ? undefined : new Date(r.createdMs);
      const m = match(created === undefined ? { repoTags: r.repoTags, repoDigests: r.repoDigests, labels: r.labels } : { repoTags: r.repoTags, repoDigests: r.repoDigests, labels: r.labels, created });
      if (!m.keep) continue;
      // Untagged images with children are intermediate build images: only -a shows them. A dangling
      // one (no children) is listed as <none>:<none>, as docker lists it; `dangling=false` hides it.
      if (m.repoTags.length === 0 && opts.all !== true && r.children > 0) continue;
      summaries.push({
        id: r.id,
        repoTags: m.repoTags,
        repoDigests: m.repoDigests,
        created: created ?? new Date(0),
        size: r.size,
        containers: r.containers,
      });
      if (opts.tree === true) contentSizes.set(r.id, r.contentSize);
    }
  } finally {
    store?.close();
  }
  const out = opts.tree === true
    ? formatImageTree(
        summaries.map((s) => ({
          id: s.id,
          repoTags: familiarTags(s.repoTags),
          size: s.size,
          contentSize: contentSizes.get(s.id) ?? 0,
          containers: s.containers ?? 0,
        })),
      )
    : formatImageList(summaries, {
    ...(opts.format === undefined ? {} : { format: opts.format }),
    quiet: opts.quiet === true,
    digests: opts.digests === true,
    noTrunc: opts.trunc === false,
    now,
  });
  await writeOut(io, out);
  if (summaries.length === 0 && matchName !== undefined && calledAs === 'images' && IMAGE_SUBCOMMANDS.has(matchName)) {
    await write(io.stderr, `No images found matching "${matchName}": did you mean "gantry image ${matchName}"?\n`);
  }
  return 0;
}

function familiarTags(names: readonly string[]): string[] {
  return names.map((n) => {
    try {
      return familiarString(parseNormalizedNamed(n));
    } catch {
      return n;
    }
  });
}

async function readConfig(store: Store, r: ImageRecord, signal: AbortSignal): Promise<Record<string, unknown>> {
  const bytes = await readBlob(store.content, r.config, { signal });
  return JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>;
}

export interface HistoryOpts {
  human?: boolean;
  quiet?: boolean;
  trunc?: boolean;
  format?: string;
}

/** `image history` / `history`. */
export async function runHistory(args: string[], opts: HistoryOpts, io: CommandIO, globals: GlobalOptions, calledAs: string): Promise<number> {
  if (args.length !== 1) throw new ArgumentCountError('exactly 1 argument', `gantry ${calledAs}`);
  const store = await openCliStore(globals, io);
  let out: string;
  try {
    const r = store.images.resolve(args[0] as string);
    const config = (await readConfig(store, r, io.signal)) as HistoryConfig;
    const sizes = r.layers.map((l) => l.uncompressedSize ?? l.size);
    const items = historyItems(config, sizes, r.id, familiarTags(r.repoTags));
    out = formatHistory(items, {
      ...(opts.format === undefined ? {} : { format: opts.format }),
      quiet: opts.quiet === true,
      human: opts.human !== false,
      noTrunc: opts.trunc === false,
      now: new Date(),
    });
  } finally {
    store.close();
  }
  await writeOut(io, out);
  return 0;
}

export interface InspectOpts {
  format?: string;
}

/** `image inspect` / `inspect`: found images print, missing ones are reported after, exit 1. */
export async function runInspect(args: string[], opts: InspectOpts, io: CommandIO, globals: GlobalOptions, calledAs: string): Promise<number> {
  if (args.length < 1) throw new ArgumentCountError('at least 1 argument', `gantry ${calledAs}`);
  const store = await openCliStore(globals, io);
  const elements: object[] = [];
  const errors: Error[] = [];
  try {
    for (const ref of args) {
      try {
        const r = store.images.resolve(ref);
        const config = (await readConfig(store, r, io.signal)) as InspectConfig;
        elements.push(
          imageInspect(
            {
              id: r.id,
              repoTags: r.repoTags,
              repoDigests: r.repoDigests,
              ...(r.parent === undefined ? {} : { parent: r.parent }),
              size: r.size,
              ...(r.lastTagTime === undefined ? {} : { lastTagTime: r.lastTagTime }),
              architecture: r.architecture,
              os: r.os,
              ...(r.variant === undefined ? {} : { variant: r.variant }),
            },
            config,
            { Name: 'overlayfs', Data: null },
          ),
        );
      } catch (e) {
        if (isKind(e, 'not-found') || isKind(e, 'invalid-argument')) errors.push(e as Error);
        else throw e;
      }
    }
  } finally {
    store.close();
  }
  let result;
  try {
    result = formatInspect(elements, opts.format);
  } catch (e) {
    await write(io.stderr, `${(e as Error).message}\n`);
    return 64; // docker's exit status for a template that does not parse
  }
  await writeOut(io, result.output);
  const all = [...errors, ...result.errors];
  for (const e of all) await write(io.stderr, `Error: ${e.message}\n`);
  return all.length > 0 ? 1 : 0;
}
