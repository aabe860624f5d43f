/**
 * Runs one container in the foreground with a TTY, as `gantry run -it` will: used by tty.test.ts under a
 * real pseudo-terminal. Arguments: <gantry-root> <rootfs> <id> <shell script>. Exits with the
 * container's exit code.
 */
import { openRuntime, prepareContainer, runContainer, deleteContainer } from '../../src/runtime/index.js';

const [gantryRoot, rootfs, id, script] = process.argv.slice(2) as [string, string, string, string];
const ctx = await openRuntime({ gantryRoot });
try {
  const size = process.stdout.isTTY ? { rows: process.stdout.rows, columns: process.stdout.columns } : undefined;
  await prepareContainer(ctx, { id, rootfs, overrides: { args: ['sh', '-c', script], tty: true, network: 'none', ...(size === undefined ? {} : { consoleSize: size }) } });
  const { exitCode } = await runContainer(ctx, { id, forwardSignals: true });
  process.exitCode = exitCode ?? 1;
} finally {
  await deleteContainer(ctx, id, { force: true });
}
