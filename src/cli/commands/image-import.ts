/**
 * `gantry image import FILE|URL|- [REPOSITORY[:TAG]]` (also `gantry import`) and
 * `gantry image bootstrap debian:SUITE`: images from root filesystem tarballs.
 */
import type { Command } from 'commander';
import type { Groups } from './index.js';
import { collect, type Cli, type Handler } from '../context.js';
import { ArgumentCountError } from '../errors.js';
import { write } from '../io.js';

interface ImportFlags {
  change?: string[];
  message?: string;
  platform?: string;
}

const importHandler: Handler<ImportFlags> = async (args, opts, io, globals) => {
  if (args.length < 1 || args.length > 2) throw new ArgumentCountError('at least 1 and at most 2 arguments', 'gantry image import');
  const source = args[0] as string;
  const { createReadStream } = await import('node:fs');
  const { applyChanges } = await import('../../build/index.js');
  const config = applyChanges({}, opts.change ?? []);
  let platform: { architecture?: string; os?: string; variant?: string } = {};
  if (opts.platform !== undefined) {
    const { parsePlatform, normalizePlatform } = await import('../../oci/index.js');
    const p = normalizePlatform(parsePlatform(opts.platform));
    platform = { architecture: p.architecture, os: p.os, ...(p.variant === undefined ? {} : { variant: p.variant }) };
  }
  let input: AsyncIterable<Uint8Array>;
  if (source === '-') input = io.stdin as AsyncIterable<Uint8Array>;
  else if (/^https?:\/\//.test(source)) {
    const { UnavailableError } = await import('../../errors.js');
    let res: Response;
    try {
      // The registry transport, not the global fetch: it trusts NODE_EXTRA_CA_CERTS (see tls-trust.ts).
      const { createTransport, certsDirOf } = await import('../../registry/client/index.js');
      res = await createTransport({ certsDir: certsDirOf() })(source, { signal: io.signal });
    } catch (err) {
      const cause = (err as { cause?: { message?: string } }).cause?.message;
      throw new UnavailableError('IMPORT_FETCH', `Cannot fetch "${source}": ${cause ?? (err as Error).message}`, { cause: err });
    }
    if (!res.ok || res.body === null) {
      throw new UnavailableError('IMPORT_FETCH', `Cannot fetch "${source}": ${res.status} ${res.statusText}`);
    }
    input = res.body as unknown as AsyncIterable<Uint8Array>;
  } else input = createReadStream(source);
  const { openCliStore } = await import('./_store.js');
  const store = await openCliStore(globals, io);
  try {
    const { importRootfs } = await import('../../archive/index.js');
    const record = await importRootfs(store, input, {
      names: args[1] === undefined ? [] : [args[1]],
      config,
      ...platform,
      // docker's CLI streams a file as the request body, so the daemon records it as `-`.
      source: /^https?:\/\//.test(source) ? source : '-',
      ...(opts.message === undefined ? {} : { message: opts.message }),
      signal: io.signal,
    });
    await write(io.stdout, `${record.id}\n`);
    return 0;
  } finally {
    store.close();
  }
};

interface BootstrapFlags {
  variant?: string;
  include?: string[];
}

const bootstrapHandler: Handler<BootstrapFlags> = async (args, opts, io, globals) => {
  if (args.length !== 1) throw new ArgumentCountError('exactly 1 argument', 'gantry image bootstrap');
  const { openCliStore } = await import('./_store.js');
  const store = await openCliStore(globals, io);
  try {
    const { bootstrapDebian } = await import('../../archive/index.js');
    const sde = io.env.SOURCE_DATE_EPOCH;
    const record = await bootstrapDebian(store, {
      reference: args[0] as string,
      ...(opts.variant === undefined ? {} : { variant: opts.variant }),
      ...(opts.include === undefined ? {} : { include: opts.include.flatMap((i) => i.split(',')) }),
      ...(sde !== undefined && /^[0-9]+$/.test(sde) ? { sourceDateEpoch: Number(sde) } : {}),
      signal: io.signal,
    });
    await write(io.stdout, `${record.id}\n`);
    return 0;
  } finally {
    store.close();
  }
};

function defineImport(cmd: Command, cli: Cli): void {
  cmd
    .description('Import the contents from a tarball to create a filesystem image')
    .usage('[OPTIONS] file|URL|- [REPOSITORY[:TAG]]')
    .argument('[args...]', 'file|URL|- [REPOSITORY[:TAG]]')
    .option('-c, --change <instruction>', 'Apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <message>', 'Set commit message for imported image')
    .option('--platform <platform>', 'Set platform if server is multi-platform capable')
    .action(cli.action(importHandler));
}

export function register({ program, image }: Groups, cli: Cli): void {
  defineImport(image.command('import'), cli);
  defineImport(program.command('import'), cli);
  image
    .command('bootstrap')
    .description('Make a Debian base image from the apt mirror with mmdebstrap (no registry needed)')
    .usage('[OPTIONS] REFERENCE')
    .argument('[reference]', 'debian:SUITE, for example debian:bookworm')
    .option('--variant <variant>', 'mmdebstrap variant (default minbase)')
    .option('--include <packages>', 'Extra packages, comma-separated (repeatable)', collect)
    .action(cli.action(bootstrapHandler));
}
