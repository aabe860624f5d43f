/**
 * `gantry dockerfile parse [--format dump|json] FILE|-`: shows how gantry reads a Dockerfile.
 *
 * `dump` prints the parse tree in BuildKit's dump format (what its parser test files hold), checking
 * only what BuildKit's parser checks. `json` prints the typed plan (parser directives, global ARGs,
 * stages with typed instructions, their dependencies, and the stages `--target` needs), so every
 * instruction and flag is checked as a build would.
 * Errors read `Error: Dockerfile:12: …` and exit 1.
 */
import type { Groups } from './index.js';
import type { Cli } from '../context.js';
import { write, type CommandIO } from '../io.js';
import { UsageError } from '../errors.js';

interface Options {
  format: string;
  target?: string;
}

export function register({ dockerfile }: Groups, cli: Cli): void {
  dockerfile
    .command('parse')
    .description('Parse a Dockerfile and print its syntax tree or typed plan')
    .argument('<file>', 'Dockerfile path, or - for standard input')
    .option('--format <format>', 'Output format: dump (BuildKit parse tree) or json (typed stages)', 'dump')
    .option('--target <stage>', 'With --format json: also list the stages a build of this target needs')
    .action(
      cli.action<Options>(async (args, opts, io) => {
        const file = args[0]!;
        if (opts.format !== 'dump' && opts.format !== 'json') {
          throw new UsageError(`invalid argument "${opts.format}" for "--format" flag: must be dump or json`, 'gantry dockerfile parse');
        }
        const { readFile } = await import('node:fs/promises');
        const { basename } = await import('node:path');
        const df = await import('../../dockerfile/index.js');
        const text = file === '-' ? await readStream(io.stdin) : await readFile(file, 'utf8');
        const filename = file === '-' ? 'Dockerfile' : basename(file);
        if (opts.format === 'dump') {
          const result = df.parse(text, { filename });
          await printWarnings(io.stderr, result.warnings);
          await write(io.stdout, df.dump(result.ast) + '\n');
          return 0;
        }
        const plan = df.parseDockerfile(text, { filename });
        await printWarnings(io.stderr, plan.warnings);
        const graph = df.stageGraph(plan.stages, { escapeToken: plan.escapeToken, filename });
        const needed = df.stagesForTarget(graph, opts.target, { filename });
        const out = {
          target: { index: needed.target.index, name: df.stageDisplayName(needed.target), needs: needed.stages.map((s) => s.index) },
          escapeToken: plan.escapeToken,
          directives: plan.directives,
          warnings: plan.warnings,
          metaArgs: plan.metaArgs,
          stages: plan.stages.map((s) => {
            const node = graph.nodes[s.index]!;
            return {
              ...s,
              dependencies: {
                baseStage: node.base,
                baseImage: node.baseImage,
                stages: node.dependsOn.map((e) => ({ stage: e.stage, via: e.via, ref: e.ref, line: e.instruction.location.startLine })),
                images: node.images.map((e) => ({ via: e.via, ref: e.ref, line: e.instruction.location.startLine })),
              },
            };
          }),
        };
        await write(io.stdout, JSON.stringify(out, null, 2) + '\n');
        return 0;
      }),
    );
}

async function readStream(stream: AsyncIterable<unknown>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

// BuildKit's Result.PrintWarnings, word for word.
async function printWarnings(stderr: CommandIO['stderr'], warnings: { short: string }[]): Promise<void> {
  if (warnings.length === 0) return;
  let text = '';
  for (const w of warnings) text += `[WARNING]: ${w.short}\n`;
  text += '[WARNING]: Empty continuation lines will become errors in a future release.\n';
  await write(stderr, text);
}
