/**
 * A fast path for the templates `--format` flags use most: text, field chains on dot (`.ID`,
 * `.Config.Image`), `{{if …}}…{{else}}…{{end}}` and calls of the template's own functions with
 * dot, fields and literals as arguments (`{{json .}}`, `{{.Repository | lower}}`, `{{pad .Tag 1
 * 1}}`). Such a tree is turned once into closures that run per row without the interpreter's
 * bookkeeping (current node, variable stack, per-call argument arrays, regex tests of names,
 * struct member look-ups that walk the prototype chain on every call).
 *
 * The fast path never decides anything the interpreter (exec.ts) would decide differently: a
 * construct outside the subset makes the template not compile (the interpreter runs it), and a
 * value outside it at run time — an error to report, a value that is not a string to print, a
 * method that throws — makes the row return {@link BAIL}, and the caller runs the interpreter
 * over the same row from the start, which produces Go's output or error text. A row may thus
 * call a data method twice; the data given to templates are views without side effects.
 */
import type { ExecTemplate } from './exec.js';
import type { ListNode, Node, PipeNode } from './nodes.js';
import { startsUpper } from './runes.js';
import { REJECT, coerceArg, isTrue, kindOf, mapGet, protoMember, type GoFunc, type ParamType } from './values.js';

/** Returned by a compiled template when the interpreter must run the row instead. */
export const BAIL: unique symbol = Symbol('bail');
type Bail = typeof BAIL;

/** A compiled template: the output for `dot`, or BAIL. */
export type Compiled = (dot: unknown) => string | Bail;

type Expr = (dot: unknown) => unknown; // a value, or BAIL
type Piece = (dot: unknown) => string | Bail;

/** Thrown while compiling when the tree leaves the subset. */
class NotCompilable extends Error {}

const NO = (): never => {
  throw new NotCompilable();
};

/**
 * Compiles the top-level tree of `tmpl`; undefined when it uses anything outside the fast subset.
 */
export function compileTemplate(tmpl: ExecTemplate, root: ListNode): Compiled | undefined {
  try {
    return joinPieces(compileList(tmpl, root));
  } catch (e) {
    if (e instanceof NotCompilable) return undefined;
    throw e;
  }
}

/**
 * One piece running the pieces in turn. Up to four pieces are joined without a loop: the join runs
 * once per row, and V8 sends a small function whose loop turns a few times per call to its
 * optimizing compiler after a few hundred calls (a `{{.ID}} {{.Repository}}:{{.Tag}}` listing of 500
 * rows did): ~4–12 ms of compiling on another thread, which the process then waits for at exit.
 */
function joinPieces(pieces: Piece[]): Compiled {
  const [a, b, c, d] = pieces as [Piece, Piece, Piece, Piece];
  switch (pieces.length) {
    case 1:
      return a;
    case 2:
      return (dot) => {
        const x = a(dot);
        if (x === BAIL) return BAIL;
        const y = b(dot);
        return y === BAIL ? BAIL : x + y;
      };
    case 3:
      return (dot) => {
        const x = a(dot);
        if (x === BAIL) return BAIL;
        const y = b(dot);
        if (y === BAIL) return BAIL;
        const z = c(dot);
        return z === BAIL ? BAIL : x + y + z;
      };
    case 4:
      return (dot) => {
        const x = a(dot);
        if (x === BAIL) return BAIL;
        const y = b(dot);
        if (y === BAIL) return BAIL;
        const z = c(dot);
        if (z === BAIL) return BAIL;
        const w = d(dot);
        return w === BAIL ? BAIL : x + y + z + w;
      };
  }
  if (pieces.length === 0) return () => '';
  // More than four: the first four joined, then the rest, joined the same way.
  return joinPieces([joinPieces(pieces.slice(0, 4)), joinPieces(pieces.slice(4))]);
}

function compileList(tmpl: ExecTemplate, list: ListNode): Piece[] {
  const pieces: Piece[] = [];
  for (const n of list.nodes) {
    const p = compileNode(tmpl, n);
    if (p !== undefined) pieces.push(p);
  }
  if (pieces.length === 0) pieces.push(() => '');
  return pieces;
}

function compileNode(tmpl: ExecTemplate, n: Node): Piece | undefined {
  switch (n.type) {
    case 'text': {
      const text = n.text;
      return () => text;
    }
    case 'comment':
      return undefined;
    case 'list':
      return joinPieces(compileList(tmpl, n));
    case 'action': {
      if (n.pipe.decl.length > 0) return NO();
      const expr = compilePipe(tmpl, n.pipe);
      return (dot) => {
        const v = expr(dot);
        if (typeof v === 'string') return v;
        if (v === undefined) return '<no value>';
        return BAIL; // BAIL itself, or a value whose printing the interpreter owns (fmt's rules)
      };
    }
    case 'if': {
      if (n.pipe.decl.length > 0) return NO();
      const cond = compilePipe(tmpl, n.pipe);
      const then = joinPieces(compileList(tmpl, n.list));
      const otherwise = n.elseList === undefined ? () => '' : joinPieces(compileList(tmpl, n.elseList));
      return (dot) => {
        const v = cond(dot);
        if (v === BAIL) return BAIL;
        return isTrue(v).truth ? then(dot) : otherwise(dot);
      };
    }
    default:
      return NO(); // range, with, template, break, continue: the interpreter's
  }
}

/** A pipeline without declarations: its value (null turned into no value, as exec does). */
function compilePipe(tmpl: ExecTemplate, pipe: PipeNode): Expr {
  const [first, ...rest] = pipe.cmds;
  if (first === undefined) return NO();
  let expr = compileFirstCommand(tmpl, first.args);
  for (const cmd of rest) expr = compileCall(tmpl, cmd.args, expr);
  const e = expr;
  return (dot) => {
    const v = e(dot);
    return v === null ? undefined : v;
  };
}

function compileFirstCommand(tmpl: ExecTemplate, args: Node[]): Expr {
  const head = args[0] as Node;
  switch (head.type) {
    case 'field':
      if (args.length > 1) return NO(); // arguments to a method: the interpreter checks them
      return fieldChain(tmpl, head.ident);
    case 'dot':
      if (args.length > 1) return NO();
      return (dot) => dot;
    case 'identifier':
      return compileCall(tmpl, args, undefined);
    default:
      return NO();
  }
}

/**
 * A call of one of the template's own functions (builtins stay with the interpreter), with `final`
 * the value piped in from the previous command, if any.
 */
function compileCall(tmpl: ExecTemplate, args: Node[], final: Expr | undefined): Expr {
  const head = args[0] as Node;
  if (head.type !== 'identifier') return NO();
  const fn = tmpl.func(head.ident); // the template's own functions; builtins are not among them
  if (fn === undefined) return NO();
  if (fn.variadic !== undefined) return NO();
  const given = args.length - 1 + (final === undefined ? 0 : 1);
  if (given !== fn.params.length) return NO();
  const argExprs = args.slice(1).map((a, i) => compileArg(tmpl, a, fn.params[i] as ParamType));
  if (final !== undefined) {
    const t = fn.params[fn.params.length - 1] as ParamType;
    argExprs.push((dot) => {
      const v = final(dot);
      return v === BAIL ? BAIL : checkType(v === null ? undefined : v, t);
    });
  }
  const f = fn.fn;
  const n = argExprs.length;
  return (dot) => {
    const argv = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const v = (argExprs[i] as Expr)(dot);
      if (v === BAIL) return BAIL;
      argv[i] = v;
    }
    try {
      return f(...argv);
    } catch {
      return BAIL; // `error calling …`: the interpreter words it
    }
  };
}

function compileArg(tmpl: ExecTemplate, n: Node, typ: ParamType): Expr {
  switch (n.type) {
    case 'dot':
      return (dot) => checkType(dot, typ);
    case 'field': {
      const get = fieldChain(tmpl, n.ident);
      return (dot) => {
        const v = get(dot);
        return v === BAIL ? BAIL : checkType(v, typ);
      };
    }
    case 'string': {
      if (typ !== 'string' && typ !== 'any' && typ !== 'value') return NO();
      const text = n.text;
      return () => text;
    }
    case 'number': {
      if (typ !== 'int' || !n.isInt) return NO();
      const i = n.int;
      const v = i >= BigInt(Number.MIN_SAFE_INTEGER) && i <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(i) : i;
      return () => v;
    }
    case 'bool': {
      if (typ !== 'bool') return NO();
      const b = n.value;
      return () => b;
    }
    default:
      return NO();
  }
}

/** exec's validateType, with BAIL where it would report an error. */
function checkType(value: unknown, typ: ParamType): unknown {
  const v = coerceArg(value, typ);
  return v === REJECT ? BAIL : v;
}

/** `.A.B.C` on dot: exec's evalFieldChain without arguments. */
function fieldChain(tmpl: ExecTemplate, ident: readonly string[]): Expr {
  const steps = ident.map((name) => fieldAccess(tmpl, name));
  if (steps.length === 1) return steps[0] as Expr;
  return (dot) => {
    let v: unknown = dot;
    for (let i = 0; i < steps.length; i++) {
      v = (steps[i] as Expr)(v);
      if (v === BAIL) return BAIL;
    }
    return v;
  };
}

/** How one field name resolves on structs of one prototype. */
type Resolved = { kind: 'method'; fn: GoFunc } | { kind: 'getter'; get: () => unknown } | { kind: 'field' } | { kind: 'none' };

/**
 * One field step: exec's evalField with no arguments. What the name means on a struct is resolved
 * once per prototype (a one-entry cache: rows share their class), as values.ts's structMember
 * would find it: an own property first, then the prototype chain.
 */
function fieldAccess(tmpl: ExecTemplate, name: string): Expr {
  const exported = startsUpper(name);
  const errorOnMissing = tmpl.missingKey === 'error';
  let cachedProto: object | null | undefined; // a prototype whose objects are structs
  let cached: Resolved = { kind: 'none' };
  return (receiver) => {
    if (receiver === undefined) return errorOnMissing ? BAIL : undefined;
    if (receiver === null || typeof receiver !== 'object') return BAIL; // nil pointer, or a field of a scalar
    const proto = Object.getPrototypeOf(receiver) as object | null;
    // An object of a prototype seen before is a struct (kindOf decides by the prototype chain),
    // unless it is an array or marks itself as a function.
    if (proto !== cachedProto || (receiver as { goFunc?: unknown }).goFunc === true || Array.isArray(receiver)) {
      const kind = kindOf(receiver);
      if (kind === 'map') {
        const v = mapGet(receiver, name);
        return v === undefined && errorOnMissing ? BAIL : v;
      }
      if (kind !== 'struct' || !exported) return BAIL;
      if (proto === null || proto === Object.prototype) {
        // A plain object marked with goStruct: only own fields.
        return Object.prototype.hasOwnProperty.call(receiver, name) ? (receiver as Record<string, unknown>)[name] : BAIL;
      }
      cached = resolve(proto, name);
      cachedProto = proto;
    }
    if (Object.prototype.hasOwnProperty.call(receiver, name)) return (receiver as Record<string, unknown>)[name];
    switch (cached.kind) {
      case 'method': {
        const fn = cached.fn;
        if (fn.params.length !== 0 || fn.variadic !== undefined) return BAIL; // wrong number of args
        try {
          return fn.fn.call(receiver);
        } catch {
          return BAIL;
        }
      }
      case 'getter':
        return cached.get.call(receiver);
      default:
        return BAIL; // no such member: `can't evaluate field …`
    }
  };
}

function resolve(proto: object | null, name: string): Resolved {
  return protoMember(proto, name) ?? { kind: 'none' };
}
