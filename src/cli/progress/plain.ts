/**
 * BuildKit's plain progress format: numbered lines per vertex (`#5 [sdk 3/6] RUN …`, `#5 0.512 output`,
 * `#5 DONE 2.1s`), a blank line whenever the output switches to another vertex. Used for non-TTY
 * output and `--progress plain`.
 */
import type { ProgressEvent, ProgressSink, Vertex } from '../../progress.js';
import { humanBytes } from './bytes.js';

export interface TextSink {
  write(text: string): unknown;
}

export class PlainProgress implements ProgressSink {
  readonly #out: TextSink;
  readonly #numbers = new Map<string, number>();
  readonly #vertices = new Map<string, Vertex>();
  readonly #partial = new Map<string, string>();
  #last: string | undefined;
  #next = 1;

  constructor(out: TextSink) {
    this.#out = out;
  }

  emit(event: ProgressEvent): void {
    switch (event.type) {
      case 'vertex':
        return this.#vertex(event.vertex);
      case 'status': {
        const s = event.status;
        if (s.completed === undefined) return; // plain mode prints a status once, when it is done
        const amount =
          s.total !== undefined && s.total > 0
            ? ` ${fmt(s.current, s.unit)} / ${fmt(s.total, s.unit)}`
            : s.current > 0
              ? ` ${fmt(s.current, s.unit)}`
              : '';
        const dur = s.started !== undefined ? ` ${seconds(s.completed - s.started)}s` : '';
        return this.#line(s.vertex, `${s.name}${amount}${dur} done`);
      }
      case 'log':
        return this.#log(event.log.vertex, event.log.data, event.log.timestamp);
      case 'warning': {
        const w = event.warning;
        const where = w.location ? ` (line ${w.location.ranges[0]?.start ?? '?'})` : '';
        if (w.vertex !== undefined) this.#line(w.vertex, `WARN: ${w.short}${where}`);
        else this.#out.write(`WARNING: ${w.short}${where}\n`);
        return;
      }
    }
  }

  #vertex(v: Vertex): void {
    const prev = this.#vertices.get(v.id);
    this.#vertices.set(v.id, { ...prev, ...v });
    if (prev === undefined) this.#line(v.id, v.name);
    if (v.cached === true && prev?.cached !== true) this.#line(v.id, 'CACHED');
    else if (v.error !== undefined && prev?.error === undefined) {
      this.#flushPartial(v.id);
      this.#line(v.id, `ERROR: ${v.error}`);
    } else if (v.completed !== undefined && prev?.completed === undefined && v.cached !== true) {
      this.#flushPartial(v.id);
      this.#line(v.id, `DONE ${seconds(v.completed - (v.started ?? v.completed))}s`);
    }
  }

  #log(id: string, data: Uint8Array, timestamp: number): void {
    const text = (this.#partial.get(id) ?? '') + Buffer.from(data).toString('utf8');
    const lines = text.split(/\r?\n/);
    this.#partial.set(id, lines.pop() ?? '');
    const started = this.#vertices.get(id)?.started ?? timestamp;
    for (const l of lines) this.#line(id, `${logTime(timestamp - started)} ${l}`);
  }

  #flushPartial(id: string): void {
    const rest = this.#partial.get(id);
    if (rest) {
      const started = this.#vertices.get(id)?.started ?? Date.now();
      this.#line(id, `${logTime(Date.now() - started)} ${rest}`);
    }
    this.#partial.delete(id);
  }

  #line(id: string, text: string): void {
    let n = this.#numbers.get(id);
    if (n === undefined) {
      n = this.#next++;
      this.#numbers.set(id, n);
    }
    if (this.#last !== undefined && this.#last !== id) this.#out.write('\n');
    this.#last = id;
    this.#out.write(`#${n} ${text}\n`);
  }
}

/** Durations of vertices and statuses: one decimal, as BuildKit prints `DONE 2.1s`. */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(1);
}

/** Log lines carry the time since the vertex started with millisecond precision (`#6 0.512 …`). */
function logTime(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

function fmt(n: number, unit: 'bytes' | 'count' | undefined): string {
  return unit === 'count' ? String(n) : humanBytes(n);
}
