/**
 * The live TTY view, like BuildKit's: a header with the elapsed time and done/total vertices, one line
 * per vertex with its duration, and the last lines of output of the steps still running. Repainted on a
 * timer (events only mark the view dirty), so a flood of output never slows the build.
 *
 * As BuildKit's progressui draws it: finished (and cached) vertices in blue, a failed one in red, the
 * running steps' output dim, warnings yellow (no colours with NO_COLOR set); vertex lines one column
 * short of the terminal's width (no pending auto-wrap at the margin); the cursor hidden while painting.
 */
import type { ProgressEvent, ProgressSink, Vertex, VertexStatus } from '../../progress.js';
import { humanBytes } from './bytes.js';

export interface TtyStream {
  write(text: string): unknown;
  columns?: number;
  rows?: number;
}

const LOG_LINES = 6;
const REFRESH_MS = 100;

/** SGR sequences of BuildKit's default palette (progressui's colorDone, colorError, colorWarning; logs dim). */
const COLOR = { done: '\x1b[34m', error: '\x1b[31m', warning: '\x1b[33m', log: '\x1b[2m', reset: '\x1b[0m' } as const;
type Tone = 'done' | 'error' | 'warning' | 'log' | undefined;

export interface TtyProgressOptions {
  /** Header word: `Building` (default). */
  title?: string;
  /** ANSI colours (default true; the CLI passes false when NO_COLOR is set). */
  color?: boolean;
}

interface Row {
  vertex: Vertex;
  statuses: Map<string, VertexStatus>;
  logs: string[];
  partial: string;
}

export class TtyProgress implements ProgressSink {
  readonly #out: TtyStream;
  readonly #rows = new Map<string, Row>();
  readonly #title: string;
  readonly #start = Date.now();
  #painted = 0;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;
  readonly #warnings: string[] = [];
  readonly #color: boolean;

  constructor(out: TtyStream, options: TtyProgressOptions | string = {}) {
    const o = typeof options === 'string' ? { title: options } : options;
    this.#out = out;
    this.#title = o.title ?? 'Building';
    this.#color = o.color !== false;
  }

  #paint(line: string, tone: Tone): string {
    return this.#color && tone !== undefined ? `${COLOR[tone]}${line}${COLOR.reset}` : line;
  }

  emit(event: ProgressEvent): void {
    switch (event.type) {
      case 'vertex': {
        const row = this.#rows.get(event.vertex.id);
        if (row) row.vertex = { ...row.vertex, ...event.vertex };
        else this.#rows.set(event.vertex.id, { vertex: event.vertex, statuses: new Map(), logs: [], partial: '' });
        break;
      }
      case 'status': {
        const row = this.#rows.get(event.status.vertex);
        row?.statuses.set(event.status.id, event.status);
        break;
      }
      case 'log': {
        const row = this.#rows.get(event.log.vertex);
        if (row) {
          const lines = (row.partial + Buffer.from(event.log.data).toString('utf8')).split(/\r?\n|\r/);
          row.partial = lines.pop() ?? '';
          row.logs.push(...lines);
          if (row.logs.length > LOG_LINES) row.logs.splice(0, row.logs.length - LOG_LINES);
        }
        break;
      }
      case 'warning':
        this.#warnings.push(event.warning.short);
        break;
    }
    this.#dirty = true;
    this.#timer ??= setInterval(() => this.#repaint(false), REFRESH_MS);
    this.#timer.unref();
  }

  /** Paints the final state (all vertices, no logs) and stops the timer. Safe to call twice. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#dirty = true;
    this.#repaint(true);
  }

  #repaint(final: boolean): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const width = Math.max(40, this.#out.columns ?? 80);
    const now = Date.now();
    const vertices = [...this.#rows.values()];
    const done = vertices.filter((r) => r.vertex.completed !== undefined || r.vertex.cached === true).length;
    const failed = vertices.some((r) => r.vertex.error !== undefined);
    const state = final ? (failed ? ' ERROR' : ' FINISHED') : '';
    const lines: Array<[string, Tone]> = [[`[+] ${this.#title} ${secs(now - this.#start)} (${done}/${vertices.length})${state}`, undefined]];
    for (const r of vertices) {
      const v = r.vertex;
      const prefix = v.cached === true ? 'CACHED ' : v.error !== undefined ? 'ERROR ' : '';
      const end = v.completed ?? (v.cached === true ? v.started ?? now : now);
      const time = v.started === undefined ? '' : `${secs(end - v.started)}`;
      const tone: Tone = v.error !== undefined ? 'error' : v.completed !== undefined || v.cached === true ? 'done' : undefined;
      lines.push([fit(` => ${prefix}${v.name}`, time, width - 1), tone]);
      for (const s of r.statuses.values()) {
        const amount =
          s.total !== undefined ? `${fmt(s.current, s.unit)} / ${fmt(s.total, s.unit)}` : s.current > 0 ? fmt(s.current, s.unit) : '';
        const t = s.started === undefined ? '' : secs((s.completed ?? now) - s.started);
        lines.push([fit(` => => ${s.name} ${amount}`.trimEnd(), t, width - 1), s.completed !== undefined ? (tone === 'error' ? 'error' : 'done') : undefined]);
      }
      const running = v.completed === undefined && v.cached !== true && v.started !== undefined;
      if (!final && running) {
        const tail = r.partial ? [...r.logs, r.partial].slice(-LOG_LINES) : r.logs;
        for (const l of tail) lines.push([clip(` => => # ${l}`, width - 1), 'log']);
      }
    }
    const maxRows = Math.max(5, (this.#out.rows ?? 40) - 1);
    const shown = lines.length > maxRows ? [lines[0] ?? ['', undefined], ...lines.slice(lines.length - maxRows + 1)] : lines;
    // Hide the cursor while repainting (it would flicker across the view), show it again after.
    let text = '\x1b[?25l';
    if (this.#painted > 0) text += `\x1b[${this.#painted}A`;
    for (const [l, tone] of shown) text += `\x1b[2K${this.#paint(l, tone)}\n`;
    // Clear lines left over from a taller previous paint.
    for (let i = shown.length; i < this.#painted; i++) text += '\x1b[2K\n';
    const extra = Math.max(0, this.#painted - shown.length);
    if (extra > 0) text += `\x1b[${extra}A`;
    text += '\x1b[?25h';
    this.#out.write(text);
    this.#painted = shown.length;
    if (final) for (const w of this.#warnings) this.#out.write(`${this.#paint(`WARNING: ${w}`, 'warning')}\n`);
  }
}

function secs(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}

function fmt(n: number, unit: 'bytes' | 'count' | undefined): string {
  return unit === 'count' ? String(n) : humanBytes(n);
}

// Strip control characters a step might print (cursor moves would corrupt the view).
function sanitize(s: string): string {
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '');
}

function clip(s: string, width: number): string {
  const clean = sanitize(s);
  return clean.length > width ? clean.slice(0, width - 1) : clean;
}

function fit(left: string, right: string, width: number): string {
  const l = sanitize(left);
  const room = width - right.length - 1;
  const shown = l.length > room ? `${l.slice(0, Math.max(0, room - 3))}...` : l;
  return `${shown}${' '.repeat(Math.max(1, width - shown.length - right.length))}${right}`.slice(0, width);
}
