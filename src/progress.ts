/**
 * Progress events: what long work (builds, pulls, pushes) tells the user while it runs.
 *
 * The parts that do the work emit typed events keyed by a vertex id (a build step, a layer download);
 * `cli/progress/*` renders them as a live TTY view, plain lines or nothing. Like BuildKit's progress
 * writer, a sink may coalesce `status` events by id (the latest value wins), so a slow terminal never
 * slows the work. This module imports nothing, so any part may use it.
 */

/** A unit of work: a build step, an export, a layer transfer. */
export interface Vertex {
  /** Stable id: a step's cache key, a blob digest. */
  id: string;
  /** What the user sees, e.g. `[sdk 2/4] RUN apt-get update`. */
  name: string;
  /** Milliseconds since the epoch. */
  started?: number;
  completed?: number;
  cached?: boolean;
  /** Set when the vertex failed; the text says why. */
  error?: string;
}

/** Progress of a sub-task of a vertex (bytes transferred, layers exported). */
export interface VertexStatus {
  /** Sub-task id, unique within the vertex (e.g. `transferring context`). */
  id: string;
  vertex: string;
  name: string;
  current: number;
  total?: number;
  /** How to show current/total: bytes (human size) or a plain count. */
  unit?: 'bytes' | 'count';
  started?: number;
  completed?: number;
}

export interface VertexLog {
  vertex: string;
  /** 1 = stdout, 2 = stderr. */
  stream: 1 | 2;
  data: Uint8Array;
  timestamp: number;
}

export interface Warning {
  vertex?: string;
  /** One line: the rule or condition and what it means. */
  short: string;
  detail?: string[];
  /** 1-based line ranges in the source file (a Dockerfile), if any. */
  location?: { file: string; ranges: { start: number; end: number }[] };
}

export type ProgressEvent =
  | { type: 'vertex'; vertex: Vertex }
  | { type: 'status'; status: VertexStatus }
  | { type: 'log'; log: VertexLog }
  | { type: 'warning'; warning: Warning };

/** Where progress goes. `emit` must not throw and should return quickly. */
export interface ProgressSink {
  emit(event: ProgressEvent): void;
}

/** A sink that drops everything (`--progress quiet`, library callers without a renderer). */
export const discardProgress: ProgressSink = { emit() {} };

/** Forwards to several sinks (e.g. a renderer and a recorder for `--metadata-file`). */
export function teeProgress(...sinks: ProgressSink[]): ProgressSink {
  return {
    emit(event) {
      for (const s of sinks) s.emit(event);
    },
  };
}
