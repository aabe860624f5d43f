/**
 * `attach`, `wait`, `restart`, `pause`, `unpause`, `stats`, `top`, `update` and `rename` (also under `container`), with docker's
 * output: the names as given (`wait`: the exit codes), `Error response from daemon: …` per failed
 * container, exit code 1 when any failed.
 */
import type { Command } from 'commander';
import type { Groups } from './index.js';
import type { StatsSample } from '../../container/index.js';
import { resourceOptions, type Cli, type Handler } from '../context.js';
import { write } from '../io.js';
import { each, withContainers, writeDaemonError } from './_containers.js';

const wait: Handler = async (args, _opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { waitContainer } = await import('../../container/index.js');
    return each(io, args, async (n) => String(await waitContainer(c, await c.resolve(n), { signal: io.signal })));
  });

const restart: Handler<{ time?: string }> = async (args, opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { restartContainer } = await import('../../container/index.js');
    return each(io, args, async (n) => {
      await restartContainer(c, await c.resolve(n), { ...(opts.time === undefined ? {} : { timeoutSeconds: Number(opts.time) }), callerEnv: io.env });
    });
  });

const pause: Handler = async (args, _opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { pauseContainer } = await import('../../container/index.js');
    return each(io, args, async (n) => pauseContainer(c, await c.resolve(n)));
  });

const unpause: Handler = async (args, _opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { unpauseContainer } = await import('../../container/index.js');
    return each(io, args, async (n) => unpauseContainer(c, await c.resolve(n)));
  });

/** `top CONTAINER [ps OPTIONS]`: docker's table (tabwriter: min width 20, padding 3). */
const top: Handler = async (args, _opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { topContainer } = await import('../../container/index.js');
    const { TabWriter } = await import('../format/index.js');
    const [name, ...psArgs] = args as [string, ...string[]];
    let table;
    try {
      table = await topContainer(c, await c.resolve(name), psArgs.length > 0 ? psArgs : undefined, { signal: io.signal });
    } catch (err) {
      await writeDaemonError(io, err);
      return 1;
    }
    const tw = new TabWriter({ minwidth: 20, tabwidth: 1, padding: 3, padchar: ' ' });
    tw.write(`${table.titles.join('\t')}\n`);
    for (const p of table.processes) tw.write(`${p.join('\t')}\n`);
    await write(io.stdout, tw.flush());
    return 0;
  });

/**
 * `attach [--no-stdin] [--sig-proxy=false] CONTAINER`: its output from now on, until it exits (its
 * exit code is ours). With the signal proxy (docker's default) SIGINT and SIGTERM go to the
 * container and the attach goes on; without it they detach. Detach keys are not implemented.
 */
const attach: Handler<{ stdin?: boolean; sigProxy?: string | boolean; detachKeys?: string }> = async (args, opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { attachContainer } = await import('../../container/index.js');
    const rec = await c.resolve(args[0]!);
    const proxy = opts.sigProxy !== false && opts.sigProxy !== 'false';
    const detach = new AbortController();
    const forward = (sig: NodeJS.Signals): void => {
      void c.kill(c.store.containers.get(rec.id), sig).catch(() => {});
    };
    const onAbort = (): void => detach.abort(io.signal.reason);
    // gantry's own handler (main.ts) turns a signal into io.signal's abort: proxied, it must not end the attach.
    if (proxy) {
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
    } else io.signal.addEventListener('abort', onAbort, { once: true });
    try {
      return await attachContainer(c, rec, {
        output: async (chunk) => write(io.stdout, chunk),
        ...(opts.stdin === false ? {} : { input: io.stdin }),
        signal: detach.signal,
      });
    } catch (err) {
      if (detach.signal.aborted) return 0;
      const { ContainerStateError } = await import('../../container/index.js');
      if (err instanceof ContainerStateError) {
        await write(io.stderr, `${err.message}\n`);
        return 1;
      }
      throw err;
    } finally {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      io.signal.removeEventListener('abort', onAbort);
    }
  });

const STATS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
const STATS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Name: 'NAME',
  Container: 'CONTAINER',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};
/** Between two samples: the interval docker's daemon collects at. */
const STATS_INTERVAL_MS = 1000;

/**
 * `stats [-a] [--no-stream] [--format] [--no-trunc] [CONTAINER...]`: CPU, memory, I/O and PIDs of
 * running containers (all with -a; stopped ones show zeros), from two samples a second apart;
 * streamed (the screen cleared before each table, as docker does) until interrupted, or once.
 */
const stats: Handler<{ all?: boolean; stream?: boolean; format?: string; trunc?: boolean }> = async (args, opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { containerFigures, hostCpuNs, isRunning } = await import('../../container/index.js');
    const { bytesSize, humanSizeWithPrecision, writeFormatted } = await import('../format/index.js');
    const { setTimeout: sleep } = await import('node:timers/promises');
    let recs;
    try {
      recs = args.length > 0 ? await Promise.all(args.map((n) => c.resolve(n))) : (await c.list()).filter((r) => opts.all === true || isRunning(r));
    } catch (err) {
      await writeDaemonError(io, err);
      return 1;
    }
    const sample = async (): Promise<Map<string, StatsSample>> => {
      const out = new Map<string, StatsSample>();
      for (const r of recs) {
        if (!isRunning(r)) continue;
        const st = await c.runtime.runtime.stats(r.id).catch(() => undefined);
        if (st !== undefined) out.set(r.id, { stats: st, systemNs: hostCpuNs() });
      }
      return out;
    };
    const format = opts.format ?? STATS_TABLE;
    let before = await sample();
    for (;;) {
      try {
        await sleep(STATS_INTERVAL_MS, undefined, { signal: io.signal });
      } catch {
        return 0; // interrupted: docker's stats ends there
      }
      const now = await sample();
      const rows = recs.map((r, i) => {
        const b = before.get(r.id);
        const n = now.get(r.id);
        const f = b !== undefined && n !== undefined ? containerFigures(b, n) : undefined;
        return {
          ID: opts.trunc === false ? r.id : r.id.slice(0, 12),
          Name: r.name,
          Container: args.length > 0 ? args[i] : r.id.slice(0, 12),
          CPUPerc: `${(f?.cpuPercent ?? 0).toFixed(2)}%`,
          MemUsage: `${bytesSize(f?.memUsage ?? 0)} / ${bytesSize(f?.memLimit ?? 0)}`,
          MemPerc: `${(f?.memPercent ?? 0).toFixed(2)}%`,
          NetIO: `${humanSizeWithPrecision(f?.netRx ?? 0, 3)} / ${humanSizeWithPrecision(f?.netTx ?? 0, 3)}`,
          BlockIO: `${humanSizeWithPrecision(f?.blockRead ?? 0, 3)} / ${humanSizeWithPrecision(f?.blockWrite ?? 0, 3)}`,
          PIDs: String(f?.pids ?? 0),
        };
      });
      const table = writeFormatted(format === 'table' ? STATS_TABLE : format, STATS_HEADERS, rows);
      await write(io.stdout, opts.stream === false ? table : `\x1b[2J\x1b[H${table}`);
      if (opts.stream === false) return 0;
      before = now;
    }
  });

/** `update [OPTIONS] CONTAINER...`: new resource limits, now for running ones and at their next start. */
const update: Handler<import('../../container/index.js').ResourceUpdate> = async (args, opts, io, globals) => {
  const given = Object.values(opts).some((v) => v !== undefined);
  if (!given) {
    await write(io.stderr, 'you must provide one or more flags when using this command\n');
    return 1;
  }
  return withContainers(globals, io, async (c) => {
    const { updateContainer } = await import('../../container/index.js');
    return each(io, args, async (n) => updateContainer(c, await c.resolve(n), opts));
  });
};

/** docker: the daemon's reason, then `Error: failed to rename container named <old>`. */
const rename: Handler = async (args, _opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const { renameContainer } = await import('../../container/index.js');
    const { ContainerNameConflictError } = await import('../../store/index.js');
    const [old, name] = args as [string, string];
    try {
      renameContainer(c, await c.resolve(old), name);
      return 0;
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const said = err instanceof ContainerNameConflictError ? `Error when allocating new name: ${reason}` : reason;
      await write(io.stderr, `Error response from daemon: ${said}\nError: failed to rename container named ${old}\n`);
      return 1;
    }
  });

function many(cmd: Command, description: string): Command {
  return cmd.description(description).usage('CONTAINER [CONTAINER...]').helpOption('--help', 'Print usage').argument('<container...>');
}

export function register({ program, container }: Groups, cli: Cli): void {
  for (const parent of [program, container]) {
    many(parent.command('wait'), 'Block until one or more containers stop, then print their exit codes').action(cli.action(wait));
    many(parent.command('restart'), 'Restart one or more containers')
      .usage('[OPTIONS] CONTAINER [CONTAINER...]')
      .option('-t, --time <int>', 'Seconds to wait for stop before killing the container', '10')
      .action(cli.action(restart));
    many(parent.command('pause'), 'Pause all processes within one or more containers').action(cli.action(pause));
    many(parent.command('unpause'), 'Unpause all processes within one or more containers').action(cli.action(unpause));
    parent
      .command('attach')
      .description('Attach local standard input, output, and error streams to a running container')
      .usage('[OPTIONS] CONTAINER')
      .helpOption('--help', 'Print usage')
      .argument('<container>')
      .option('--no-stdin', 'Do not attach STDIN')
      .option('--sig-proxy [bool]', 'Proxy all received signals to the process (default true)')
      .option('--detach-keys <string>', 'Override the key sequence for detaching a container (not implemented: end with a signal and --sig-proxy=false)')
      .action(cli.action(attach));
    parent
      .command('stats')
      .description('Display a live stream of container(s) resource usage statistics')
      .usage('[OPTIONS] [CONTAINER...]')
      .helpOption('--help', 'Print usage')
      .argument('[containers...]')
      .option('-a, --all', 'Show all containers (default shows just running)')
      .option('--format <string>', 'Pretty-print images using a Go template')
      .option('--no-stream', 'Disable streaming stats and only pull the first result')
      .option('--no-trunc', "Do not truncate output")
      .action(cli.action(stats));
    resourceOptions(
      parent
        .command('update')
        .description('Update configuration of one or more containers')
        .usage('[OPTIONS] CONTAINER [CONTAINER...]')
        .helpOption('--help', 'Print usage')
        .argument('<containers...>'),
    ).action(cli.action(update));
    parent
      .command('top')
      .description('Display the running processes of a container')
      .usage('CONTAINER [ps OPTIONS]')
      .helpOption('--help', 'Print usage')
      .argument('<container>')
      .argument('[ps-options...]')
      .allowUnknownOption()
      .passThroughOptions()
      .action(cli.action(top));
    parent
      .command('rename')
      .description('Rename a container')
      .usage('CONTAINER NEW_NAME')
      .helpOption('--help', 'Print usage')
      .argument('<container>')
      .argument('<new-name>')
      .action(cli.action(rename));
  }
}
