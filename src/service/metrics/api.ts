/**
 * The metrics feature's API (docs/metrics.md): one call, the Prometheus text exposition, read
 * from the catalog and the daemon at scrape time. Served on `GET /metrics` of the API socket
 * and, with `metrics_listen`, on TCP (daemon/metrics-listen.ts).
 */

import { MetricsRegistry } from './registry.js';
import { takeSnapshot, type MetricsSources } from './snapshot.js';

export interface MetricsApi {
  /** `text/plain; version=0.0.4; charset=utf-8`. */
  readonly contentType: string;
  render(): Promise<string>;
}

export class MetricsApiImpl implements MetricsApi {
  private readonly reg: MetricsRegistry;

  constructor(
    private readonly sources: MetricsSources,
    version: string,
    private readonly now: () => number = Date.now,
  ) {
    this.reg = new MetricsRegistry(version);
  }

  get contentType(): string {
    return this.reg.contentType;
  }

  render(): Promise<string> {
    return this.reg.render(() => takeSnapshot(this.sources), this.now);
  }
}
