// node:http (or https) servers for the stub roles, driven by server-stub/core.
// One server per role (MP, WSUS, DP), as on a real site where they are
// different hosts; each binds 127.0.0.1 unless told otherwise and answers
// GET /health and GET /metrics (Prometheus text, see metrics.ts). Bad input never crashes a server: every request is read with
// a size limit and a timeout, every handler runs inside a guard, and every
// refusal is counted by reason.

import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { CcmMethodRewriter } from './ccm-method.js';
import type { Logger } from 'pino';
import { WireError, MAX_PAYLOAD_BYTES } from '../../agent/wire/errors.js';
import { Registry } from 'prom-client';
import { exposition, httpMetrics, METRICS_CONTENT_TYPE } from './metrics.js';

export type Role = 'mp' | 'wsus' | 'dp';

/** What a role does with a request whose body has been read. */
export type RoleHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer, ctx: RequestContext) => void | Promise<void>;

export interface RequestContext {
  readonly role: Role;
  /** counts a refused request by reason (WireError code, HTTP status, ...) */
  refuse(reason: string): void;
}

export interface TlsOptions {
  readonly cert: string | Buffer;
  readonly key: string | Buffer;
}

export interface ServeOptions {
  readonly host?: string;
  readonly port?: number;
  readonly tls?: TlsOptions | undefined;
  readonly maxBodyBytes?: number;
  readonly logger: Logger;
  /** accept the CCM_POST method (the MP): connections pass through CcmMethodRewriter */
  readonly ccmPost?: boolean;
  /** the host name in the server's URL (what the MP hands out) when it is not the bound address: a Kubernetes Service name behind 0.0.0.0 */
  readonly publicHost?: string | undefined;
  /** more for GET /health, read at each request (suca-fleet stub: its clock and scenario hash, for run --mp to align with) */
  readonly health?: (() => object) | undefined;
}

export interface RoleServer {
  readonly role: Role;
  readonly url: string;
  readonly server: Server;
  /** requests answered, and refused by reason */
  readonly stats: { requests: number; refused: Map<string, number> };
  /** this server's own registry for GET /metrics (the HTTP families; the role adds its own, read when scraped) */
  readonly metrics: Registry;
  close(): Promise<void>;
}

/** A plain-text 4xx/5xx with a body that says what was wrong. */
export function sendError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = message.endsWith('\n') ? message : message + '\n';
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** Starts one role's server; resolves once it listens. */
export async function serveRole(role: Role, handler: RoleHandler, o: ServeOptions): Promise<RoleServer> {
  const log = o.logger.child({ role });
  const maxBody = o.maxBodyBytes ?? MAX_PAYLOAD_BYTES;
  const stats = { requests: 0, refused: new Map<string, number>() };
  const refuse = (reason: string) => stats.refused.set(reason, (stats.refused.get(reason) ?? 0) + 1);
  const ctx: RequestContext = { role, refuse };
  const metrics = new Registry();
  httpMetrics(metrics, role, stats);

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    stats.requests++;
    if (req.method === 'GET' && (req.url === '/health' || req.url === '/health/')) {
      const body = JSON.stringify({ role, ok: true, requests: stats.requests, refused: Object.fromEntries(stats.refused), ...o.health?.() }) + '\n';
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (req.method === 'GET' && (req.url === '/metrics' || req.url === '/metrics/')) {
      exposition(metrics).then(
        (body) => {
          res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
          res.end(body);
        },
        (err: unknown) => fail(res, err),
      );
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBody) {
      refuse('SUCA_ERR_WIRE_TOO_LARGE');
      sendError(res, 413, `SUCA_ERR_WIRE_TOO_LARGE: request body of ${declared} bytes is over the limit of ${maxBody}`);
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > maxBody) {
        over = true;
        refuse('SUCA_ERR_WIRE_TOO_LARGE');
        sendError(res, 413, `SUCA_ERR_WIRE_TOO_LARGE: request body over the limit of ${maxBody} bytes`);
        req.resume();
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => refuse('request-aborted'));
    req.on('end', () => {
      if (over) return;
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      try {
        const r = handler(req, res, body, ctx);
        if (r !== undefined) r.catch((err: unknown) => fail(res, err));
      } catch (err) {
        fail(res, err);
      }
    });
  };

  const fail = (res: ServerResponse, err: unknown): void => {
    if (err instanceof WireError) {
      refuse(err.code);
      log.debug({ code: err.code, where: err.where }, 'bad request');
      sendError(res, 400, `${err.code}: ${err.message}`);
      return;
    }
    refuse('internal');
    log.error({ err }, 'handler failed');
    sendError(res, 500, 'SUCA_ERR_STUB_INTERNAL: the stub failed to answer this request (see its log)');
  };

  const server: Server = o.tls !== undefined && o.ccmPost !== true
    ? (createHttpsServer({ cert: o.tls.cert, key: o.tls.key }, onRequest) as unknown as Server)
    : createHttpServer(onRequest);
  // bounded waits: a client that sends half a request cannot hold a socket for ever
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 65_000;
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    refuse('client-error');
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nmalformed HTTP request\n');
    else socket.destroy();
    log.debug({ code: err.code }, 'client error');
  });
  // The MP listens on a plain (or TLS) socket server and hands each connection
  // to the HTTP server through the CCM_POST rewriter (see ccm-method.ts).
  const front: NetServer | null = o.ccmPost === true
    ? (o.tls !== undefined ? createTlsServer({ cert: o.tls.cert, key: o.tls.key }) : createNetServer())
    : null;
  const sockets = new Set<Socket>();
  if (front !== null) {
    front.on(o.tls !== undefined ? 'secureConnection' : 'connection', (sock: Socket) => {
      sockets.add(sock);
      sock.setNoDelay(true); // small request/answer exchanges: Nagle + delayed ACK cost ~40 ms each (measured over TLS)
      sock.on('close', () => sockets.delete(sock));
      sock.on('error', () => sock.destroy());
      server.emit('connection', new CcmMethodRewriter(sock));
    });
  }
  const listener: NetServer = front ?? server;
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      listener.off('error', reject);
      resolve();
    });
  });
  const addr = listener.address() as AddressInfo;
  const host = o.publicHost ?? (addr.family === 'IPv6' ? `[${addr.address}]` : addr.address);
  const url = `${o.tls !== undefined ? 'https' : 'http'}://${host}:${addr.port}`;
  return {
    role,
    url,
    server,
    stats,
    metrics,
    close: () =>
      new Promise<void>((resolve) => {
        for (const sock of sockets) sock.destroy();
        server.closeAllConnections();
        if (front !== null) {
          server.close();
          front.close(() => resolve());
        } else server.close(() => resolve());
      }),
  };
}
