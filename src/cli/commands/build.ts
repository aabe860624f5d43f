/**
 * `gantry build [OPTIONS] PATH | -` (also `gantry image build`, `gantry builder build`): docker
 * buildx's flags, BuildKit's progress output on stderr, the image ID on stdout with `-q`.
 */
import type { Command } from 'commander';
import type { Groups } from './index.js';
import { collect, labelsFromFlags, type Cli, type Handler } from '../context.js';
import { ArgumentCountError, UsageError } from '../errors.js';
import type { CommandIO } from '../io.js';
import { write } from '../io.js';

interface BuildFlags {
  tag?: string[];
  file?: string;
  target?: string;
  buildArg?: string[];
  label?: string[];
  cache?: boolean;
  /**
   * `--no-cache-filter`: commander reads a `--no-` flag as the negation of `cacheFilter` (default
   * true), so the stage names land under this name and start from that boolean.
   */
  cacheFilter?: string[] | boolean;
  pull?: boolean;
  secret?: string[];
  network?: string;
  addHost?: string[];
  iidfile?: string;
  metadataFile?: string;
  quiet?: boolean;
  progress?: string;
  output?: string[];
  platform?: string;
  check?: boolean;
  shmSize?: string;
  ulimit?: string[];
}

const handler: Handler<BuildFlags> = async (args, opts, io, globals) => {
  if (args.length !== 1) throw new ArgumentCountError('exactly 1 argument', 'gantry build');
  const { readFileSync, existsSync, statSync, writeFileSync, rmSync } = await import('node:fs');
  const { resolve, dirname, basename, join } = await import('node:path');
  const contextArg = args[0] as string;

  // The Dockerfile and the context.
  let contextDir: string | undefined;
  let dockerfileText: string;
  let dockerfileName = 'Dockerfile';
  let dockerfilePath: string | undefined;
  let stdinContext: string | undefined;
  if (contextArg === '-') {
    const input = await readAllBytes(io);
    if (looksLikeArchive(input)) {
      // `gantry build - < ctx.tar[.gz]`: the context is the archive, the Dockerfile inside it.
      const { mkdtempSync } = await import('node:fs');
      const { tmpdir } = await import('node:os');
      const { applyLayer } = await import('../../layer/index.js');
      stdinContext = mkdtempSync(join(tmpdir(), 'gantry-build-context-'));
      await applyLayer((async function* () { yield input; })(), stdinContext, { signal: io.signal });
      contextDir = stdinContext;
      dockerfileName = opts.file !== undefined && opts.file !== '-' ? opts.file : 'Dockerfile';
      dockerfilePath = join(contextDir, dockerfileName);
      if (!existsSync(dockerfilePath)) {
        const { NotFoundError } = await import('../../errors.js');
        throw new NotFoundError('DOCKERFILE_NOT_FOUND', `failed to solve: failed to read dockerfile: open ${dockerfileName}: no such file or directory`);
      }
      dockerfileText = readFileSync(dockerfilePath, 'utf8');
    } else {
      if (opts.file !== undefined && opts.file !== '-') throw new UsageError('cannot use -f with a Dockerfile from stdin', 'gantry build');
      dockerfileText = input.toString('utf8');
    }
  } else {
    if (/^(https?|git):\/\//.test(contextArg)) {
      const { InvalidArgumentError } = await import('../../errors.js');
      throw new InvalidArgumentError('REMOTE_CONTEXT', `Cannot use remote context "${contextArg}": only local directories and - are supported`);
    }
    contextDir = resolve(contextArg);
    if (!existsSync(contextDir) || !statSync(contextDir).isDirectory()) {
      const { NotFoundError } = await import('../../errors.js');
      throw new NotFoundError('CONTEXT_NOT_FOUND', `unable to prepare context: path "${contextArg}" not found`);
    }
    if (opts.file === '-') {
      dockerfileText = await readAll(io);
    } else {
      dockerfilePath = opts.file !== undefined ? resolve(opts.file) : join(contextDir, 'Dockerfile');
      dockerfileName = opts.file !== undefined ? basename(opts.file) : 'Dockerfile';
      if (!existsSync(dockerfilePath)) {
        const { NotFoundError } = await import('../../errors.js');
        throw new NotFoundError('DOCKERFILE_NOT_FOUND', `failed to solve: failed to read dockerfile: open ${dockerfileName}: no such file or directory`);
      }
      dockerfileText = readFileSync(dockerfilePath, 'utf8');
    }
  }

  // --platform: one platform this machine builds natively (BuildKit's normalization, e.g.
  // linux/amd64/v1 is linux/amd64); an image index of several platforms is not made here.
  let platform: import('../../oci/index.js').Platform | undefined;
  if (opts.platform !== undefined && opts.platform !== '') {
    const { resolveBuildPlatform } = await import('../../build/index.js');
    const wanted = [...new Set(opts.platform.split(',').map((p) => p.trim()).filter((p) => p !== ''))];
    const resolved = wanted.map((p) => resolveBuildPlatform(p));
    const { formatAll } = await import('../../oci/index.js');
    if (new Set(resolved.map(formatAll)).size > 1) {
      const { InvalidArgumentError } = await import('../../errors.js');
      throw new InvalidArgumentError('MULTI_PLATFORM_UNSUPPORTED', `Cannot build for several platforms at once (${wanted.join(', ')}): build one platform per run`);
    }
    platform = resolved[0];
  }

  const buildArgs: Record<string, string> = {};
  for (const a of opts.buildArg ?? []) {
    const eq = a.indexOf('=');
    if (eq < 0) {
      const v = io.env[a];
      if (v !== undefined) buildArgs[a] = v;
    } else buildArgs[a.slice(0, eq)] = a.slice(eq + 1);
  }
  const labels = labelsFromFlags(opts.label);

  const dfm = await import('../../dockerfile/index.js');
  if (opts.check === true) return runCheck(io, dfm, dockerfileText, dockerfileName, buildArgs);

  // .dockerignore: `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's.
  let ignorePatterns: string[] = [];
  if (contextDir !== undefined) {
    const candidates = [
      ...(dockerfilePath !== undefined ? [join(dirname(dockerfilePath), `${basename(dockerfilePath)}.dockerignore`)] : []),
      join(contextDir, '.dockerignore'),
    ];
    for (const c of candidates) {
      if (existsSync(c)) {
        ignorePatterns = dfm.readIgnoreFile(readFileSync(c, 'utf8'));
        break;
      }
    }
    if (dockerfilePath !== undefined && dockerfilePath.startsWith(contextDir + '/')) {
      ignorePatterns = dfm.trimBuildFilesFromExcludes(ignorePatterns, dockerfilePath.slice(contextDir.length + 1));
    }
  }

  const secrets = new Map<string, Uint8Array>();
  for (const s of opts.secret ?? []) {
    const { id, value } = parseSecret(s, io.env, readFileSync);
    secrets.set(id, value);
  }

  const network = opts.network ?? 'default';
  if (!['default', 'host', 'none'].includes(network)) {
    const { InvalidArgumentError } = await import('../../errors.js');
    throw new InvalidArgumentError('INVALID_NETWORK', `network mode "${network}" not supported by buildkit: use default, host or none`);
  }
  const sde = io.env.SOURCE_DATE_EPOCH ?? buildArgs.SOURCE_DATE_EPOCH;
  const sourceDateEpoch = sde !== undefined && /^[0-9]+$/.test(sde) ? Number(sde) : undefined;

  const { parseOutput, writeOutput } = await import('./_build-output.js');
  const outputs = (opts.output ?? []).map(parseOutput);
  if (outputs.filter((o) => o.dest === '-').length > 1) throw new UsageError('only one output can go to stdout', 'gantry build');
  const { parseProgressMode, createProgress } = await import('../progress/index.js');
  const mode = opts.quiet === true ? 'quiet' : parseProgressMode(opts.progress ?? io.env.BUILDKIT_PROGRESS);
  const renderer = createProgress(mode, io.stderr, undefined, io.env);
  const { openCliStore } = await import('./_store.js');
  const store = await openCliStore(globals, io);
  const buildm = await import('../../build/index.js');
  try {
    const result = await buildm.build(store, {
      dockerfile: { text: dockerfileText, filename: dockerfileName },
      checks: opts.quiet !== true, // their warnings are printed only without -q
      ...(contextDir === undefined ? {} : { contextDir }),
      ignorePatterns,
      tags: opts.tag ?? [],
      ...(opts.target === undefined ? {} : { target: opts.target }),
      buildArgs,
      labels,
      noCache: opts.cache === false,
      noCacheFilter: (Array.isArray(opts.cacheFilter) ? opts.cacheFilter : []).flatMap((f) => f.split(',')),
      secrets,
      network: network as 'default' | 'host' | 'none',
      addHosts: opts.addHost ?? [],
      ...(opts.shmSize === undefined ? {} : { shmSize: parseBytes(opts.shmSize) }),
      ...(opts.ulimit === undefined ? {} : { ulimits: opts.ulimit }),
      ...(sourceDateEpoch === undefined ? {} : { sourceDateEpoch }),
      ...(globals.runtime === undefined ? {} : { runtime: globals.runtime }),
      ...(globals.storageDriver === undefined ? {} : { storageDriver: globals.storageDriver }),
      progress: renderer,
      signal: io.signal,
      fetchImage: lazyFetcher(() => imageFetcher(store, io, opts.pull === true)),
      fetchUrl: urlFetcher(),
      pull: opts.pull === true,
      ...(platform === undefined ? {} : { platform }),
    });
    renderer.close();
    for (const w of result.warnings) await write(io.stderr, `${w}\n`);
    if (opts.quiet !== true && result.checks.length > 0) await write(io.stderr, `\n${buildm.formatChecks(result.checks)}`);
    for (const o of outputs) await writeOutput(store, result.image, o, io);
    if (opts.iidfile !== undefined) writeFileSync(opts.iidfile, result.imageId);
    if (opts.metadataFile !== undefined) {
      const meta: Record<string, unknown> = {
        'containerimage.config.digest': result.config.digest,
        'containerimage.digest': result.manifest.digest,
        'containerimage.descriptor': result.manifest,
      };
      if ((opts.tag ?? []).length > 0) meta['image.name'] = (opts.tag ?? []).join(',');
      writeFileSync(opts.metadataFile, JSON.stringify(meta, null, 2));
    }
    if (opts.quiet === true) await write(io.stdout, `${result.imageId}\n`);
    return 0;
  } catch (err) {
    renderer.close();
    if (err instanceof buildm.BuildCheckViolationError && opts.quiet !== true) await write(io.stderr, buildm.formatChecks(err.checks));
    await printStepContext(io, err, dockerfileText);
    throw err;
  } finally {
    store.close();
    if (stdinContext !== undefined) rmSync(stdinContext, { recursive: true, force: true });
  }
};

/**
 * The registry client loads only when a build really pulls: most builds find their bases in the
 * store, and loading the client (HTTP, auth, credential helpers) is a cost every no-op build paid.
 */
function lazyFetcher(make: () => Promise<(reference: string) => Promise<import('../../oci/index.js').Digest>>) {
  let fetcher: Promise<(reference: string) => Promise<import('../../oci/index.js').Digest>> | undefined;
  return async (reference: string) => (await (fetcher ??= make()))(reference);
}

/**
 * ADD's downloads go through the registry transport (loaded on the first one): its connections trust
 * NODE_EXTRA_CA_CERTS, which bin/gantry keeps from node's start-up (see tls-trust.ts), and certs.d.
 */
function urlFetcher(): import('../../build/index.js').UrlFetch {
  let transport: Promise<import('../../registry/client/index.js').RegistryFetch> | undefined;
  return async (url, init) => {
    transport ??= import('../../registry/client/index.js').then((m) => m.createTransport({ certsDir: m.certsDirOf() }));
    return (await transport)(url, init);
  };
}

/**
 * FROM/--from images missing from the store are pulled through the registry client; with `--pull`
 * every base is pulled again (the fetcher is given a view of the store whose name lookup misses, so
 * it always asks the registry; the pull itself writes to the real store).
 */
async function imageFetcher(store: import('../../store/index.js').Store, io: CommandIO, always: boolean) {
  const { createImageFetcher } = await import('../../registry/client/index.js');
  const env = io.env;
  if (!always) return createImageFetcher({ store, env });
  const bind = <T extends object>(target: T, override: Partial<Record<keyof T, unknown>>): T =>
    new Proxy(target, {
      get(t, p) {
        if (p in override) return (override as Record<string | symbol, unknown>)[p];
        const v = Reflect.get(t, p, t) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(t) : v;
      },
    });
  const missAll = bind(store.images, {
    resolve: (ref: string) => {
      throw new Error(`not looked up locally: ${ref}`);
    },
  });
  const fetch = createImageFetcher({ store: bind(store, { images: missAll }), env });
  return async (reference: string) => {
    try {
      return await fetch(reference);
    } catch (err) {
      // --pull of an image that only exists locally (no registry has it): docker fails too, but
      // an image made here (bootstrap/import) has no registry; keep the local one then.
      try {
        return store.images.resolve(reference).id;
      } catch {
        throw err;
      }
    }
  };
}

async function readAllBytes(io: CommandIO): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks);
}

/** gzip, bzip2, xz or zstd magic, or a ustar header: docker takes such stdin for a context archive. */
function looksLikeArchive(b: Buffer): boolean {
  if (b.length >= 4 && ((b[0] === 0x1f && b[1] === 0x8b) || b.subarray(0, 3).toString('latin1') === 'BZh' || (b[0] === 0xfd && b.subarray(1, 6).toString('latin1') === '7zXZ\0') || b.readUInt32LE(0) === 0xfd2fb528)) return true;
  return b.length >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar';
}

async function readAll(io: CommandIO): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of io.stdin) chunks.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** `id=…,src=…|source=…|env=…[,type=file|env]`; without a source, an env var named like the id, else a file named so. */
function parseSecret(spec: string, env: Record<string, string | undefined>, readFile: (p: string) => Buffer): { id: string; value: Uint8Array } {
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    fields.set(eq < 0 ? part : part.slice(0, eq), eq < 0 ? '' : part.slice(eq + 1));
  }
  const id = fields.get('id');
  if (id === undefined || id === '') throw new UsageError(`invalid secret "${spec.replace(/=.*/, '=…')}": id is required`, 'gantry build');
  const src = fields.get('src') ?? fields.get('source');
  const envName = fields.get('env') ?? (fields.get('type') === 'env' ? id : undefined);
  if (envName !== undefined) {
    const v = env[envName];
    if (v === undefined) throw new UsageError(`secret ${id}: environment variable ${envName} is not set`, 'gantry build');
    return { id, value: Buffer.from(v) };
  }
  if (src !== undefined) return { id, value: readFile(src) };
  const v = env[id];
  if (v !== undefined) return { id, value: Buffer.from(v) };
  return { id, value: readFile(id) };
}

/** `collect` for `--no-cache-filter`, whose first "previous" is commander's negation default `true`. */
function collectStages(value: string, previous: string[] | boolean | undefined): string[] {
  return [...(Array.isArray(previous) ? previous : []), value];
}

function parseBytes(s: string): number {
  const m = /^([0-9.]+)\s*([kmgt]?)i?b?$/i.exec(s.trim());
  if (m === null) throw new UsageError(`invalid size: '${s}'`, 'gantry build');
  const mul: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
  return Math.round(Number(m[1]) * (mul[(m[2] ?? '').toLowerCase()] ?? 1));
}

/**
 * BuildKit's failure box: the step and its last output lines (for a failed step), then the
 * Dockerfile lines around the error (for a failed step and for a Dockerfile error with a line).
 */
async function printStepContext(io: CommandIO, err: unknown, text: string): Promise<void> {
  const e = err as { step?: string; lines?: { start: number; end: number } | { start: number; end: number }[]; filename?: string; outputTail?: string[] };
  const range = Array.isArray(e.lines) ? e.lines[0] : e.lines;
  if (range === undefined || range.start <= 0) return;
  if (!Array.isArray(e.lines) && e.step === undefined) return;
  const src = text.split(/\r?\n/);
  if (src.at(-1) === '') src.pop(); // the newline ending the last line starts no line of its own
  const from = Math.max(1, range.start - 2);
  const to = Math.min(src.length, range.end + 2);
  let out = '';
  if (e.step !== undefined) {
    out += '------\n';
    out += ` > ${e.step}:\n`;
    for (const l of e.outputTail ?? []) out += `${l}\n`;
    out += '------\n';
  }
  out += `${e.filename ?? 'Dockerfile'}:${range.start}${range.end > range.start ? `-${range.end}` : ''}\n`;
  out += '--------------------\n';
  for (let i = from; i <= to; i++) {
    const mark = i >= range.start && i <= range.end ? '>>>' : '   ';
    out += `${String(i).padStart(4)} | ${mark} ${src[i - 1] ?? ''}\n`;
  }
  out += '--------------------\n';
  await write(io.stderr, out);
}

async function runCheck(
  io: CommandIO,
  dfm: typeof import('../../dockerfile/index.js'),
  text: string,
  filename: string,
  buildArgs: Record<string, string>,
): Promise<number> {
  const result = dfm.lintDockerfile(text, { filename, buildArgs });
  const n = result.warnings.length;
  if (result.error !== undefined) {
    await write(io.stderr, `ERROR: ${result.error.message}\n`);
    return 1;
  }
  if (n === 0) {
    await write(io.stdout, 'Check complete, no warnings found.\n');
    return 0;
  }
  let out = `Check complete, ${n} warning${n === 1 ? ' has' : 's have'} been found!\n`;
  for (const w of result.warnings) {
    const line = w.location[0]?.start;
    out += `\nWARNING: ${w.rule} - ${w.description}\n${w.message}\n${filename}${line === undefined ? '' : `:${line}`}\n`;
    if (line !== undefined) {
      const src = text.split(/\r?\n/);
      out += '--------------------\n';
      for (let i = Math.max(1, line - 1); i <= Math.min(src.length, line + 1); i++) {
        out += `${String(i).padStart(4)} | ${i === line ? '>>>' : '   '} ${src[i - 1] ?? ''}\n`;
      }
      out += '--------------------\n';
    }
  }
  await write(io.stderr, out);
  return result.config.error ? 1 : 0;
}

function define(cmd: Command, cli: Cli): void {
  cmd
    .description('Build an image from a Dockerfile')
    .usage('[OPTIONS] PATH | URL | -')
    .argument('[context]', 'PATH | -')
    .option('-t, --tag <name>', 'Name and optionally a tag (format: "name:tag")', collect)
    .option('-f, --file <path>', 'Name of the Dockerfile (default: "PATH/Dockerfile")')
    .option('--target <stage>', 'Set the target build stage to build')
    .option('--build-arg <arg>', 'Set build-time variables', collect)
    .option('--label <label>', 'Set metadata for an image', collect)
    .option('--no-cache', 'Do not use cache when building the image')
    .option('--no-cache-filter <stages>', 'Do not cache specified stages', collectStages)
    .option('--pull', 'Always attempt to pull all referenced images')
    .option('--secret <spec>', 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")', collect)
    .option('--network <mode>', 'Set the networking mode for the RUN instructions during build (default, host, none; default is the host network)')
    .option('--add-host <host:ip>', 'Add a custom host-to-IP mapping', collect)
    .option('--iidfile <file>', 'Write the image ID to a file')
    .option('--metadata-file <file>', 'Write build result metadata to a file')
    .option('-q, --quiet', 'Suppress the build output and print image ID on success')
    .option('--progress <type>', 'Set type of progress output (auto, plain, tty, quiet)')
    .option('-o, --output <spec>', 'Output destination (format: "type=local,dest=path")', collect)
    .option('--platform <platform>', 'Set target platform for build')
    .option('--check', 'Shorthand for "--call=check"')
    .option('--shm-size <bytes>', 'Shared memory size for build containers')
    .option('--ulimit <ulimit>', 'Ulimit options', collect)
    .action(cli.action(handler));
}

export function register({ program, image, builder }: Groups, cli: Cli): void {
  define(program.command('build'), cli);
  define(image.command('build'), cli);
  define(builder.command('build'), cli);
}
