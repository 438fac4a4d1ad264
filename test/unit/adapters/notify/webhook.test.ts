import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { sendWebhook, type WebhookOptions } from '../../../../src/adapters/notify/webhook.js';
import { payload } from './helpers.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Reply = (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void;

/** A server on 127.0.0.1, port 0, that records requests and answers with `reply`. */
async function serve(reply: Reply) {
  const seen: Seen[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      reply(req, res, seen.length);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    seen,
    base: `http://127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const status =
  (code: number, body = '') =>
  (_req: http.IncomingMessage, res: http.ServerResponse) =>
    res.writeHead(code, { 'content-type': 'text/plain' }).end(body);

const fast: WebhookOptions = { retryDelayMs: 1, timeoutMs: 2000 };

test('success: one POST with JSON, content-type and user-agent', async (t) => {
  const s = await serve(status(204));
  t.teardown(s.close);
  const r = await sendWebhook(s.url, payload, { ...fast, userAgent: 'virtpoint/9.8.7' });
  t.true(r.ok);
  t.is(r.attempts, 1);
  t.is(r.httpStatus, 204);
  t.is(r.error, undefined);
  t.is(r.receiver, `webhook:${s.url}`);
  t.true(r.durationMs >= 0);
  t.is(s.seen.length, 1);
  const req = s.seen[0];
  t.is(req?.method, 'POST');
  t.is(req?.url, '/hook');
  t.is(req?.headers['content-type'], 'application/json');
  t.is(req?.headers['user-agent'], 'virtpoint/9.8.7');
  t.deepEqual(JSON.parse(req?.body ?? ''), payload);
});

test('500 then 200: retried, attempts=2, backoff waited', async (t) => {
  const s = await serve((req, res, n) => status(n === 1 ? 500 : 200)(req, res));
  t.teardown(s.close);
  const waits: number[] = [];
  const r = await sendWebhook(s.url, payload, {
    ...fast,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  t.true(r.ok);
  t.is(r.attempts, 2);
  t.is(s.seen.length, 2);
  t.deepEqual(waits, [1]);
});

test('always 500: 4 tries with exponential backoff, then failed', async (t) => {
  const s = await serve(status(500, 'database on fire'));
  t.teardown(s.close);
  const waits: number[] = [];
  const r = await sendWebhook(s.url, payload, {
    retryDelayMs: 1000,
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  });
  t.false(r.ok);
  t.is(r.attempts, 4);
  t.is(s.seen.length, 4);
  t.deepEqual(waits, [1000, 2000, 4000]);
  t.is(r.httpStatus, 500);
  t.is(r.error?.code, 'IO_ERROR');
  t.regex(r.error?.message ?? '', /HTTP 500.*database on fire.*gave up after 4 tries/);
});

test('429 is retried', async (t) => {
  const s = await serve((req, res, n) => status(n === 1 ? 429 : 200)(req, res));
  t.teardown(s.close);
  const r = await sendWebhook(s.url, payload, fast);
  t.true(r.ok);
  t.is(r.attempts, 2);
});

test('400: no retry', async (t) => {
  const s = await serve(status(400, 'bad payload'));
  t.teardown(s.close);
  const r = await sendWebhook(s.url, payload, fast);
  t.false(r.ok);
  t.is(r.attempts, 1);
  t.is(s.seen.length, 1);
  t.is(r.httpStatus, 400);
  t.regex(r.error?.message ?? '', /HTTP 400.*bad payload/);
});

test('a server that never answers: timeout on each try', async (t) => {
  const s = await serve(() => undefined);
  t.teardown(s.close);
  const r = await sendWebhook(s.url, payload, { retryDelayMs: 1, timeoutMs: 150, retries: 1 });
  t.false(r.ok);
  t.is(r.attempts, 2);
  t.is(s.seen.length, 2);
  t.regex(r.error?.message ?? '', /timeout/);
  t.true(r.durationMs >= 250);
});

test('connection refused: retried, then failed', async (t) => {
  const s = await serve(status(200));
  const url = s.url;
  await s.close();
  const r = await sendWebhook(url, payload, fast);
  t.false(r.ok);
  t.is(r.attempts, 4);
  t.is(r.httpStatus, undefined);
  t.regex(r.error?.message ?? '', /ECONNREFUSED/);
});

test('307 to the same scheme is followed with the body; 302 and other schemes are not', async (t) => {
  const s = await serve((req, res) => {
    if (req.url === '/hook') res.writeHead(307, { location: '/moved' }).end();
    else if (req.url === '/moved') res.writeHead(200).end();
    else if (req.url === '/found') res.writeHead(302, { location: '/moved' }).end();
    else res.writeHead(308, { location: 'https://127.0.0.1:1/x' }).end();
  });
  t.teardown(s.close);
  const ok = await sendWebhook(s.url, payload, fast);
  t.true(ok.ok);
  t.is(ok.attempts, 1);
  t.deepEqual(
    s.seen.map((x) => [x.method, x.url]),
    [
      ['POST', '/hook'],
      ['POST', '/moved'],
    ],
  );
  t.deepEqual(JSON.parse(s.seen[1]?.body ?? ''), payload);

  const found = await sendWebhook(`${s.base}/found`, payload, fast);
  t.false(found.ok);
  t.is(found.attempts, 1);
  t.regex(found.error?.message ?? '', /302 redirect .* not followed/);

  const scheme = await sendWebhook(`${s.base}/scheme`, payload, fast);
  t.false(scheme.ok);
  t.is(scheme.attempts, 1);
  t.regex(scheme.error?.message ?? '', /another scheme/);
});

test('a large response body is not read to the end', async (t) => {
  const s = await serve((_req, res) => {
    res.writeHead(200);
    const chunk = Buffer.alloc(64 * 1024, 120);
    // Keeps writing until the client goes away.
    const write = () => {
      if (res.destroyed) return;
      if (res.write(chunk)) setImmediate(write);
      else res.once('drain', write);
    };
    write();
    res.on('error', () => undefined);
  });
  t.teardown(s.close);
  const r = await sendWebhook(s.url, payload, { ...fast, maxResponseBytes: 128 * 1024 });
  t.true(r.ok);
  t.is(r.attempts, 1);
});

test('credentials and query stay out of the receiver; basic auth is sent', async (t) => {
  const s = await serve(status(200));
  t.teardown(s.close);
  const url = s.url.replace('http://', 'http://user:s3cret@') + '?token=abc';
  const r = await sendWebhook(url, payload, fast);
  t.true(r.ok);
  t.is(r.receiver, `webhook:${s.url.replace('http://', 'http://***@')}?token=***`);
  t.notRegex(JSON.stringify(r), /s3cret|abc/);
  t.is(s.seen[0]?.headers.authorization, `Basic ${Buffer.from('user:s3cret').toString('base64')}`);
  t.is(s.seen[0]?.url, '/hook?token=abc');
});

test('a bad URL is a failed result, not a throw', async (t) => {
  const r = await sendWebhook('ftp://127.0.0.1/x', payload, fast);
  t.false(r.ok);
  t.is(r.attempts, 0);
  t.is(r.error?.code, 'INVALID_ARGUMENT');
});

test('a redirect Location with credentials or a token is redacted in the error', async (t) => {
  const s = await serve((_req, res) =>
    res.writeHead(302, { location: 'http://bob:hunter2@elsewhere.example/new?sig=abc123' }).end(),
  );
  t.teardown(s.close);
  const r = await sendWebhook(s.url, payload, fast);
  t.false(r.ok);
  t.regex(
    r.error?.message ?? '',
    /redirect to http:\/\/\*\*\*@elsewhere\.example\/new\?sig=\*\*\* not followed/,
  );
  t.notRegex(JSON.stringify(r), /hunter2|abc123/);
});

test('an invalid webhook URL is redacted in its error too', async (t) => {
  const r = await sendWebhook('ftp://bob:hunter2@127.0.0.1/x?token=abc123', payload, fast);
  t.is(r.error?.code, 'INVALID_ARGUMENT');
  t.notRegex(JSON.stringify(r), /hunter2|abc123/);
});
