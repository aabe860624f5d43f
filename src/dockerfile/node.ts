/**
 * The parse tree BuildKit's parser produces, kept in its shape so that dumps and line numbers agree
 * with BuildKit byte for byte.
 *
 * The root's `children` are the instructions. An instruction node holds the keyword as written in
 * `value` and its arguments as a chain of `next` nodes; ONBUILD's argument is a node whose single
 * child is the inner instruction: `(onbuild (run "echo" "hi"))`.
 */

/** A here-document attached to a RUN, COPY or ADD instruction. */
export interface Heredoc {
  /** The delimiter word, unquoted (`EOF` for `<<'EOF'`). */
  name: string;
  /** The file descriptor written before `<<` (`3<<EOF`), 0 otherwise. */
  fileDescriptor: number;
  /** False when any part of the delimiter was quoted: the body is then taken literally. */
  expand: boolean;
  /** True for `<<-`: leading tabs are stripped from the body (and the terminator line). */
  chomp: boolean;
  /** The body, every line with its line ending, tabs not yet stripped. */
  content: string;
}

export interface Node {
  /** The keyword as written (`RUN`, `run`), or one argument. */
  value: string;
  /** The next argument. */
  next: Node | null;
  /** The root's instructions, or ONBUILD's inner instruction. */
  children: Node[];
  heredocs: Heredoc[];
  /** `json: true` when the arguments were written as a JSON array (exec form). */
  attributes: { json?: boolean };
  /** The instruction's logical line, continuations joined, as the line parser saw it. */
  original: string;
  /** Builder flags (`--from=build`), exactly as written after unquoting. */
  flags: string[];
  /** 1-based first and last source line (the last includes heredoc bodies). */
  startLine: number;
  endLine: number;
  /** The comment lines directly above the instruction, `#` and surrounding space removed. */
  prevComment: string[];
}

/** A fresh node with defaults. */
export function makeNode(init: Partial<Node> = {}): Node {
  // Written out rather than spread: the parser makes one node per argument, and this is hot.
  return {
    value: init.value ?? '',
    next: init.next ?? null,
    children: init.children ?? [],
    heredocs: init.heredocs ?? [],
    attributes: init.attributes ?? {},
    original: init.original ?? '',
    flags: init.flags ?? [],
    startLine: init.startLine ?? 0,
    endLine: init.endLine ?? 0,
    prevComment: init.prevComment ?? [],
  };
}

// Argument nodes have no children, heredocs, flags or comments. Sharing frozen empties keeps a
// 30,000-word line from allocating 150,000 objects; a stray push fails loudly instead of leaking.
const NO_NODES: Node[] = Object.freeze([]) as unknown as Node[];
const NO_HEREDOCS: Heredoc[] = Object.freeze([]) as unknown as Heredoc[];
const NO_STRINGS: string[] = Object.freeze([]) as unknown as string[];
const NO_ATTRIBUTES: Node['attributes'] = Object.freeze({});

/**
 * An argument node: a value in an instruction's `next` chain. Its array fields are shared, frozen
 * empties (argument nodes never have children, heredocs, flags or comments).
 */
export function argNode(value: string, next: Node | null = null): Node {
  return {
    value,
    next,
    children: NO_NODES,
    heredocs: NO_HEREDOCS,
    attributes: NO_ATTRIBUTES,
    original: '',
    flags: NO_STRINGS,
    startLine: 0,
    endLine: 0,
    prevComment: NO_STRINGS,
  };
}

/** A chain of argument nodes from a list of values (`a -> b -> c`), or null for an empty list. */
export function chain(values: readonly string[]): Node | null {
  let head: Node | null = null;
  for (let i = values.length - 1; i >= 0; i--) head = argNode(values[i]!, head);
  return head;
}

/** The values of `node.next…`, flattening ONBUILD's inner instruction (BuildKit's `nodeArgs`). */
export function nodeArgs(node: Node): string[] {
  const out: string[] = [];
  for (let n = node.next; n !== null; n = n.next) {
    if (n.children.length === 0) out.push(n.value);
    else if (n.children.length === 1) {
      const sub = n.children[0]!;
      out.push(sub.value, ...nodeArgs(sub));
    }
  }
  return out;
}

/** A parser warning (BuildKit reports empty continuation lines this way). */
export interface Warning {
  short: string;
  detail: string[];
  url: string;
  /** The line the warning points at. */
  line: number;
}
