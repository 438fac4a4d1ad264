/**
 * `GET /metrics` (docs/metrics.md): the Prometheus text exposition. Not under `/v1/`: it is the
 * path every Prometheus scrape config assumes. The same handler serves the optional TCP
 * listener (daemon/metrics-listen.ts).
 */

import type { ServerResponse } from 'node:http';

import type { MetricsApi } from '../../service/metrics/api.js';
import type { Router } from '../router.js';
import { noBody, type RouteSpec } from './context.js';

export function addMetricsRoutes(router: Router<RouteSpec>): void {
  router.add(
    'GET',
    '/metrics',
    noBody(async ({ apis, res }) => {
      await sendMetrics(apis.metrics, res);
      return 'streamed';
    }),
  );
}

/** Writes the exposition as the answer (200, the exposition's content type). */
export async function sendMetrics(metrics: MetricsApi, res: ServerResponse): Promise<void> {
  const text = await metrics.render();
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
