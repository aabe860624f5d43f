/**
 * Container commands, docker-compatible: `ps`/`container ls`, `start`, `stop`, `kill`, `rm`,
 * `logs`, `commit`, `cp`, `container inspect`, `container prune`. Each finds the container's state
 * through the runtime first (gantry has no daemon: see container/containers.ts).
 */
import type { Groups } from './index.js';
import { collect, type Cli, type Handler } from '../context.js';
import { once } from 'node:events';
import { write } from '../io.js';
import { ArgumentCountError, UsageError } from '../errors.js';
import { each, withContainers } from './_containers.js';

// ------------------------------------------------------------------------------------------- ps

interface PsOptions {
  all?: boolean;
  latest?: boolean;
  last?: string;
  quiet?: boolean;
  filter?: string[];
  format?: string;
  trunc?: boolean;
  size?: boolean;
}

const ps: Handler<PsOptions> = async (_args, opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { containerRows, filterContainers, PS_HEADERS, DEFAULT_PS_TABLE } = await import('./_container-views.js');
    const { writeFormatted, parseFilterFlags } = await import('../format/index.js');
    let recs = await c.list();
    const filters = parseFilterFlags(opts.filter ?? []);
    const last = opts.latest === true ? 1 : opts.last === undefined ? -1 : Number(opts.last);
    recs = filterContainers(recs, filters, { all: opts.all === true || last > 0 || filters.size > 0, images: c.store.images });
    if (last > 0) recs = recs.slice(0, last);
    const rows = containerRows(recs, { trunc: opts.trunc !== false, now: new Date() });
    const format = opts.quiet === true ? '{{.ID}}' : opts.format ?? DEFAULT_PS_TABLE;
    await write(io.stdout, writeFormatted(format === 'table' ? DEFAULT_PS_TABLE : format, PS_HEADERS, rows));
    return 0;
  });

// -------------------------------------------------------------------------- start/stop/kill/rm

const start: Handler<{ attach?: boolean; interactive?: boolean }> = async (args, opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    if ((opts.attach === true || opts.interactive === true) && args.length > 1) {
      throw new UsageError('you cannot start and attach multiple containers at once', 'gantry start');
    }
    if (opts.attach === true || opts.interactive === true) {
      const rec = await c.resolve(args[0]!);
      const { exitCode } = await c.start(rec, {
        stdio: [opts.interactive === true ? 'inherit' : 'ignore', 'inherit', 'inherit'],
        forwardSignals: true,
        callerEnv: io.env,
      });
      return exitCode ?? 125;
    }
    return each(io, args, async (n) => {
      await c.start(await c.resolve(n), { detach: true, callerEnv: io.env });
    });
  });

const stop: Handler<{ time?: string; signal?: string }> = async (args, opts, io, globals) =>
  withContainers(globals, io, async (c) =>
    each(io, args, async (n) => {
      await c.stop(await c.resolve(n), {
        ...(opts.time === undefined ? {} : { timeoutSeconds: Number(opts.time) }),
        ...(opts.signal === undefined ? {} : { signal: opts.signal }),
      });
    }),
  );

const kill: Handler<{ signal?: string }> = async (args, opts, io, globals) =>
  withContainers(globals, io, async (c) =>
    each(io, args, async (n) => {
      await c.kill(await c.resolve(n), opts.signal ?? 'SIGKILL');
    }),
  );

const remove: Handler<{ force?: boolean; volumes?: boolean }> = async (args, opts, io, globals) =>
  withContainers(globals, io, async (c) =>
    each(io, args, async (n) => {
      // -v: gantry has no anonymous volumes yet, so there is nothing more to remove.
      await c.remove(await c.resolve(n), { force: opts.force === true });
    }),
  );

// ----------------------------------------------------------------------------------------- logs

const logs: Handler<{ follow?: boolean; tail?: string; timestamps?: boolean }> = async (args, opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const rt = await import('../../runtime/index.js');
    const rec = await c.resolve(args[0]!);
    const tail = opts.tail === undefined || opts.tail === 'all' ? -1 : Number(opts.tail);
    const prefix = (line: string): string => (opts.timestamps === true ? `${new Date().toISOString()} ${line}` : line);
    // What is logged so far, with --tail applied.
    const chunks: Buffer[] = [];
    for await (const chunk of rt.containerLogs(c.runtime, rec.id, { signal: io.signal })) chunks.push(chunk);
    const existing = Buffer.concat(chunks);
    const text = existing.toString('utf8');
    const lines = text.split('\n');
    const partial = lines.pop() ?? '';
    const shown = tail < 0 ? lines : tail === 0 ? [] : lines.slice(-tail);
    let out = shown.map((l) => `${prefix(l)}\n`).join('');
    if (partial !== '' && tail !== 0) out += prefix(partial);
    await write(io.stdout, out);
    if (opts.follow !== true || rec.state !== 'running') return 0;
    // Then what comes after, until the container exits (the runtime's exit record) or Ctrl-C.
    let skip = existing.length;
    try {
      for await (let chunk of rt.containerLogs(c.runtime, rec.id, { follow: true, signal: io.signal })) {
        if (skip > 0) {
          const n = Math.min(skip, chunk.length);
          skip -= n;
          chunk = chunk.subarray(n);
          if (chunk.length === 0) continue;
        }
        await write(io.stdout, opts.timestamps === true ? chunk.toString('utf8').replace(/^(?=.)/gm, () => `${new Date().toISOString()} `) : chunk.toString('utf8'));
      }
    } catch (err) {
      if (!io.signal.aborted) throw err;
    }
    return 0;
  });

// --------------------------------------------------------------------------------------- commit

const commit: Handler<{ message?: string; author?: string; change?: string[]; pause?: boolean }> = async (args, opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { commitContainer } = await import('../../container/index.js');
    const rec = await c.resolve(args[0]!);
    const image = await commitContainer(c, rec, {
      ...(args[1] === undefined ? {} : { reference: args[1] }),
      ...(opts.message === undefined ? {} : { message: opts.message }),
      ...(opts.author === undefined ? {} : { author: opts.author }),
      changes: opts.change ?? [],
      pause: opts.pause !== false,
      signal: io.signal,
    });
    await write(io.stdout, `${image.id}\n`);
    return 0;
  });

// -------------------------------------------------------------------------------------- inspect

const inspect: Handler<{ format?: string }> = async (args, opts, io, globals) => {
  const { runContainerInspect } = await import('./_container-inspect.js');
  return runContainerInspect(args, opts, io, globals);
};

// ----------------------------------------------------------------------------------------- exec

const execCmd: Handler<{ interactive?: boolean; tty?: boolean; detach?: boolean; env?: string[]; user?: string; workdir?: string }> = async (args, opts, io, globals) => {
  if (args.length < 2) throw new ArgumentCountError('at least 2 arguments', 'gantry exec');
  const { ContainerCommandError } = await import('../../runtime/index.js');
  try {
    return await withContainers(globals, io, async (c) => {
      const { execInContainer } = await import('../../container/index.js');
      return execInContainer(c, await c.resolve(args[0]!), {
        args: args.slice(1),
        ...(opts.env === undefined ? {} : { env: opts.env }),
        ...(opts.user === undefined ? {} : { user: opts.user }),
        ...(opts.workdir === undefined ? {} : { workdir: opts.workdir }),
        tty: opts.tty === true,
        detach: opts.detach === true,
        stdio: [opts.interactive === true || opts.tty === true ? 'inherit' : 'ignore', 'inherit', 'inherit'],
      });
    });
  } catch (err) {
    if (err instanceof ContainerCommandError) {
      await write(io.stderr, `gantry: Error: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
};

// -------------------------------------------------------------------------------- diff/export

const diff: Handler = async (args, _opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { containerChanges } = await import('../../container/index.js');
    const changes = containerChanges(c, await c.resolve(args[0]!), { signal: io.signal });
    await write(io.stdout, changes.map((ch) => `${ch.kind} ${ch.path}\n`).join(''));
    return 0;
  });

const exportCmd: Handler<{ output?: string }> = async (args, opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { exportContainer } = await import('../../container/index.js');
    const rec = await c.resolve(args[0]!);
    if (opts.output === undefined && io.stdout.isTTY === true) {
      throw new UsageError('cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    const { createWriteStream } = await import('node:fs');
    const out = opts.output === undefined ? io.stdout : createWriteStream(opts.output);
    try {
      await exportContainer(c, rec, async (chunk) => {
        if (!out.write(chunk)) await once(out, 'drain');
      }, { signal: io.signal });
    } finally {
      if (out !== io.stdout) await new Promise<void>((resolve, reject) => (out as import('node:fs').WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())));
    }
    return 0;
  });

// ------------------------------------------------------------------------------------------- cp

const cp: Handler<{ archive?: boolean; followLink?: boolean; quiet?: boolean }> = async (args, opts, io, globals) => {
  const { runCp } = await import('./_container-cp.js');
  return runCp(args, opts, io, globals);
};

// ---------------------------------------------------------------------------------------- prune

const prune: Handler<{ force?: boolean; filter?: string[] }> = async (_args, opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { parseFilterFlags, labelChecks, matchLabels, untilCutoff, humanSize } = await import('../format/index.js');
    const filters = parseFilterFlags(opts.filter ?? []);
    if (opts.force !== true) {
      const { confirm } = await import('./_store.js');
      if (!(await confirm(io, 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue?'))) return 0;
    }
    const until = untilCutoff(filters, new Date());
    const labels = labelChecks(filters);
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const rec of await c.list()) {
      if (rec.state === 'running' || rec.state === 'paused' || rec.state === 'restarting') continue;
      if (until !== undefined && rec.createdAt > until.getTime()) continue;
      if (!matchLabels(labels, rec.labels)) continue;
      if (rec.snapshotKey !== undefined && c.snapshots.stat(rec.snapshotKey) !== undefined) {
        reclaimed += (await c.snapshots.usage(rec.snapshotKey).catch(() => ({ size: 0 }))).size;
      }
      await c.remove(rec, {});
      deleted.push(rec.id);
    }
    if (deleted.length > 0) await write(io.stdout, `Deleted Containers:\n${deleted.join('\n')}\n\n`);
    await write(io.stdout, `Total reclaimed space: ${humanSize(reclaimed)}\n`);
    return 0;
  });

// ------------------------------------------------------------------------------------- register

export function register({ program, container }: Groups, cli: Cli): void {
  for (const [parent, name, aliases] of [
    [program, 'ps', []],
    [container, 'ls', ['ps', 'list']],
  ] as const) {
    const cmd = parent.command(name).description('List containers').helpOption('--help', 'Print usage');
    for (const a of aliases) cmd.alias(a);
    cmd
      .option('-a, --all', 'Show all containers (default shows just running)')
      .option('-l, --latest', 'Show the latest created container (includes all states)')
      .option('-n, --last <int>', 'Show n last created containers (includes all states)')
      .option('-q, --quiet', 'Only display container IDs')
      .option('-f, --filter <filter>', 'Filter output based on conditions provided', collect)
      .option('--format <string>', 'Format output using a custom template')
      .option('--no-trunc', "Don't truncate output")
      .option('-s, --size', 'Display total file sizes')
      .action(cli.action(ps));
  }
  for (const parent of [program, container]) {
    parent
      .command('start')
      .description('Start one or more stopped containers')
      .usage('[OPTIONS] CONTAINER [CONTAINER...]')
      .helpOption('--help', 'Print usage')
      .argument('<container...>')
      .option('-a, --attach', "Attach STDOUT/STDERR and forward signals")
      .option('-i, --interactive', "Attach container's STDIN")
      .action(cli.action(start));
    parent
      .command('stop')
      .description('Stop one or more running containers')
      .usage('[OPTIONS] CONTAINER [CONTAINER...]')
      .helpOption('--help', 'Print usage')
      .argument('<container...>')
      .option('-s, --signal <string>', 'Signal to send to the container')
      .option('-t, --time <int>', 'Seconds to wait before killing the container')
      .action(cli.action(stop));
    parent
      .command('kill')
      .description('Kill one or more running containers')
      .usage('[OPTIONS] CONTAINER [CONTAINER...]')
      .helpOption('--help', 'Print usage')
      .argument('<container...>')
      .option('-s, --signal <string>', 'Signal to send to the container')
      .action(cli.action(kill));
    const rm = parent
      .command(parent === program ? 'rm' : 'rm')
      .description('Remove one or more containers')
      .usage('[OPTIONS] CONTAINER [CONTAINER...]')
      .helpOption('--help', 'Print usage')
      .argument('<container...>')
      .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
      .option('-v, --volumes', 'Remove anonymous volumes associated with the container')
      .action(cli.action(remove));
    if (parent === container) rm.alias('remove');
    parent
      .command('logs')
      .description('Fetch the logs of a container')
      .usage('[OPTIONS] CONTAINER')
      .helpOption('--help', 'Print usage')
      .argument('<container>')
      .option('-f, --follow', 'Follow log output')
      .option('-n, --tail <string>', 'Number of lines to show from the end of the logs', 'all')
      .option('-t, --timestamps', 'Show timestamps')
      .action(cli.action(logs));
    parent
      .command('commit')
      .description("Create a new image from a container's changes")
      .usage('[OPTIONS] CONTAINER [REPOSITORY[:TAG]]')
      .helpOption('--help', 'Print usage')
      .argument('<container>')
      .argument('[repository]')
      .option('-a, --author <string>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
      .option('-c, --change <list>', 'Apply Dockerfile instruction to the created image', collect)
      .option('-m, --message <string>', 'Commit message')
      .option('-p, --pause', 'Pause container during commit', true)
      .option('--no-pause', 'Do not pause the container during commit')
      .action(cli.action(commit));
  }
  for (const parent of [program, container]) {
    parent
      .command('exec')
      .description('Execute a command in a running container')
      .usage('[OPTIONS] CONTAINER COMMAND [ARG...]')
      .helpOption('--help', 'Print usage')
      .argument('<args...>')
      .passThroughOptions()
      .option('-d, --detach', 'Detached mode: run command in the background')
      .option('-e, --env <list>', 'Set environment variables', collect)
      .option('-i, --interactive', 'Keep STDIN open even if not attached')
      .option('-t, --tty', 'Allocate a pseudo-TTY')
      .option('-u, --user <string>', 'Username or UID (format: "<name|uid>[:<group|gid>]")')
      .option('-w, --workdir <string>', 'Working directory inside the container')
      .action(cli.action(execCmd));
    parent
      .command('diff')
      .description("Inspect changes to files or directories on a container's filesystem")
      .usage('CONTAINER')
      .helpOption('--help', 'Print usage')
      .argument('<container>')
      .action(cli.action(diff));
    parent
      .command('export')
      .description("Export a container's filesystem as a tar archive")
      .usage('[OPTIONS] CONTAINER')
      .helpOption('--help', 'Print usage')
      .argument('<container>')
      .option('-o, --output <string>', 'Write to a file, instead of STDOUT')
      .action(cli.action(exportCmd));
    parent
      .command('cp')
      .description('Copy files/folders between a container and the local filesystem')
      .usage(`[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\t${parent === program ? 'gantry cp' : 'gantry container cp'} [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`)
      .helpOption('--help', 'Print usage')
      .argument('<src>')
      .argument('<dest>')
      .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
      .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
      .option('-q, --quiet', 'Suppress progress output during copy (gantry prints none)')
      .action(cli.action(cp));
  }
  container
    .command('inspect')
    .description('Display detailed information on one or more containers')
    .usage('[OPTIONS] CONTAINER [CONTAINER...]')
    .helpOption('--help', 'Print usage')
    .argument('<container...>')
    .option('-f, --format <string>', 'Format output using a custom template')
    .action(cli.action(inspect));
  container
    .command('prune')
    .description('Remove all stopped containers')
    .helpOption('--help', 'Print usage')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <filter>', 'Provide filter values (e.g. "until=<timestamp>")', collect)
    .action(cli.action(prune));
}
