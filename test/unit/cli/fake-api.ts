/**
 * A fake virtpointd API for the CLI tests: node:http on a temp Unix socket, answering canned JSON
 * per `METHOD /path`, recording every request; `runCli` is run in-process with captured output.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { ExecutionContext } from 'ava';

import type { CliIo } from '../../../src/cli/context.js';
import { runCli } from '../../../src/cli/run.js';
import type { JobView } from '../../../src/contract/index.js';

export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: unknown;
}

export type Answer =
  { readonly status?: number; readonly body?: unknown } | ((req: SeenRequest, res: ServerResponse) => void);

export interface FakeApi {
  readonly socket: string;
  readonly requests: SeenRequest[];
}

export async function startFakeApi(t: ExecutionContext, routes: Record<string, Answer>): Promise<FakeApi> {
  const dir = mkdtempSync(join(tmpdir(), 'vpt-cli-'));
  const socket = join(dir, 'api.sock');
  const requests: SeenRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const text = Buffer.concat(chunks).toString('utf8');
      const seen: SeenRequest = {
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(seen);
      const answer = routes[`${seen.method} ${seen.path}`];
      if (answer === undefined)
        return send(res, 404, { error: { code: 'NOT_FOUND', message: 'no such route' } });
      if (typeof answer === 'function') return answer(seen, res);
      send(res, answer.status ?? 200, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  t.teardown(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });
  return { socket, requests };
}

export function send(res: ServerResponse, status: number, body: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** An NDJSON events answer: one job per line, `gapMs` apart, then the end of the stream. */
export function events(jobs: readonly JobView[], gapMs = 5): Answer {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    let i = 0;
    const next = (): void => {
      const job = jobs[i++];
      if (job === undefined) return void res.end();
      // Split a line across two writes so the reader must join chunks.
      const line = JSON.stringify(job) + '\n';
      res.write(line.slice(0, 7));
      res.write(line.slice(7));
      setTimeout(next, gapMs);
    };
    next();
  };
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `runCli` with captured output; `socket` is passed as `--socket` unless null. */
export async function run(
  socket: string | null,
  argv: string[],
  opts: Partial<Pick<CliIo, 'env' | 'isTTY' | 'progressIntervalMs' | 'interrupted'>> = {},
): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(socket === null ? argv : [...argv, '--socket', socket], {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    // Human times are local: a fixed zone keeps the expected output independent of the host's.
    env: { TZ: 'UTC', ...opts.env },
    isTTY: opts.isTTY ?? false,
    progressIntervalMs: opts.progressIntervalMs ?? 0,
    ...(opts.interrupted === undefined ? {} : { interrupted: opts.interrupted }),
  });
  return { code, stdout, stderr };
}
