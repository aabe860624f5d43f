/**
 * `gantry registry serve` (an OCI distribution registry of our own) and `gantry registry gc`
 * (delete what nothing refers to). The server code loads only when a command runs.
 */
import type { Groups } from './index.js';
import type { Cli } from '../context.js';
import { write } from '../io.js';
import { UsageError } from '../errors.js';

interface ServeOptions {
  addr: string;
  root?: string;
  tlsCert?: string;
  tlsKey?: string;
  htpasswd?: string;
  authConfig?: string;
  readOnly?: boolean;
  logLevel: string;
  shutdownTimeout: string;
}

interface GcOptions {
  root?: string;
  dryRun?: boolean;
  deleteUntagged?: boolean;
  uploadMaxAge: string;
  grace: string;
}

/** Go-style durations as docker prints them: `90s`, `30m`, `24h`, `1h30m`. */
export function parseDuration(text: string): number {
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  let rest = text.trim();
  if (rest === '0') return 0;
  while (rest !== '') {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (m === null) throw new UsageError(`invalid duration "${text}": expected e.g. 30m, 24h, 1h30m`);
    total += Number(m[1]) * units[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

function defaultRoot(env: Record<string, string | undefined>): string {
  if (env.GANTRY_REGISTRY_ROOT !== undefined) return env.GANTRY_REGISTRY_ROOT;
  if (process.getuid?.() === 0) return '/var/lib/gantry-registry';
  return `${env.XDG_DATA_HOME ?? `${env.HOME ?? '.'}/.local/share`}/gantry-registry`;
}

export function register({ registry }: Groups, cli: Cli): void {
  registry
    .command('serve')
    .description('Run an OCI distribution registry')
    .option('--addr <host:port>', 'Address to listen on', '127.0.0.1:5000')
    .option('--root <dir>', 'Storage directory (default $GANTRY_REGISTRY_ROOT or ~/.local/share/gantry-registry)')
    .option('--tls-cert <file>', 'TLS certificate (PEM); serve HTTPS with --tls-key')
    .option('--tls-key <file>', 'TLS private key (PEM)')
    .option('--htpasswd <file>', 'Require HTTP Basic auth against an htpasswd file (bcrypt)')
    .option('--auth-config <file>', 'Per-repository access rules and bearer token settings (JSON)')
    .option('--read-only', 'Refuse pushes and deletes')
    .option('--log-level <level>', 'debug, info, warn or error', 'info')
    .option('--shutdown-timeout <duration>', 'How long to wait for requests in flight on SIGINT/SIGTERM', '30s')
    .action(
      cli.action<ServeOptions>(async (_args, opts, io) => {
        const { startRegistry, isLogLevel, splitAddr } = await import('../../registry/server/index.js');
        splitAddr(opts.addr);
        if (!isLogLevel(opts.logLevel)) throw new UsageError(`invalid log level "${opts.logLevel}": expected debug, info, warn or error`);
        if ((opts.tlsCert === undefined) !== (opts.tlsKey === undefined)) throw new UsageError('--tls-cert and --tls-key go together');
        const root = opts.root ?? defaultRoot(io.env);
        const { mkdir } = await import('node:fs/promises');
        await mkdir(root, { recursive: true });
        const reg = await startRegistry({
          root,
          addr: opts.addr,
          readOnly: opts.readOnly === true,
          logLevel: opts.logLevel,
          logStream: io.stderr,
          shutdownGraceMs: parseDuration(opts.shutdownTimeout),
          ...(opts.tlsCert === undefined ? {} : { tlsCert: opts.tlsCert, tlsKey: opts.tlsKey! }),
          ...(opts.htpasswd === undefined ? {} : { htpasswd: opts.htpasswd }),
          ...(opts.authConfig === undefined ? {} : { authConfig: opts.authConfig }),
        });
        await write(io.stdout, `gantry registry listening on ${reg.url} (root ${root}, auth ${reg.auth}${opts.readOnly === true ? ', read-only' : ''})\n`);
        await new Promise<void>((resolve) => {
          if (io.signal.aborted) resolve();
          else io.signal.addEventListener('abort', () => resolve(), { once: true });
        });
        await write(io.stderr, 'shutting down: waiting for requests in flight\n');
        await reg.close();
        return 0;
      }),
    );

  registry
    .command('gc')
    .description('Delete blobs no manifest refers to, and stale uploads')
    .option('--root <dir>', 'Storage directory of the registry')
    .option('--dry-run', 'Only print what would be deleted')
    .option('--delete-untagged', 'Also delete manifests no tag (or tagged index or subject) refers to')
    .option('--upload-max-age <duration>', 'Purge uploads idle for longer than this', '24h')
    .option('--grace <duration>', 'Keep blobs and manifests written more recently than this', '1h')
    .action(
      cli.action<GcOptions>(async (_args, opts, io) => {
        const { collectGarbage, FsDriver } = await import('../../registry/server/index.js');
        const { acquireGcLock } = await import('../../registry/server/gc-lock.js');
        const root = opts.root ?? defaultRoot(io.env);
        const { existsSync } = await import('node:fs');
        if (!existsSync(root)) {
          const { NotFoundError } = await import('../../errors.js');
          throw new NotFoundError('REGISTRY_ROOT_NOT_FOUND', `Cannot collect garbage: no registry storage at "${root}"`);
        }
        const release = await acquireGcLock(root);
        try {
          const report = await collectGarbage(new FsDriver(root), {
            dryRun: opts.dryRun === true,
            deleteUntagged: opts.deleteUntagged === true,
            uploadMaxAgeMs: parseDuration(opts.uploadMaxAge),
            graceMs: parseDuration(opts.grace),
            onLog: (line) => void io.stdout.write(`${line}\n`),
          });
          const verb = report.dryRun ? 'would be deleted' : 'deleted';
          await write(
            io.stdout,
            `${report.repositories} repositories, ${report.markedBlobs} blobs marked, ` +
              `${report.deletedBlobs.length} blobs ${verb} (${report.freedBytes} bytes), ` +
              `${report.deletedManifests.length} manifests ${verb}, ${report.purgedUploads.length} uploads ${report.dryRun ? 'would be purged' : 'purged'}, ` +
              `${report.keptYoung} kept within the grace period\n`,
          );
        } finally {
          await release();
        }
        return 0;
      }),
    );
}
