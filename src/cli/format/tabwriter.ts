/**
 * Go's text/tabwriter as docker uses it (docker/cli vendors a fork that measures cells in
 * terminal columns, so wide East Asian characters count two). Tab-terminated cells in
 * consecutive lines form a column; each column is as wide as its widest cell plus `padding`
 * (at least `minwidth`). A line without tabs ends the block of lines aligned together, exactly as
 * in Go, so header-only tables and mixed outputs lay out the same.
 *
 * docker's tables: `new TabWriter({ minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' })`.
 */

export interface TabWriterOptions {
  minwidth: number;
  tabwidth: number;
  padding: number;
  padchar: string;
  /** Right-align cell contents (Go's AlignRight). */
  alignRight?: boolean;
  /** Treat all-empty columns as absent (Go's DiscardEmptyColumns). */
  discardEmptyColumns?: boolean;
  /** Print `|` between columns (Go's Debug). */
  debug?: boolean;
}

interface Cell {
  text: string;
  width: number; // display width
  htab: boolean; // terminated by a tab
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
// Made on the first non-ASCII cell: a regex with Unicode property classes is slow to create (~0.3 ms).
let zeroWidth: RegExp | undefined;

/** Terminal columns a string occupies: wide and fullwidth characters 2, combining marks 0. */
export function displayWidth(s: string): number {
  // Nearly every cell (names, tags, IDs, sizes) is printable ASCII: one column per character. One
  // regex test instead of a per-character walk is most of a 1,000-row table's layout time.
  if (PRINTABLE_ASCII.test(s)) return s.length;
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) continue;
    if ((zeroWidth ??= /\p{Mn}|\p{Me}|\u200b/u).test(ch)) continue;
    w += isWide(cp) ? 2 : 1;
  }
  return w;
}

function isWide(cp: number): boolean {
  return (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0x303e) ||
    (cp >= 0x3041 && cp <= 0x33ff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0xa000 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1f64f) ||
    (cp >= 0x1f900 && cp <= 0x1f9ff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  );
}

export class TabWriter {
  private readonly o: TabWriterOptions;
  // Go keeps one byte buffer plus offsets; each cell keeps its own text here, which avoids
  // re-slicing one growing string (quadratic in V8's string ropes).
  private pending = ''; // text of the current cell not yet measured
  private cell: Cell = { text: '', width: 0, htab: false };
  private lines: Cell[][] = [[]];
  private widths: number[] = [];
  private out = '';

  constructor(options: TabWriterOptions) {
    if (options.minwidth < 0 || options.tabwidth < 0 || options.padding < 0) {
      throw new RangeError('Cannot create a tab writer: negative minwidth, tabwidth or padding');
    }
    this.o = { ...options, alignRight: options.padchar === '\t' ? false : options.alignRight };
  }

  /** Adds text; cells end at `\t`, `\v`; lines at `\n` and `\f` (which also flushes). */
  write(text: string): void {
    let n = 0;
    for (let i = 0; i < text.length; i++) {
      const ch = text[i];
      if (ch === '\t' || ch === '\v' || ch === '\n' || ch === '\f') {
        this.append(text.slice(n, i));
        this.updateWidth();
        n = i + 1;
        const ncells = this.terminateCell(ch === '\t');
        if (ch === '\n' || ch === '\f') {
          this.lines.push([]);
          // A line with a single cell cannot affect later columns: format what we have.
          if (ch === '\f' || ncells === 1) {
            this.flushInternal();
            if (ch === '\f' && this.o.debug === true) this.out += '---\n';
          }
        }
      }
    }
    this.append(text.slice(n));
  }

  /** Formats everything buffered and returns all output produced so far (and clears it). */
  flush(): string {
    this.flushInternal();
    const out = this.out;
    this.out = '';
    return out;
  }

  private append(text: string): void {
    this.cell.text += text;
    this.pending += text;
  }

  private updateWidth(): void {
    this.cell.width += displayWidth(this.pending);
    this.pending = '';
  }

  private terminateCell(htab: boolean): number {
    this.cell.htab = htab;
    const line = this.lines[this.lines.length - 1] as Cell[];
    line.push(this.cell);
    this.cell = { text: '', width: 0, htab: false };
    return line.length;
  }

  private flushInternal(): void {
    if (this.cell.text.length > 0) {
      this.updateWidth();
      this.terminateCell(false);
    }
    this.format(0, this.lines.length);
    this.pending = '';
    this.cell = { text: '', width: 0, htab: false };
    this.lines = [[]];
    this.widths = [];
  }

  private padding(textw: number, cellw: number, useTabs: boolean): void {
    if (this.o.padchar === '\t' || useTabs) {
      if (this.o.tabwidth === 0) return;
      const w = Math.ceil(cellw / this.o.tabwidth) * this.o.tabwidth;
      const n = w - textw;
      this.out += '\t'.repeat(Math.ceil(n / this.o.tabwidth));
      return;
    }
    this.out += this.o.padchar.repeat(Math.max(cellw - textw, 0));
  }

  private writeLines(line0: number, line1: number): void {
    for (let i = line0; i < line1; i++) {
      const line = this.lines[i] as Cell[];
      let useTabs = false;
      line.forEach((c, j) => {
        if (j > 0 && this.o.debug === true) this.out += '|';
        if (c.text.length === 0) {
          if (j < this.widths.length) this.padding(c.width, this.widths[j] as number, useTabs);
        } else {
          useTabs = false;
          const text = c.text;
          if (this.o.alignRight !== true) {
            this.out += text;
            if (j < this.widths.length) this.padding(c.width, this.widths[j] as number, false);
          } else {
            if (j < this.widths.length) this.padding(c.width, this.widths[j] as number, false);
            this.out += text;
          }
        }
      });
      if (i + 1 === this.lines.length) {
        // The last buffered line has no newline: write its pending text as is.
        this.out += this.cell.text;
      } else {
        this.out += '\n';
      }
    }
  }

  private format(line0_: number, line1: number): void {
    let line0 = line0_;
    const column = this.widths.length;
    for (let t = line0; t < line1; t++) {
      let line = this.lines[t] as Cell[];
      if (column >= line.length - 1) continue;
      // This line has a cell in this column: print the lines before it, then size the column
      // over the block of consecutive lines that have it.
      this.writeLines(line0, t);
      line0 = t;
      let width = this.o.minwidth;
      let discardable = true;
      for (; t < line1; t++) {
        line = this.lines[t] as Cell[];
        if (column >= line.length - 1) break;
        const c = line[column] as Cell;
        const w = c.width + this.o.padding;
        if (w > width) width = w;
        if (c.width > 0 || c.htab) discardable = false;
      }
      if (discardable && this.o.discardEmptyColumns === true) width = 0;
      this.widths.push(width);
      this.format(line0, t);
      this.widths.pop();
      line0 = t; // line `t` lacks this column; the loop's increment may pass over it
    }
    this.writeLines(line0, line1);
  }
}

/**
 * docker's table settings (`tabwriter.NewWriter(out, 10, 1, 3, ' ', 0)`), for the tab writer and for
 * callers that lay out their cells themselves.
 */
export const DOCKER_TABLE_OPTIONS: Readonly<TabWriterOptions> = { minwidth: 10, tabwidth: 1, padding: 3, padchar: ' ' };

/** docker's table writer. */
export function dockerTabWriter(): TabWriter {
  return new TabWriter(DOCKER_TABLE_OPTIONS);
}

/** Aligns tab-separated text the way docker prints its tables. */
export function alignTable(text: string): string {
  const uniform = alignUniform(text, DOCKER_TABLE_OPTIONS);
  if (uniform !== undefined) return uniform;
  const tw = dockerTabWriter();
  tw.write(text);
  return tw.flush();
}

const PRINTABLE_ASCII_LINES = /^[\x20-\x7e\t\n]*$/;

/**
 * The common case of a table, laid out directly: complete lines (the text ends with a newline),
 * every line with the same number of cells, no `\v` or `\f`, space padding, left-aligned. Then
 * every column is one block in Go's algorithm (TabWriter.format above), as wide as its widest
 * cell plus the padding (at least minwidth), and the last cell of each line is not padded: the
 * same bytes TabWriter writes, without a cell object per cell. Undefined for any other text.
 */
export function alignUniform(text: string, o: TabWriterOptions): string | undefined {
  if (!uniformOptions(o)) return undefined;
  if (text.length === 0 || text.charCodeAt(text.length - 1) !== 10 || text.includes('\v') || text.includes('\f')) return undefined;
  const lines = text.slice(0, -1).split('\n');
  const cells = lines.map((l) => l.split('\t'));
  const k = (cells[0] as string[]).length;
  for (const c of cells) if (c.length !== k) return undefined;
  if (k === 1) return text; // each line is a block of its own: printed as is
  return layoutUniform(cells, o, PRINTABLE_ASCII_LINES.test(text));
}

/** Options under which a uniform table is one block per column (see alignUniform). */
function uniformOptions(o: TabWriterOptions): boolean {
  return o.padchar !== '\t' && o.alignRight !== true && o.debug !== true && o.discardEmptyColumns !== true;
}

/**
 * Lays out a table given as its cells, as alignUniform does for the text `cells` joined by tabs and
 * newlines: every line has the same number of cells, none contains a tab, newline, `\v` or `\f`,
 * and the options pass `uniformOptions` (the caller checks). `ascii`: every cell is printable ASCII
 * (one column per character). For callers that have the cells already (docker's default image
 * table): no text to split again.
 */
export function layoutUniform(cells: readonly (readonly string[])[], o: TabWriterOptions, ascii: boolean): string {
  const k = (cells[0] as readonly string[]).length;
  const widths = new Array<number>(k - 1).fill(o.minwidth);
  if (ascii && o.padchar.length === 1) {
    // One column per character: widths are lengths, and padEnd pads to the column.
    for (let j = 0; j < k - 1; j++) {
      let w = o.minwidth;
      for (let i = 0; i < cells.length; i++) {
        const n = ((cells[i] as readonly string[])[j] as string).length + o.padding;
        if (n > w) w = n;
      }
      widths[j] = w;
    }
    // One string per line, joined once: appending to one string would leave a rope of every piece
    // to be flattened at the end.
    const lines = new Array<string>(cells.length + 1);
    for (let i = 0; i < cells.length; i++) {
      const c = cells[i] as readonly string[];
      let line = '';
      for (let j = 0; j < k - 1; j++) line += (c[j] as string).padEnd(widths[j] as number, o.padchar);
      lines[i] = line + (c[k - 1] as string);
    }
    lines[cells.length] = '';
    return lines.join('\n');
  }
  for (const c of cells) {
    for (let j = 0; j < k - 1; j++) {
      const w = displayWidth(c[j] as string) + o.padding;
      if (w > (widths[j] as number)) widths[j] = w;
    }
  }
  const pads: string[] = [];
  const pad = (n: number): string => (pads[n] ??= o.padchar.repeat(n));
  let out = '';
  for (const c of cells) {
    for (let j = 0; j < k - 1; j++) {
      const cell = c[j] as string;
      out += cell + pad(Math.max((widths[j] as number) - displayWidth(cell), 0));
    }
    out += `${c[k - 1] as string}\n`;
  }
  return out;
}

/** Whether a cell is printable ASCII (a column per character, no tab or newline). */
export function isPlainCell(s: string): boolean {
  return PRINTABLE_ASCII.test(s);
}
