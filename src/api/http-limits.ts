/**
 * The HTTP edge of the API server (docs/api.md, "Limits"): how long a client may take to send a
 * request, how many connections may be open, and the answers to requests Node's parser refuses.
 *
 * - Headers must arrive within `headersTimeoutMs` (10 s), the whole request (headers + body)
 *   within `requestTimeoutMs` (30 s): otherwise 408 REQUEST_TIMEOUT and the connection is closed
 *   (a Content-Length larger than what is sent no longer holds a connection). Node checks the
 *   deadlines every `connectionsCheckingInterval`, set here to a quarter of the shorter one
 *   (25 ms … 1 s) so they hold to within that.
 * - Headers over Node's 16 KiB: 431 HEADERS_TOO_LARGE. Other malformed requests: 400.
 * - At most `maxConnections` (256) open connections; Node closes further ones at once (no
 *   answer: the client sees the connection closed), logged at warn once per 10 s.
 *
 * The answers to these parser-level errors are written on the socket itself (no request object
 * exists, or its handler is still waiting for the body), only when no answer has begun on that
 * connection; then the socket is ended and destroyed after a short linger, so what the client
 * still sends is read and dropped instead of resetting the connection before it reads the answer.
 */

import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

import type { ErrorCode } from '../core/errors.js';
import type { Logger } from '../ports/logger.js';

import { httpStatusOf } from './status.js';

export interface HttpLimits {
  /** Time to receive the request headers, ms. */
  readonly headersTimeoutMs: number;
  /** Time to receive the whole request (headers and body), ms; at least headersTimeoutMs. */
  readonly requestTimeoutMs: number;
  /** Open connections at most; further ones are closed at once. */
  readonly maxConnections: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxConnections: 256,
};

/** How long a socket that got a parser-level answer is kept to read what the client still sends. */
const LINGER_MS = 2_000;
const DROP_LOG_INTERVAL_MS = 10_000;

/** The code and message of a parser-level error (`clientError`). */
export function clientErrorAnswer(
  err: Error & { code?: string },
  limits: HttpLimits,
): { code: ErrorCode; message: string } {
  switch (err.code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        code: 'REQUEST_TIMEOUT',
        message:
          `the request was not received in time (headers within ${limits.headersTimeoutMs} ms, ` +
          `the whole request within ${limits.requestTimeoutMs} ms); is Content-Length larger than the body?`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        code: 'HEADERS_TOO_LARGE',
        message: 'the request headers are larger than 16 KiB; send fewer or shorter headers',
      };
    default:
      return { code: 'INVALID_ARGUMENT', message: `malformed HTTP request: ${err.message}` };
  }
}

/** A complete HTTP/1.1 error answer, as raw bytes for the socket. */
export function rawErrorResponse(code: ErrorCode, message: string): string {
  const status = httpStatusOf(code);
  const body = JSON.stringify({ error: { code, message } }) + '\n';
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`
  );
}

/** Sets the timeouts and the connection bound on `server` (before it listens) and answers parser errors. */
export function applyHttpLimits(server: Server, given: Partial<HttpLimits>, log: Logger): HttpLimits {
  const headersTimeoutMs = given.headersTimeoutMs ?? DEFAULT_HTTP_LIMITS.headersTimeoutMs;
  const limits: HttpLimits = {
    headersTimeoutMs,
    requestTimeoutMs: Math.max(
      headersTimeoutMs,
      given.requestTimeoutMs ?? DEFAULT_HTTP_LIMITS.requestTimeoutMs,
    ),
    maxConnections: given.maxConnections ?? DEFAULT_HTTP_LIMITS.maxConnections,
  };
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  // Read by Node when the server starts listening (the timer that enforces both timeouts).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.min(
    1000,
    Math.max(25, Math.floor(limits.headersTimeoutMs / 4)),
  );
  server.maxConnections = limits.maxConnections;

  let lastDropLog = -Infinity;
  server.on('drop', () => {
    const now = Date.now();
    if (now - lastDropLog < DROP_LOG_INTERVAL_MS) return;
    lastDropLog = now;
    log.warn(
      { maxConnections: limits.maxConnections },
      'api: connection refused, too many open connections (clients get the connection closed)',
    );
  });

  // The answer in progress on each connection: a parser-level answer must not cut into it.
  const current = new WeakMap<Socket, ServerResponse>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => current.set(req.socket, res));
  const answered = new WeakSet<Socket>();

  server.on('clientError', (err: Error & { code?: string }, socket: Socket) => {
    // A parser that failed once fails again on every later chunk and at the end: answer once.
    if (answered.has(socket)) return;
    answered.add(socket);
    const res = current.get(socket);
    if (err.code === 'ECONNRESET' || !socket.writable || res?.headersSent === true) {
      socket.destroy();
      return;
    }
    const { code, message } = clientErrorAnswer(err, limits);
    log.debug({ code, parserError: err.code }, `api request refused: ${message}`);
    if (res !== undefined) res.shouldKeepAlive = false;
    socket.end(rawErrorResponse(code, message));
    const linger = setTimeout(() => socket.destroy(), LINGER_MS);
    linger.unref();
    socket.once('close', () => clearTimeout(linger));
  });
  return limits;
}
