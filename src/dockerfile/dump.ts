/**
 * The parse tree in BuildKit's dump format, the format of its parser golden files:
 * one `(keyword ["--flag"] "arg" …)` line per instruction, Go-quoted.
 */
import { goQuote } from '../go-compat.js';
import { goLower, trimSpace } from './_go.js';
import type { Node } from './node.js';

/** Dumps `node` (normally a ParseResult's `ast`) as BuildKit's `Node.Dump()` does. */
export function dump(node: Node): string {
  let out = goLower(node.value);
  if (node.flags.length > 0) out += ' [' + node.flags.map(goQuote).join(' ') + ']';
  for (const child of node.children) out += '(' + dump(child) + ')\n';
  for (let n = node.next; n !== null; n = n.next) {
    out += ' ' + (n.children.length > 0 ? dump(n) : goQuote(n.value));
  }
  return trimSpace(out);
}
