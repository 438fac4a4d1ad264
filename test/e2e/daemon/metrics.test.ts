import test from 'ava';
import { createServer } from 'node:net';

import { withDaemon } from '../../helpers/daemon.js';
import { promtool } from '../../helpers/promtool.js';

/** A free loopback port (bound, read, released). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr !== null ? addr.port : 0));
    });
  });
}

test('GET /metrics on the API socket and on metrics_listen (TCP) passes promtool check metrics', async (t) => {
  const port = await freePort();
  const d = await withDaemon(t, { config: [`metrics_listen = 127.0.0.1:${port}`] });
  const overSocket = await d.http('GET', '/metrics');
  t.is(overSocket.status, 200);
  t.regex(overSocket.body, /^virtpoint_libvirt_connected 1$/m);
  t.regex(overSocket.body, /^virtpoint_jobs\{state="running"\} 0$/m);
  t.regex(overSocket.body, /^virtpoint_store_free_bytes\{path="[^"]+"\} \d+$/m);
  t.regex(overSocket.body, /^virtpoint_catalog_bytes\{path="[^"]+catalog\.db"\} [1-9]\d*$/m);
  const socketCheck = await promtool(['check', 'metrics'], overSocket.body);
  t.is(socketCheck.code, 0, socketCheck.out);
  t.is(socketCheck.out.trim(), '', 'no lint findings');

  const r = await fetch(`http://127.0.0.1:${port}/metrics`);
  t.is(r.status, 200);
  t.regex(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const overTcp = await r.text();
  const tcpCheck = await promtool(['check', 'metrics'], overTcp);
  t.is(tcpCheck.code, 0, tcpCheck.out);
  t.regex(overTcp, /^virtpoint_build_info\{version="[^"]+"\} 1$/m);
  // The TCP listener serves metrics only; the control API stays on the Unix socket.
  t.is((await fetch(`http://127.0.0.1:${port}/v1/status`)).status, 404);
  t.regex(d.log(), /metrics listening on TCP/);
});
