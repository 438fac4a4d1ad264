/**
 * The HTTP/1.1 + JSON server of the control API. `createApiServer` builds a `node:http` Server
 * (the daemon calls `listenUnix` or `.listen(socketPath)`); every request is routed, its input
 * validated, its feature's API called, and any error mapped to a coded JSON answer — a handler error never
 * escapes, so bad input never takes the daemon down.
 */

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

import { VirtpointError } from '../core/errors.js';
import type { Logger } from '../ports/logger.js';

import { DEFAULT_BODY_LIMIT, readJsonBody } from './body.js';
import { sendError, sendJson } from './respond.js';
import type { Router } from './router.js';
import type { Apis, RouteSpec } from './routes/context.js';
import { buildRouter } from './routes/index.js';
import { applyHttpLimits, type HttpLimits } from './http-limits.js';
import { toHttpError } from './status.js';
import { expectNoBody } from './routes/parse.js';

export { listenUnix, type ListenUnixOptions } from './listen.js';

export interface ApiServerOptions {
  readonly log: Logger;
  /** Largest accepted request body in bytes (default 1 MiB). */
  readonly bodyLimit?: number;
  /** The clock for `since=24h` windows (default Date.now). */
  readonly now?: () => number;
  /** Request timeouts and the connection bound (default: DEFAULT_HTTP_LIMITS, docs/api.md). */
  readonly http?: Partial<HttpLimits>;
  /** Adds routes outside the feature APIs (the daemon's test-only clock). */
  readonly extraRoutes?: (router: Router<RouteSpec>) => void;
}

export interface ApiServer extends Server {
  /** True once `shutdown()` was called: new requests get 503 SHUTTING_DOWN. */
  readonly shuttingDown: boolean;
  /**
   * Stops accepting: closes the listener, answers new requests on open connections with 503
   * SHUTTING_DOWN, ends the event streams, closes idle connections. Resolves once every
   * connection is closed (in-flight requests are allowed to finish).
   */
  shutdown(): Promise<void>;
}

export function createApiServer(apis: Apis, opts: ApiServerOptions): ApiServer {
  const { log } = opts;
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const now = opts.now ?? Date.now;
  const router = buildRouter();
  opts.extraRoutes?.(router);
  const streams = new Set<() => void>();
  let shuttingDown = false;
  let closed: Promise<void> | undefined;

  const trackStream = (end: () => void) => {
    streams.add(end);
    return () => void streams.delete(end);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
    const context = { method: req.method, path };
    const started = performance.now();
    res.on('finish', () =>
      log.debug(
        { ...context, status: res.statusCode, ms: Math.round(performance.now() - started) },
        'api request',
      ),
    );
    try {
      if (shuttingDown) {
        throw new VirtpointError('SHUTTING_DOWN', 'virtpointd is shutting down; try again once it is back');
      }
      const match = router.match(req.method ?? 'GET', path);
      if (match.kind === 'not-found') {
        throw new VirtpointError('NOT_FOUND', `no route ${req.method ?? ''} ${path}; see docs/api.md`);
      }
      if (match.kind === 'method-not-allowed') {
        res.setHeader('allow', match.allow.join(', '));
        throw new VirtpointError(
          'METHOD_NOT_ALLOWED',
          `${req.method ?? ''} is not allowed on ${path}; allowed: ${match.allow.join(', ')}`,
        );
      }
      const spec: RouteSpec = match.handler;
      const body = await readJsonBody(req, bodyLimit);
      if (!spec.body) expectNoBody(body);
      const result = await spec.handle({
        apis,
        params: match.params,
        query,
        body,
        req,
        res,
        log,
        now,
        trackStream,
      });
      if (result === 'streamed') return;
      if (shuttingDown) res.shouldKeepAlive = false;
      sendJson(res, result.status, result.body, result.headers);
    } catch (e) {
      const error = toHttpError(e, log, context);
      // After a refused or partly read body the connection cannot be reused: close it.
      const closeConnection = shuttingDown || error.body.error.code === 'BODY_TOO_LARGE' || !req.complete;
      if (closeConnection) res.shouldKeepAlive = false;
      sendError(res, error, closeConnection ? { connection: 'close' } : {});
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // Only reachable if answering itself failed; never let it reach the process.
      log.error({ err: e }, 'api: answering a request failed');
      res.destroy();
    });
  }) as ApiServer;

  applyHttpLimits(server, opts.http ?? {}, log); // timeouts (408), 431, connection bound

  Object.defineProperty(server, 'shuttingDown', { get: () => shuttingDown });
  server.shutdown = () => {
    shuttingDown = true;
    closed ??= new Promise<void>((resolve) => {
      if (!server.listening) {
        resolve();
        return;
      }
      server.close(() => resolve());
      for (const end of [...streams]) end();
      server.closeIdleConnections();
    });
    return closed;
  };
  return server;
}
