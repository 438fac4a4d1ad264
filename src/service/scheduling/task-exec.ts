/**
 * One execution of a backup task (docs/scheduling.md "Scheduler"): for each resource, a backup
 * job then a `cleanup` job; the run record (`task_runs`) with per-resource outcomes; then the
 * notifications, which never hold up the execution or the next one.
 *
 * - The backup is the task's own (owner: the task): it continues the task's chain of the
 *   resource and a new chain belongs to the task. A scheduled or catch-up run makes points with
 *   trigger `schedule` named `autobk_<id>` (counted by retention); a run by hand (`task run`,
 *   `policy run`: run trigger `manual`) makes points with trigger `manual` named `backup_<id>`,
 *   in the task's chain too, but never counted nor deleted by its retention.
 *
 * - Under `chains:N`, when a scheduled backup is about to open a new chain (BackupService.plan,
 *   a dry run), a `cleanup` job first deletes the oldest automatic chains so that N remain with
 *   the new one (core/retention.ts chainsToDropBeforeNewChain). A run by hand does not.
 * - Resources run concurrently (each domain has its own job slot; the JobRunner's concurrency
 *   bounds them).
 * - Outcome: `succeeded` when every resource succeeded; `failed` when none succeeded and one
 *   failed; `skipped` when all were skipped; otherwise `partial` (some succeeded and some failed
 *   or were skipped). `succeeded-with-warnings` instead of `succeeded` when a point fell back to
 *   crash consistency or a notification could not be delivered (run-warnings.ts).
 */

import { hostname } from 'node:os';
import { toVirtpointError, VirtpointError } from '../../core/errors.js';
import type { VolumeRef } from '../../core/volume-ref.js';
import { zoneOffset } from '../../core/schedule.js';
import type { Catalog, Job } from '../../ports/catalog.js';
import type { Logger } from '../../ports/logger.js';
import type { DeliveryResult, Notification, QueuedCopy, RunNotification } from '../../ports/notifier.js';
import type {
  Task,
  TaskResource,
  TaskRun,
  TaskRunOutcome,
  TaskRunResource,
} from '../../ports/scheduling-catalog.js';
import type { BackupService } from '../backup/backup.js';
import { ensureDomainRecord, submitBackup } from '../backup/submit.js';
import type { JobRunner } from '../jobs/runner.js';
import type { VerifyService } from '../verify/verify.js';
import type { VolumeBackupRequest } from '../volume-backup/backup.js';
import { submitVolumeBackup, type SubmitVolumeBackupDeps } from '../volume-backup/submit.js';
import type { RetentionRunner } from './retention-run.js';
import { hasWarnings, outcomeAfterDelivery, pointWarnings } from './run-warnings.js';
import { verifyAfterBackup, withVerify } from './verify-after.js';

export interface TaskExecDeps {
  readonly catalog: Catalog;
  readonly runner: Pick<JobRunner, 'submit' | 'wait' | 'busy'>;
  readonly backup: Pick<BackupService, 'check' | 'run' | 'plan'>;
  readonly retention: Pick<RetentionRunner, 'submit'>;
  readonly log: Logger;
  /** Sends to every receiver; never rejects (adapters/notify sendAll). */
  readonly notify?: (receivers: Task['receivers'], payload: Notification) => Promise<DeliveryResult[]>;
  /** For tasks with verifyAfter (verify-after.ts); without it their points are not verified. */
  readonly verify?: Pick<VerifyService, 'verifyPoint'>;
  /**
   * For tasks with copy targets (service/copies/auto-copy.ts): queues the copies of the new
   * point, never awaits them; without it their points are not copied.
   */
  readonly copyAfter?: (pointId: string, targetIds: readonly string[]) => Promise<QueuedCopy[]>;
  /** For tasks with detached volumes (service/volume-backup/); without it those resources fail. */
  readonly volumeBackup?: Pick<SubmitVolumeBackupDeps, 'backup' | 'resources'>;
  readonly timeZone: string;
  /** Host name in notifications (default os.hostname()). */
  readonly host?: string;
}

export function resourceBase(r: TaskResource): TaskRunResource {
  return {
    domain: r.domainUuid,
    domainName: r.domainName,
    outcome: 'skipped',
    ...(r.disks === null ? {} : { disks: [...r.disks] }),
  };
}

export function runOutcome(
  resources: readonly TaskRunResource[],
): Exclude<TaskRunOutcome, 'running' | 'missed'> {
  const n = (o: string) => resources.filter((r) => r.outcome === o).length;
  const ok = n('succeeded');
  const failed = n('failed');
  if (ok + failed === 0) return 'skipped';
  if (ok === resources.length) return resources.some(hasWarnings) ? 'succeeded-with-warnings' : 'succeeded';
  return ok === 0 ? 'failed' : 'partial';
}

/** ISO 8601 with the offset of `timeZone` (2025-03-01T02:00:00.000+01:00). */
export function isoWithOffset(ms: number, timeZone: string): string {
  const off = zoneOffset(ms, timeZone);
  const local = new Date(ms + off).toISOString().slice(0, -1);
  const abs = Math.abs(off) / 60_000;
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${local}${off < 0 ? '-' : '+'}${hh}:${mm}`;
}

export class TaskExecutor {
  private readonly pending = new Set<Promise<unknown>>();
  /** Domains an execution works on (from its start to its cleanup's end), by count. */
  private readonly claimed = new Map<string, number>();

  constructor(private readonly deps: TaskExecDeps) {}

  /** Resolves once every execution and notification started so far has ended (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Tracks a promise until it settles. */
  track<T>(p: Promise<T>): Promise<T> {
    this.pending.add(p);
    void p.then(
      () => this.pending.delete(p),
      () => this.pending.delete(p),
    );
    return p;
  }

  /**
   * Executes a recorded run (outcome `running`) in the background; `skip` lists the domains to
   * record as skipped (busy when a scheduled run was due). Returns at once.
   */
  start(task: Task, run: TaskRun, skip: ReadonlySet<string> = new Set()): void {
    // The domains are claimed synchronously, so a run due at the same instant sees them busy.
    void this.track(this.execute(task, run, skip));
  }

  private async execute(task: Task, run: TaskRun, skip: ReadonlySet<string>): Promise<void> {
    const { catalog, log } = this.deps;
    const mine = task.resources.map((r) => r.domainUuid).filter((d) => !skip.has(d));
    for (const d of mine) this.claimed.set(d, (this.claimed.get(d) ?? 0) + 1);
    let resources: TaskRunResource[];
    try {
      resources = await Promise.all(
        task.resources.map((r) =>
          skip.has(r.domainUuid)
            ? Promise.resolve(resourceBase(r))
            : this.runResource(task, r, run.trigger === 'manual'),
        ),
      );
    } finally {
      for (const d of mine) {
        const n = (this.claimed.get(d) ?? 1) - 1;
        if (n <= 0) this.claimed.delete(d);
        else this.claimed.set(d, n);
      }
    }
    let done: TaskRun;
    try {
      done = catalog.scheduling.updateTaskRun(run.id, { outcome: runOutcome(resources), resources });
    } catch (e) {
      log.error({ task: task.name, run: run.id, err: String(e) }, 'could not record the end of a task run');
      return;
    }
    log.info(
      { task: task.name, run: run.id, outcome: done.outcome, trigger: done.trigger },
      'task run ended',
    );
    this.notify(task, done);
  }

  private async runResource(task: Task, r: TaskResource, byHand: boolean): Promise<TaskRunResource> {
    const { runner, backup, retention, log, catalog } = this.deps;
    const base = resourceBase(r);
    const disks = r.disks === null ? {} : { disks: [...r.disks] };
    const owner = { taskId: task.id, name: task.name };
    const cleanup = { taskId: task.id, taskName: task.name, retention: task.retention, resource: r };
    let job: Job | null = null;
    try {
      const domain = { uuid: r.domainUuid, name: r.domainName };
      ensureDomainRecord(catalog, domain); // the cleanup jobs reference it too
      // (a volume's old chains go by the rule after its backup: no dry run of a volume backup)
      if (task.retention.kind === 'chains' && !byHand && r.volume === undefined) {
        const plan = await backup.plan({
          domain: r.domainUuid,
          ...disks,
          chainLength: task.chainLength,
          owner,
        });
        if (plan.decision.kind === 'full') {
          await runner.wait(retention.submit({ ...cleanup, mode: 'before-new-chain' }).id);
        }
      }
      const trigger = byHand ? 'manual' : 'schedule';
      job =
        r.volume !== undefined
          ? await this.submitVolume(task, r.volume, { chainLength: task.chainLength, trigger, owner })
          : submitBackup(
              { catalog, runner, backup },
              domain,
              {
                domain: r.domainUuid,
                ...disks,
                chainLength: task.chainLength,
                quiesce: 'auto',
                trigger,
                owner,
              },
              { task: task.name },
            );
      const ended = await runner.wait(job.id);
      const point = ended.pointId === null ? null : catalog.getPoint(ended.pointId);
      const { verify } = this.deps;
      const checked =
        ended.state === 'succeeded' && point !== null && task.verifyAfter && verify !== undefined
          ? await verifyAfterBackup({ runner, verify }, point, byHand)
          : null;
      if (checked?.state === 'failed') {
        log.warn({ task: task.name, point: point?.id }, 'the new point failed its verify: retention not run');
      } else {
        try {
          await runner.wait(retention.submit({ ...cleanup, mode: 'rule' }).id);
        } catch (e) {
          log.warn({ task: task.name, domain: r.domainUuid, err: String(e) }, 'could not run the cleanup');
        }
      }
      if (ended.state === 'succeeded' && point !== null) {
        const warnings = pointWarnings(point); // issue 12 §5: crash-consistent fallback
        const copies = checked?.state === 'failed' ? [] : await this.copyAfter(task, point.id);
        const made: TaskRunResource = {
          ...base,
          outcome: 'succeeded',
          jobId: job.id,
          pointId: point.id,
          pointName: point.name,
          kind: point.kind,
          ...(point.consistency === null ? {} : { consistency: point.consistency }),
          ...(warnings.length > 0 ? { warnings } : {}),
          ...(copies.length > 0 ? { copies } : {}),
        };
        return checked === null ? made : withVerify(made, checked);
      }
      if (ended.state === 'succeeded') return { ...base, outcome: 'succeeded', jobId: job.id };
      return {
        ...base,
        outcome: 'failed',
        jobId: job.id,
        ...(point !== null ? { pointId: point.id, pointName: point.name } : {}),
        error: ended.error ?? { code: 'JOB_FAILED', message: `backup job ${job.id} ${ended.state}` },
      };
    } catch (e) {
      const err = toVirtpointError(e);
      log.warn(
        { task: task.name, domain: r.domainUuid, code: err.code, err: err.message },
        'task resource failed',
      );
      return {
        ...base,
        outcome: 'failed',
        ...(job === null ? {} : { jobId: job.id }),
        error: { code: err.code, message: err.message },
      };
    }
  }

  /** The task's copies of its new point, queued (a corrupt point is never copied). */
  private async copyAfter(task: Task, pointId: string): Promise<QueuedCopy[]> {
    const { copyAfter } = this.deps;
    if (copyAfter === undefined || task.copyTo.length === 0) return [];
    return copyAfter(
      pointId,
      task.copyTo.map((g) => g.id),
    );
  }

  /** Sends the run's notification to the task's receivers in the background; records the results. */
  notify(task: Task, run: TaskRun): void {
    const { notify, catalog, log, timeZone } = this.deps;
    if (notify === undefined || task.receivers.length === 0) return;
    const started = run.startedAt;
    const payload: RunNotification = {
      version: 1,
      event: 'task-run',
      host: this.deps.host ?? hostname(),
      task: { name: task.name },
      run: {
        id: run.id,
        trigger: run.trigger,
        startedAt: isoWithOffset(started, timeZone),
        endedAt: isoWithOffset(run.endedAt ?? started, timeZone),
        outcome: run.outcome === 'running' ? 'failed' : run.outcome,
      },
      resources: run.resources.map(({ jobId: _jobId, ...r }) => r),
    };
    void this.track(
      notify(task.receivers, payload).then((results) => {
        for (const r of results) {
          if (!r.ok) {
            log.warn(
              { task: task.name, run: run.id, receiver: r.receiver, attempts: r.attempts, error: r.error },
              'notification failed',
            );
          }
        }
        try {
          // A failed delivery is known only now: succeeded → succeeded-with-warnings (run-warnings.ts).
          const outcome = outcomeAfterDelivery(run.outcome, results);
          catalog.scheduling.updateTaskRun(run.id, { notifications: results, outcome });
          if (outcome !== run.outcome) {
            log.warn(
              { task: task.name, run: run.id, outcome },
              'task run succeeded with warnings: a notification failed',
            );
          }
        } catch (e) {
          log.warn({ task: task.name, run: run.id, err: String(e) }, 'could not record notification results');
        }
      }),
    );
  }

  /** A detached volume's backup job, once the volume is checked (found, allowed, detached: IN_USE). */
  private async submitVolume(task: Task, volume: VolumeRef, req: Omit<VolumeBackupRequest, 'volume'>) {
    const vb = this.deps.volumeBackup;
    if (vb === undefined)
      throw new VirtpointError('INVALID_STATE', 'this daemon cannot back up detached volumes');
    const full = { ...req, volume };
    const v = await vb.backup.check(full);
    const { catalog, runner } = this.deps;
    return submitVolumeBackup({ catalog, runner, ...vb }, v, full, { task: task.name });
  }

  /** Whether the domain has a job queued or running. */
  busy(domainUuid: string): boolean {
    return this.claimed.has(domainUuid) || this.deps.runner.busy(domainUuid);
  }
}
