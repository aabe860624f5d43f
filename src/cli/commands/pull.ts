/** `gantry image pull [OPTIONS] NAME[:TAG|@DIGEST]` (also `gantry pull`), with docker's output. */
import type { Command } from 'commander';
import type { Groups } from './index.js';
import type { Cli, Handler } from '../context.js';
import { ArgumentCountError, UsageError } from '../errors.js';
import { write } from '../io.js';
import type { TransferFlags } from './_registry.js';

interface PullFlags extends TransferFlags {
  allTags?: boolean;
  quiet?: boolean;
  platform?: string;
}

const handler: Handler<PullFlags> = async (args, opts, io, globals) => {
  if (args.length !== 1) throw new ArgumentCountError('exactly 1 argument', 'gantry image pull');
  const { parseNormalizedNamed, familiarString, referenceString, tagNameOnly, makeTagged } = await loadRefs();
  const parsed = parseNormalizedNamed(args[0]!);
  if (opts.allTags === true && (parsed.tag !== undefined || parsed.digest !== undefined)) {
    throw new UsageError('tag can\'t be used with --all-tags/-a');
  }
  const { registryClient } = await import('./_registry.js');
  const client = await registryClient(io, opts);
  const { pullImage, listTags } = await import('../../registry/client/index.js');
  const { openCliStore } = await import('./_store.js');
  const { TransferProgress } = await import('../progress/transfer.js');
  const platform = opts.platform === undefined ? undefined : await platformMatcher(opts.platform);
  const session = client.session(parsed.domain, { forPull: true });
  const refs = opts.allTags === true
    ? (await listTags(session, parsed.path, { signal: io.signal })).map((t) => makeTagged(parsed, t))
    : [tagNameOnly(parsed)];
  const store = await openCliStore(globals, io);
  try {
    for (const ref of refs) {
      const quiet = opts.quiet === true;
      if (!quiet && parsed.tag === undefined && parsed.digest === undefined && opts.allTags !== true) await write(io.stdout, 'Using default tag: latest\n');
      if (!quiet) await write(io.stdout, `${ref.digest ?? ref.tag}: Pulling from ${ref.path}\n`);
      const progress = quiet ? undefined : new TransferProgress(io.stdout);
      try {
        const result = await pullImage(ref, {
          store,
          session,
          attempts: client.attempts,
          concurrency: client.config.maxConcurrentDownloads,
          signal: io.signal,
          ...(platform ? { platform } : {}),
          ...(progress ? { progress } : {}),
        });
        progress?.close();
        if (!quiet) {
          await write(io.stdout, `Digest: ${result.digest}\n`);
          await write(io.stdout, result.upToDate ? `Status: Image is up to date for ${familiarString(ref)}\n` : `Status: Downloaded newer image for ${familiarString(ref)}\n`);
        }
        if (opts.allTags !== true) await write(io.stdout, `${referenceString(ref)}\n`);
      } finally {
        progress?.close();
      }
    }
    if (opts.allTags === true) await write(io.stdout, `${referenceString(parsed)}\n`);
  } finally {
    store.close();
  }
  return 0;
};

async function loadRefs() {
  const r = await import('../../oci/index.js');
  return { ...r, makeTagged: (ref: import('../../oci/index.js').Reference, tag: string) => r.withTag(ref, tag) };
}

async function platformMatcher(text: string) {
  const { parsePlatform, only } = await import('../../oci/index.js');
  return only(parsePlatform(text));
}

function define(cmd: Command, cli: Cli): void {
  cmd
    .description('Download an image from a registry')
    .usage('[OPTIONS] NAME[:TAG|@DIGEST]')
    .argument('[name]')
    .option('-a, --all-tags', 'Download all tagged images in the repository')
    .option('-q, --quiet', 'Suppress verbose output')
    .option('--platform <platform>', 'Set platform if server is multi-platform capable')
    .option('--tls-verify [bool]', 'Require HTTPS and verify certificates (false: allow plain HTTP and unverified TLS)')
    .option('--retry <n>', 'Retries of a failed transfer (default: max-download-attempts - 1)')
    .option('--timeout <seconds>', 'Drop a connection idle this long (default 60)')
    .action(cli.action(handler));
}

export function register({ program, image }: Groups, cli: Cli): void {
  define(image.command('pull'), cli);
  define(program.command('pull'), cli);
}
