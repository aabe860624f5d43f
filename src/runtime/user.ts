/**
 * Who a container's process runs as: docker's `--user` / image `User` forms (`name`, `uid`, `name:group`,
 * `uid:gid`, …) resolved against the container's own `/etc/passwd` and `/etc/group`, with supplementary
 * groups taken from `/etc/group` membership, as runc's `GetExecUser` does for docker.
 */
import { InvalidArgumentError } from '../errors.js';
import { readFileInRoot } from './rootfs-path.js';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

/** The user database of a root filesystem (file texts; absent files are empty). */
export interface UserDb {
  passwd: string;
  group: string;
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

const ID = /^\d+$/;
const MAX_ID = 2 ** 31 - 1;

/** Parses passwd text; malformed lines are skipped (as libc does). */
export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 7 || !ID.test(f[2]!) || !ID.test(f[3]!)) continue;
    out.push({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]!, shell: f[6]! });
  }
  return out;
}

/** Parses group text; malformed lines are skipped. */
export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    if (f.length < 4 || !ID.test(f[2]!)) continue;
    out.push({ name: f[0]!, gid: Number(f[2]), members: f[3]!.split(',').map((m) => m.trim()).filter(Boolean) });
  }
  return out;
}

function numericId(s: string, what: string): number {
  const n = Number(s);
  if (n > MAX_ID) throw new InvalidArgumentError('INVALID_USER', `${what} ${s} is out of range`);
  return n;
}

/**
 * Resolves a user spec (`""` means root) against a root filesystem's user database. Names must exist;
 * numeric ids need not (a uid not in passwd gets gid 0 and home `/`, like docker). Supplementary groups
 * are added only when no group is given explicitly.
 *
 * @throws {InvalidArgumentError} ERR_USER_NOT_FOUND, ERR_GROUP_NOT_FOUND, ERR_INVALID_USER
 */
export function resolveUser(spec: string, db: UserDb): ResolvedUser {
  const [userPart = '', groupPart, extra] = spec.split(':');
  if (extra !== undefined) throw new InvalidArgumentError('INVALID_USER', `invalid user: "${spec}"`);
  const users = parsePasswd(db.passwd);
  const groups = parseGroup(db.group);
  const out: ResolvedUser = { uid: 0, gid: 0, additionalGids: [], home: '/' };
  let name: string | undefined;
  if (userPart === '') {
    const root = users.find((u) => u.uid === 0);
    name = root?.name;
    if (root !== undefined) Object.assign(out, { gid: root.gid, home: root.home });
  } else if (ID.test(userPart)) {
    out.uid = numericId(userPart, 'uid');
    const u = users.find((e) => e.uid === out.uid);
    if (u !== undefined) {
      name = u.name;
      Object.assign(out, { gid: u.gid, home: u.home });
    }
  } else {
    const u = users.find((e) => e.name === userPart);
    if (u === undefined) {
      throw new InvalidArgumentError('USER_NOT_FOUND', `unable to find user ${userPart}: no matching entries in passwd file`);
    }
    name = u.name;
    Object.assign(out, { uid: u.uid, gid: u.gid, home: u.home });
  }
  if (groupPart !== undefined && groupPart !== '') {
    if (ID.test(groupPart)) {
      out.gid = numericId(groupPart, 'gid');
    } else {
      const g = groups.find((e) => e.name === groupPart);
      if (g === undefined) {
        throw new InvalidArgumentError('GROUP_NOT_FOUND', `unable to find group ${groupPart}: no matching entries in group file`);
      }
      out.gid = g.gid;
    }
  } else if (name !== undefined) {
    const gids = groups.filter((g) => g.members.includes(name!) && g.gid !== out.gid).map((g) => g.gid);
    out.additionalGids = [...new Set(gids)];
  }
  return out;
}

/**
 * `--group-add` values: numeric gids, or names looked up in the container's group file.
 * @throws {InvalidArgumentError} ERR_GROUP_NOT_FOUND
 */
export function resolveGroups(names: readonly string[], db: UserDb): number[] {
  const groups = parseGroup(db.group);
  return names.map((n) => {
    if (ID.test(n)) return numericId(n, 'gid');
    const g = groups.find((e) => e.name === n);
    if (g === undefined) throw new InvalidArgumentError('GROUP_NOT_FOUND', `Unable to find group ${n}: no matching entries in group file`);
    return g.gid;
  });
}

/** Reads `/etc/passwd` and `/etc/group` of a root filesystem, confined to it. Missing files are empty. */
export async function loadUserDb(rootfs: string): Promise<UserDb> {
  const [passwd, group] = await Promise.all([readFileInRoot(rootfs, '/etc/passwd'), readFileInRoot(rootfs, '/etc/group')]);
  return { passwd: passwd ?? '', group: group ?? '' };
}
