/**
 * The part of Go's `fmt` that templates reach: `print`, `println`, `printf` and the default
 * formatting of values (`{{.}}` prints with `%v`). Verbs, flags, widths, precisions and the
 * `%!verb(type=value)` error forms follow Go's documentation of package fmt.
 */
import { goQuote, goQuoteASCII, goQuoteRune } from '../../../go-compat.js';
import { goTimeString } from '../go-time.js';
import { isPrintRune } from './runes.js';
import {
  GoFloat,
  isGoFunc,
  kindOf,
  mapEntries,
  numberOf,
  structFields,
  structMember,
  typeName,
} from './values.js';

interface Flags {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width?: number;
  prec?: number;
  plusV: boolean;
  sharpV: boolean;
}

const noFlags = (): Flags => ({ minus: false, plus: false, sharp: false, space: false, zero: false, plusV: false, sharpV: false });

// ---------------------------------------------------------------------------------------------
// Quoting: strconv.Quote and friends live in go-compat.ts (one copy for templates, Dockerfile
// errors and history texts); re-exported for the template package's users.

export { goQuote, goQuoteRune };

/** Go's `strconv.IsPrint` (for `%#U`). */
const isPrint = isPrintRune;

/** A rune as text; invalid code points become U+FFFD as in Go. */
function runeText(r: bigint): string {
  const n = Number(r);
  if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return '\ufffd';
  return String.fromCodePoint(n);
}

// ---------------------------------------------------------------------------------------------
// Floats (strconv.FormatFloat)

function expText(e: number): string {
  const sign = e < 0 ? '-' : '+';
  return `${sign}${String(Math.abs(e)).padStart(2, '0')}`;
}

/**
 * JS rounds exact ties away from zero; Go rounds them to even. `exact` is the value's full decimal
 * expansion in the same notation, `rounded` JS's rounding to `keep` fraction digits: when the
 * dropped part is exactly one half and the kept last digit is odd, step back down.
 */
function halfEven(rounded: string, exact: string, keep: number, step: (s: string) => string): string {
  const dot = exact.indexOf('.');
  if (dot < 0) return rounded;
  const mant = exact.slice(0, exact.search(/e|$/));
  const dropped = mant.slice(dot + 1 + keep);
  if (!/^50*$/.test(dropped)) return rounded;
  const keptLast = keep === 0 ? mant[dot - 1] : mant[dot + keep];
  if (Number(keptLast) % 2 !== 0) return rounded;
  return step(exact);
}

/** Exact decimal expansion of a finite a ≥ 0 rounded half-even to `prec` fraction digits. */
function exactFixed(a: number, prec: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, a);
  const bits = dv.getBigUint64(0);
  const be = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = -1074;
  if (be !== 0) {
    mant |= 1n << 52n;
    exp = be - 1075;
  }
  const zeros = prec > 0 ? `.${'0'.repeat(prec)}` : '';
  if (exp >= 0) return (mant << BigInt(exp)).toString() + zeros;
  const k = -exp;
  const digits = (mant * 5n ** BigInt(k)).toString().padStart(k + 1, '0');
  const intPart = digits.slice(0, -k);
  const frac = digits.slice(-k);
  if (prec >= k) return intPart + '.' + frac.padEnd(prec, '0');
  let kept = BigInt(intPart + frac.slice(0, prec));
  const rest = frac.slice(prec);
  const half = '5'.padEnd(rest.length, '0');
  if (rest > half || (rest === half && kept % 2n === 1n)) kept += 1n;
  const t = kept.toString().padStart(prec + 1, '0');
  return prec === 0 ? t : `${t.slice(0, -prec)}.${t.slice(-prec)}`;
}

function toFixedEven(a: number, prec: number): string {
  if (prec > 100) return exactFixed(a, prec);
  const rounded = a.toFixed(prec);
  if (prec >= 100) return rounded;
  return halfEven(rounded, a.toFixed(100), prec, (exact) => {
    const dot = exact.indexOf('.');
    return prec === 0 ? exact.slice(0, dot) : exact.slice(0, dot + 1 + prec);
  });
}

function toExponentialEven(a: number, fd: number): string {
  const rounded = a.toExponential(fd);
  if (fd >= 100) return rounded;
  return halfEven(rounded, a.toExponential(100), fd, (exact) => {
    const [mant, e] = exact.split('e') as [string, string];
    const dot = mant.indexOf('.');
    return `${fd === 0 ? mant.slice(0, dot) : mant.slice(0, dot + 1 + fd)}e${e}`;
  });
}

/** Decimal digits and exponent: `digits` has no dot; value = 0.d1d2… × 10^(exp+1). */
function decompose(f: number, sig?: number): { digits: string; exp: number } {
  const s = sig === undefined ? f.toExponential() : toExponentialEven(f, sig - 1);
  const m = /^-?(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (m === null) return { digits: '0', exp: 0 };
  return { digits: `${m[1]}${m[2] ?? ''}`, exp: Number(m[3]) };
}

/** The exact decimal value of an integral float64 (|x| ≥ 2^53), as Go's %f prints it. */
function exactInteger(a: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, a);
  const bits = dv.getBigUint64(0);
  const e = Number((bits >> 52n) & 0x7ffn) - 1075;
  const mant = (bits & ((1n << 52n) - 1n)) | (1n << 52n);
  return (e >= 0 ? mant << BigInt(e) : mant >> BigInt(-e)).toString();
}

function eForm(digits: string, exp: number, fracDigits: number | undefined, upper: boolean): string {
  let d = digits;
  if (fracDigits !== undefined) d = d.padEnd(fracDigits + 1, '0');
  const mant = d.length > 1 ? `${d[0]}.${d.slice(1)}` : d;
  return `${mant}${upper ? 'E' : 'e'}${expText(exp)}`;
}

function fForm(digits: string, exp: number): string {
  // digits × 10^(exp - len + 1)
  const dp = exp + 1; // digits before the point
  if (dp <= 0) return `0.${'0'.repeat(-dp)}${digits}`;
  if (dp >= digits.length) return digits + '0'.repeat(dp - digits.length);
  return `${digits.slice(0, dp)}.${digits.slice(dp)}`;
}

/** strconv.FormatFloat(f, fmt, prec, 64) for fmt in e E f F g G (prec -1 = shortest). */
export function formatFloat(f: number, verb: string, prec: number, sharp = false): string {
  if (Number.isNaN(f)) return 'NaN';
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : '-Inf';
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  let body: string;
  switch (verb) {
    case 'e':
    case 'E': {
      if (prec < 0) {
        const { digits, exp } = decompose(a);
        body = eForm(digits, exp, undefined, verb === 'E');
      } else {
        const { digits, exp } = decompose(a, prec + 1);
        body = eForm(digits, a === 0 ? 0 : exp, prec, verb === 'E');
      }
      break;
    }
    case 'f':
    case 'F': {
      if (prec < 0) {
        const { digits, exp } = decompose(a);
        body = a === 0 ? '0' : fForm(digits, exp);
      } else {
        body = a < 1e21 ? toFixedEven(a, prec) : exactInteger(a) + (prec > 0 ? `.${'0'.repeat(prec)}` : '');
      }
      break;
    }
    default: {
      // g / G
      const upper = verb === 'G';
      let digits: string;
      let exp: number;
      let eprec: number;
      if (a === 0) {
        digits = '0';
        exp = 0;
      } else if (prec < 0) {
        ({ digits, exp } = decompose(a));
      } else {
        ({ digits, exp } = decompose(a, prec === 0 ? 1 : prec));
      }
      if (!sharp) digits = digits.replace(/(.)0+$/, '$1');
      if (prec < 0) {
        eprec = 6;
      } else {
        eprec = prec === 0 ? 1 : prec;
        if (eprec > digits.length && digits.length >= exp + 1) eprec = digits.length;
      }
      if (sharp) eprec = prec < 0 ? 6 : eprec;
      if (exp < -4 || exp >= eprec) {
        body = eForm(digits, exp, sharp ? Math.max((prec < 0 ? 6 : prec) - 1, 0) : undefined, upper);
      } else {
        body = fForm(digits, exp);
        if (sharp) {
          const want = (prec < 0 ? 6 : prec) - digits.length;
          if (!body.includes('.')) body += '.';
          if (want > 0) body += '0'.repeat(want);
        }
      }
    }
  }
  return (neg ? '-' : '') + body;
}

// ---------------------------------------------------------------------------------------------
// Padding

function pad(s: string, f: Flags, zeroOk = true): string {
  if (f.width === undefined) return s;
  const n = [...s].length;
  if (n >= f.width) return s;
  const fill = f.width - n;
  if (f.minus) return s + ' '.repeat(fill);
  if (f.zero && zeroOk) {
    const m = /^[+\- ]/.exec(s);
    if (m !== null) return m[0] + '0'.repeat(fill) + s.slice(1);
    return '0'.repeat(fill) + s;
  }
  return ' '.repeat(fill) + s;
}

// ---------------------------------------------------------------------------------------------
// Integers

function fmtInteger(v: number | bigint, verb: string, f: Flags): string {
  const big = BigInt(v);
  const neg = big < 0n;
  const abs = neg ? -big : big;
  let digits: string;
  let prefix = '';
  switch (verb) {
    case 'b':
      digits = abs.toString(2);
      if (f.sharp) prefix = '0b';
      break;
    case 'o':
      digits = abs.toString(8);
      if (f.sharp && digits !== '0') prefix = '0';
      break;
    case 'O':
      digits = abs.toString(8);
      prefix = '0o';
      break;
    case 'x':
      digits = abs.toString(16);
      if (f.sharp) prefix = '0x';
      break;
    case 'X':
      digits = abs.toString(16).toUpperCase();
      if (f.sharp) prefix = '0X';
      break;
    case 'c':
      return pad(runeText(big), f, false);
    case 'q':
      return pad(goQuoteRune(Number(big)), f, false);
    case 'U': {
      let u = `U+${BigInt.asUintN(64, big).toString(16).toUpperCase().padStart(4, '0')}`;
      if (f.sharp && isPrint(String.fromCodePoint(Number(abs)))) u += ` '${String.fromCodePoint(Number(abs))}'`;
      return pad(u, f, false);
    }
    default:
      digits = abs.toString(10);
  }
  if (f.prec !== undefined) {
    if (f.prec === 0 && abs === 0n) digits = '';
    digits = digits.padStart(f.prec, '0');
  }
  const sign = neg ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  let body = prefix + digits;
  if (f.zero && !f.minus && f.prec === undefined && f.width !== undefined) {
    const fill = f.width - sign.length - body.length;
    if (fill > 0) body = prefix + '0'.repeat(fill) + digits;
    return sign + body;
  }
  return pad(sign + body, f, false);
}

/** The float64's bits: sign, unbiased binary exponent and 53-bit mantissa (implicit bit set). */
function floatBits(x: number): { neg: boolean; mant: bigint; exp: number } {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  const bits = dv.getBigUint64(0);
  const neg = bits >> 63n === 1n;
  const e = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp: number;
  if (e === 0) exp = -1074;
  else {
    mant |= 1n << 52n;
    exp = e - 1075;
  }
  return { neg, mant, exp };
}

/**
 * fmt's `#` flag on a hexadecimal float: pad with zeros to `prec` (default 6) counted the way
 * Go's fmtFloat counts them (from the first non-zero character, `x` included).
 */
function sharpDigits(num: string, prec: number): string {
  let digits = prec < 0 ? 6 : prec;
  const signed = num.startsWith('-') ? num : `+${num}`;
  let body = signed;
  let tail = '';
  let hasPoint = false;
  let sawNonzero = false;
  for (let i = 1; i < body.length; i++) {
    const c = body[i] as string;
    if (c === '.') hasPoint = true;
    else if (c === 'p' || c === 'P') {
      tail = body.slice(i);
      body = body.slice(0, i);
      break;
    } else {
      if (c !== '0') sawNonzero = true;
      if (sawNonzero) digits--;
    }
  }
  if (!hasPoint) {
    if (body.length === 2 && body[1] === '0') digits--;
    body += '.';
  }
  if (digits > 0) body += '0'.repeat(digits);
  body += tail;
  return num.startsWith('-') ? body : body.slice(1);
}

/** strconv's 'b' format: `6755399441055744p-52`. */
function formatFloatB(x: number): string {
  const { neg, mant, exp } = floatBits(x);
  return `${neg ? '-' : ''}${mant}p${exp >= 0 ? '+' : ''}${exp}`;
}

/** strconv's 'x' format with the shortest mantissa: `0x1.e848p+19`. */
function formatFloatX(x: number, upper: boolean): string {
  let { neg, mant, exp } = floatBits(x);
  let out: string;
  if (mant === 0n) {
    out = '0x0p+00';
  } else {
    // Normalize to 1.xxx: shift so the leading bit is bit 52.
    while (mant < 1n << 52n) {
      mant <<= 1n;
      exp--;
    }
    const e = exp + 52;
    let frac = (mant & ((1n << 52n) - 1n)).toString(16).padStart(13, '0').replace(/0+$/, '');
    if (frac !== '') frac = `.${frac}`;
    out = `0x1${frac}p${e >= 0 ? '+' : '-'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (upper) out = out.toUpperCase();
  return (neg ? '-' : '') + out;
}

function fmtFloatVerb(orig: unknown, verb: string, f: Flags): string {
  const x = numberOf(orig);
  let prec = f.prec ?? -1;
  let v = verb;
  switch (verb) {
    case 'b':
    case 'x':
    case 'X': {
      let s = verb === 'b' ? formatFloatB(x) : formatFloatX(x, verb === 'X');
      if (f.sharp && verb !== 'b') s = sharpDigits(s, f.prec ?? -1);
      if (f.plus && !s.startsWith('-')) s = `+${s}`;
      else if (f.space && !s.startsWith('-')) s = ` ${s}`;
      return pad(s, f, true);
    }
    case 'v':
      v = 'g';
      break;
    case 'e':
    case 'E':
    case 'f':
    case 'F':
      if (prec < 0) prec = 6;
      break;
    case 'g':
    case 'G':
      break;
    default:
      return badVerb(verb, orig, f);
  }
  let s = formatFloat(x, v, prec, f.sharp);
  if (f.plus && !s.startsWith('-')) s = `+${s}`;
  else if (f.space && !s.startsWith('-')) s = ` ${s}`;
  if (!Number.isFinite(x)) return pad(s, f, false);
  return pad(s, f, true);
}

// ---------------------------------------------------------------------------------------------
// Strings

function fmtString(s: string, verb: string, f: Flags): string {
  let str = s;
  if (f.prec !== undefined && verb !== 'x' && verb !== 'X') str = [...str].slice(0, f.prec).join('');
  switch (verb) {
    case 'v':
      if (f.sharpV) return pad(goQuote(str), f);
      return pad(str, f);
    case 's':
      return pad(str, f);
    case 'q':
      if (f.sharp && !str.includes('`')) return pad(`\`${str}\``, f);
      return pad((f.plus ? goQuoteASCII(str) : goQuote(str)), f);
    case 'x':
    case 'X': {
      let bytes = [...Buffer.from(s, 'utf8')];
      if (f.prec !== undefined) bytes = bytes.slice(0, f.prec);
      const hex = bytes.map((b) => {
        const h = b.toString(16).padStart(2, '0');
        return verb === 'X' ? h.toUpperCase() : h;
      });
      const pre = f.sharp ? (verb === 'X' ? '0X' : '0x') : '';
      const out = f.space ? hex.map((h) => pre + h).join(' ') : pre + hex.join('');
      return pad(out, f);
    }
    default:
      return badVerb(verb, s, f);
  }
}

// ---------------------------------------------------------------------------------------------
// Any value

/** `%!verb(type=value)`: the value printed with %v and the flags given for the bad verb, as Go does. */
function badVerb(verb: string, v: unknown, f: Flags = noFlags()): string {
  if (v === undefined || v === null) return `%!${verb}(<nil>)`;
  return `%!${verb}(${typeName(v)}=${formatValue(v, 'v', f, 0)})`;
}

/** The String() or Error() method of a struct, if it has one. */
function stringer(v: object): (() => string) | undefined {
  if (v instanceof Date) return () => goTimeString(v);
  for (const name of ['Error', 'String']) {
    const m = structMember(v, name);
    if (m?.kind === 'method' && m.fn.params.length === 0) {
      const { fn, self } = m;
      return () => String(fn.fn.call(self));
    }
  }
  return undefined;
}

function goSyntax(v: unknown, depth: number, top: boolean): string {
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      return top ? '<nil>' : 'interface {}(nil)';
    case 'string':
      return goQuote(v as string);
    case 'int':
      return String(v);
    case 'float': {
      const s = formatFloat(numberOf(v), 'g', -1);
      return s;
    }
    case 'bool':
      return String(v);
    case 'slice':
      return `[]interface {}{${(v as unknown[]).map((e) => goSyntax(e, depth + 1, false)).join(', ')}}`;
    case 'map':
      return `map[string]interface {}{${mapEntries(v)
        .map(([k, e]) => `${goSyntax(k, depth + 1, false)}:${goSyntax(e, depth + 1, false)}`)
        .join(', ')}}`;
    case 'struct':
      return `${typeName(v)}{${structFields(v as object)
        .map(([k, e]) => `${k}:${goSyntax(e, depth + 1, false)}`)
        .join(', ')}}`;
    case 'func':
      return `(${typeName(v)})(0x0)`;
  }
}

/** fmt's `%v`-family rendering of one operand (composites recurse with the same verb). */
function formatValue(v: unknown, verb: string, f: Flags, depth: number): string {
  if (f.sharpV) return pad(goSyntax(v, depth, depth === 0), f);
  switch (kindOf(v)) {
    case 'invalid':
    case 'nil':
      // A nil inside a slice or map prints as <nil> whatever the verb.
      if (depth > 0) return '<nil>'; // unpadded inside composites, as Go prints it
      if (verb === 'v') return pad('<nil>', f);
      return badVerb(verb, v, f);
    case 'bool':
      if (verb === 'v' || verb === 't') return pad(String(v), f);
      return badVerb(verb, v, f);
    case 'int': {
      const n = typeof v === 'bigint' ? v : (v as number);
      switch (verb) {
        case 'v':
        case 'd':
          return fmtInteger(n, 'd', f);
        case 'b':
        case 'o':
        case 'O':
        case 'x':
        case 'X':
        case 'c':
        case 'q':
        case 'U':
          return fmtInteger(n, verb, f);
        default:
          return badVerb(verb, v, f);
      }
    }
    case 'float':
      return fmtFloatVerb(v, verb, f);
    case 'string':
      return fmtString(v as string, verb, f);
    // Composites are not padded as a whole: Go applies width and flags to each element.
    case 'slice': {
      const inner = (v as unknown[]).map((e) => formatValue(e, verb, f, depth + 1)).join(' ');
      return `[${inner}]`;
    }
    case 'map': {
      const inner = mapEntries(v)
        .map(([k, e]) => `${formatValue(k, verb, f, depth + 1)}:${formatValue(e, verb, f, depth + 1)}`)
        .join(' ');
      return `map[${inner}]`;
    }
    case 'struct': {
      const str = stringer(v as object);
      if (str !== undefined && (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X')) {
        return fmtString(str(), verb, f);
      }
      const inner = structFields(v as object)
        .map(([k, e]) => (f.plusV ? `${k}:` : '') + formatValue(e, verb, f, depth + 1))
        .join(' ');
      return `{${inner}}`;
    }
    case 'func':
      if (verb === 'v' || verb === 'p') return pad(isGoFunc(v) || typeof v === 'function' ? '0x0' : '', f, false);
      return badVerb(verb, v, f);
  }
}

/** `%v` of a value, as `{{.}}` prints it after the `<no value>` check. */
export function sprintValue(v: unknown): string {
  return formatValue(v, 'v', noFlags(), 0);
}

/** Go's `fmt.Sprint`: spaces between operands when neither side is a string. */
export function sprint(args: readonly unknown[]): string {
  let out = '';
  let prevString = false;
  args.forEach((a, i) => {
    const isString = typeof a === 'string';
    if (i > 0 && !isString && !prevString) out += ' ';
    out += sprintValue(a);
    prevString = isString;
  });
  return out;
}

/** Go's `fmt.Sprintln`: always spaces, then a newline. */
export function sprintln(args: readonly unknown[]): string {
  return `${args.map((a) => sprintValue(a)).join(' ')}\n`;
}

/** Go's `fmt.Sprintf`. */
export function sprintf(format: string, args: readonly unknown[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  let goodArgNum = true;
  const n = format.length;
  let i = 0;
  while (i < n) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f = noFlags();
    // flags
    flags: while (i < n) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
      i++;
    }
    const argIndex = (): void => {
      if (i < n && format[i] === '[') {
        reordered = true;
        const close = format.indexOf(']', i);
        const idx = close < 0 ? NaN : Number(format.slice(i + 1, close));
        if (close < 0 || !Number.isInteger(idx) || idx < 1 || idx > args.length) {
          goodArgNum = false;
          i = close < 0 ? n : close + 1;
        } else {
          argNum = idx - 1;
          i = close + 1;
        }
      }
    };
    argIndex();
    // width
    if (i < n && format[i] === '*') {
      i++;
      const w = args[argNum++];
      if (kindOf(w) === 'int' && Math.abs(numberOf(w)) <= 1e6) {
        let wn = numberOf(w);
        if (wn < 0) {
          f.minus = true;
          f.zero = false;
          wn = -wn;
        }
        f.width = wn;
      } else {
        out += '%!(BADWIDTH)';
      }
      argIndex();
    } else {
      const m = /^\d+/.exec(format.slice(i));
      if (m !== null) {
        f.width = Number(m[0]);
        i += m[0].length;
      }
    }
    // precision
    if (i < n && format[i] === '.') {
      i++;
      argIndex();
      if (i < n && format[i] === '*') {
        i++;
        const p = args[argNum++];
        if (kindOf(p) === 'int' && numberOf(p) >= 0 && numberOf(p) <= 1e6) f.prec = numberOf(p);
        else out += '%!(BADPREC)';
        argIndex();
      } else {
        const m = /^\d+/.exec(format.slice(i));
        if (m !== null) {
          f.prec = Number(m[0]);
          i += m[0].length;
        } else {
          f.prec = 0;
        }
      }
    }
    if (i >= n) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i) as number);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (!goodArgNum) {
      out += `%!${verb}(BADINDEX)`;
      goodArgNum = true;
      continue;
    }
    if (argNum >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const arg = args[argNum++];
    if (verb === 'v') {
      if (f.sharp) {
        f.sharp = false;
        f.sharpV = true;
      }
      if (f.plus) {
        f.plus = false;
        f.plusV = true;
      }
    }
    if (verb === 'T') {
      out += pad(arg === undefined || arg === null ? '<nil>' : typeName(arg), f, false);
      continue;
    }
    if (verb === 'w') {
      out += formatValue(arg, 'v', f, 0);
      continue;
    }
    out += formatValue(arg, verb, f, 0);
  }
  if (!reordered && argNum < args.length) {
    out += `%!(EXTRA ${args
      .slice(argNum)
      .map((a) => (a === undefined || a === null ? '<nil>' : `${typeName(a)}=${sprintValue(a)}`))
      .join(', ')})`;
  }
  return out;
}

export { GoFloat };
