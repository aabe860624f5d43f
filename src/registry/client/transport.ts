/**
 * The HTTP transport of the registry client: a `fetch`-compatible function over `node:http`/`https`,
 * written here because the global fetch cannot take per-registry TLS settings (extra CAs and client
 * certificates from `/etc/docker/certs.d/HOST[:PORT]/`, as docker reads them) and cannot stream a
 * Node `Readable` upload. It follows redirects for GET and HEAD (blob downloads redirect to storage),
 * dropping `Authorization` when the origin changes, and keeps connections alive per host.
 */
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { secureContextFor } from '../../tls-trust.js';
import { RawGetClient, type ConnectOptions, type StreamedBody } from './raw-get.js';

/** The body a registry request may carry: bytes, or a stream of bytes (uploads). */
export type RequestBody = string | Uint8Array | Readable | AsyncIterable<Uint8Array>;

export interface TransportOptions {
  /** Where per-registry certificates live (default `/etc/docker/certs.d`; `GANTRY_CERTS_D` in the CLI). */
  certsDir?: string;
  /** Registries (host[:port]) whose TLS certificates are not verified (`--tls-verify=false`). */
  skipVerify?: (host: string) => boolean;
  /** Milliseconds without a byte on a connection before it is dropped (default 60 000). */
  idleTimeoutMs?: number;
  /** Most parallel connections per host (default 8). */
  maxSockets?: number;
}

/**
 * A fetch-like function; `init.body` may also be a Node stream. With `streamBody: true` (a GET) a
 * 2xx body is left to `streamBodyOf(res)`, read straight off the socket into reused buffers
 * (`raw-get.ts`): blob downloads skip `node:http` and the web-stream adapter, whose per-read costs
 * were most of a pull's CPU time.
 */
export type RegistryFetch = (url: string | URL, init?: Omit<RequestInit, 'body'> & { body?: RequestBody | null; streamBody?: boolean }) => Promise<Response>;

const STREAM_BODY = Symbol('gantry.streamBody');

/** The body of a 2xx response fetched with `streamBody: true` (undefined from other fetches). */
export function streamBodyOf(res: Response): StreamedBody | undefined {
  return (res as Response & { [STREAM_BODY]?: StreamedBody })[STREAM_BODY];
}

const DEFAULT_CERTS_DIR = '/etc/docker/certs.d';

/** Where per-registry certificates live: GANTRY_CERTS_D stands in for /etc/docker/certs.d (tests, rootless setups). */
export function certsDirOf(env: NodeJS.ProcessEnv = process.env): string {
  return env['GANTRY_CERTS_D'] || DEFAULT_CERTS_DIR;
}
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** The request after a redirect to `location`: credentials are not sent on to another origin. */
function redirected<I extends { headers?: unknown }>(init: I, from: URL, location: string): { init: I; url: URL } {
  const url = new URL(location, from);
  if (url.origin === from.origin) return { init, url };
  const headers = new Headers(init.headers as ConstructorParameters<typeof Headers>[0]);
  headers.delete('authorization');
  return { init: { ...init, headers }, url };
}

/** The TLS material docker would use for a host: `*.crt` as CAs, `*.cert` + `*.key` as client pair. */
export function certsFor(certsDir: string, host: string): { ca?: string[]; cert?: string; key?: string } {
  let names: string[];
  try {
    names = readdirSync(join(certsDir, host));
  } catch {
    return {};
  }
  const out: { ca?: string[]; cert?: string; key?: string } = {};
  const cas = names.filter((n) => n.endsWith('.crt')).sort();
  if (cas.length > 0) out.ca = cas.map((n) => readFileSync(join(certsDir, host, n), 'utf8'));
  const cert = names.find((n) => n.endsWith('.cert'));
  if (cert !== undefined) {
    const key = `${cert.slice(0, -'.cert'.length)}.key`;
    if (names.includes(key)) {
      out.cert = readFileSync(join(certsDir, host, cert), 'utf8');
      out.key = readFileSync(join(certsDir, host, key), 'utf8');
    }
  }
  return out;
}

export function createTransport(opts: TransportOptions = {}): RegistryFetch {
  const agents = new Map<string, http.Agent>();
  const idle = opts.idleTimeoutMs ?? 60_000;
  // Per host, read once: every new download connection asks (raw-get.ts), and the agents too.
  const tlsByHost = new Map<string, ConnectOptions>();
  const tlsFor = (u: URL): ConnectOptions => {
    let t = tlsByHost.get(u.host);
    if (t === undefined) {
      // Node's roots, NODE_EXTRA_CA_CERTS and the host's certs.d, parsed once for all its connections.
      const secureContext = secureContextFor(certsFor(opts.certsDir ?? DEFAULT_CERTS_DIR, u.host));
      t = { ...(secureContext === undefined ? {} : { secureContext }), rejectUnauthorized: opts.skipVerify?.(u.host) !== true };
      tlsByHost.set(u.host, t);
    }
    return t;
  };
  const raw = new RawGetClient((u) => (u.protocol === 'https:' ? tlsFor(u) : {}));
  const agentFor = (u: URL): http.Agent => {
    const key = `${u.protocol}//${u.host}`;
    let agent = agents.get(key);
    if (agent === undefined) {
      const common = { keepAlive: true, maxSockets: opts.maxSockets ?? 8 };
      if (u.protocol === 'https:') {
        agent = new https.Agent({ ...common, ...tlsFor(u) });
      } else {
        agent = new http.Agent(common);
      }
      agents.set(key, agent);
    }
    return agent;
  };

  const once = (u: URL, init: Parameters<RegistryFetch>[1] = {}): Promise<{ res: http.IncomingMessage; url: URL }> =>
    new Promise((resolve, reject) => {
      const signal = init.signal ?? undefined;
      if (signal?.aborted) return reject(signal.reason);
      const headers: Record<string, string> = {};
      new Headers(init.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => (headers[k] = v));
      const body = init.body ?? undefined;
      if (typeof body === 'string' || body instanceof Uint8Array) headers['content-length'] ??= String(Buffer.byteLength(body));
      const lib = u.protocol === 'https:' ? https : http;
      const req = lib.request(u, { method: init.method ?? 'GET', headers, agent: agentFor(u) });
      const onAbort = (): void => {
        req.destroy(signal?.reason as Error);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      req.setTimeout(idle, () => req.destroy(Object.assign(new Error(`no answer from ${u.host} in ${idle} ms`), { code: 'ETIMEDOUT' })));
      req.on('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        reject(err);
      });
      req.on('response', (res) => {
        res.on('close', () => signal?.removeEventListener('abort', onAbort));
        // Idle timeout while the body streams: a stalled download fails instead of hanging.
        res.setTimeout?.(idle, () => res.destroy(Object.assign(new Error(`${u.host} stopped sending`), { code: 'ETIMEDOUT' })));
        resolve({ res, url: u });
      });
      if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
        req.end(body);
      } else {
        const src = body instanceof Readable ? body : Readable.from(body);
        src.on('error', (err) => req.destroy(err));
        src.pipe(req);
      }
    });

  return async (input, init = {}) => {
    let u = new URL(String(input));
    let current = init;
    for (let hop = 0; ; hop++) {
      if (current.streamBody === true && (current.method ?? 'GET').toUpperCase() === 'GET' && current.body == null) {
        const headers: Record<string, string> = {};
        new Headers(current.headers as ConstructorParameters<typeof Headers>[0]).forEach((v, k) => (headers[k] = v));
        const r = await raw.get(u, { headers, idleMs: idle, ...(current.signal ? { signal: current.signal } : {}) });
        const location = r.headers.get('location');
        if (REDIRECTS.has(r.status) && location !== null && hop < MAX_REDIRECTS) {
          r.body.destroy();
          ({ init: current, url: u } = redirected(current, u, location));
          continue;
        }
        const ok = r.status >= 200 && r.status < 300;
        const response = new Response(ok ? null : new Uint8Array(await r.body.readAll()), { status: r.status, statusText: r.statusText, headers: r.headers });
        Object.defineProperty(response, 'url', { value: u.toString() });
        if (ok) Object.defineProperty(response, STREAM_BODY, { value: r.body });
        return response;
      }
      const { res } = await once(u, current);
      const method = (current.method ?? 'GET').toUpperCase();
      const location = res.headers.location;
      if (REDIRECTS.has(res.statusCode ?? 0) && location !== undefined && (method === 'GET' || method === 'HEAD') && hop < MAX_REDIRECTS) {
        res.resume();
        ({ init: current, url: u } = redirected(current, u, location));
        continue;
      }
      const headers = new Headers();
      for (const [k, v] of Object.entries(res.headers)) {
        if (Array.isArray(v)) for (const x of v) headers.append(k, x);
        else if (v !== undefined) headers.set(k, v);
      }
      const status = res.statusCode ?? 500;
      const noBody = method === 'HEAD' || status === 204 || status === 304;
      if (noBody) res.resume();
      const webBody = noBody ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
      const response = new Response(webBody, { status: status < 200 ? 500 : status, statusText: res.statusMessage ?? '', headers });
      Object.defineProperty(response, 'url', { value: u.toString() });
      return response;
    }
  };
}
