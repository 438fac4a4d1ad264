/**
 * The optional TCP listener for Prometheus (`metrics_listen`, docs/metrics.md): it serves
 * `GET /metrics` and nothing else — the control API never leaves the Unix socket. The
 * recommended address is loopback (`127.0.0.1:9525`, next to node_exporter's 9100 range); a
 * scraper on another host goes through a reverse proxy or an SSH tunnel.
 */

import { createServer, type Server } from 'node:http';

import { sendMetrics } from '../api/routes/metrics.js';
import { VirtpointError } from '../core/errors.js';
import type { Logger } from '../ports/logger.js';
import type { MetricsApi } from '../service/metrics/api.js';

export async function listenMetrics(
  metrics: MetricsApi,
  at: { readonly host: string; readonly port: number },
  log: Logger,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('only GET /metrics is served here; the API is on the Unix socket\n');
      return;
    }
    sendMetrics(metrics, res).catch((e: unknown) => {
      log.error({ err: String(e) }, 'metrics: rendering failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('metrics could not be rendered; see the daemon log\n');
    });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e) =>
      reject(
        new VirtpointError(
          'INVALID_ARGUMENT',
          `metrics_listen ${at.host}:${at.port}: ${e.message}; choose a free port or set metrics_listen = off`,
        ),
      ),
    );
    server.listen(at.port, at.host, () => {
      server.removeAllListeners('error');
      resolve();
    });
  });
  log.info({ host: at.host, port: at.port }, 'metrics listening on TCP');
  return server;
}
