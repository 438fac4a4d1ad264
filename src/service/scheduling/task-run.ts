/**
 * The seam between the task records (policies-tasks.ts) and what executes a task: a `TaskRunner`
 * function, injected into the SchedulingService by the composition root (daemon/compose.ts). `task
 * run NAME` and `policy run NAME` call it; the scheduler provides it (Scheduler.runTask) and
 * runs scheduled and catch-up runs the same way.
 *
 * Contract of a runner: record the run (`catalog.scheduling.createTaskRun`, outcome `running`),
 * start the execution (one backup job per resource, then retention and notifications) without
 * waiting for it, and resolve to the recorded run.
 */

import type { Policy, Task, TaskRun } from '../../ports/scheduling-catalog.js';

export interface TaskRunRequest {
  readonly task: Task;
  /** `manual` for `task run` / `policy run`; the scheduler passes `schedule` or `catch-up`. */
  readonly trigger: TaskRun['trigger'];
  /** The policy asked to run (`policy run`) or that fired; null for `task run`. */
  readonly policy: Policy | null;
  /** The fire instant a scheduled run was due at; null for manual runs. */
  readonly scheduledFor: number | null;
}

/** Starts one execution of a task; resolves to its recorded run (outcome `running`). */
export type TaskRunner = (request: TaskRunRequest) => Promise<TaskRun>;

/**
 * Whether the domain is busy: a job of it queued or running, or a task execution working on it
 * (TaskExecutor.busy, the same test a scheduled run skips a domain by). `task run` and `policy
 * run` are refused with DOMAIN_BUSY instead of queuing behind it.
 */
export type DomainBusy = (domainUuid: string) => boolean;
