/**
 * The mark phase of garbage collection, pure: everything reachable from the roots along `refsOf`.
 * Kept apart from the storage walk so it can be tested with plain data (containerd's `gc.Tricolor`).
 */
export function mark<T>(roots: Iterable<T>, refsOf: (node: T) => Iterable<T>): Set<T> {
  const seen = new Set<T>();
  const stack = [...roots];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (seen.has(node)) continue;
    seen.add(node);
    for (const ref of refsOf(node)) if (!seen.has(ref)) stack.push(ref);
  }
  return seen;
}
