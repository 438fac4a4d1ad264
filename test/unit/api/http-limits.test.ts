import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { clientErrorAnswer, DEFAULT_HTTP_LIMITS, rawErrorResponse } from '../../../src/api/http-limits.js';
import { createApiServer, listenUnix, type ApiServer } from '../../../src/api/server.js';
import type { HttpLimits } from '../../../src/api/http-limits.js';
import { FakeApis } from '../../fakes/fake-apis.js';
import { recordingLogger, request } from './helpers.js';

// The HTTP edge (issue 11 §4) on the real server and a temp Unix socket, with raw `net` clients:
// a body shorter than its Content-Length, headers never finished, a 2 MiB body, a 20 KB header,
// and the connection bound.

const MiB = 1024 * 1024;
const FAST: Partial<HttpLimits> = { headersTimeoutMs: 300, requestTimeoutMs: 300 };

async function serve(t: { teardown: (f: () => Promise<void>) => void }, http: Partial<HttpLimits> = FAST) {
  const dir = await mkdtemp(join(tmpdir(), 'vp-http-limits-'));
  const socket = join(dir, 'virtpoint.sock');
  const { log, records } = recordingLogger();
  const server: ApiServer = createApiServer(new FakeApis(), { log, http });
  await listenUnix(server, socket);
  t.teardown(async () => {
    server.closeAllConnections();
    await server.shutdown();
    await rm(dir, { recursive: true, force: true });
  });
  return { socket, server, records };
}

interface Exchange {
  /** Everything the server sent. */
  readonly text: string;
  readonly status: number | undefined;
  readonly json: { error?: { code?: string; message?: string } } | undefined;
  /** A socket error (ECONNRESET, EPIPE: the server closed before reading what was sent). */
  readonly error: string | undefined;
  /** ms from the first write until the server closed the connection. */
  readonly closedAfterMs: number;
}

/** Writes `parts` on a raw connection (not ending it) and collects the answer until the server closes. */
function exchange(
  socketPath: string,
  parts: readonly (string | Buffer)[],
  giveUpMs = 5000,
): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let error: string | undefined;
    const started = performance.now();
    const c = connect({ path: socketPath }, () => {
      for (const p of parts) c.write(p, () => undefined);
    });
    const guard = setTimeout(() => {
      c.destroy();
      reject(
        new Error(`no close within ${giveUpMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString())}`),
      );
    }, giveUpMs);
    c.on('data', (d: Buffer) => chunks.push(d));
    c.on('error', (e: NodeJS.ErrnoException) => {
      error ??= e.code ?? e.message;
    });
    c.on('close', () => {
      clearTimeout(guard);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1];
      const bodyAt = text.indexOf('\r\n\r\n');
      let json: Exchange['json'];
      try {
        json = bodyAt < 0 ? undefined : (JSON.parse(text.slice(bodyAt + 4)) as Exchange['json']);
      } catch {
        json = undefined;
      }
      resolve({
        text,
        status: status === undefined ? undefined : Number(status),
        json,
        error,
        closedAfterMs: performance.now() - started,
      });
    });
  });
}

const post = (headers: Record<string, string | number>) =>
  'POST /v1/backups HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\n' +
  Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('') +
  '\r\n';

test('a body shorter than its Content-Length: 408 REQUEST_TIMEOUT within the timeout, connection freed', async (t) => {
  const { socket, records } = await serve(t);
  const r = await exchange(socket, [post({ 'content-length': 1000 }), '{"domain":']);
  t.is(r.status, 408, r.text);
  t.is(r.json?.error?.code, 'REQUEST_TIMEOUT');
  t.regex(r.json?.error?.message ?? '', /Content-Length/);
  t.true(r.closedAfterMs >= 250, `closed after ${r.closedAfterMs} ms, before the timeout`);
  t.true(r.closedAfterMs < 2000, `closed after ${r.closedAfterMs} ms`);
  // The server goes on serving; the handler that waited for the body fails quietly (no answer twice).
  t.is((await request(socket, 'GET', '/v1/status')).status, 200);
  t.deepEqual(
    records.filter((x) => x.level === 'error' || x.level === 'warn'),
    [],
  );
});

test('headers that never end: 408 within the headers timeout', async (t) => {
  const { socket } = await serve(t);
  const r = await exchange(socket, ['GET /v1/status HTTP/1.1\r\nhost: localhost\r\n']);
  t.is(r.status, 408, r.text);
  t.is(r.json?.error?.code, 'REQUEST_TIMEOUT');
  t.true(r.closedAfterMs < 2000, `closed after ${r.closedAfterMs} ms`);
});

test('a 2 MiB body: the documented 413 BODY_TOO_LARGE is read by the client, no reset', async (t) => {
  const { socket } = await serve(t, { headersTimeoutMs: 5000, requestTimeoutMs: 10_000 });
  const body = Buffer.alloc(2 * MiB, 0x20);
  const r = await exchange(socket, [post({ 'content-length': body.length }), body]);
  t.is(r.error, undefined, 'the server read what was sent before closing: no EPIPE/ECONNRESET');
  t.is(r.status, 413, r.text.slice(0, 200));
  t.is(r.json?.error?.code, 'BODY_TOO_LARGE');
  t.regex(r.text, /\r\nconnection: close\r\n/i);
});

test('a 2 MiB chunked body (no length): 413 as well, no reset', async (t) => {
  const { socket } = await serve(t, { headersTimeoutMs: 5000, requestTimeoutMs: 10_000 });
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const parts: (string | Buffer)[] = [post({ 'transfer-encoding': 'chunked' })];
  for (let i = 0; i < 32; i++) parts.push(`${chunk.length.toString(16)}\r\n`, chunk, '\r\n');
  parts.push('0\r\n\r\n');
  const r = await exchange(socket, parts);
  t.is(r.error, undefined, 'the server read what was sent before closing: no EPIPE/ECONNRESET');
  t.is(r.status, 413);
  t.is(r.json?.error?.code, 'BODY_TOO_LARGE');
});

test('a 20 KB header: 431 HEADERS_TOO_LARGE (not 413)', async (t) => {
  const { socket } = await serve(t, { headersTimeoutMs: 5000, requestTimeoutMs: 10_000 });
  const r = await exchange(socket, [
    `GET /v1/status HTTP/1.1\r\nhost: localhost\r\nx-big: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
  ]);
  t.is(r.error, undefined, 'the server read what was sent before closing: no EPIPE/ECONNRESET');
  t.is(r.status, 431, r.text);
  t.is(r.json?.error?.code, 'HEADERS_TOO_LARGE');
});

test('malformed HTTP is still 400 INVALID_ARGUMENT, answered once', async (t) => {
  const { socket } = await serve(t);
  const r = await exchange(socket, ['NOT HTTP AT ALL\r\n\r\nmore garbage\r\n\r\n']);
  t.is(r.status, 400);
  t.is(r.json?.error?.code, 'INVALID_ARGUMENT');
  t.is(r.text.match(/HTTP\/1\.1 /g)?.length, 1, 'one answer');
});

test('connections are bounded: the one over maxConnections is closed unanswered, later ones work', async (t) => {
  const { socket, records } = await serve(t, { maxConnections: 2 });
  const open = () =>
    new Promise<ReturnType<typeof connect>>((resolve, reject) => {
      const c = connect({ path: socket }, () => resolve(c));
      c.on('error', reject);
    });
  const a = await open();
  const b = await open();
  const over = await exchange(socket, ['GET /v1/status HTTP/1.1\r\nhost: localhost\r\n\r\n']);
  t.is(over.status, undefined, 'no answer');
  t.is(over.text, '');
  t.true(records.some((r) => r.level === 'warn' && /too many open connections/.test(r.msg)));
  a.destroy();
  b.destroy();
  await new Promise((r) => setTimeout(r, 100));
  t.is((await request(socket, 'GET', '/v1/status')).status, 200);
});

test('defaults: 10 s headers, 30 s request, 256 connections; the server gets them', (t) => {
  t.deepEqual(DEFAULT_HTTP_LIMITS, {
    headersTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    maxConnections: 256,
  });
  const server = createApiServer(new FakeApis(), { log: recordingLogger().log });
  t.is(server.headersTimeout, 10_000);
  t.is(server.requestTimeout, 30_000);
  t.is(server.maxConnections, 256);
});

test('clientErrorAnswer and rawErrorResponse: codes, statuses and a complete answer', (t) => {
  const answer = (code: string) =>
    clientErrorAnswer(Object.assign(new Error('x'), { code }), DEFAULT_HTTP_LIMITS);
  t.is(answer('ERR_HTTP_REQUEST_TIMEOUT').code, 'REQUEST_TIMEOUT');
  t.is(answer('HPE_HEADER_OVERFLOW').code, 'HEADERS_TOO_LARGE');
  t.is(answer('HPE_INVALID_METHOD').code, 'INVALID_ARGUMENT');
  const raw = rawErrorResponse('HEADERS_TOO_LARGE', 'too big');
  t.regex(raw, /^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  t.regex(raw, new RegExp(`content-length: ${Buffer.byteLength(body)}\r\n`));
  t.deepEqual(JSON.parse(body), { error: { code: 'HEADERS_TOO_LARGE', message: 'too big' } });
});
