/**
 * The registry's HTTP(S) server: `/v2/…` through the route table, `/token` when token auth is on,
 * `/healthz` for probes. Every response carries `Docker-Distribution-API-Version: registry/2.0`.
 * One log line per request. `close()` shuts down gracefully: stop accepting, let in-flight requests
 * (uploads included) finish, then cut whatever is still open after the grace time.
 */
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { RegistryError } from './errcodes.js';
import { errnoCode, InvalidArgumentError, UnavailableError } from '../../errors.js';
import { sendError, sendJson, toRegistryError } from './respond.js';
import { dispatch, type Dispatch } from './routes.js';
import type { ServerContext } from './context.js';
import type { TokenService } from './auth/token-service.js';

export interface ServerOptions {
  /** `host:port`; port 0 picks a free one. */
  addr: string;
  tls?: { cert: Buffer; key: Buffer };
  tokenService?: TokenService;
  /** How long close() waits for in-flight requests before cutting them (ms). */
  shutdownGraceMs?: number;
  /**
   * Requests served at once; more are answered 429 TOOMANYREQUESTS with `Retry-After` rather than
   * queued, so an overloaded registry sheds load instead of timing everyone out (default 1024).
   */
  maxInFlight?: number;
}

export interface RunningRegistry {
  server: Server;
  /** `http(s)://host:port` it listens on. */
  url: string;
  port: number;
  /** Graceful stop; resolves when every connection is closed. Safe to call twice. */
  close(): Promise<void>;
}

export async function listen(ctx: ServerContext, options: ServerOptions): Promise<RunningRegistry> {
  const { host, port } = splitAddr(options.addr);
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    inFlight++;
    const started = process.hrtime.bigint();
    const info: Dispatch = {};
    res.setHeader('Docker-Distribution-API-Version', 'registry/2.0');
    let bytes = 0;
    const write = res.write.bind(res);
    // Count body bytes for the log without buffering anything.
    res.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (chunk instanceof Uint8Array || typeof chunk === 'string') bytes += Buffer.byteLength(chunk);
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof res.write;
    const end = res.end.bind(res);
    res.end = ((chunk?: unknown, ...rest: unknown[]) => {
      if (chunk instanceof Uint8Array || typeof chunk === 'string') bytes += Buffer.byteLength(chunk);
      return (end as (...a: unknown[]) => ServerResponse)(chunk, ...rest);
    }) as typeof res.end;
    const done = (): void => {
      inFlight--;
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      ctx.log.log('info', 'request', {
        method: req.method,
        path: (req.url ?? '').split('?')[0],
        route: info.route,
        status: res.statusCode,
        bytes,
        ms: ms.toFixed(1),
        remote: req.socket.remoteAddress,
        user: info.identity?.account,
        ua: req.headers['user-agent'],
      });
      if (inFlight === 0 && idle !== undefined) idle();
    };
    res.once('close', done);
    void serve(req, res, info).catch((err: unknown) => {
      const rerr = toRegistryError(err);
      if (!(err instanceof RegistryError)) {
        ctx.log.log('error', 'request failed', { method: req.method, path: (req.url ?? '').split('?')[0], error: String((err as Error)?.message ?? err) });
      }
      sendError(res, rerr);
    });
  };

  const maxInFlight = options.maxInFlight ?? 1024;
  const serve = async (req: IncomingMessage, res: ServerResponse, info: Dispatch): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://registry.invalid');
    if (url.pathname === '/healthz') {
      info.route = 'health';
      await ctx.storage.driver.list('/').catch(() => []);
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    if (inFlight > maxInFlight) {
      throw new RegistryError('TOOMANYREQUESTS', { headers: { 'Retry-After': '1' }, detail: { maxInFlight } });
    }
    if (url.pathname === '/token' && options.tokenService !== undefined) {
      info.route = 'token';
      await options.tokenService.handle(req, res, url, info);
      return;
    }
    if (url.pathname === '/v2' ) {
      res.writeHead(301, { Location: '/v2/', 'Content-Length': 0 });
      res.end();
      return;
    }
    await dispatch(req, res, url, ctx, info);
  };

  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle)
    : createHttpServer(handle);
  // Large blobs stream for a long time: no whole-request timeout; idle sockets still time out.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    const fail = (err: unknown): void => {
      const code = errnoCode(err);
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        reject(new UnavailableError('REGISTRY_LISTEN', `Cannot listen on "${options.addr}": ${code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : 'address not available'}`, { cause: err }));
      } else reject(err);
    };
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      const cut = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 30_000);
      cut.unref();
      // Keep-alive sockets that finish their last request are closed as they go idle.
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      sweep.unref();
      server.once('close', () => {
        clearInterval(sweep);
        clearTimeout(cut);
      });
      if (inFlight === 0) server.closeIdleConnections();
      else idle = () => server.closeIdleConnections();
    });
    return closing;
  };
  return { server, url, port: address.port, close };
}

/** Splits `host:port`, `[v6]:port` or `:port`. */
export function splitAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (m === null) throw new InvalidArgumentError('REGISTRY_ADDR_INVALID', `Cannot listen on "${addr}": expected host:port`);
  return { host: m[1] ?? (m[2] === '' ? '0.0.0.0' : m[2]!), port: Number(m[3]) };
}
