/** `gantry version`: the client's version, as docker prints its client section. */
import type { Groups } from "./index.js";
import type { Cli } from '../context.js';
import { VERSION } from '../../version.js';
import { write } from '../io.js';

export function register({ program }: Groups, cli: Cli): void {
  program
    .command('version')
    .description('Show the gantry version information')
    .action(
      cli.action(async (_args, _opts, io) => {
        await write(
          io.stdout,
          [
            'Client:',
            ` Version:           ${VERSION}`,
            ` Node.js version:   ${process.version}`,
            ` OS/Arch:           ${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
            '',
          ].join('\n'),
        );
        return 0;
      }),
    );
}
