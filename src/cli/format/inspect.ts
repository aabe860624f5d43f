/**
 * docker's `image inspect` output: the JSON shape it prints (`Id, RepoTags, RepoDigests, Parent,
 * Comment, Created, DockerVersion, Author, Config, Architecture, Os, Size, GraphDriver, RootFS,
 * Metadata`), built from an image config and the store's record, and `--format` applied to each
 * image the way docker's inspector does (typed first, then the raw map with `missingkey=error`).
 */
import { familiarString, parseNormalizedNamed } from '../../oci/index.js';
import { FormatError } from './formatter.js';
import { parseDockerTemplate } from './docker-template.js';
import { goJSON } from './json.js';
import { goRFC3339NanoUTC } from './go-time.js';
import { TemplateExecError, TemplateParseError, goStruct } from './template/index.js';

/** The image config fields inspect reads (OCI image config plus docker's extensions). */
export interface InspectConfig {
  created?: string;
  author?: string;
  architecture?: string;
  os?: string;
  variant?: string;
  'os.version'?: string;
  config?: Record<string, unknown>;
  rootfs?: { type?: string; diff_ids?: string[] };
  comment?: string;
  docker_version?: string;
}

/** The store's facts about the image. */
export interface InspectRecord {
  id: string;
  /** Full names; printed in familiar form, as docker does. */
  repoTags: readonly string[];
  repoDigests: readonly string[];
  parent?: string;
  size: number;
  /** ms since the epoch. */
  lastTagTime?: number;
  architecture?: string;
  os?: string;
  variant?: string;
}

/** docker's order of the image config's `Config` fields (ocispec.ImageConfig + docker's extension). */
const CONFIG_ORDER = [
  'User',
  'ExposedPorts',
  'Env',
  'Entrypoint',
  'Cmd',
  'Volumes',
  'WorkingDir',
  'Labels',
  'StopSignal',
  'ArgsEscaped',
  'Healthcheck',
  'OnBuild',
  'Shell',
];

function familiar(names: readonly string[]): string[] {
  return names.map((n) => {
    try {
      return familiarString(parseNormalizedNamed(n));
    } catch {
      return n;
    }
  });
}

function orderedConfig(c: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (c === undefined) return null;
  const out: Record<string, unknown> = {};
  for (const k of CONFIG_ORDER) {
    const v = c[k];
    if (v === undefined || v === null || v === '' || v === false) continue; // omitempty
    if (Array.isArray(v) && v.length === 0) continue;
    if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) continue;
    out[k] = v;
  }
  for (const [k, v] of Object.entries(c)) if (!CONFIG_ORDER.includes(k) && v !== undefined) out[k] = v;
  return goStruct('*v1.DockerOCIImageConfig', out);
}

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Builds one element of `image inspect`'s output array. */
export function imageInspect(record: InspectRecord, config: InspectConfig, graphDriver?: { Name: string; Data: Record<string, string> | null }): object {
  const r: Record<string, unknown> = {
    Id: record.id,
    RepoTags: familiar(record.repoTags),
    RepoDigests: familiar(record.repoDigests),
    Parent: record.parent ?? '',
    Comment: config.comment ?? '',
    Created: config.created,
    DockerVersion: config.docker_version ?? '',
    Author: config.author ?? '',
    Config: orderedConfig(config.config),
    Architecture: config.architecture ?? record.architecture ?? '',
  };
  const variant = config.variant ?? record.variant;
  if (variant !== undefined && variant !== '') r.Variant = variant;
  r.Os = config.os ?? record.os ?? '';
  if (config['os.version'] !== undefined && config['os.version'] !== '') r.OsVersion = config['os.version'];
  r.Size = record.size;
  if (graphDriver !== undefined) r.GraphDriver = goStruct('*storage.DriverData', { Data: graphDriver.Data, Name: graphDriver.Name });
  const rootfs: Record<string, unknown> = {};
  if (config.rootfs?.type) rootfs.Type = config.rootfs.type;
  if (config.rootfs?.diff_ids !== undefined && config.rootfs.diff_ids.length > 0) rootfs.Layers = [...config.rootfs.diff_ids];
  r.RootFS = goStruct('image.RootFS', rootfs);
  r.Metadata = goStruct('image.Metadata', {
    LastTagTime: record.lastTagTime === undefined ? GO_ZERO_TIME : goRFC3339NanoUTC(new Date(record.lastTagTime)),
  });
  return goStruct('image.InspectResponse', r);
}

/** The result of inspecting several images: text for stdout and per-image errors. */
export interface InspectOutput {
  output: string;
  errors: Error[];
}

/** A value as plain JSON data: what docker's raw fallback decodes (maps, no struct types). */
function asRawMap(v: unknown): unknown {
  return JSON.parse(goJSON(v)) as unknown;
}

/**
 * Prints inspected elements as docker does: without a format an indented JSON array (`[]` when
 * empty); `json` compact; otherwise the template once per element, each followed by a newline
 * (a lone newline when nothing printed).
 * @throws {FormatError} when the format does not parse (docker exits 64 then)
 */
export function formatInspect(elements: readonly unknown[], format?: string): InspectOutput {
  if (format === undefined || format === '') {
    return { output: elements.length === 0 ? '[]\n' : `${goJSON(elements, '    ')}\n`, errors: [] };
  }
  if (format === 'json') {
    return { output: elements.length === 0 ? '[]\n' : `${goJSON(elements)}\n`, errors: [] };
  }
  let tmpl;
  try {
    tmpl = parseDockerTemplate(format);
  } catch (e) {
    if (e instanceof TemplateParseError) throw new FormatError(e);
    throw e;
  }
  let out = '';
  const errors: Error[] = [];
  for (const el of elements) {
    try {
      out += `${tmpl.execute(el)}\n`;
    } catch (e) {
      if (!(e instanceof TemplateExecError)) throw e;
      // docker retries on the raw JSON map, where unknown keys are an error rather than a type's field.
      try {
        out += `${tmpl.withMissingKey('error').execute(asRawMap(el))}\n`;
      } catch (e2) {
        if (!(e2 instanceof TemplateExecError)) throw e2;
        errors.push(new FormatError(e2));
      }
    }
  }
  return { output: out === '' ? '\n' : out, errors };
}
