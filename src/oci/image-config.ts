/**
 * The image configuration (OCI image-spec `config.json`, also Docker's `container.image.v1`), plus the
 * identities derived from it: the image ID is the config's digest; chainIDs identify stacked layers.
 */
import { createHash } from 'node:crypto';
import type { Digest } from './digest.js';

export interface HealthConfig {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The runtime defaults an image carries (the `config` member). Docker's extra keys included. */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[];
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  Healthcheck?: HealthConfig;
  ArgsEscaped?: boolean;
  Image?: string;
  Volumes?: Record<string, Record<string, never>>;
  WorkingDir?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  OnBuild?: string[] | null;
  Shell?: string[];
}

export interface History {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface RootFS {
  type: 'layers';
  diff_ids: Digest[];
}

export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ContainerConfig;
  rootfs: RootFS;
  history?: History[];
  /** Docker-only fields kept when present so that a loaded image round-trips unchanged. */
  container?: string;
  container_config?: ContainerConfig;
  docker_version?: string;
  comment?: string;
  [extra: string]: unknown;
}

/**
 * The chainIDs of a layer stack: chainID(L0) = diffID(L0); chainID(Ln) = sha256(chainID(Ln-1) + " " + diffID(Ln)).
 * They name unpacked snapshots, which depend on every layer below.
 */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const out: Digest[] = [];
  for (const diffId of diffIds) {
    const prev = out[out.length - 1];
    out.push(
      prev === undefined
        ? diffId
        : (`sha256:${createHash('sha256').update(`${prev} ${diffId}`).digest('hex')}` as Digest),
    );
  }
  return out;
}

/** The empty layer history rule: entries with `empty_layer` add no diffID. */
export function layerHistory(config: ImageConfig): History[] {
  return (config.history ?? []).filter((h) => h.empty_layer !== true);
}
