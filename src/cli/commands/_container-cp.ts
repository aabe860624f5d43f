/**
 * `cp` and `container cp`: which side is the container (docker's `CONTAINER:PATH` rule), then the
 * container part's copy. Failures print docker's own line (bare, `Error: …` or `Error response
 * from daemon: …`) and exit 1, as docker does. Loaded lazily by container.ts's handler.
 */
import { once } from 'node:events';
import type { CommandIO, GlobalOptions } from '../io.js';
import { write } from '../io.js';
import { withContainers } from './_containers.js';
import { errnoCode } from '../../errors.js';

export interface CpOptions {
  archive?: boolean;
  followLink?: boolean;
  quiet?: boolean;
}

export async function runCp(args: string[], opts: CpOptions, io: CommandIO, globals: GlobalOptions): Promise<number> {
  const { parseCpArg, CopyError } = await import('../../container/index.js');
  const src = parseCpArg(args[0] ?? '');
  const dst = parseCpArg(args[1] ?? '');
  const refuse = async (line: string): Promise<number> => {
    await write(io.stderr, `${line}\n`);
    return 1;
  };
  if (src.container !== undefined && dst.container !== undefined) return refuse('copying between containers is not supported');
  if (src.container === undefined && dst.container === undefined) return refuse('must specify at least one container source');
  try {
    await withContainers(globals, io, async (c) => {
      const { copyFromContainer, copyToContainer } = await import('../../container/index.js');
      if (src.container !== undefined) {
        const out = io.stdout;
        // A reader that stops early (`| tar t | head`) closes the pipe: the copy ends there, quietly.
        let broken: Error | undefined;
        const onError = (err: Error): void => {
          broken = err;
        };
        if (dst.path === '-') out.on('error', onError);
        const stopped = new AbortController();
        const signal = AbortSignal.any([io.signal, stopped.signal]);
        try {
          await copyFromContainer(c, {
            container: src.container,
            srcPath: src.path,
            destPath: dst.path,
            followLink: opts.followLink === true,
            stdout: async (chunk) => {
              if (broken === undefined && !out.write(chunk)) await once(out, 'drain').catch(() => {}); // an error: `broken`
              if (broken !== undefined) stopped.abort(broken);
            },
            signal,
          });
        } catch (err) {
          if (!(broken !== undefined && errnoCode(broken) === 'EPIPE')) throw err;
        } finally {
          out.off('error', onError);
        }
      } else {
        await copyToContainer(c, {
          container: dst.container ?? '',
          srcPath: src.path,
          destPath: dst.path,
          followLink: opts.followLink === true,
          archive: opts.archive === true,
          ...(src.path === '-' ? { stdin: io.stdin } : {}),
          signal: io.signal,
        });
      }
    });
  } catch (err) {
    if (err instanceof CopyError) return refuse(err.line);
    throw err;
  }
  return 0;
}
