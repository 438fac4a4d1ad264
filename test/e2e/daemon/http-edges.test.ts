import test from 'ava';
import { connect } from 'node:net';
import { withDaemon } from '../../helpers/daemon.js';

// The HTTP edge of the real virtpointd with its default limits (issue 11 §4; unit tests with
// short timeouts: test/unit/api/http-limits.test.ts): 408 for a body shorter than its
// Content-Length (10 s headers / 30 s request), 413 read by the client without a reset, 431.

interface Exchange {
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly error: string | undefined;
  readonly ms: number;
}

function exchange(
  socketPath: string,
  parts: readonly (string | Buffer)[],
  giveUpMs: number,
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
      reject(new Error(`no close within ${giveUpMs} ms`));
    }, giveUpMs);
    c.on('data', (d: Buffer) => chunks.push(d));
    c.on('error', (e: NodeJS.ErrnoException) => void (error ??= e.code ?? e.message));
    c.on('close', () => {
      clearTimeout(guard);
      const text = Buffer.concat(chunks).toString('utf8');
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1];
      const code = /"code":"([A-Z_]+)"/.exec(text)?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        code,
        error,
        ms: performance.now() - started,
      });
    });
  });
}

const post = (length: number) =>
  `POST /v1/backups HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\ncontent-length: ${length}\r\n\r\n`;

test('408 for a short body, 413 for 2 MiB without a reset, 431 for a 20 KB header; the daemon serves on', async (t) => {
  const d = await withDaemon(t);

  const short = await exchange(d.socket, [post(1000), '{"domain":'], 45_000);
  t.is(short.status, 408);
  t.is(short.code, 'REQUEST_TIMEOUT');
  t.true(short.ms < 32_000, `answered after ${Math.round(short.ms)} ms (limit 30 s + 1 s check)`);

  const body = Buffer.alloc(2 * 1024 * 1024, 0x20);
  const big = await exchange(d.socket, [post(body.length), body], 20_000);
  t.is(big.status, 413);
  t.is(big.code, 'BODY_TOO_LARGE');
  t.is(big.error, undefined, 'no EPIPE/ECONNRESET');

  const header = await exchange(
    d.socket,
    [`GET /v1/status HTTP/1.1\r\nhost: localhost\r\nx-big: ${'a'.repeat(20 * 1024)}\r\n\r\n`],
    20_000,
  );
  t.is(header.status, 431);
  t.is(header.code, 'HEADERS_TOO_LARGE');

  t.is((await d.cli(['status'])).code, 0);
});
