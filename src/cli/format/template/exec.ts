/**
 * The executor of Go's text/template over plain JS values (see values.ts for the mapping).
 * It follows Go's exec.go step by step — where the "current node" moves, how arguments are
 * checked against a function's signature, when nil interfaces turn into "no value" — because
 * docker users see those details in outputs and error texts.
 */
import { TemplateExecError } from './errors.js';
import { goQuote, sprintValue } from './fmt.js';
import { BUILTINS, GoError, truth } from './funcs.js';
import { errorContext, nodeString } from './nodes.js';
import type { BranchNode, ChainNode, CommandNode, FieldNode, Node, NumberNode, PipeNode, TemplateNode, VariableNode } from './nodes.js';
import type { Tree } from './parser.js';
import { startsUpper } from './runes.js';
import {
  GoFloat,
  REJECT,
  asGoFunc,
  coerceArg,
  isTrue,
  kindOf,
  mapEntries,
  mapGet,
  numberOf,
  structMember,
  typeName,
  type GoFunc,
  type ParamType,
} from './values.js';

export type MissingKey = 'default' | 'zero' | 'error';

/** What the executor needs from a template set. */
export interface ExecTemplate {
  name: string;
  lookup(name: string): Tree | undefined;
  func(name: string): GoFunc | undefined;
  missingKey: MissingKey;
}

/** The "no final argument" marker (Go's missingVal). */
const MISSING: unique symbol = Symbol('missing');
type Final = unknown;

class BreakSignal {}
class ContinueSignal {}
const BREAK = new BreakSignal();
const CONTINUE = new ContinueSignal();

const MAX_DEPTH = 1000;

interface Variable {
  name: string;
  value: unknown;
}

/**
 * Runs `tree` with `data` as dot and `$`, returning the output.
 * @throws {TemplateExecError} with Go's message; its `output` has what was written before
 */
export function execute(tmpl: ExecTemplate, tree: Tree, data: unknown): string {
  // Execute(w, nil) runs with no value at all, not a nil interface.
  const dot = data === null ? undefined : data;
  const s = new State(tmpl, [{ name: '$', value: dot }]);
  try {
    s.walk(dot, tree.root);
  } catch (e) {
    if (e instanceof TemplateExecError) {
      e.output = s.out.join('');
    }
    throw e;
  }
  return s.out.join('');
}

class State {
  out: string[] = [];
  node: Node | undefined;
  depth = 0;

  constructor(
    public tmpl: ExecTemplate,
    public vars: Variable[],
  ) {}

  at(n: Node): void {
    this.node = n;
  }

  errorf(message: string): never {
    const name = this.tmpl.name;
    let text: string;
    if (this.node === undefined) {
      text = `template: ${name}: ${message}`;
    } else {
      const { location, context } = errorContext(this.node);
      text = `template: ${location}: executing ${goQuote(name)} at <${context}>: ${message}`;
    }
    throw new TemplateExecError(text);
  }

  mark(): number {
    return this.vars.length;
  }
  pop(mark: number): void {
    this.vars.length = mark;
  }
  push(name: string, value: unknown): void {
    this.vars.push({ name, value });
  }
  setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) {
        v.value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }
  setTopVar(n: number, value: unknown): void {
    (this.vars[this.vars.length - n] as Variable).value = value;
  }
  varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      const v = this.vars[i] as Variable;
      if (v.name === name) return v.value;
    }
    return this.errorf(`undefined variable: ${name}`);
  }

  // --- statements --------------------------------------------------------------------------

  walk(dot: unknown, node: Node): void {
    this.at(node);
    switch (node.type) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break':
        throw BREAK;
      case 'continue':
        throw CONTINUE;
      case 'comment':
        return;
      case 'if':
      case 'with':
        this.walkIfOrWith(dot, node);
        return;
      case 'list':
        for (const n of node.nodes) this.walk(dot, n);
        return;
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'template':
        this.walkTemplate(dot, node);
        return;
      case 'text':
        this.out.push(node.text);
        return;
      default:
        this.errorf(`unknown node: ${nodeString(node)}`);
    }
  }

  walkIfOrWith(dot: unknown, node: BranchNode): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      const { truth: t, ok } = isTrue(val === null ? undefined : val);
      if (!ok) this.errorf(`if/with can't use ${sprintValue(val)}`);
      if (t) this.walk(node.type === 'with' ? val : dot, node.list);
      else if (node.elseList !== undefined) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  walkRange(dot: unknown, r: BranchNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      let val = this.evalPipeline(dot, r.pipe);
      if (val === null) val = undefined;
      const mark = this.mark();
      const oneIteration = (index: unknown, elem: unknown): boolean => {
        if (r.pipe.decl.length > 0) this.setTopVar(1, elem);
        if (r.pipe.decl.length > 1) this.setTopVar(2, index);
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e === BREAK) return false;
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
        return true;
      };
      let ran = false;
      switch (kindOf(val)) {
        case 'slice': {
          const arr = val as unknown[];
          for (let i = 0; i < arr.length; i++) {
            ran = true;
            if (!oneIteration(i, arr[i])) break;
          }
          break;
        }
        case 'map':
          for (const [k, v] of mapEntries(val)) {
            ran = true;
            if (!oneIteration(k, v)) break;
          }
          break;
        case 'int': {
          // Go 1.22: range over an integer counts from 0.
          if (r.pipe.decl.length > 1) this.errorf(`can't use ${sprintValue(val)} to iterate over more than one variable`);
          const n = numberOf(val);
          for (let i = 0; i < n; i++) {
            ran = true;
            if (!oneIteration(i, i)) break;
          }
          break;
        }
        case 'invalid':
          break; // a nil map or missing value ranges like an empty one
        default:
          this.errorf(`range can't iterate over ${sprintValue(val)}`);
      }
      if (!ran && r.elseList !== undefined) this.walk(dot, r.elseList);
    } finally {
      this.pop(outer);
    }
  }

  walkTemplate(dot: unknown, t: TemplateNode): void {
    this.at(t);
    const tree = this.tmpl.lookup(t.name);
    if (tree === undefined) this.errorf(`template ${goQuote(t.name)} not defined`);
    if (this.depth >= MAX_DEPTH) this.errorf(`exceeded maximum template depth (${MAX_DEPTH})`);
    const newDot = this.evalPipeline(dot, t.pipe);
    const inner = new State({ ...this.tmpl, name: t.name, lookup: this.tmpl.lookup, func: this.tmpl.func }, [{ name: '$', value: newDot }]);
    inner.out = this.out;
    inner.depth = this.depth + 1;
    inner.walk(newDot, tree.root);
  }

  // --- pipelines and commands --------------------------------------------------------------

  evalPipeline(dot: unknown, pipe: PipeNode | undefined): unknown {
    if (pipe === undefined) return undefined;
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, value);
      // A nil interface{} result is no value at all (Go re-wraps interface results).
      if (value === null) value = undefined;
    }
    for (const v of pipe.decl) {
      if (pipe.isAssign) this.setVar(v.ident[0] as string, value);
      else this.push(v.ident[0] as string, value);
    }
    return value;
  }

  notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${nodeString(args[0] as Node)}`);
  }

  evalCommand(dot: unknown, cmd: CommandNode, final: Final): unknown {
    const first = cmd.args[0] as Node;
    switch (first.type) {
      case 'field':
        return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain':
        return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier':
        return this.evalFunction(dot, first.ident, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable':
        return this.evalVariableNode(dot, first, cmd.args, final);
      default:
        break;
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.type) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return this.idealConstant(first);
      case 'string':
        return first.text;
      default:
        return this.errorf(`can't evaluate command ${goQuote(nodeString(first))}`);
    }
  }

  idealConstant(c: NumberNode): unknown {
    this.at(c);
    const isHexInt = /^0[xX]/.test(c.text) && !/[pP]/.test(c.text);
    if (c.isFloat && !isHexInt && c.text[0] !== "'" && /[.eEpP]/.test(c.text)) return float64(c.float);
    if (c.isInt) return intValue(c.int);
    if (c.isUint) this.errorf(`${c.text} overflows int`);
    return undefined;
  }

  evalFieldNode(dot: unknown, field: FieldNode, args: Node[], final: Final): unknown {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  evalChainNode(dot: unknown, chain: ChainNode, args: Node[], final: Final): unknown {
    this.at(chain);
    if (chain.field.length === 0) this.errorf('internal error: no fields in evalChainNode');
    if (chain.node.type === 'nil') this.errorf(`indirection through explicit nil in ${nodeString(chain)}`);
    const pipe = this.evalArg(dot, undefined, chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  evalVariableNode(dot: unknown, v: VariableNode, args: Node[], final: Final): unknown {
    this.at(v);
    const value = this.varValue(v.ident[0] as string);
    if (v.ident.length === 1) {
      this.notAFunction(args, final);
      return value;
    }
    return this.evalFieldChain(dot, value, v, v.ident.slice(1), args, final);
  }

  evalFieldChain(dot: unknown, receiver0: unknown, node: Node, ident: string[], args: Node[], final: Final): unknown {
    let receiver = receiver0;
    let fromMap = false;
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) {
      fromMap = kindOf(receiver) === 'map';
      receiver = this.evalField(dot, ident[i] as string, node, [], MISSING, receiver, fromMap);
    }
    return this.evalField(dot, ident[n - 1] as string, node, args, final, receiver, fromMap);
  }

  evalFunction(dot: unknown, name: string, at: Node, cmd: Node, args: Node[], final: Final): unknown {
    this.at(at);
    const fn = this.tmpl.func(name) ?? BUILTINS.get(name);
    const builtin = this.tmpl.func(name) === undefined;
    if (fn === undefined) this.errorf(`${goQuote(name)} is not a defined function`);
    return this.evalCall(dot, fn, builtin, cmd, name, args, final);
  }

  /** `fromMap`: the receiver was read out of a map, so Go sees its static type as `interface {}`. */
  evalField(dot: unknown, fieldName: string, node: Node, args: Node[], final: Final, receiver: unknown, fromMap = false): unknown {
    if (receiver === undefined) {
      if (this.tmpl.missingKey === 'error') this.errorf(`nil data; no entry for key ${goQuote(fieldName)}`);
      return undefined;
    }
    if (receiver === null) this.errorf(`nil pointer evaluating interface {}.${fieldName}`);
    const hasArgs = args.length > 1 || final !== MISSING;
    switch (kindOf(receiver)) {
      case 'struct': {
        const m = structMember(receiver as object, fieldName);
        if (m?.kind === 'method' && startsUpper(fieldName)) return this.evalCall(dot, m.fn, false, node, fieldName, args, final, m.self);
        if (m?.kind === 'field' && startsUpper(fieldName)) {
          if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
          return m.value;
        }
        break;
      }
      case 'map': {
        if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
        let result = mapGet(receiver, fieldName);
        if (result === undefined) {
          if (this.tmpl.missingKey === 'error') this.errorf(`map has no entry for key ${goQuote(fieldName)}`);
          result = undefined;
        }
        return result;
      }
      default:
        break;
    }
    return this.errorf(`can't evaluate field ${fieldName} in type ${fromMap ? 'interface {}' : typeName(receiver)}`);
  }

  evalCall(
    dot: unknown,
    fn: GoFunc,
    isBuiltin: boolean,
    node: Node,
    name: string,
    allArgs: Node[],
    final: Final,
    self?: object,
  ): unknown {
    const args = allArgs.slice(1); // the zeroth is the function name or field itself
    let numIn = args.length;
    if (final !== MISSING) numIn++;
    const fixed = fn.params.length;
    if (fn.variadic !== undefined) {
      if (numIn < fixed) this.errorf(`wrong number of args for ${name}: want at least ${fixed} got ${args.length}`);
    } else if (numIn !== fixed) {
      this.errorf(`wrong number of args for ${name}: want ${fixed} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      // Short-circuit: stop at the first argument that decides the result.
      let v: unknown;
      for (const arg of args) {
        v = this.evalArg(dot, 'value', arg);
        if (truth(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const argv: unknown[] = [];
    let i = 0;
    for (; i < fixed && i < args.length; i++) argv.push(this.evalArg(dot, fn.params[i], args[i] as Node));
    if (fn.variadic !== undefined) {
      for (; i < args.length; i++) argv.push(this.evalArg(dot, fn.variadic, args[i] as Node));
    }
    if (final !== MISSING) {
      let t: ParamType | undefined = fn.params[fixed - 1] ?? fn.variadic;
      if (fn.variadic !== undefined) t = numIn - 1 < fixed ? fn.params[numIn - 1] : fn.variadic;
      argv.push(this.validateType(final, t));
    }
    try {
      return fn.fn.apply(self, argv);
    } catch (e) {
      if (e instanceof TemplateExecError) throw e;
      this.at(node);
      const msg = e instanceof Error ? e.message : String(e);
      return this.errorf(`error calling ${name}: ${msg}`);
    }
  }

  validateType(value: unknown, typ: ParamType | undefined): unknown {
    if (typ === undefined) return value;
    const v = coerceArg(value, typ);
    if (v !== REJECT) return v;
    if (value === undefined) this.errorf(`invalid value; expected ${typ}`);
    return this.errorf(`wrong type for value; expected ${typ}; got ${value === null ? 'interface {}' : typeName(value)}`);
  }

  evalArg(dot: unknown, typ: ParamType | undefined, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'dot':
        return this.validateType(dot, typ);
      case 'nil':
        if (typ === 'any' || typ === 'value' || typ === undefined) return typ === 'any' ? null : undefined;
        return this.errorf(`cannot assign nil to ${typ}`);
      case 'field':
        return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable':
        return this.validateType(this.evalVariableNode(dot, n, [], MISSING), typ);
      case 'pipe':
        return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier':
        return this.validateType(this.evalFunction(dot, n.ident, n, n, [], MISSING), typ);
      case 'chain':
        return this.validateType(this.evalChainNode(dot, n, [], MISSING), typ);
      default:
        break;
    }
    switch (typ) {
      case 'bool':
        if (n.type === 'bool') return n.value;
        return this.errorf(`expected bool; found ${nodeString(n)}`);
      case 'float64':
        if (n.type === 'number' && n.isFloat) return float64(n.float);
        return this.errorf(`expected float; found ${nodeString(n)}`);
      case 'int':
        if (n.type === 'number' && n.isInt) return intValue(n.int);
        return this.errorf(`expected integer; found ${nodeString(n)}`);
      case 'string':
        if (n.type === 'string') return n.text;
        return this.errorf(`expected string; found ${nodeString(n)}`);
      case 'any':
      case 'value':
      case undefined:
        return this.evalEmptyInterface(dot, n);
    }
  }

  evalEmptyInterface(_dot: unknown, n: Node): unknown {
    this.at(n);
    switch (n.type) {
      case 'bool':
        return n.value;
      case 'number':
        return this.idealConstant(n);
      case 'string':
        return n.text;
      default:
        return this.errorf(`can't handle assignment of ${nodeString(n)} to empty interface argument`);
    }
  }

  printValue(n: Node, v: unknown): void {
    this.at(n);
    if (v === undefined) {
      this.out.push('<no value>');
      return;
    }
    if (kindOf(v) === 'func') this.errorf(`can't print ${nodeString(n)} of type ${typeName(v)}`);
    this.out.push(sprintValue(v));
  }
}

function float64(f: number): number | GoFloat {
  return Number.isInteger(f) ? new GoFloat(f) : f;
}

function intValue(i: bigint): number | bigint {
  return i >= BigInt(Number.MIN_SAFE_INTEGER) && i <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(i) : i;
}

export { GoError, asGoFunc };
