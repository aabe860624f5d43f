/**
 * Paths as a container sees them, on the host: its root filesystem, and the host directories bound
 * into it (`-v /host:/ctr`), which gantry mounts only inside the container's own mount namespace,
 * so a copy must go to them itself (docker's daemon mounts them for the copy instead).
 *
 * Resolution is docker's (everything up to the last `/` followed, the last component only for a
 * trailing `/` or `/.`), always inside one root: the root filesystem, or a bind's source once the
 * path is under the bind's destination. A symlink never leads out of the root it is in; one in the
 * root filesystem that leads under a bind's destination continues in the bind's source; one inside
 * a bind stays inside it (a simplification of the container's view: an absolute link in a bound
 * directory is resolved from the bound directory, never from the host's root).
 */
import { posix } from 'node:path';
import { lstatIfAny, resolveInRoot } from '../layer/index.js';
import { preserveTrailingDotOrSeparator } from './cp-paths.js';

/** A directory bound into the container. */
export interface CpBind {
  /** Absolute in the container, clean. */
  destination: string;
  /** The host directory. */
  source: string;
  readonly?: boolean;
}

/** A container path resolved on the host. */
export interface Located {
  /** The host path (for a trailing `/.` or `/` on a non-directory, that tail kept so that lstat fails). */
  host: string;
  /** The path as asked for, absolute, trailing `/` or `/.` kept. */
  abs: string;
  /** The host directory that confines it: the root filesystem or a bind's source. */
  fsRoot: string;
  /** The bind it is in, if any. */
  bind?: CpBind;
}

export class ContainerPaths {
  readonly #binds: readonly CpBind[];

  constructor(
    readonly root: string,
    binds: readonly CpBind[] = [],
  ) {
    // The deepest destination first: a bind inside another bind wins.
    this.#binds = [...binds].map((b) => ({ ...b, destination: posix.normalize(b.destination) })).sort((a, b) => b.destination.length - a.destination.length);
  }

  /** The bind whose destination holds the clean container path `p`, and the rest of `p` below it. */
  #bindOf(p: string): { bind: CpBind; rest: string } | undefined {
    for (const bind of this.#binds) {
      if (p === bind.destination) return { bind, rest: '' };
      if (p.startsWith(`${bind.destination}/`)) return { bind, rest: p.slice(bind.destination.length) };
    }
    return undefined;
  }

  /** docker's resolution of `path` (see the file's comment). */
  resolve(path: string): Located {
    const abs = preserveTrailingDotOrSeparator(posix.join('/', path), path);
    const lexical = this.#bindOf(posix.normalize(abs).replace(/(.)\/$/, '$1'));
    if (lexical !== undefined) return this.#inBind(lexical.bind, lexical.rest, abs);
    const slash = abs.lastIndexOf('/');
    const base = abs.slice(slash + 1);
    const dir = resolveInRoot(this.root, abs.slice(0, slash + 1), { followLast: true });
    // The parent led (through a symlink) under a bind's destination: on in the bind's source.
    const viaLink = this.#bindOf(this.#inContainer(this.root, dir));
    if (viaLink !== undefined) return this.#inBind(viaLink.bind, `${viaLink.rest}/${base}`, abs);
    return { host: withBase(dir, base), abs, fsRoot: this.root };
  }

  #inBind(bind: CpBind, rest: string, abs: string): Located {
    const slash = rest.lastIndexOf('/');
    const base = slash < 0 ? rest : rest.slice(slash + 1);
    const dir = resolveInRoot(bind.source, slash < 0 ? '' : rest.slice(0, slash + 1), { followLast: true });
    const tail = abs.endsWith('/.') ? '.' : abs.endsWith('/') ? '' : base;
    return { host: rest === '' ? bind.source : withBase(dir, tail), abs, fsRoot: bind.source, bind };
  }

  /** Where `l` leads with its last component followed too, as a container path (a symlink's target, fully resolved). */
  target(l: Located): string {
    const host = resolveInRoot(l.fsRoot, this.#inContainer(l.fsRoot, l.host), { followLast: true });
    const inRoot = this.#inContainer(l.fsRoot, host);
    if (l.bind === undefined) return inRoot;
    return inRoot === '/' ? l.bind.destination : posix.join(l.bind.destination, inRoot);
  }

  /** `path` resolved to the end (an extraction point, which docker's daemon follows fully). */
  resolveDir(path: string): Located {
    const abs = posix.join('/', path);
    const b = this.#bindOf(abs);
    if (b !== undefined) return { host: resolveInRoot(b.bind.source, b.rest, { followLast: true }), abs, fsRoot: b.bind.source, bind: b.bind };
    const host = resolveInRoot(this.root, abs, { followLast: true });
    const via = this.#bindOf(this.#inContainer(this.root, host));
    if (via !== undefined) return { host: resolveInRoot(via.bind.source, via.rest, { followLast: true }), abs, fsRoot: via.bind.source, bind: via.bind };
    return { host, abs, fsRoot: this.root };
  }

  /** The absolute path inside `fsRoot` of a host path under it. */
  #inContainer(fsRoot: string, host: string): string {
    return host.length <= fsRoot.length ? '/' : host.slice(fsRoot === '/' ? 0 : fsRoot.length);
  }
}

/** The resolved parent joined with the last component; `.` or `` (a trailing `/`) name the parent, which must be a directory. */
function withBase(dir: string, base: string): string {
  if (base !== '' && base !== '.') return `${dir === '/' ? '' : dir}/${base}`;
  const st = lstatIfAny(dir);
  return st === undefined || st.isDirectory() ? dir : `${dir}/${base}`;
}
