/**
 * Access scopes, in the words of docker's token spec: `repository:<name>:<action>[,<action>]`
 * (actions `pull`, `push`, `delete`, or `*`) and `registry:catalog:*`. A request needs some; a token
 * grants some; the access config decides which an account may have.
 */

export type Action = 'pull' | 'push' | 'delete' | '*';

export interface Access {
  type: 'repository' | 'registry';
  name: string;
  actions: string[];
}

/** Parses the `scope` parameters of a token request (space-separated entries, possibly repeated). */
export function parseScopes(values: string[]): Access[] {
  const out: Access[] = [];
  for (const value of values) {
    for (const entry of value.split(' ')) {
      if (entry === '') continue;
      // The name may hold a port-less host with ':'? No: repository names have no ':'; split from both ends.
      const first = entry.indexOf(':');
      const last = entry.lastIndexOf(':');
      if (first <= 0 || last === first) continue;
      const type = entry.slice(0, first);
      if (type !== 'repository' && type !== 'registry') continue;
      const actions = entry.slice(last + 1).split(',').filter((a) => a !== '');
      out.push({ type, name: entry.slice(first + 1, last), actions });
    }
  }
  return out;
}

export function formatScope(a: Access): string {
  return `${a.type}:${a.name}:${a.actions.join(',')}`;
}

/** True when `granted` covers every action of every access in `needed`. */
export function covers(granted: readonly Access[], needed: readonly Access[]): boolean {
  return needed.every((n) =>
    n.actions.every((action) =>
      granted.some((g) => g.type === n.type && g.name === n.name && (g.actions.includes(action) || g.actions.includes('*'))),
    ),
  );
}
