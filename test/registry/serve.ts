/**
 * Runs `gantry registry serve` (the built CLI) on a random loopback port for a test, and small HTTP
 * helpers the registry tests share.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import type { TestContext } from 'node:test';
import { gantryBin, tempDir } from '../helpers/paths.js';

export interface Served {
  url: string;
  root: string;
  child: ChildProcess;
  /** stderr so far (request log lines). */
  log(): string;
  /** SIGTERM and wait for exit; resolves to the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function serve(t: Pick<TestContext, 'after'>, args: string[] = [], root?: string): Promise<Served> {
  const dir = root ?? `${tempDir(t, 'gantry-registry-')}/root`;
  const child = spawn(process.execPath, [gantryBin, 'registry', 'serve', '--addr', '127.0.0.1:0', '--root', dir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m !== null) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`registry exited with ${code} before listening: ${err}`)));
  });
  let signalled = false;
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> => {
    // One signal only: a second SIGTERM/SIGINT makes gantry exit at once without cleanup (130).
    if (child.exitCode === null && child.signalCode === null && (!signalled || signal === 'SIGKILL')) {
      signalled = true;
      child.kill(signal);
    }
    return exited;
  };
  t.after(async () => {
    await stop('SIGKILL');
  });
  return { url, root: dir, child, log: () => err, stop };
}

export function sha256(data: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface Res {
  status: number;
  headers: Headers;
  body: Buffer;
  json<T = unknown>(): T;
}

export async function req(
  base: string,
  method: string,
  path: string,
  options: { body?: Uint8Array | string; headers?: Record<string, string> } = {},
): Promise<Res> {
  const url = path.startsWith('http') ? path : `${base}${path}`;
  const init: RequestInit = { method, headers: options.headers ?? {}, redirect: 'manual' };
  if (options.body !== undefined) init.body = typeof options.body === 'string' ? options.body : Buffer.from(options.body);
  const r = await fetch(url, init);
  const body = Buffer.from(await r.arrayBuffer());
  return {
    status: r.status,
    headers: r.headers,
    body,
    json<T>() {
      return JSON.parse(body.toString('utf8')) as T;
    },
  };
}

/** POST then PUT: the monolithic upload every setup step uses. */
export async function pushBlob(base: string, name: string, data: Uint8Array | string): Promise<string> {
  const digest = sha256(data);
  const start = await req(base, 'POST', `/v2/${name}/blobs/uploads/`);
  if (start.status !== 202) throw new Error(`POST upload: ${start.status} ${start.body.toString()}`);
  const loc = start.headers.get('location')!;
  const sep = loc.includes('?') ? '&' : '?';
  const put = await req(base, 'PUT', `${loc}${sep}digest=${digest}`, { body: data, headers: { 'Content-Type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`PUT upload: ${put.status} ${put.body.toString()}`);
  return digest;
}

export async function pushManifest(base: string, name: string, ref: string, manifest: unknown, mediaType = 'application/vnd.oci.image.manifest.v1+json'): Promise<Res> {
  const body = typeof manifest === 'string' ? manifest : JSON.stringify(manifest, null, '\t');
  return req(base, 'PUT', `/v2/${name}/manifests/${ref}`, { body, headers: { 'Content-Type': mediaType } });
}

export const SPEC_CODES = [
  'BLOB_UNKNOWN', 'BLOB_UPLOAD_INVALID', 'BLOB_UPLOAD_UNKNOWN', 'DIGEST_INVALID', 'MANIFEST_BLOB_UNKNOWN',
  'MANIFEST_INVALID', 'MANIFEST_UNKNOWN', 'NAME_INVALID', 'NAME_UNKNOWN', 'SIZE_INVALID', 'UNAUTHORIZED',
  'DENIED', 'UNSUPPORTED', 'TOOMANYREQUESTS',
];

export function errorCode(r: Res): string | undefined {
  try {
    return r.json<{ errors: { code: string }[] }>().errors[0]?.code;
  } catch {
    return undefined;
  }
}
