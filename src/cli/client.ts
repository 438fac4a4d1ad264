/**
 * The API client: JSON over HTTP/1.1 on the daemon's Unix socket (docs/api.md). Error
 * bodies `{"error":{"code","message"}}` become a VirtpointError with that code; a socket nobody
 * listens on becomes DAEMON_UNREACHABLE.
 */

import { request, type IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';

import { ERROR_CODES, VirtpointError, type ErrorCode } from '../core/errors.js';
import type { JobView } from '../contract/index.js';

export type Query = Readonly<Record<string, string | number | boolean | undefined>>;

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
  const qs = params.toString();
  return qs === '' ? path : `${path}?${qs}`;
}

export class ApiClient {
  constructor(readonly socketPath: string) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', withQuery(path, query));
  }

  /**
   * Every page of a keyset-paged list (GET /v1/points): asks for pages of `pageSize` items with
   * `after=<last id>` until a page comes back short.
   */
  async getAllPages<T extends { id: string }>(
    path: string,
    query: Query = {},
    pageSize = 1000,
    /** Stop once this many items are read. */
    max = Infinity,
  ): Promise<T[]> {
    const all: T[] = [];
    for (let after: string | undefined; ;) {
      const limit = Math.min(pageSize, max - all.length);
      const page = await this.get<T[]>(path, { ...query, limit, after });
      all.push(...page);
      const last = page.at(-1);
      if (page.length < limit || last === undefined || all.length >= max) return all;
      after = last.id;
    }
  }

  post<T>(path: string, body?: unknown): Promise<T> {
    return this.json<T>('POST', path, body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PATCH', path, body);
  }

  /** DELETE; resolves to undefined on 204. */
  delete<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('DELETE', withQuery(path, query));
  }

  /** Follows `GET /v1/jobs/{id}/events`: one JobView per NDJSON line until the daemon ends the stream. */
  async *jobEvents(id: string): AsyncGenerator<JobView> {
    const res = await this.send('GET', `/v1/jobs/${encodeURIComponent(id)}/events`);
    if (res.statusCode !== 200) throw errorFromBody(res.statusCode ?? 0, await readAll(res));
    yield* ndjson<JobView>(res);
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.send(method, path, body);
    const text = await readAll(res);
    const status = res.statusCode ?? 0;
    if (status < 200 || status > 299) throw errorFromBody(status, text);
    if (status === 204 || text === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new VirtpointError('INTERNAL', `the daemon answered ${method} ${path} with bad JSON`, {
        cause: e,
      });
    }
  }

  private send(method: string, path: string, body?: unknown): Promise<IncomingMessage> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          socketPath: this.socketPath,
          method,
          path,
          headers: {
            accept: 'application/json',
            ...(payload === undefined
              ? {}
              : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
          },
        },
        resolve,
      );
      req.on('error', (e) => reject(this.connectError(e)));
      req.end(payload);
    });
  }

  private connectError(e: Error & { code?: string }): VirtpointError {
    if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED' || e.code === 'ENOTSOCK') {
      return new VirtpointError(
        'DAEMON_UNREACHABLE',
        `cannot reach virtpointd at ${this.socketPath} (${e.code}): start virtpointd ` +
          '(systemctl start virtpointd) or point --socket / VIRTPOINT_SOCKET at its socket',
        { cause: e },
      );
    }
    if (e.code === 'EACCES') {
      return new VirtpointError(
        'PERMISSION_DENIED',
        `no permission to open ${this.socketPath}: run as root or as a member of the virtpoint group`,
        { cause: e },
      );
    }
    return new VirtpointError('DAEMON_UNREACHABLE', `connection to ${this.socketPath} failed: ${e.message}`, {
      cause: e,
    });
  }
}

function readAll(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    res.on('error', reject);
  });
}

/** An error answer → VirtpointError with the body's code (INTERNAL when the body has none we know). */
export function errorFromBody(status: number, text: string): VirtpointError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const err = (parsed as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  const message = typeof err?.message === 'string' ? err.message : `HTTP ${status}: ${text.slice(0, 200)}`;
  if (typeof err?.code === 'string' && KNOWN_CODES.has(err.code)) {
    return new VirtpointError(err.code as ErrorCode, message, { details: { status } });
  }
  const extra = typeof err?.code === 'string' ? ` [${err.code}]` : '';
  return new VirtpointError('INTERNAL', message + extra, { details: { status } });
}

/** Splits a byte stream into JSON values, one per non-empty line. */
export async function* ndjson<T>(stream: AsyncIterable<Buffer | string>): AsyncGenerator<T> {
  const decoder = new StringDecoder('utf8');
  let buf = '';
  for await (const chunk of stream) {
    buf += typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let nl = buf.indexOf('\n');
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line !== '') yield parseLine<T>(line);
      nl = buf.indexOf('\n');
    }
  }
  buf += decoder.end();
  if (buf.trim() !== '') yield parseLine<T>(buf.trim());
}

function parseLine<T>(line: string): T {
  try {
    return JSON.parse(line) as T;
  } catch (e) {
    throw new VirtpointError('INTERNAL', `bad NDJSON line from the daemon: ${line.slice(0, 100)}`, {
      cause: e,
    });
  }
}
