/**
 * Here-documents (`RUN <<EOF`, `COPY <<-'EOF' /dst`): recognising a heredoc word and finding the
 * heredocs an instruction line opens. Bodies are read by the parser, which owns the lines.
 */
import type { Heredoc } from './node.js';
import { heredocWords } from './_heredoc-words.js';

// Go's `\d` and `\s` are ASCII-only: [0-9] and [\t\n\f\r ].
const HEREDOC = /^([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

function countQuotes(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x27) n++;
  }
  return n;
}

/**
 * The heredoc a word opens (`<<EOF`, `3<<-"EOF"`, `<< EOF`), or null when the word is no heredoc.
 * The body is empty; the parser fills it. Throws when the delimiter's quotes are unbalanced (`<<'EOF`).
 */
export function parseHeredoc(word: string): Heredoc | null {
  const m = HEREDOC.exec(word);
  if (m === null) return null;
  const rest = m[3]!;
  if (rest === '') return null;
  const words = heredocWords(rest, { rawQuotes: false, rawEscapes: false });
  if (words.length !== 1) return null;
  const raw = heredocWords(rest, { rawQuotes: true, rawEscapes: false });
  if (raw.length !== words.length) throw new Error(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  const name = words[0]!;
  // A quote that disappears when quotes are processed means part of the delimiter was quoted.
  const expand = countQuotes(name) === countQuotes(raw[0]!);
  const fd = m[1] === '' ? 0 : Math.min(Number(m[1]), Number.MAX_SAFE_INTEGER);
  return { name, fileDescriptor: fd, expand, chomp: m[2] === '-', content: '' };
}

/** `parseHeredoc`, with errors treated as "not a heredoc" (BuildKit's MustParseHeredoc). */
export function mustParseHeredoc(word: string): Heredoc | null {
  try {
    return parseHeredoc(word);
  } catch {
    return null;
  }
}

/** The heredocs an instruction line opens, in order. Throws on a malformed delimiter. */
export function heredocsFromLine(line: string): Heredoc[] {
  let words: string[];
  try {
    words = heredocWords(line, { rawQuotes: true, rawEscapes: true });
  } catch {
    return []; // BuildKit ignores a line its lexer cannot split: no heredocs
  }
  const docs: Heredoc[] = [];
  for (const w of words) {
    const h = parseHeredoc(w);
    if (h !== null) docs.push(h);
  }
  return docs;
}

/** Strips leading tabs from every line of a `<<-` body. */
export function chompHeredocContent(content: string): string {
  // Go's (?m)^ starts a line only after \n; JavaScript's would also after \r and U+2028.
  return content.replace(/(^|\n)\t+/g, '$1');
}
