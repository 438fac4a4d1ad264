import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import test from 'ava';

import { createReceiverProbe } from '../../../../src/adapters/notify/probe.js';

test('webhook probe: connects to a listening host:port and sends nothing; a closed port is not reachable', async (t) => {
  let received = 0;
  const server = createServer((s) => {
    s.on('data', (d: Buffer) => (received += d.length));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  t.teardown(() => server.close());
  const probe = createReceiverProbe();
  t.deepEqual(await probe.webhook(`http://127.0.0.1:${port}/hook?token=x`, 2000), {
    kind: 'webhook',
    connected: true,
  });
  await new Promise((r) => setTimeout(r, 50));
  t.is(received, 0);
  server.close();
  const closed = await probe.webhook(`http://127.0.0.1:${port}/hook`, 2000);
  t.like(closed, { kind: 'webhook', connected: false });
  t.regex((closed as { reason: string }).reason, /ECONNREFUSED/);
});

test('exec probe: missing, present but not executable, executable', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vpt-probe-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const hook = join(dir, 'hook');
  const probe = createReceiverProbe();
  t.deepEqual(await probe.exec(hook), { kind: 'exec', exists: false, executable: false });
  writeFileSync(hook, '#!/bin/sh\n');
  chmodSync(hook, 0o644);
  // root may execute nothing without an x bit either: access(X_OK) says no for 0644.
  t.deepEqual(await probe.exec(hook), { kind: 'exec', exists: true, executable: false });
  chmodSync(hook, 0o755);
  t.deepEqual(await probe.exec(hook), { kind: 'exec', exists: true, executable: true });
});
