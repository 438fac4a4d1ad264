/**
 * The scheduler (issue 7, docs/scheduling.md "Scheduler"). `tick(now)` is driven by a clock: the
 * daemon calls it every ~20 s and once after the reconciliation at start; tests call it directly
 * (or through the daemon's test clock).
 *
 * Per (task, policy) pair, `scheduler_state.last_fired_at` is the last instant accounted for.
 * On each tick, for every enabled policy and every enabled task bound to it, the fire instants
 * in (last, now] (core/schedule.ts runsBetween, host time zone, DST-safe):
 * - the newest one fires: a run with trigger `schedule`; each resource whose domain has a job
 *   queued or running (or an execution working on it) is `skipped`; when all are, the run is
 *   recorded `skipped` (not an execution);
 * - older ones (the clock jumped: host suspend, a stalled process) are recorded `missed`;
 * - on the first tick after start, catchUpDecision decides instead: the newest missed instant
 *   is run once (trigger `catch-up`) when it is at most `catchUpHours` old, the rest are `missed`.
 * A pair seen for the first time (a new task) starts counting at its creation, but not before
 * the previous tick (the first tick of a process: one minute back).
 * Disabled tasks and policies fire nothing; their pairs keep being accounted up to now, so
 * enabling one later does not replay the time it was off. Running jobs are never touched.
 *
 * Daily cleanup: at every 00:00 local the scheduler queues a `cleanup` job per resource of every
 * enabled task (retention-run.ts); a cleanup also follows every backup of a run. At the same
 * moment the records of finished jobs that ended more than `jobRetentionDays` ago are pruned
 * (config `job_retention_days`, default 90; 0 keeps them); a queued or running job never is.
 *
 * `runTask` is the TaskRunner seam (task-run.ts) for `task run` / `policy run`: the run is
 * recorded with trigger `manual` and executed like a scheduled one, except that its points are
 * manual (`backup_<id>`, in the task's chain, never counted nor deleted by retention); a busy
 * domain is never reached: SchedulingService refuses the manual run up front (DOMAIN_BUSY)
 * before it is recorded.
 */

import { catchUpDecision, runsBetween, type Schedule } from '../../core/schedule.js';
import type { Catalog } from '../../ports/catalog.js';
import type { Logger } from '../../ports/logger.js';
import type { Policy, Task, TaskRun } from '../../ports/scheduling-catalog.js';
import type { RetentionRunner } from './retention-run.js';
import { resourceBase, type TaskExecutor } from './task-exec.js';
import type { TaskRunner } from './task-run.js';

export const DEFAULT_CATCH_UP_HOURS = 6;
export const DEFAULT_JOB_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;
/** How far back a (task, policy) pair seen on the first tick of a process looks. */
const FIRST_LOOKBACK_MS = 60_000;
const DAILY: Schedule = { kind: 'every-days', n: 1, times: ['00:00'] };

export interface SchedulerDeps {
  /** With `transaction`: a tick's last-fired marks are written in one commit (one fsync). */
  readonly catalog: Pick<Catalog, 'scheduling' | 'jobs'> & Partial<Pick<Catalog, 'transaction'>>;
  readonly exec: TaskExecutor;
  readonly retention: Pick<RetentionRunner, 'submit'>;
  readonly log: Logger;
  /** The scheduler's clock (the Clock port's now, or the daemon's test clock). */
  readonly now: () => number;
  readonly timeZone: string;
  /** Catch-up window at start (default 6 h). */
  readonly catchUpHours?: number;
  /** Finished jobs older than this are pruned daily (default 90; 0: never). */
  readonly jobRetentionDays?: number;
  /** Background work on the same clock (the scheduled verify, service/verify/sweep.ts). */
  readonly background?: readonly { tick(now: number): void }[];
}

export interface TickResult {
  /** Runs recorded by this tick (executions, skipped and missed), in order. */
  readonly runs: TaskRun[];
  /** Cleanup jobs queued by the daily cleanup. */
  readonly cleanups: number;
  /** Job records the daily cleanup pruned (job_retention_days). */
  readonly prunedJobs: number;
}

export class Scheduler {
  private started = false;
  private lastDaily: number | null = null;
  private lastTick: number | null = null;
  /** Days finished jobs are kept (the daemon changes it on a config reload). */
  jobRetentionDays: number;

  constructor(private readonly deps: SchedulerDeps) {
    this.jobRetentionDays = deps.jobRetentionDays ?? DEFAULT_JOB_RETENTION_DAYS;
  }

  /** Resolves once every execution and notification started so far has ended. */
  idle(): Promise<void> {
    return this.deps.exec.idle();
  }

  tick(nowMs: number = this.deps.now()): TickResult {
    const { catalog, log } = this.deps;
    const db = catalog.scheduling;
    const startup = !this.started;
    this.started = true;
    const runs: TaskRun[] = [];
    const state = new Map(db.listSchedulerState().map((e) => [`${e.taskId}/${e.policyId}`, e.lastFiredAt]));
    const marks: [taskId: string, policyId: string, at: number][] = [];
    for (const policy of db.listPolicies()) {
      for (const task of db.listTasks({ policyId: policy.id })) {
        try {
          const known = state.get(`${task.id}/${policy.id}`);
          const since = this.lastTick ?? nowMs - FIRST_LOOKBACK_MS;
          const last = known ?? Math.min(nowMs, Math.max(since, task.createdAt, policy.createdAt));
          if (last < nowMs && policy.enabled && task.enabled) {
            runs.push(...this.due(task, policy, last, nowMs, startup));
          }
          if (known === undefined || last < nowMs) marks.push([task.id, policy.id, Math.max(last, nowMs)]);
        } catch (e) {
          log.error({ task: task.name, policy: policy.name, err: String(e) }, 'scheduling a task failed');
        }
      }
    }
    this.markFired(marks);
    this.lastTick = Math.max(this.lastTick ?? nowMs, nowMs);
    const daily = this.daily(nowMs);
    for (const b of this.deps.background ?? []) {
      try {
        b.tick(nowMs);
      } catch (e) {
        log.error({ err: String(e) }, 'background tick failed');
      }
    }
    return { runs, ...daily };
  }

  /** The tick's last-fired marks, in one transaction (issue 16: one commit per tick, not per task). */
  private markFired(marks: readonly [string, string, number][]): void {
    const { catalog, log } = this.deps;
    const write = () => {
      for (const [taskId, policyId, at] of marks) {
        try {
          catalog.scheduling.setLastFired(taskId, policyId, at);
        } catch (e) {
          log.error({ task: taskId, policy: policyId, err: String(e) }, 'recording a fire time failed');
        }
      }
    };
    if (marks.length === 0) return;
    if (catalog.transaction) catalog.transaction(write);
    else write();
  }

  /** The TaskRunner for `task run` / `policy run` (trigger manual). */
  readonly runTask: TaskRunner = async ({ task, trigger, policy, scheduledFor }) => {
    const run = this.deps.catalog.scheduling.createTaskRun({
      taskId: task.id,
      trigger,
      policyId: policy?.id ?? null,
      scheduledFor,
      resources: task.resources.map(resourceBase),
    });
    this.deps.log.info({ task: task.name, run: run.id, trigger }, 'task run started');
    this.deps.exec.start(task, run);
    return run;
  };

  private due(task: Task, policy: Policy, last: number, now: number, startup: boolean): TaskRun[] {
    const { timeZone } = this.deps;
    let fire: number | null;
    let missed: number[];
    if (startup) {
      const d = catchUpDecision(
        policy.schedule,
        last,
        now,
        timeZone,
        this.deps.catchUpHours ?? DEFAULT_CATCH_UP_HOURS,
      );
      fire = d.catchUp;
      missed = d.missed;
    } else {
      const all = runsBetween(policy.schedule, last, now, timeZone);
      fire = all.at(-1) ?? null;
      missed = all.slice(0, -1);
    }
    const out = missed.map((at) => this.record(task, policy, at, 'missed'));
    if (fire !== null) out.push(this.fire(task, policy, fire, startup ? 'catch-up' : 'schedule'));
    return out;
  }

  private fire(task: Task, policy: Policy, at: number, trigger: 'schedule' | 'catch-up'): TaskRun {
    const { exec, log, catalog } = this.deps;
    const skip = new Set(task.resources.map((r) => r.domainUuid).filter((d) => exec.busy(d)));
    if (skip.size === task.resources.length) {
      log.warn({ task: task.name, policy: policy.name, at: new Date(at).toISOString() }, 'run skipped: busy');
      return this.record(task, policy, at, 'skipped', trigger);
    }
    const run = catalog.scheduling.createTaskRun({
      taskId: task.id,
      trigger,
      policyId: policy.id,
      scheduledFor: at,
      resources: task.resources.map(resourceBase),
    });
    log.info(
      { task: task.name, policy: policy.name, run: run.id, trigger, skipped: [...skip] },
      'scheduled run started',
    );
    exec.start(task, run, skip);
    return run;
  }

  /** A run that is not an execution: skipped or missed; recorded ended at its due time, notified. */
  private record(
    task: Task,
    policy: Policy,
    at: number,
    outcome: 'skipped' | 'missed',
    trigger: 'schedule' | 'catch-up' = 'schedule',
  ): TaskRun {
    const run = this.deps.catalog.scheduling.createTaskRun({
      taskId: task.id,
      trigger,
      policyId: policy.id,
      scheduledFor: at,
      startedAt: at,
      outcome,
      resources: task.resources.map(resourceBase),
    });
    if (outcome === 'missed') {
      this.deps.log.warn(
        { task: task.name, policy: policy.name, at: new Date(at).toISOString() },
        'run missed',
      );
    }
    this.deps.exec.notify(task, run);
    return run;
  }

  /** Queues the daily cleanup when a local midnight passed since the last tick. */
  private daily(now: number): { cleanups: number; prunedJobs: number } {
    const last = this.lastDaily;
    this.lastDaily = last === null ? now : Math.max(last, now);
    if (last === null || runsBetween(DAILY, last, now, this.deps.timeZone).length === 0) {
      return { cleanups: 0, prunedJobs: 0 };
    }
    return { prunedJobs: this.pruneJobs(now), cleanups: this.queueCleanups() };
  }

  /** Removes the records of finished jobs that ended more than jobRetentionDays ago. */
  private pruneJobs(now: number): number {
    if (this.jobRetentionDays <= 0) return 0;
    try {
      const n = this.deps.catalog.jobs.deleteFinished({ endedBefore: now - this.jobRetentionDays * DAY_MS });
      if (n > 0) this.deps.log.info({ jobs: n, days: this.jobRetentionDays }, 'old job records pruned');
      return n;
    } catch (e) {
      this.deps.log.warn({ err: String(e) }, 'could not prune old job records');
      return 0;
    }
  }

  private queueCleanups(): number {
    let n = 0;
    for (const task of this.deps.catalog.scheduling.listTasks({ enabled: true })) {
      for (const resource of task.resources) {
        try {
          this.deps.retention.submit({
            taskId: task.id,
            taskName: task.name,
            retention: task.retention,
            resource,
            mode: 'rule',
          });
          n++;
        } catch (e) {
          this.deps.log.warn({ task: task.name, err: String(e) }, 'could not queue the daily cleanup');
        }
      }
    }
    this.deps.log.info({ jobs: n }, 'daily cleanup queued');
    return n;
  }
}
