/**
 * What a scrape reports, read from the catalog and the daemon at scrape time (no polling loop,
 * nothing cached between scrapes): per domain, per task, jobs, verify and copy outcomes, the
 * libvirt connection and the store. `takeSnapshot` is the only reader; the registry
 * (registry.ts) turns its result into Prometheus series.
 */

import type { Catalog, Job, Point } from '../../ports/catalog.js';
import type { Fs } from '../../ports/fs.js';
import { readSpace } from '../catalog/space.js';

export interface DomainSnapshot {
  readonly uuid: string;
  readonly name: string;
  readonly chains: number;
  /** Points per state (only states that occur). */
  readonly pointsByState: Readonly<Record<string, number>>;
  readonly bytes: number;
  /** createdAt (ms) of the newest `available` point; null: none. */
  readonly newestAvailableAt: number | null;
  /** Consistency of the newest available point: true = filesystem, false = crash; null: none. */
  readonly newestFilesystemConsistent: boolean | null;
  /** The newest finished backup job of the domain; null: none recorded. */
  readonly lastBackup: {
    readonly succeeded: boolean;
    readonly endedAt: number;
    readonly durationMs: number | null;
    /** Freeze window of the point it made; null: no freeze (crash-consistent or unknown). */
    readonly freezeMs: number | null;
  } | null;
}

export interface TaskSnapshot {
  readonly name: string;
  readonly enabled: boolean;
  readonly runs: number;
  /** Failed runs among the run history the catalog keeps (the newest 100). */
  readonly failedRuns: number;
  /** Outcome of the newest run; null: never ran. */
  readonly lastRun: { readonly outcome: string; readonly startedAt: number } | null;
}

/**
 * Copy outcomes per target (docs/metrics.md; service/copies/outcomes.ts): without a source (unit
 * tests) no `virtpoint_copy_*` series is exported.
 */
export interface CopyOutcomeSource {
  /** Copy outcomes per target and state (`succeeded`, `failed`, …). */
  outcomes(): readonly { readonly target: string; readonly state: string; readonly count: number }[];
}

export interface MetricsSnapshot {
  readonly domains: readonly DomainSnapshot[];
  readonly tasks: readonly TaskSnapshot[];
  readonly jobs: { readonly queued: number; readonly running: number };
  /** Points per last-verify state (`never`, `ok`, `failed`). */
  readonly verifyStates: Readonly<Record<string, number>>;
  /** Recorded verify jobs per final state. */
  readonly verifyJobs: Readonly<Record<string, number>>;
  readonly copies: ReturnType<CopyOutcomeSource['outcomes']> | null;
  readonly libvirtConnected: boolean;
  readonly storeRoot: string;
  readonly catalogPath: string;
  /** Bytes free on the store's filesystem; null: could not be read. */
  readonly storeFreeBytes: number | null;
  /** Bytes of catalog.db (and its -wal); null: could not be read. */
  readonly catalogBytes: number | null;
}

export interface MetricsSources {
  readonly catalog: Pick<Catalog, 'listDomains' | 'listChains' | 'listPoints' | 'jobs' | 'scheduling'>;
  readonly fs: Pick<Fs, 'freeBytes' | 'stat'>;
  readonly storeRoot: string;
  readonly catalogPath: string;
  readonly jobCounts: () => { queued: number; running: number };
  readonly libvirtConnected: () => boolean;
  readonly copies?: CopyOutcomeSource;
}

const FINAL = ['succeeded', 'failed', 'canceled'] as const;

export async function takeSnapshot(src: MetricsSources): Promise<MetricsSnapshot> {
  const { catalog } = src;
  const points = catalog.listPoints();
  const chains = catalog.listChains();
  const byDomain = groupBy(points, (p) => p.domainUuid);
  const domains = catalog.listDomains().map((d): DomainSnapshot => {
    const own = byDomain.get(d.uuid) ?? [];
    const newest = newestAvailable(own);
    const last = catalog.jobs.list({
      type: 'backup',
      domainUuid: d.uuid,
      state: [...FINAL],
      newestFirst: true,
      limit: 1,
    })[0];
    return {
      uuid: d.uuid,
      name: d.name,
      chains: chains.filter((c) => c.domainUuid === d.uuid).length,
      pointsByState: countBy(own, (p) => p.state),
      bytes: own.reduce((sum, p) => sum + p.disks.reduce((s, k) => s + (k.size ?? 0), 0), 0),
      newestAvailableAt: newest?.createdAt ?? null,
      newestFilesystemConsistent:
        newest === undefined || newest.consistency === null ? null : newest.consistency === 'filesystem',
      lastBackup: last === undefined ? null : lastBackup(last, own),
    };
  });
  const tasks = catalog.scheduling.listTasks().map((t): TaskSnapshot => {
    const newest = catalog.scheduling.listTaskRuns(t.id, { limit: 1 })[0];
    return {
      name: t.name,
      enabled: t.enabled,
      runs: t.runCount,
      failedRuns: catalog.scheduling.listTaskRuns(t.id, { outcome: 'failed' }).length,
      lastRun: newest === undefined ? null : { outcome: newest.outcome, startedAt: newest.startedAt },
    };
  });
  return {
    domains,
    tasks,
    jobs: src.jobCounts(),
    verifyStates: countBy(points, (p) => p.verify.state),
    verifyJobs: countBy(catalog.jobs.list({ type: 'verify', state: [...FINAL] }), (j) => j.state),
    copies: src.copies?.outcomes() ?? null,
    libvirtConnected: src.libvirtConnected(),
    storeRoot: src.storeRoot,
    catalogPath: src.catalogPath,
    ...(await readSpace(src.fs, src.storeRoot, src.catalogPath)),
  };
}

function lastBackup(job: Job, points: readonly Point[]): DomainSnapshot['lastBackup'] {
  const point = job.pointId === null ? undefined : points.find((p) => p.id === job.pointId);
  return {
    succeeded: job.state === 'succeeded',
    endedAt: job.endedAt ?? job.createdAt,
    durationMs: job.startedAt !== null && job.endedAt !== null ? job.endedAt - job.startedAt : null,
    freezeMs: point?.freezeMs ?? null,
  };
}

function newestAvailable(points: readonly Point[]): Point | undefined {
  let best: Point | undefined;
  for (const p of points)
    if (p.state === 'available' && (best === undefined || p.createdAt >= best.createdAt)) best = p;
  return best;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list === undefined) out.set(k, [item]);
    else list.push(item);
  }
  return out;
}

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}
