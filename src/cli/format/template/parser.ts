/**
 * The parser of Go's text/template: tokens → a tree of actions, control structures
 * (`if`/`else if`/`else`, `range` with `$i, $v :=` and `else`, `with`/`else`, `define`,
 * `template`, `block`, `break`, `continue`), pipelines, variables and operands. Errors are Go's,
 * prefixed `template: NAME:LINE: `.
 */
import { TemplateParseError } from './errors.js';
import { goQuote } from './fmt.js';
import { itemString, lex, type Item, type ItemType } from './lexer.js';
import type {
  BranchNode,
  ChainNode,
  CommandNode,
  ListNode,
  Node,
  NumberNode,
  PipeNode,
  TemplateNode,
  TreeInfo,
  VariableNode,
} from './nodes.js';
import { nodeString } from './nodes.js';
import { SyntaxError_, unquote, unquoteChar } from './unquote.js';

/** One named template: the top-level text or a `{{define}}`/`{{block}}` inside it. */
export interface Tree {
  name: string;
  root: ListNode;
}

export type TreeSet = Map<string, Tree>;

/**
 * Parses `text` as template `name`, adding it and every template it defines to `treeSet`.
 * `hasFunction` tells which identifiers are functions (Go checks them at parse time).
 * @throws {TemplateParseError} with Go's message
 */
export function parseTemplate(name: string, text: string, hasFunction: (n: string) => boolean, treeSet: TreeSet): void {
  const items = lex(text, { breakOK: !hasFunction('break'), continueOK: !hasFunction('continue') });
  const info: TreeInfo = { parseName: name, text };
  const stream = new TokenStream(items);
  const p = new Parser(name, info, stream, hasFunction, treeSet);
  p.parse();
  p.add();
}

class TokenStream {
  private i = 0;
  constructor(private readonly items: Item[]) {}
  nextItem(): Item {
    const it = this.items[this.i] as Item;
    if (this.i < this.items.length - 1) this.i++;
    return it;
  }
}

class Parser {
  root: ListNode;
  private token: Item[] = [];
  private peekCount = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private actionLine = 0;

  constructor(
    private name: string,
    private readonly info: TreeInfo,
    private readonly lexer: TokenStream,
    private readonly hasFunction: (n: string) => boolean,
    private readonly treeSet: TreeSet,
  ) {
    this.root = this.newList(0);
    this.token = [undefined as unknown as Item, undefined as unknown as Item, undefined as unknown as Item];
  }

  // --- token plumbing (Go's three-token lookahead) -----------------------------------------

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lexer.nextItem();
    return this.token[this.peekCount] as Item;
  }
  private backup(): void {
    this.peekCount++;
  }
  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }
  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }
  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1] as Item;
    this.peekCount = 1;
    this.token[0] = this.lexer.nextItem();
    return this.token[0];
  }
  private nextNonSpace(): Item {
    let t: Item;
    do t = this.next();
    while (t.type === 'space');
    return t;
  }
  private peekNonSpace(): Item {
    const t = this.nextNonSpace();
    this.backup();
    return t;
  }

  // --- errors ------------------------------------------------------------------------------

  private errorf(message: string): never {
    const line = (this.token[0] as Item | undefined)?.line ?? 1;
    throw new TemplateParseError(`template: ${this.info.parseName}:${line}: ${message}`);
  }
  private expect(expected: ItemType, context: string): Item {
    const t = this.nextNonSpace();
    if (t.type !== expected) this.unexpected(t, context);
    return t;
  }
  private expectOneOf(a: ItemType, b: ItemType, context: string): Item {
    const t = this.nextNonSpace();
    if (t.type !== a && t.type !== b) this.unexpected(t, context);
    return t;
  }
  private unexpected(t: Item, context: string): never {
    if (t.type === 'error') {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== t.line) {
        extra = ` in action started at ${this.info.parseName}:${this.actionLine}`;
        if (t.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${t.val}${extra}`);
    }
    this.errorf(`unexpected ${itemString(t, goQuote)} in ${context}`);
  }

  // --- node constructors -------------------------------------------------------------------

  private newList(pos: number): ListNode {
    return { type: 'list', pos, tree: this.info, nodes: [] };
  }
  private newPipeline(pos: number, line: number): PipeNode {
    return { type: 'pipe', pos, line, tree: this.info, isAssign: false, decl: [], cmds: [] };
  }
  private newVariable(pos: number, ident: string): VariableNode {
    return { type: 'variable', pos, tree: this.info, ident: ident.split('.') };
  }

  // --- grammar -----------------------------------------------------------------------------

  add(): void {
    const existing = this.treeSet.get(this.name);
    if (existing === undefined || isEmptyTree(existing.root)) {
      this.treeSet.set(this.name, { name: this.name, root: this.root });
      return;
    }
    if (!isEmptyTree(this.root)) this.errorf(`template: multiple definition of template ${goQuote(this.name)}`);
  }

  parse(): void {
    this.root = this.newList(this.peek().pos);
    while (this.peek().type !== 'EOF') {
      if (this.peek().type === 'leftDelim') {
        const delim = this.next();
        if (this.nextNonSpace().type === 'define') {
          const def = new Parser('definition', this.info, this.lexer, this.hasFunction, this.treeSet);
          def.parseDefinition();
          continue;
        }
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') this.errorf(`unexpected ${nodeString(n)}`);
      this.root.nodes.push(n);
    }
  }

  private parseDefinition(): void {
    const context = 'define clause';
    const nameTok = this.expectOneOf('string', 'rawString', context);
    try {
      this.name = unquote(nameTok.val);
    } catch (e) {
      this.errorf((e as Error).message);
    }
    this.expect('rightDelim', context);
    const { list, next } = this.itemList();
    if (next.type !== 'end') this.errorf(`unexpected ${nodeString(next)} in ${context}`);
    this.root = list;
    this.add();
  }

  private itemList(): { list: ListNode; next: Node } {
    const list = this.newList(this.peekNonSpace().pos);
    while (this.peekNonSpace().type !== 'EOF') {
      const n = this.textOrAction();
      if (n.type === 'end' || n.type === 'else') return { list, next: n };
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'text':
        return { type: 'text', pos: t.pos, tree: this.info, text: t.val };
      case 'leftDelim': {
        this.actionLine = t.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
      }
      default:
        this.unexpected(t, 'input');
    }
  }

  private action(): Node {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'block':
        return this.blockControl();
      case 'break':
        return this.breakControl(t);
      case 'continue':
        return this.continueControl(t);
      case 'else':
        return this.elseControl();
      case 'end':
        return { type: 'end', pos: this.expect('rightDelim', 'end').pos, tree: this.info };
      case 'if':
        return this.branch('if', true);
      case 'range':
        return this.branch('range', false);
      case 'template':
        return this.templateControl();
      case 'with':
        return this.branch('with', true);
      default:
        break;
    }
    this.backup();
    const token = this.peek();
    // Variables declared here live until the enclosing {{end}}.
    return { type: 'action', pos: token.pos, line: token.line, tree: this.info, pipe: this.pipeline('command', 'rightDelim') };
  }

  private breakControl(t: Item): Node {
    const n = this.nextNonSpace();
    if (n.type !== 'rightDelim') this.unexpected(n, '{{break}}');
    if (this.rangeDepth === 0) this.errorf('{{break}} outside {{range}}');
    return { type: 'break', pos: t.pos, line: t.line, tree: this.info };
  }

  private continueControl(t: Item): Node {
    const n = this.nextNonSpace();
    if (n.type !== 'rightDelim') this.unexpected(n, '{{continue}}');
    if (this.rangeDepth === 0) this.errorf('{{continue}} outside {{range}}');
    return { type: 'continue', pos: t.pos, line: t.line, tree: this.info };
  }

  private pipeline(context: string, end: ItemType): PipeNode {
    const start = this.peekNonSpace();
    const pipe = this.newPipeline(start.pos, start.line);
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.type !== 'variable') break;
      this.next();
      // "$x foo" vs "$x := foo": look past the space to decide.
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.type === 'assign' || next.type === 'declare') {
        pipe.isAssign = next.type === 'assign';
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.type === 'char' && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(this.newVariable(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const k = this.peekNonSpace().type;
          if (k === 'variable' || k === 'rightDelim' || k === 'rightParen') continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.type === 'space') {
        this.backup3(v, tokenAfterVariable);
      } else {
        this.backup2(v);
      }
      break;
    }
    for (;;) {
      const t = this.nextNonSpace();
      switch (t.type) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case 'bool':
        case 'charConstant':
        case 'complex':
        case 'dot':
        case 'field':
        case 'identifier':
        case 'number':
        case 'nil':
        case 'rawString':
        case 'string':
        case 'variable':
        case 'leftParen':
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(t, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const k = c.args[0]?.type;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private branch(kind: 'if' | 'range' | 'with', allowElseChain: boolean): BranchNode {
    const mark = this.vars.length;
    try {
      const pipe = this.pipeline(kind, 'rightDelim');
      if (kind === 'range') this.rangeDepth++;
      let { list, next } = this.itemList();
      if (kind === 'range') this.rangeDepth--;
      let elseList: ListNode | undefined;
      if (next.type === 'else') {
        // "{{else if x}}" (and Go 1.23's "{{else with x}}") is "{{else}}{{if x}}…{{end}}{{end}}"
        // with the inner {{end}} shared.
        const chained = allowElseChain ? this.peek().type : undefined;
        if (chained === kind) {
          this.next();
          elseList = this.newList(next.pos);
          elseList.nodes.push(this.branch(kind, true));
        } else {
          ({ list: elseList, next } = this.itemListAfterElse());
        }
      }
      return { type: kind, pos: pipe.pos, line: pipe.line, tree: this.info, pipe, list, elseList };
    } finally {
      this.vars.length = mark;
    }
  }

  private itemListAfterElse(): { list: ListNode; next: Node } {
    const r = this.itemList();
    if (r.next.type !== 'end') this.errorf(`expected end; found ${nodeString(r.next)}`);
    return r;
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.type === 'if' || peek.type === 'with') {
      // "{{else if …" / "{{else with …": the keyword stays pending for the branch parser.
      return { type: 'else', pos: peek.pos, line: peek.line, tree: this.info };
    }
    const t = this.expect('rightDelim', 'else');
    return { type: 'else', pos: t.pos, line: t.line, tree: this.info };
  }

  private blockControl(): Node {
    const context = 'block clause';
    const t = this.nextNonSpace();
    const name = this.parseTemplateName(t, context);
    const pipe = this.pipeline(context, 'rightDelim');
    const block = new Parser(name, this.info, this.lexer, this.hasFunction, this.treeSet);
    const { list, next } = block.itemList();
    if (next.type !== 'end') this.errorf(`unexpected ${nodeString(next)} in ${context}`);
    block.root = list;
    block.add();
    return { type: 'template', pos: t.pos, line: t.line, tree: this.info, name, pipe } satisfies TemplateNode;
  }

  private templateControl(): Node {
    const context = 'template clause';
    const t = this.nextNonSpace();
    const name = this.parseTemplateName(t, context);
    let pipe: PipeNode | undefined;
    if (this.nextNonSpace().type !== 'rightDelim') {
      this.backup();
      pipe = this.pipeline(context, 'rightDelim');
    }
    return { type: 'template', pos: t.pos, line: t.line, tree: this.info, name, pipe };
  }

  private parseTemplateName(t: Item, context: string): string {
    if (t.type === 'string' || t.type === 'rawString') {
      try {
        return unquote(t.val);
      } catch (e) {
        this.errorf((e as Error).message);
      }
    }
    this.unexpected(t, context);
  }

  private command(): CommandNode {
    const cmd: CommandNode = { type: 'command', pos: this.peekNonSpace().pos, tree: this.info, args: [] };
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== undefined) cmd.args.push(operand);
      const t = this.next();
      if (t.type === 'space') continue;
      if (t.type === 'rightDelim' || t.type === 'rightParen') this.backup();
      else if (t.type !== 'pipe') this.unexpected(t, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | undefined {
    let node = this.term();
    if (node === undefined) return undefined;
    if (this.peek().type === 'field') {
      const chain: ChainNode = { type: 'chain', pos: this.peek().pos, tree: this.info, node, field: [] };
      while (this.peek().type === 'field') chain.field.push(this.next().val.slice(1));
      switch (node.type) {
        case 'field':
          node = { type: 'field', pos: chain.pos, tree: this.info, ident: nodeString(chain).slice(1).split('.') };
          break;
        case 'variable':
          node = this.newVariable(chain.pos, nodeString(chain));
          break;
        case 'bool':
        case 'string':
        case 'number':
        case 'nil':
        case 'dot':
          this.errorf(`unexpected . after term ${goQuote(nodeString(node))}`);
          break;
        default:
          node = chain;
      }
    }
    return node;
  }

  private term(): Node | undefined {
    const t = this.nextNonSpace();
    switch (t.type) {
      case 'identifier':
        if (!this.hasFunction(t.val)) this.errorf(`function ${goQuote(t.val)} not defined`);
        return { type: 'identifier', pos: t.pos, tree: this.info, ident: t.val };
      case 'dot':
        return { type: 'dot', pos: t.pos, tree: this.info };
      case 'nil':
        return { type: 'nil', pos: t.pos, tree: this.info };
      case 'variable':
        return this.useVar(t.pos, t.val);
      case 'field':
        return { type: 'field', pos: t.pos, tree: this.info, ident: t.val.slice(1).split('.') };
      case 'bool':
        return { type: 'bool', pos: t.pos, tree: this.info, value: t.val === 'true' };
      case 'charConstant':
      case 'complex':
      case 'number':
        return this.newNumber(t);
      case 'leftParen':
        return this.pipeline('parenthesized pipeline', 'rightParen');
      case 'string':
      case 'rawString':
        try {
          return { type: 'string', pos: t.pos, tree: this.info, quoted: t.val, text: unquote(t.val) };
        } catch (e) {
          this.errorf((e as Error).message);
        }
      // falls through (errorf never returns)
      default:
        this.backup();
        return undefined;
    }
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = this.newVariable(pos, name);
    if (this.vars.includes(v.ident[0] as string)) return v;
    this.errorf(`undefined variable ${goQuote(v.ident[0] as string)}`);
  }

  private newNumber(t: Item): NumberNode {
    const n: NumberNode = {
      type: 'number',
      pos: t.pos,
      tree: this.info,
      text: t.val,
      isInt: false,
      isUint: false,
      isFloat: false,
      int: 0n,
      uint: 0n,
      float: 0,
    };
    if (t.type === 'charConstant') {
      let r: { value: number; next: number };
      try {
        r = unquoteChar(t.val, 1, "'");
      } catch (e) {
        this.errorf((e as Error).message);
      }
      if (t.val.slice(r.next) !== "'") this.errorf(`malformed character constant: ${t.val}`);
      n.isInt = n.isUint = n.isFloat = true;
      n.int = n.uint = BigInt(r.value);
      n.float = r.value;
      return n;
    }
    if (t.type === 'complex' || t.val.endsWith('i')) {
      // Complex constants parse in Go but have no use in docker formats; refuse them plainly.
      this.errorf(`complex constants are not supported: ${t.val}`);
    }
    const asInt = parseGoInt(t.val);
    if (asInt !== undefined) {
      if (asInt >= 0n && asInt <= 0xffffffffffffffffn) {
        n.isUint = true;
        n.uint = asInt;
      }
      if (asInt >= -0x8000000000000000n && asInt <= 0x7fffffffffffffffn) {
        n.isInt = true;
        n.int = asInt;
        if (asInt === 0n) n.isUint = true;
      }
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float = Number(n.int);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float = Number(n.uint);
    } else {
      const f = parseGoFloat(t.val);
      if (f !== undefined) {
        if (!/[.eEpP]/.test(t.val)) this.errorf(`integer overflow: ${goQuote(t.val)}`);
        n.isFloat = true;
        n.float = f;
        if (Number.isInteger(f) && Math.abs(f) <= Number.MAX_SAFE_INTEGER) {
          n.isInt = true;
          n.int = BigInt(f);
          if (f >= 0) {
            n.isUint = true;
            n.uint = BigInt(f);
          }
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${goQuote(t.val)}`);
    return n;
  }
}

/** strconv.ParseInt(s, 0, 64) without the range check: prefixes, underscores, sign. */
function parseGoInt(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  let digits = s;
  let prefixed = false;
  if (/^0[xX]/.test(s)) {
    base = 16;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[oO]/.test(s)) {
    base = 8;
    digits = s.slice(2);
    prefixed = true;
  } else if (/^0[bB]/.test(s)) {
    base = 2;
    digits = s.slice(2);
    prefixed = true;
  } else if (s.length > 1 && s[0] === '0') {
    base = 8;
    digits = s.slice(1);
    prefixed = true;
  }
  if (digits.includes('_')) {
    // Underscores only between digits (or after a base prefix), never doubled or trailing.
    if (!/^_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*$/.test(digits) || (digits.startsWith('_') && !prefixed)) return undefined;
    digits = digits.replace(/_/g, '');
  }
  const valid = { 2: /^[01]+$/, 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ }[base as 2 | 8 | 10 | 16];
  if (!valid.test(digits)) return undefined;
  const prefix = base === 16 ? '0x' : base === 8 ? '0o' : base === 2 ? '0b' : '';
  const v = BigInt(prefix + digits);
  return neg ? -v : v;
}

/** Go's underscoreOK: `_` only between digits, or right after a base prefix. */
function underscoresOK(text: string): boolean {
  const s = text.replace(/^[+-]/, '');
  const hex = /^0[xX]/.test(s);
  const digit = hex ? /[0-9a-fA-F]/ : /[0-9]/;
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '_') continue;
    const prev = s[i - 1] ?? '';
    const next = s[i + 1] ?? '';
    const afterPrefix = i === 2 && /^0[xXoObB]/.test(s);
    if (!(digit.test(prev) || afterPrefix) || !digit.test(next)) return false;
  }
  return true;
}

function parseGoFloat(text: string): number | undefined {
  if (!underscoresOK(text)) return undefined;
  let s = text.replace(/_/g, '');
  if (/^[+-]?0[xX]/.test(s)) {
    const m = /^([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?[pP]([+-]?\d+)$/.exec(s);
    if (m === null) return undefined;
    const mant = parseInt(`${m[2] || '0'}${m[3] ?? ''}`, 16) / 16 ** (m[3]?.length ?? 0);
    const v = mant * 2 ** Number(m[4]);
    return m[1] === '-' ? -v : v;
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return undefined;
  s = s.replace(/^\+/, '');
  return Number(s);
}

function isEmptyTree(n: Node | undefined): boolean {
  if (n === undefined) return true;
  switch (n.type) {
    case 'list':
      return n.nodes.every(isEmptyTree);
    case 'comment':
      return true;
    case 'text':
      return n.text.trim().length === 0;
    default:
      return false;
  }
}

export { SyntaxError_ };
