/**
 * `--init`: a tiny init as PID 1 that forwards signals and reaps zombies (docker uses tini as
 * `docker-init`). We use the host's catatonit (podman's init) or tini, bind-mounted from the host, which
 * is only safe when the binary is static: a dynamic one would need the host's loader and libc inside a
 * root filesystem that has neither. So the ELF program headers are checked for a `PT_INTERP` entry.
 */
import { open } from 'node:fs/promises';

const CANDIDATES = ['/usr/bin/catatonit', '/usr/libexec/catatonit/catatonit', '/usr/libexec/podman/catatonit', '/usr/bin/tini-static', '/usr/bin/tini'];

/** True when `path` is an ELF executable with no interpreter (statically linked). */
export async function isStaticElf(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(64);
    await handle.read(head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46) return false;
    const is64 = head[4] === 2;
    const le = head[5] === 1;
    const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
    const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
    const phoff = is64 ? Number(le ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32)) : u32(head, 28);
    const phentsize = u16(head, is64 ? 54 : 42);
    const phnum = u16(head, is64 ? 56 : 44);
    if (phnum === 0 || phentsize < 8 || phnum > 4096) return false;
    const table = Buffer.alloc(phentsize * phnum);
    await handle.read(table, 0, table.length, phoff);
    const PT_INTERP = 3;
    for (let i = 0; i < phnum; i++) if (u32(table, i * phentsize) === PT_INTERP) return false;
    return true;
  } finally {
    await handle.close();
  }
}

let found: Promise<string | undefined> | undefined;

/** The first static init binary installed on this host (memoized), or undefined. */
export function staticInitPath(): Promise<string | undefined> {
  found ??= (async () => {
    for (const c of CANDIDATES) if (await isStaticElf(c)) return c;
    return undefined;
  })();
  return found;
}
