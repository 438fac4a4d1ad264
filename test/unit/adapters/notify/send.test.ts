import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import {
  createRunNotifier,
  describeReceiver,
  formatReceiver,
  parseReceiver,
  sendAll,
} from '../../../../src/adapters/notify/index.js';
import { isVirtpointError } from '../../../../src/core/errors.js';
import type { Receiver } from '../../../../src/ports/notifier.js';
import { payload, recorder } from './helpers.js';

test('parseReceiver: good forms round-trip', (t) => {
  const good: [string, Receiver][] = [
    ['journal', { kind: 'journal' }],
    [
      'webhook:https://hooks.example.net/virtpoint',
      { kind: 'webhook', url: 'https://hooks.example.net/virtpoint' },
    ],
    ['webhook:http://127.0.0.1:8080/x?y=1', { kind: 'webhook', url: 'http://127.0.0.1:8080/x?y=1' }],
    ['webhook:http://[::1]:9/', { kind: 'webhook', url: 'http://[::1]:9/' }],
    ['exec:/usr/local/bin/notify-backup', { kind: 'exec', path: '/usr/local/bin/notify-backup' }],
    ['exec:/etc/virtpoint/hooks/a..b', { kind: 'exec', path: '/etc/virtpoint/hooks/a..b' }],
  ];
  for (const [text, receiver] of good) {
    t.deepEqual(parseReceiver(text), receiver, text);
    t.is(formatReceiver(receiver), text);
  }
});

test('parseReceiver: anything else is INVALID_ARGUMENT', (t) => {
  const bad = [
    '',
    'Journal',
    'journal:',
    'syslog',
    'webhook:',
    'webhook:not a url',
    'webhook:ftp://example.net/x',
    'webhook:file:///etc/passwd',
    'webhook:javascript:alert(1)',
    'webhook:https://',
    'https://example.net/hook',
    'exec:',
    'exec:relative/path',
    'exec:~/hook',
    'exec:/usr/local/../bin/sh',
    'exec:/etc/virtpoint/hooks/',
    'exec:/bin/sh -c id',
    'exec:/bin/x\nexec:/bin/y',
    `webhook:https://example.net/${'a'.repeat(3000)}`,
  ];
  for (const text of bad) {
    const e = t.throws(() => parseReceiver(text), undefined, JSON.stringify(text));
    t.true(isVirtpointError(e, 'INVALID_ARGUMENT'), JSON.stringify(text));
  }
});

test('describeReceiver hides credentials, query values and the fragment', (t) => {
  t.is(
    describeReceiver({ kind: 'webhook', url: 'https://u:p@hooks.example.net/v?token=1#f' }),
    'webhook:https://***@hooks.example.net/v?token=***#***',
  );
  t.is(describeReceiver({ kind: 'exec', path: '/bin/true' }), 'exec:/bin/true');
  t.is(describeReceiver({ kind: 'journal' }), 'journal');
});

test('createRunNotifier dispatches by kind; sendAll keeps the order', async (t) => {
  const bodies: string[] = [];
  const agents: (string | undefined)[] = [];
  const server = http.createServer((req, res) => {
    agents.push(req.headers['user-agent']);
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      bodies.push(body);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;

  const logger = recorder();
  const notifier = createRunNotifier({
    logger,
    userAgent: 'virtpoint/1.2.3',
    webhook: { retryDelayMs: 1 },
    exec: { timeoutMs: 5000 },
  });
  const receivers: Receiver[] = [
    parseReceiver(`webhook:http://127.0.0.1:${port}/hook`),
    parseReceiver('journal'),
    parseReceiver('exec:/nonexistent/virtpoint-hook'),
  ];
  const results = await sendAll(notifier, receivers, payload);
  t.deepEqual(
    results.map((r) => [r.receiver, r.ok]),
    [
      [`webhook:http://127.0.0.1:${port}/hook`, true],
      ['journal', true],
      ['exec:/nonexistent/virtpoint-hook', false],
    ],
  );
  t.is(bodies.length, 1);
  t.deepEqual(agents, ['virtpoint/1.2.3'], 'the user agent given to createRunNotifier reaches the webhook');
  t.is(logger.lines.length, 1);

  const unknown = await notifier.send({ kind: 'carrier-pigeon' } as unknown as Receiver, payload);
  t.false(unknown.ok);
  t.is(unknown.error?.code, 'INVALID_ARGUMENT');
});
