import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createApiServer, listenUnix, type ApiServer } from '../../../src/api/server.js';
import type { Logger } from '../../../src/ports/logger.js';
import { FakeApis } from '../../fakes/fake-apis.js';

export interface LogRecord {
  readonly level: keyof Logger;
  readonly obj: object;
  readonly msg: string;
}

export function recordingLogger(): { log: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: keyof Logger) =>
    (obj: object, msg: string): void =>
      void records.push({ level, obj, msg });
  return { log: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }, records };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON; undefined when empty. */
  readonly json: unknown;
}

export interface RequestOptions {
  readonly body?: string | Buffer | object;
  readonly headers?: Readonly<Record<string, string | number>>;
  /** Send the body with chunked encoding (no content-length). */
  readonly chunked?: boolean;
}

/** One HTTP request over the Unix socket, on a fresh connection. */
export function request(
  socketPath: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body =
      opts.body === undefined
        ? undefined
        : typeof opts.body === 'string' || Buffer.isBuffer(opts.body)
          ? opts.body
          : JSON.stringify(opts.body);
    const headers: Record<string, string | number> = { ...opts.headers };
    if (body !== undefined && !opts.chunked) headers['content-length'] ??= Buffer.byteLength(body);
    if (body !== undefined && headers['content-type'] === undefined && typeof opts.body === 'object') {
      headers['content-type'] = 'application/json';
    }
    let answered = false;
    const req = httpRequest({ socketPath, method, path, headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = text === '' ? undefined : JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    // The server may close the connection while a huge body is still being sent (413).
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface Harness {
  readonly fakes: FakeApis;
  readonly server: ApiServer;
  readonly socket: string;
  readonly dir: string;
  readonly records: LogRecord[];
  req(method: string, path: string, opts?: RequestOptions): Promise<Reply>;
  close(): Promise<void>;
}

/** A real API server on a Unix socket in a fresh temp directory, over the fake feature APIs (FakeApis). */
export async function startHarness(
  opts: { fakes?: FakeApis; now?: () => number; bodyLimit?: number } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'vp-api-'));
  const socket = join(dir, 'virtpoint.sock');
  const fakes = opts.fakes ?? new FakeApis();
  const { log, records } = recordingLogger();
  const server = createApiServer(fakes, {
    log,
    ...(opts.now === undefined ? {} : { now: opts.now }),
    ...(opts.bodyLimit === undefined ? {} : { bodyLimit: opts.bodyLimit }),
  });
  await listenUnix(server, socket);
  return {
    fakes,
    server,
    socket,
    dir,
    records,
    req: (method, path, o) => request(socket, method, path, o),
    close: async () => {
      await server.shutdown();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The `error` object of an error answer. */
export function errorOf(reply: Reply): { code?: unknown; message?: unknown } {
  const body = reply.json as { error?: { code?: unknown; message?: unknown } } | undefined;
  return body?.error ?? {};
}
