/**
 * Go's `strconv.Unquote` and `strconv.UnquoteChar` for template string and character literals.
 * Errors carry Go's texts (`invalid syntax`), which template parse errors repeat.
 */

export class SyntaxError_ extends Error {
  constructor() {
    super('invalid syntax');
  }
}

const simple: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\' };

/** Decodes one (possibly escaped) character of `s` at `i`; returns it and the next index. */
export function unquoteChar(s: string, i: number, quote: string): { value: number; next: number } {
  const c = s.codePointAt(i);
  if (c === undefined) throw new SyntaxError_();
  const ch = String.fromCodePoint(c);
  if (ch === quote && (quote === "'" || quote === '"')) throw new SyntaxError_();
  if (ch !== '\\') return { value: c, next: i + ch.length };
  const e = s[i + 1];
  if (e === undefined) throw new SyntaxError_();
  if (simple[e] !== undefined) return { value: (simple[e] as string).charCodeAt(0), next: i + 2 };
  switch (e) {
    case 'x':
    case 'u':
    case 'U': {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = s.slice(i + 2, i + 2 + n);
      if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) throw new SyntaxError_();
      const v = parseInt(hex, 16);
      if (e !== 'x' && (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))) throw new SyntaxError_();
      return { value: v, next: i + 2 + n };
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      const oct = s.slice(i + 1, i + 4);
      if (!/^[0-7]{3}$/.test(oct)) throw new SyntaxError_();
      const v = parseInt(oct, 8);
      if (v > 255) throw new SyntaxError_();
      return { value: v, next: i + 4 };
    }
    case "'":
    case '"':
      if (e !== quote) throw new SyntaxError_();
      return { value: e.charCodeAt(0), next: i + 2 };
    default:
      throw new SyntaxError_();
  }
}

/** `strconv.Unquote` for `"…"` and `` `…` `` literals. */
export function unquote(lit: string): string {
  const q = lit[0];
  if (lit.length < 2 || lit[lit.length - 1] !== q) throw new SyntaxError_();
  const body = lit.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new SyntaxError_();
    return body.replace(/\r/g, '');
  }
  if (q !== '"') throw new SyntaxError_();
  if (body.includes('\n')) throw new SyntaxError_();
  let out = '';
  for (let i = 0; i < body.length; ) {
    const { value, next } = unquoteChar(body, i, '"');
    out += String.fromCodePoint(value);
    i = next;
  }
  return out;
}
