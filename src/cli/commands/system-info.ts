/**
 * `info` and `system info`: docker's layout (`Client:` then `Server:` with containers by state,
 * images, storage driver, cgroups, runtimes, kernel, OS, CPUs, memory, root dir), with gantry's
 * own facts where they differ from a daemon's, and `--format` over docker's `Info` field names
 * (`{{.ServerVersion}}`, `{{.DockerRootDir}}`, `{{json .}}`) for scripts that ask docker.
 */
import type { Groups } from './index.js';
import type { Cli, Handler } from '../context.js';
import { write } from '../io.js';
import { withContainers } from './_containers.js';

/** statfs magic numbers docker names as its "Backing Filesystem". */
const FILESYSTEMS: Record<number, string> = { 0xef53: 'extfs', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs', 0x2fc12fc1: 'zfs' };

async function firstLine(cmd: string, args: string[]): Promise<string> {
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 5000 }, (err, stdout) => resolve(err === null ? (stdout.split('\n')[0] ?? '').trim() : ''));
  });
}

const info: Handler<{ format?: string }> = async (_args, opts, io, globals) =>
  withContainers(globals, io, async (c) => {
    const os = await import('node:os');
    const { readFile, statfs } = await import('node:fs/promises');
    const { hostInfo } = await import('../../runtime/index.js');
    const { VERSION } = await import('../../version.js');
    const { bytesSize } = await import('../format/index.js');
    const containers = await c.list();
    const count = (states: string[]): number => containers.filter((r) => states.includes(r.state)).length;
    const host = await hostInfo();
    const fsType = await statfs(c.store.root).then((s) => FILESYSTEMS[s.type] ?? `0x${s.type.toString(16)}`, () => 'unknown');
    const osRelease = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(await readFile('/etc/os-release', 'utf8').catch(() => ''))?.[1] ?? 'Linux';
    const runtimeVersion = (await firstLine(c.runtime.runtime.binary, ['--version'])).replace(/^\S+ version /, '');
    const data = {
      ID: '',
      Containers: containers.length,
      ContainersRunning: count(['running', 'restarting']),
      ContainersPaused: count(['paused']),
      ContainersStopped: containers.length - count(['running', 'restarting', 'paused']),
      Images: c.store.images.list().length,
      Driver: c.snapshots.driver,
      DriverStatus: [['Backing Filesystem', fsType]],
      LoggingDriver: 'local-file',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: host.cgroup.version.slice(1), // `v1` → docker's `1`
      KernelVersion: os.release(),
      OperatingSystem: osRelease,
      OSType: 'linux',
      Architecture: os.machine(),
      NCPU: os.availableParallelism(),
      MemTotal: os.totalmem(),
      DockerRootDir: c.store.root,
      Name: os.hostname(),
      ServerVersion: VERSION,
      DefaultRuntime: c.runtime.runtime.name,
      Runtimes: { [c.runtime.runtime.name]: { path: c.runtime.runtime.binary } },
      Debug: globals.debug === true,
      IndexServerAddress: 'https://index.docker.io/v1/',
      ExperimentalBuild: false,
      LiveRestoreEnabled: false,
    };
    if (opts.format !== undefined) {
      const { writeFormatted } = await import('../format/index.js');
      await write(io.stdout, writeFormatted(opts.format, {}, [data]));
      return 0;
    }
    const lines = [
      'Client:',
      ' Context:    default',
      ` Debug Mode: ${data.Debug}`,
      '',
      'Server:',
      ` Containers: ${data.Containers}`,
      `  Running: ${data.ContainersRunning}`,
      `  Paused: ${data.ContainersPaused}`,
      `  Stopped: ${data.ContainersStopped}`,
      ` Images: ${data.Images}`,
      ` Server Version: ${data.ServerVersion}`,
      ` Storage Driver: ${data.Driver}`,
      `  Backing Filesystem: ${fsType}`,
      ` Logging Driver: ${data.LoggingDriver}`,
      ` Cgroup Driver: ${data.CgroupDriver}`,
      ` Cgroup Version: ${data.CgroupVersion}${host.cgroup.hybrid ? ' (hybrid)' : ''}`,
      ` Runtimes: ${data.DefaultRuntime}`,
      ` Default Runtime: ${data.DefaultRuntime}`,
      ` ${data.DefaultRuntime} version: ${runtimeVersion}`,
      ` Kernel Version: ${data.KernelVersion}`,
      ` Operating System: ${data.OperatingSystem}`,
      ` OSType: ${data.OSType}`,
      ` Architecture: ${data.Architecture}`,
      ` CPUs: ${data.NCPU}`,
      ` Total Memory: ${bytesSize(data.MemTotal)}`,
      ` Name: ${data.Name}`,
      ` Docker Root Dir: ${data.DockerRootDir}`,
      ` Debug Mode: ${data.Debug}`,
      ` Registry: ${data.IndexServerAddress}`,
      ' Experimental: false',
      ' Live Restore Enabled: false',
      '',
    ];
    await write(io.stdout, lines.join('\n'));
    return 0;
  });

export function register({ program, system }: Groups, cli: Cli): void {
  for (const parent of [program, system]) {
    parent
      .command('info')
      .description('Display system-wide information')
      .usage('[OPTIONS]')
      .helpOption('--help', 'Print usage')
      .option('-f, --format <string>', 'Format the output using the given Go template')
      .action(cli.action(info));
  }
}
