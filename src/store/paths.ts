/**
 * Where the store lives. The root is `--root`, else `$GANTRY_ROOT`, else `/var/lib/gantry` for root
 * and `$XDG_DATA_HOME/gantry` (default `~/.local/share/gantry`) for anyone else. Inside it:
 *
 * ```
 * blobs/sha256/<hex>         layers (as pulled; plain tars when gantry made them), configs, manifests: immutable, content-addressed
 * blobs/sha512/<hex>
 * snapshots/<id>/…           owned by snapshot/: unpacked layers and containers' upper dirs
 * tmp/ingest/<sha256(ref)>/  in-flight writes (data, ref, startedat)
 * tmp/gc-<id>/               garbage moved aside by a collection, removed after its commit
 * gantry.db                  SQLite (WAL)
 * ```
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export interface StoreLayout {
  root: string;
  blobs: string;
  snapshots: string;
  tmp: string;
  ingest: string;
  db: string;
}

export interface RootOptions {
  /** The `--root` global option. */
  root?: string;
  env?: Record<string, string | undefined>;
  /** The effective uid (process.geteuid()), to pick the system or the per-user default. */
  uid?: number;
}

/** Resolves the store root by gantry's precedence: `--root`, `GANTRY_ROOT`, then the default. */
export function resolveRoot(options: RootOptions = {}): string {
  const env = options.env ?? process.env;
  if (options.root !== undefined && options.root !== '') return resolve(options.root);
  const fromEnv = env.GANTRY_ROOT;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  const uid = options.uid ?? process.geteuid?.() ?? 0;
  if (uid === 0) return '/var/lib/gantry';
  const xdg = env.XDG_DATA_HOME;
  const base = xdg !== undefined && xdg !== '' ? xdg : join(env.HOME ?? homedir(), '.local', 'share');
  return join(base, 'gantry');
}

/** The paths inside a root. */
export function storeLayout(root: string): StoreLayout {
  return {
    root,
    blobs: join(root, 'blobs'),
    snapshots: join(root, 'snapshots'),
    tmp: join(root, 'tmp'),
    ingest: join(root, 'tmp', 'ingest'),
    db: join(root, 'gantry.db'),
  };
}
