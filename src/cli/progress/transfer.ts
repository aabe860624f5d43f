/**
 * docker's pull/push progress: one line per layer, `<id>: <phase>`. On a terminal the lines are
 * repainted in place with a bar (`<id>: Downloading [=====>     ]  12.3MB/49.5MB`); otherwise each
 * change of phase prints one line, as docker does when its output is not a terminal (no byte counts).
 * Input: progress events whose vertex is a blob and whose status name is the phase text.
 */
import type { ProgressEvent, ProgressSink } from '../../progress.js';
import { humanBytes } from './bytes.js';

export interface TransferStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

interface Line {
  name: string;
  phase: string;
  current: number;
  total?: number;
}

const BAR_WIDTH = 50;
const REFRESH_MS = 100;

/** `[=====>      ]` as docker draws it. */
export function progressBar(current: number, total: number): string {
  const filled = total > 0 ? Math.min(BAR_WIDTH, Math.floor((BAR_WIDTH * current) / total)) : 0;
  const head = filled < BAR_WIDTH ? '>' : '';
  return `[${'='.repeat(filled)}${head}${' '.repeat(Math.max(0, BAR_WIDTH - filled - head.length))}]`;
}

export class TransferProgress implements ProgressSink {
  readonly #out: TransferStream;
  readonly #tty: boolean;
  readonly #lines = new Map<string, Line>();
  #painted = 0;
  #timer: NodeJS.Timeout | undefined;
  #dirty = false;

  constructor(out: TransferStream, opts: { tty?: boolean } = {}) {
    this.#out = out;
    this.#tty = opts.tty ?? out.isTTY === true;
  }

  emit(event: ProgressEvent): void {
    if (event.type === 'vertex') {
      if (!this.#lines.has(event.vertex.id)) this.#lines.set(event.vertex.id, { name: event.vertex.name, phase: '', current: 0 });
      return;
    }
    if (event.type !== 'status') return;
    const line = this.#lines.get(event.status.vertex);
    if (line === undefined) return;
    const changed = line.phase !== event.status.name;
    line.phase = event.status.name;
    line.current = event.status.current;
    if (event.status.total !== undefined) line.total = event.status.total;
    if (!this.#tty) {
      // docker prints no byte counts when its output is not a terminal: phases only.
      if (changed && line.phase !== 'Downloading' && line.phase !== 'Pushing') this.#out.write(`${line.name}: ${line.phase}\n`);
      return;
    }
    this.#dirty = true;
    this.#timer ??= setInterval(() => this.#paint(), REFRESH_MS);
    this.#timer.unref();
  }

  /** Paints the final state and stops the timer. Safe to call twice. */
  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#tty) {
      this.#dirty = true;
      this.#paint();
    }
  }

  #paint(): void {
    if (!this.#dirty) return;
    this.#dirty = false;
    const width = this.#out.columns ?? 80;
    let text = this.#painted > 0 ? `\x1b[${this.#painted}A` : '';
    const rows = [...this.#lines.values()].filter((l) => l.phase !== '');
    for (const l of rows) {
      let s = `${l.name}: ${l.phase}`;
      if ((l.phase === 'Downloading' || l.phase === 'Pushing') && l.total !== undefined) {
        s += ` ${progressBar(l.current, l.total)}  ${humanBytes(l.current)}/${humanBytes(l.total)}`;
      }
      text += `\x1b[2K${s.slice(0, Math.max(20, width - 1))}\n`;
    }
    this.#out.write(text);
    this.#painted = rows.length;
  }
}
