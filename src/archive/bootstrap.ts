/**
 * `image bootstrap debian:SUITE`: a Debian base image made from the apt mirror this machine uses,
 * with mmdebstrap, so base images exist with no registry at hand. Reproducible: mmdebstrap honours
 * SOURCE_DATE_EPOCH, and when it is not given we take the suite's Release date from the host's apt
 * lists, so the same mirror state gives the same image digest.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { FailedPreconditionError, InvalidArgumentError } from '../errors.js';
import type { ImageRecord, Store } from '../store/index.js';
import { importRootfs } from './import.js';

export interface BootstrapOptions {
  /** `debian:bookworm` (the tag names the suite). */
  reference: string;
  variant?: string;
  include?: string[];
  sourceDateEpoch?: number;
  signal?: AbortSignal;
  onLog?: (line: string) => void;
}

/** The suite's Release date from the host's apt lists, in seconds since the epoch, if known. */
export function releaseDate(suite: string, listsDir = '/var/lib/apt/lists'): number | undefined {
  let names: string[];
  try {
    names = readdirSync(listsDir);
  } catch {
    return undefined;
  }
  const file = names.find((n) => n.endsWith(`_dists_${suite}_InRelease`) || n.endsWith(`_dists_${suite}_Release`));
  if (file === undefined) return undefined;
  const m = /^Date: (.+)$/m.exec(readFileSync(`${listsDir}/${file}`, 'utf8'));
  const t = m === null ? NaN : Date.parse(m[1] as string);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

/** The host's apt sources (deb822 and one-line), fed to mmdebstrap so it uses the same mirror. */
function hostSources(): string {
  const parts: string[] = [];
  try {
    for (const f of readdirSync('/etc/apt/sources.list.d')) {
      if (f.endsWith('.sources') || f.endsWith('.list')) parts.push(readFileSync(`/etc/apt/sources.list.d/${f}`, 'utf8'));
    }
  } catch {
    // no directory
  }
  try {
    parts.push(readFileSync('/etc/apt/sources.list', 'utf8'));
  } catch {
    // no file
  }
  return parts.join('\n');
}

export async function bootstrapDebian(store: Store, options: BootstrapOptions): Promise<ImageRecord> {
  const m = /^(?:docker\.io\/)?(?:library\/)?debian:([a-z]+)$/.exec(options.reference);
  if (m === null) throw new InvalidArgumentError('BOOTSTRAP_REFERENCE', `Cannot bootstrap "${options.reference}": only debian:SUITE is supported (for example debian:bookworm)`);
  const suite = m[1] as string;
  const sde = options.sourceDateEpoch ?? releaseDate(suite);
  const args = [`--variant=${options.variant ?? 'minbase'}`, '--mode=root', '--quiet'];
  if (options.include !== undefined && options.include.length > 0) args.push(`--include=${options.include.join(',')}`);
  args.push(suite, '-');
  const env = { ...process.env, ...(sde === undefined ? {} : { SOURCE_DATE_EPOCH: String(sde) }) };
  const child = spawn('mmdebstrap', args, { stdio: ['pipe', 'pipe', 'pipe'], env, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  const failure = new Promise<never>((_resolve, reject) => {
    child.once('error', (err) => {
      reject(
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new FailedPreconditionError('NO_MMDEBSTRAP', 'Cannot bootstrap: mmdebstrap is not installed', { hint: 'apt-get install mmdebstrap' })
          : err,
      );
    });
  });
  failure.catch(() => {});
  child.stdin.end(hostSources());
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const l of d.toString().split('\n')) if (l.trim() !== '') options.onLog?.(l);
  });
  const exited = new Promise<number>((resolve) => child.once('close', (code) => resolve(code ?? 1)));
  const created = sde === undefined ? new Date().toISOString() : new Date(sde * 1000).toISOString().replace('.000Z', 'Z');
  // Named only once mmdebstrap has succeeded: a failed bootstrap must not leave a half image named.
  const imported = importRootfs(store, child.stdout, {
    names: [],
    source: `mmdebstrap ${suite}`,
    message: `mmdebstrap --variant=${options.variant ?? 'minbase'} ${suite}`,
    created,
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash'] },
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const code = await Promise.race([exited, failure]);
  const record = await imported.catch((err: unknown) => (code === 0 ? Promise.reject(err) : undefined));
  if (code !== 0 || record === undefined) {
    if (record !== undefined) await store.images.remove(record.id, { force: true }).catch(() => {});
    throw new FailedPreconditionError('BOOTSTRAP_FAILED', `mmdebstrap failed with exit code ${code}: ${stderr.trim().split('\n').slice(-3).join(' / ')}`);
  }
  store.images.tag(record.id, options.reference);
  return store.images.get(record.id);
}
