/**
 * The Prometheus series (docs/metrics.md), on a registry of their own (not prom-client's global
 * one). Every scrape takes a fresh snapshot (snapshot.ts) and sets every series from it; a
 * series whose subject is gone (a deleted domain or task) disappears with the next scrape.
 * Scrapes are serialized, so two concurrent ones never interleave their resets.
 */

import { Gauge, Registry } from 'prom-client';

import type { MetricsSnapshot } from './snapshot.js';

const D = ['domain', 'domain_name'] as const;

export class MetricsRegistry {
  readonly registry = new Registry();
  private readonly g: ReturnType<typeof gauges>;
  private last: Promise<unknown> = Promise.resolve();

  constructor(version: string) {
    this.g = gauges(this.registry);
    this.g.build.set({ version }, 1);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Sets every series from `snap` and returns the text exposition. */
  render(snap: () => Promise<MetricsSnapshot>, nowMs: () => number): Promise<string> {
    const next = this.last.then(async () => {
      this.apply(await snap(), nowMs());
      return this.registry.metrics();
    });
    this.last = next.catch(() => undefined);
    return next;
  }

  private apply(s: MetricsSnapshot, now: number): void {
    const g = this.g;
    for (const gauge of Object.values(g)) if (gauge !== g.build) gauge.reset();
    for (const d of s.domains) {
      const l = { domain: d.uuid, domain_name: d.name };
      g.chains.set(l, d.chains);
      for (const [state, n] of Object.entries(d.pointsByState)) g.points.set({ ...l, state }, n);
      g.bytes.set(l, d.bytes);
      if (d.newestAvailableAt !== null) {
        g.newestTs.set(l, d.newestAvailableAt / 1000);
        g.newestAge.set(l, Math.max(0, (now - d.newestAvailableAt) / 1000));
      }
      if (d.newestFilesystemConsistent !== null) g.consistent.set(l, d.newestFilesystemConsistent ? 1 : 0);
      if (d.lastBackup !== null) {
        g.lastOk.set(l, d.lastBackup.succeeded ? 1 : 0);
        g.lastTs.set(l, d.lastBackup.endedAt / 1000);
        if (d.lastBackup.durationMs !== null) g.lastDuration.set(l, d.lastBackup.durationMs / 1000);
        if (d.lastBackup.freezeMs !== null) g.lastFreeze.set(l, d.lastBackup.freezeMs / 1000);
      }
    }
    for (const t of s.tasks) {
      const l = { task: t.name };
      g.taskEnabled.set(l, t.enabled ? 1 : 0);
      g.taskRuns.set(l, t.runs);
      g.taskFailed.set(l, t.failedRuns);
      if (t.lastRun !== null) {
        g.taskLast.set({ ...l, outcome: t.lastRun.outcome }, 1);
        g.taskLastTs.set(l, t.lastRun.startedAt / 1000);
      }
    }
    g.jobs.set({ state: 'queued' }, s.jobs.queued);
    g.jobs.set({ state: 'running' }, s.jobs.running);
    for (const state of ['never', 'ok', 'failed']) g.verifyPoints.set({ state }, s.verifyStates[state] ?? 0);
    for (const state of ['succeeded', 'failed', 'canceled'])
      g.verifyJobs.set({ state }, s.verifyJobs[state] ?? 0);
    for (const c of s.copies ?? []) g.copies.set({ target: c.target, state: c.state }, c.count);
    g.libvirt.set(s.libvirtConnected ? 1 : 0);
    // Labelled by path so an unreadable value is absent after the reset, never a false 0.
    if (s.storeFreeBytes !== null) g.storeFree.set({ path: s.storeRoot }, s.storeFreeBytes);
    if (s.catalogBytes !== null) g.catalogBytes.set({ path: s.catalogPath }, s.catalogBytes);
  }
}

function gauges(reg: Registry) {
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [reg] });
  return {
    build: gauge('virtpoint_build_info', 'Always 1; the daemon version as a label.', ['version']),
    chains: gauge('virtpoint_domain_chains', 'Chains of the domain (any state).', D),
    points: gauge('virtpoint_domain_points', 'Points of the domain per state.', [...D, 'state']),
    bytes: gauge('virtpoint_domain_stored_bytes', 'Bytes on disk of all points of the domain.', D),
    newestTs: gauge(
      'virtpoint_domain_newest_available_point_timestamp_seconds',
      'Creation time (Unix seconds) of the newest available point.',
      D,
    ),
    newestAge: gauge(
      'virtpoint_domain_newest_available_point_age_seconds',
      'Age at scrape time of the newest available point.',
      D,
    ),
    consistent: gauge(
      'virtpoint_domain_newest_point_filesystem_consistent',
      '1 when the newest available point is filesystem-consistent (agent froze), 0 when crash-consistent.',
      D,
    ),
    lastOk: gauge(
      'virtpoint_domain_last_backup_success',
      '1 when the newest finished backup job of the domain succeeded, else 0.',
      D,
    ),
    lastTs: gauge(
      'virtpoint_domain_last_backup_end_timestamp_seconds',
      'End time (Unix seconds) of the newest finished backup job.',
      D,
    ),
    lastDuration: gauge(
      'virtpoint_domain_last_backup_duration_seconds',
      'Run time of the newest finished backup job.',
      D,
    ),
    lastFreeze: gauge(
      'virtpoint_domain_last_backup_freeze_seconds',
      'Freeze window (guest filesystems frozen) of the newest finished backup job.',
      D,
    ),
    taskEnabled: gauge('virtpoint_task_enabled', '1 when the task is enabled.', ['task']),
    taskRuns: gauge('virtpoint_task_runs', 'Executions of the task started (the catalog run count).', [
      'task',
    ]),
    taskFailed: gauge(
      'virtpoint_task_failed_runs',
      'Failed runs among the run history kept (the newest 100 runs).',
      ['task'],
    ),
    taskLast: gauge('virtpoint_task_last_run_outcome', '1 for the outcome of the newest run of the task.', [
      'task',
      'outcome',
    ]),
    taskLastTs: gauge(
      'virtpoint_task_last_run_timestamp_seconds',
      'Start time (Unix seconds) of the newest run of the task.',
      ['task'],
    ),
    jobs: gauge('virtpoint_jobs', 'Jobs queued or running now.', ['state']),
    verifyPoints: gauge('virtpoint_points_verify', 'Points per last verify outcome (never, ok, failed).', [
      'state',
    ]),
    verifyJobs: gauge('virtpoint_verify_jobs', 'Recorded verify jobs per final state.', ['state']),
    copies: gauge('virtpoint_copy_outcomes', 'Copies per target and outcome (once copies exist).', [
      'target',
      'state',
    ]),
    libvirt: gauge('virtpoint_libvirt_connected', '1 while the daemon is connected to libvirtd.'),
    storeFree: gauge('virtpoint_store_free_bytes', 'Bytes available on the filesystem of the store.', [
      'path',
    ]),
    catalogBytes: gauge(
      'virtpoint_catalog_bytes',
      'Bytes of the catalog database (with its write-ahead log).',
      ['path'],
    ),
  };
}
