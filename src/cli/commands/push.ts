/** `gantry image push [OPTIONS] NAME[:TAG]` (also `gantry push`), with docker's output. */
import type { Command } from 'commander';
import type { Groups } from './index.js';
import type { Cli, Handler } from '../context.js';
import { ArgumentCountError, UsageError } from '../errors.js';
import { write } from '../io.js';
import type { TransferFlags } from './_registry.js';

interface PushFlags extends TransferFlags {
  allTags?: boolean;
  quiet?: boolean;
}

const handler: Handler<PushFlags> = async (args, opts, io, globals) => {
  if (args.length !== 1) throw new ArgumentCountError('exactly 1 argument', 'gantry image push');
  const { parseNormalizedNamed, referenceString, tagNameOnly, withTag } = await import('../../oci/index.js');
  const parsed = parseNormalizedNamed(args[0]!);
  if (opts.allTags === true && (parsed.tag !== undefined || parsed.digest !== undefined)) {
    throw new UsageError('tag can\'t be used with --all-tags/-a');
  }
  const { openCliStore } = await import('./_store.js');
  const store = await openCliStore(globals, io);
  try {
    const { NotFoundError } = await import('../../errors.js');
    const refs = opts.allTags === true
      ? store.images
          .list()
          .flatMap((img) => img.repoTags)
          .filter((t) => t.slice(0, t.lastIndexOf(':')) === parsed.name)
          .sort()
          .map((t) => withTag(parsed, t.slice(t.lastIndexOf(':') + 1)))
      : [tagNameOnly(parsed)];
    if (refs.length === 0) throw new NotFoundError('NO_SUCH_IMAGE', `An image does not exist locally with the tag: ${args[0]}`);
    const images = refs.map((ref) => {
      try {
        return { ref, image: store.images.resolve(referenceString(ref)) };
      } catch {
        throw new NotFoundError('NO_SUCH_IMAGE', `An image does not exist locally with the tag: ${args[0]}`);
      }
    });
    const { registryClient } = await import('./_registry.js');
    const client = await registryClient(io, opts);
    const { pushImage } = await import('../../registry/client/index.js');
    const { TransferProgress } = await import('../progress/transfer.js');
    const session = client.session(parsed.domain);
    const quiet = opts.quiet === true;
    if (!quiet) await write(io.stdout, `The push refers to repository [${parsed.name}]\n`);
    for (const { ref, image } of images) {
      const progress = quiet ? undefined : new TransferProgress(io.stdout);
      try {
        const result = await pushImage(ref, {
          store,
          session,
          image,
          attempts: client.attempts,
          concurrency: client.config.maxConcurrentUploads,
          signal: io.signal,
          ...(progress ? { progress } : {}),
        });
        progress?.close();
        if (!quiet) await write(io.stdout, `${ref.tag ?? 'latest'}: digest: ${result.digest} size: ${result.size}\n`);
      } finally {
        progress?.close();
      }
    }
    if (quiet) await write(io.stdout, `${referenceString(opts.allTags === true ? parsed : tagNameOnly(parsed))}\n`);
  } finally {
    store.close();
  }
  return 0;
};

function define(cmd: Command, cli: Cli): void {
  cmd
    .description('Upload an image to a registry')
    .usage('[OPTIONS] NAME[:TAG]')
    .argument('[name]')
    .option('-a, --all-tags', 'Push all tags of an image to the repository')
    .option('-q, --quiet', 'Suppress verbose output')
    .option('--tls-verify [bool]', 'Require HTTPS and verify certificates (false: allow plain HTTP and unverified TLS)')
    .option('--retry <n>', 'Retries of a failed transfer (default: max-download-attempts - 1)')
    .option('--timeout <seconds>', 'Drop a connection idle this long (default 60)')
    .action(cli.action(handler));
}

export function register({ program, image }: Groups, cli: Cli): void {
  define(image.command('push'), cli);
  define(program.command('push'), cli);
}
