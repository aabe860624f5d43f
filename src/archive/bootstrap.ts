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
  /** The mmdebstrap executable (tests substitute a stand-in); default `mmdebstrap` from PATH. */
  mmdebstrap?: string;
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
  const variant = options.variant ?? 'minbase';
  if (!/^[a-z]+$/.test(variant)) throw new InvalidArgumentError('BOOTSTRAP_VARIANT', `Cannot bootstrap: invalid variant "${variant}"`);
  const include = (options.include ?? []).map((p) => p.trim()).filter((p) => p !== '');
  for (const p of include) {
    // Debian package names (policy §5.6.1), optionally with =version or /release: nothing an option could hide in.
    if (!/^[a-z0-9][a-z0-9+.-]+(?:[=/][A-Za-z0-9.+~:-]+)?$/.test(p)) throw new InvalidArgumentError('BOOTSTRAP_INCLUDE', `Cannot bootstrap: invalid package name "${p}"`);
  }
  // mmdebstrap's default mode (auto) is root mode for root and unshare mode otherwise.
  const args = [`--variant=${variant}`, '--quiet'];
  if (include.length > 0) args.push(`--include=${include.join(',')}`);
  args.push(suite, '-');
  const env = { ...process.env, ...(sde === undefined ? {} : { SOURCE_DATE_EPOCH: String(sde) }) };
  const child = spawn(options.mmdebstrap ?? 'mmdebstrap', args, { stdio: ['pipe', 'pipe', 'pipe'], env, ...(options.signal === undefined ? {} : { signal: options.signal }) });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 65536) stderr += d.toString();
    for (const l of d.toString().split('\n')) if (l.trim() !== '') options.onLog?.(l);
  });
  // Settles once: with the exit code, or with the spawn error (mmdebstrap missing).
  const finished = new Promise<number>((resolve, reject) => {
    child.once('error', (err) => {
      reject(
        (err as NodeJS.ErrnoException).code === 'ENOENT'
          ? new FailedPreconditionError('NO_MMDEBSTRAP', 'Cannot bootstrap: mmdebstrap is not installed', { hint: 'apt-get install mmdebstrap' })
          : err,
      );
    });
    child.once('close', (code) => resolve(code ?? 1));
  });
  finished.catch(() => {});
  child.stdin.on('error', () => {});
  child.stdin.end(hostSources());
  const created = sde === undefined ? new Date().toISOString() : new Date(sde * 1000).toISOString().replace('.000Z', 'Z');
  const waitForSuccess = async (): Promise<void> => {
    const code = await finished;
    if (code !== 0) {
      const tail = stderr.trim().split('\n').slice(-3).join(' / ');
      throw new FailedPreconditionError('BOOTSTRAP_FAILED', `Cannot bootstrap ${options.reference}: mmdebstrap failed with exit code ${code}${tail === '' ? '' : `: ${tail}`}`);
    }
  };
  try {
    // The image is recorded, and named, only once mmdebstrap has exited 0: a failed bootstrap
    // leaves no image and no name (its layer blob goes with the import's lease).
    return await importRootfs(store, child.stdout, {
      names: [options.reference],
      source: `mmdebstrap ${suite}`,
      message: `mmdebstrap --variant=${variant}${include.length > 0 ? ` --include=${include.join(',')}` : ''} ${suite}`,
      created,
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash'] },
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      beforeCommit: waitForSuccess,
    });
  } catch (err) {
    // A failed mmdebstrap explains a broken tar stream better than the tar error does; a
    // mmdebstrap still running (the import failed on its own) is stopped, never waited for.
    if (child.exitCode !== null || child.signalCode !== null) await waitForSuccess();
    throw err;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
