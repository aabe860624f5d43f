/**
 * Stages: a Dockerfile split at its FROM lines, how stages depend on each other (FROM <stage>,
 * COPY --from, RUN --mount from=), and which stages a build of a given `--target` needs.
 *
 * Names follow BuildKit: a stage is named `AS name` in any case and stored lower-case; COPY --from,
 * mount `from=` and `--target` find it case-insensitively (the last stage of a name wins); a number
 * in `--from` is a stage index. FROM finds a stage only by its exact (lower-case) name, and only a
 * stage defined above it; any other FROM or --from value is an image.
 */
import { goQuote } from '../go-compat.js';
import { goLower, withSuggestion } from './_go.js';
import { InvalidArgumentError } from '../errors.js';
import { DockerfileSyntaxError, type LineRange } from './errors.js';
import { parseInstruction, type Command } from './instructions/parse.js';
import type { ArgInstruction } from './instructions/arg.js';
import type { FromInstruction } from './instructions/from.js';
import type { SourceLocation } from './instructions/types.js';
import { parse, type ParseOptions, type ParseResult } from './parser.js';

/** A build stage: its FROM and the instructions up to the next FROM. */
export interface Stage {
  /** 0-based position, usable as `COPY --from=<index>`. */
  index: number;
  /** Lower-case name (`AS Build` → `build`); empty when unnamed. */
  name: string;
  /** The base image or stage, unexpanded. */
  baseName: string;
  /** `FROM --platform`, unexpanded; empty when not given. */
  platform: string;
  from: FromInstruction;
  commands: Command[];
  location: SourceLocation;
  docComment: string;
}

/** A parsed Dockerfile with typed instructions grouped into stages. */
export interface Dockerfile extends ParseResult {
  /** ARGs before the first FROM: usable in FROM lines. */
  metaArgs: ArgInstruction[];
  stages: Stage[];
}

function linesOf(loc: SourceLocation): LineRange[] {
  return loc.startLine > 0 ? [{ start: loc.startLine, end: Math.max(loc.startLine, loc.endLine) }] : [];
}

function fileOpt(filename: string | undefined): { filename?: string } {
  return filename === undefined ? {} : { filename };
}

/**
 * Parses a Dockerfile into stages of typed instructions (BuildKit's `instructions.Parse`).
 *
 * @throws {DockerfileSyntaxError} for anything the parser or an instruction refuses, an instruction
 *   other than ARG before the first FROM (`no build stage in current context`) and a file without
 *   FROM (`dockerfile contains no stages to build`).
 */
export function parseDockerfile(text: string, options: ParseOptions = {}): Dockerfile {
  const result = parse(text, options);
  const stages: Stage[] = [];
  const metaArgs: ArgInstruction[] = [];
  for (const node of result.ast.children) {
    const c = parseInstruction(node, options);
    if (c.kind === 'from') {
      stages.push({
        index: stages.length,
        name: c.stageName,
        baseName: c.baseName,
        platform: c.platform,
        from: c,
        commands: [],
        location: c.location,
        docComment: c.docComment,
      });
      continue;
    }
    const current = stages[stages.length - 1];
    if (current === undefined) {
      if (c.kind === 'arg') {
        metaArgs.push(c);
        continue;
      }
      throw new DockerfileSyntaxError('no build stage in current context', linesOf(c.location), fileOpt(options.filename));
    }
    current.commands.push(c);
  }
  if (stages.length === 0) throw new DockerfileSyntaxError('dockerfile contains no stages to build', [], fileOpt(options.filename));
  return { ...result, metaArgs, stages };
}

/** The stage `name` refers to (case-insensitive; the last of a name wins), as `--from` and `--target` look it up. */
export function findStage(stages: readonly Stage[], name: string): Stage | undefined {
  const n = goLower(name);
  for (let i = stages.length - 1; i >= 0; i--) if (stages[i]!.name !== '' && stages[i]!.name === n) return stages[i];
  return undefined;
}

/** A stage's name in messages: its name, or `stage-<index>`. */
export function stageDisplayName(stage: Stage): string {
  return stage.name !== '' ? stage.name : `stage-${stage.index}`;
}

/** A dependency of one stage on another. */
export interface StageEdge {
  /** Index of the stage depended on. */
  stage: number;
  via: 'copy' | 'mount';
  /** The COPY or RUN that creates the dependency. */
  instruction: Command;
  /** The `--from` / `from=` value as written. */
  ref: string;
  /** For mounts: the mount target as written (for messages). */
  target?: string;
}

/** An image (not a stage) a stage uses besides its base. */
export interface ImageSource {
  via: 'copy' | 'mount';
  ref: string;
  instruction: Command;
}

export interface StageNode {
  index: number;
  /** The stage's base stage, when its FROM names an earlier stage. */
  base: number | undefined;
  /** The base image reference (as resolved by `resolveBaseName`), when the base is not a stage. */
  baseImage: string | undefined;
  dependsOn: StageEdge[];
  images: ImageSource[];
}

export interface StageGraph {
  stages: readonly Stage[];
  nodes: StageNode[];
}

export interface StageGraphOptions {
  /**
   * The base name of a stage after expanding the global ARGs (BuildKit expands `FROM ${IMAGE}` before
   * matching it against stage names). Identity when not given.
   */
  resolveBaseName?: (stage: Stage) => string;
  /**
   * True when `word` would change under expansion with no variables set (BuildKit refuses variables in
   * `COPY --from`). Defaults to a conservative check for quotes, escapes and `$name`/`${…}`.
   */
  usesExpansion?: (word: string) => boolean;
  /** The escape character (a ParseResult's `escapeToken`), for the default `usesExpansion`. */
  escapeToken?: string;
  filename?: string;
}

function defaultUsesExpansion(escapeToken: string): (word: string) => boolean {
  return (word) => {
    if (word.includes("'") || word.includes('"') || word.includes(escapeToken)) return true;
    return /\$([{_@*#?\-$!0-9]|\p{L})/u.test(word);
  };
}

// Go's strconv.Atoi range: larger numbers are not indexes but names.
function stageIndexOf(ref: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(ref)) return undefined;
  const n = BigInt(ref);
  if (n > (1n << 63n) - 1n || n < -(1n << 63n)) return undefined;
  return Number(n);
}

function mountTargetOf(spec: string): string {
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    if (eq < 0) continue;
    const key = goLower(field.slice(0, eq));
    if (key === 'target' || key === 'dst' || key === 'destination') return field.slice(eq + 1);
  }
  return '';
}

/**
 * The dependency graph of stages.
 *
 * @throws {DockerfileSyntaxError} for `COPY --from` with a variable, a stage index out of range, and
 *   a circular dependency (`circular dependency detected on stage: <name>`).
 */
export function stageGraph(stages: readonly Stage[], options: StageGraphOptions = {}): StageGraph {
  const resolveBase = options.resolveBaseName ?? ((s: Stage) => s.baseName);
  const usesExpansion = options.usesExpansion ?? defaultUsesExpansion(options.escapeToken ?? '\\');
  const fail = (reason: string, loc: SourceLocation[]): never => {
    throw new DockerfileSyntaxError(reason, loc.flatMap(linesOf), fileOpt(options.filename));
  };
  const nodes: StageNode[] = stages.map((s) => {
    const baseName = resolveBase(s);
    // FROM matches only stages defined above, by exact lower-case name (BuildKit's registration order).
    let base: number | undefined;
    for (let j = s.index - 1; j >= 0; j--) {
      if (stages[j]!.name !== '' && stages[j]!.name === baseName) {
        base = j;
        break;
      }
    }
    return { index: s.index, base, baseImage: base === undefined ? baseName : undefined, dependsOn: [], images: [] };
  });

  for (const s of stages) {
    const node = nodes[s.index]!;
    for (const c of s.commands) {
      if (c.kind === 'copy' && c.from !== '') {
        if (usesExpansion(c.from)) {
          fail('variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround', [c.location]);
        }
        const index = stageIndexOf(c.from);
        if (index !== undefined) {
          if (index < 0 || index >= stages.length) fail(`invalid stage index ${index}`, [c.location]);
          node.dependsOn.push({ stage: index, via: 'copy', instruction: c, ref: c.from });
          continue;
        }
        const target = findStage(stages, c.from);
        if (target !== undefined) node.dependsOn.push({ stage: target.index, via: 'copy', instruction: c, ref: c.from });
        else node.images.push({ via: 'copy', ref: c.from, instruction: c });
      } else if (c.kind === 'run') {
        for (const m of c.mountSpecs) {
          if (m.from === '') continue; // the build context or nothing: no stage
          const target = findStage(stages, m.from);
          if (target !== undefined) {
            node.dependsOn.push({ stage: target.index, via: 'mount', instruction: c, ref: m.from, target: mountTargetOf(m.spec) });
          } else node.images.push({ via: 'mount', ref: m.from, instruction: c });
        }
      }
    }
  }

  // A cycle through COPY --from / mounts (a base is always an earlier stage, so never part of one).
  const visited = new Set<number>();
  const onPath = new Set<number>();
  const visit = (i: number, path: Command[]): Command[] | undefined => {
    if (visited.has(i)) return undefined;
    visited.add(i);
    onPath.add(i);
    for (const e of nodes[i]!.dependsOn) {
      const next = [...path, e.instruction];
      if (onPath.has(e.stage)) return next;
      const found = visit(e.stage, next);
      if (found !== undefined) return found;
    }
    onPath.delete(i);
    return undefined;
  };
  for (const s of stages) {
    const cycle = visit(s.index, []);
    if (cycle !== undefined) {
      // BuildKit names the stage before it blanks a lone stage's name, so the name always shows.
      fail(`circular dependency detected on stage: ${stageDisplayName(s)}`, cycle.map((c) => c.location));
    }
  }
  return { stages, nodes };
}

/** `--target` names a stage that does not exist. */
export class TargetNotFoundError extends InvalidArgumentError {
  constructor(target: string, names: string[]) {
    super('DOCKERFILE_TARGET_NOT_FOUND', withSuggestion(`target stage ${goQuote(target)} could not be found`, target, names, true));
  }
}

/**
 * The stages a build of `target` (default: the last stage) needs, in build order: the target, its
 * base stages and every stage it copies or mounts from, transitively. Stages nobody needs are left out.
 *
 * @throws {TargetNotFoundError} when no stage has the name `target`.
 * @throws {DockerfileSyntaxError} when a needed stage copies or mounts from a stage defined after it.
 */
export function stagesForTarget(graph: StageGraph, target?: string, options: { filename?: string } = {}): { target: Stage; stages: Stage[] } {
  const { stages, nodes } = graph;
  let t: Stage | undefined;
  if (target === undefined || target === '') t = stages[stages.length - 1];
  else t = findStage(stages, target);
  if (t === undefined) throw new TargetNotFoundError(target ?? '', stages.filter((s) => s.name !== '').map((s) => s.name));
  const need = new Set<number>();
  const add = (i: number): void => {
    if (need.has(i)) return;
    need.add(i);
    const n = nodes[i]!;
    if (n.base !== undefined) add(n.base);
    for (const e of n.dependsOn) add(e.stage);
  };
  add(t.index);
  const ordered = [...need].sort((a, b) => a - b).map((i) => stages[i]!);
  for (const s of ordered) {
    for (const e of nodes[s.index]!.dependsOn) {
      if (e.stage < s.index) continue;
      const where = linesOf(e.instruction.location);
      const file = fileOpt(options.filename);
      if (e.via === 'copy') {
        // A later stage exists, so there are two stages at least and BuildKit keeps the name.
        throw new DockerfileSyntaxError(
          `cannot copy from stage ${goQuote(e.ref)}, it needs to be defined before current stage ${goQuote(stageDisplayName(s))}`,
          where,
          file,
        );
      }
      throw new DockerfileSyntaxError(
        `cannot mount from stage ${goQuote(e.ref)} to ${goQuote(e.target ?? '')}, stage needs to be defined before current command`,
        where,
        file,
      );
    }
  }
  return { target: t, stages: ordered };
}
