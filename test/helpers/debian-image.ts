/**
 * A Debian bookworm minbase image for tests, made once per machine with mmdebstrap from the apt
 * mirror and cached as a tarball (`$GANTRY_TEST_CACHE`, default /var/tmp/gantry-test-cache), then
 * imported into each test's store in seconds. Tests that need it skip when mmdebstrap is missing.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { importRootfs, releaseDate } from '../../src/archive/index.js';
import type { ImageRecord, Store } from '../../src/store/index.js';

export const TEST_CACHE = process.env.GANTRY_TEST_CACHE ?? '/var/tmp/gantry-test-cache';

export function haveMmdebstrap(): boolean {
  return spawnSync('mmdebstrap', ['--version']).status === 0;
}

function sources(): string {
  const parts: string[] = [];
  const dir = '/etc/apt/sources.list.d';
  if (existsSync(dir)) for (const f of readdirSync(dir)) if (/\.(sources|list)$/.test(f)) parts.push(readFileSync(join(dir, f), 'utf8'));
  if (existsSync('/etc/apt/sources.list')) parts.push(readFileSync('/etc/apt/sources.list', 'utf8'));
  return parts.join('\n');
}

/** The cached bookworm minbase tarball (made on first use; ~35 s on an idle machine). */
export function debianTarball(): string {
  const tar = join(TEST_CACHE, 'debian-bookworm-minbase.tar');
  if (existsSync(tar) && statSync(tar).isFile()) return tar;
  mkdirSync(TEST_CACHE, { recursive: true });
  const part = `${tar}.${process.pid}.part`;
  if (existsSync(tar)) {
    // An earlier helper without --format=tar left a directory tree here: tar it up instead.
    execFileSync('tar', ['--numeric-owner', '--xattrs', '-C', tar, '-cf', part, '.'], { stdio: ['ignore', 'ignore', 'inherit'] });
    const dir = `${tar}.dir.${process.pid}`;
    renameSync(tar, dir);
    renameSync(part, tar);
    execFileSync('rm', ['-rf', dir]);
    return tar;
  }
  const sde = releaseDate('bookworm');
  execFileSync('mmdebstrap', ['--variant=minbase', '--mode=root', '--format=tar', '--quiet', 'bookworm', part], {
    input: sources(),
    stdio: ['pipe', 'ignore', 'inherit'],
    env: { ...process.env, ...(sde === undefined ? {} : { SOURCE_DATE_EPOCH: String(sde) }) },
  });
  renameSync(part, tar);
  return tar;
}

/** Puts `debian:bookworm` (or `names`) into the store from the cached tarball. */
export async function putDebianImage(store: Store, names: string[] = ['debian:bookworm']): Promise<ImageRecord> {
  const tar = debianTarball();
  const sde = releaseDate('bookworm');
  return importRootfs(store, createReadStream(tar), {
    names,
    source: 'mmdebstrap bookworm',
    ...(sde === undefined ? {} : { created: new Date(sde * 1000).toISOString() }),
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash'] },
  });
}
