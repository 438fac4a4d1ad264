/** Writing answers: JSON bodies (always `content-type: application/json`) and coded errors. */

import type { ServerResponse } from 'node:http';

import type { HttpError } from './status.js';

export type Headers = Readonly<Record<string, string>>;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  if (res.headersSent || res.destroyed) return;
  if (body === undefined) {
    res.writeHead(status, { ...headers });
    res.end();
    return;
  }
  const text = JSON.stringify(body) + '\n';
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

/** Sends a coded error; when the answer has already begun (a stream), ends the connection instead. */
export function sendError(res: ServerResponse, error: HttpError, headers: Headers = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, error.status, error.body, headers);
}
