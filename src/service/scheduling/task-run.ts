/**
 * The seam between the task records (service/scheduling.ts) and what executes a task: a
 * `TaskRunner` function, injected into the SchedulingService (and through it the Control). `task
 * run NAME` and `policy run NAME` call it; the scheduler (issue 7, built on top of these records)
 * provides the real one and calls the same function for scheduled and catch-up runs.
 *
 * Contract of a runner: record the run (`catalog.scheduling.createTaskRun`, outcome `running`),
 * start the execution (one backup job per resource, then retention and notifications) without
 * waiting for it, and resolve to the recorded run. Until the scheduler is wired,
 * `unwiredTaskRunner` refuses with UNSUPPORTED (HTTP 501) and records nothing.
 */

import { VirtpointError } from '../../core/errors.js';
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

export const unwiredTaskRunner: TaskRunner = async ({ task }) => {
  throw new VirtpointError(
    'UNSUPPORTED',
    `cannot run task ${task.name}: this virtpointd has no task runner yet (the scheduler is not wired)`,
  );
};
