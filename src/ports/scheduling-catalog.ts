/**
 * The SchedulingCatalog port: the records of policies (when), backup tasks (what + how long to
 * keep), their run history and the scheduler's bookkeeping (issue 7, docs/scheduling.md). Part of
 * the catalog: `Catalog.scheduling` (implemented on SQLite in src/adapters/sqlite/
 * sqlite-scheduling.ts, same database and transactions as the rest of the catalog).
 *
 * - Inputs are expected validated (core/policy-task.ts); the catalog checks uniqueness and
 *   references: a taken name → ALREADY_EXISTS, a missing policy or task → NOT_FOUND.
 * - Policies and tasks are addressed by name for lookups and by id for changes (names can
 *   change; ids, run history and scheduler state stay).
 * - Deleting a policy a task uses → INVALID_STATE naming the tasks (also enforced by the
 *   foreign key of task_policies). Deleting a task removes its history and scheduler state and
 *   keeps its points.
 * - Runs: the newest 100 per task are kept (older finished runs are pruned on insert).
 * - Times are ms since the epoch.
 */

import type { VolumeRef } from '../core/volume-ref.js';
import type { Retention } from '../core/retention.js';
import type { Schedule } from '../core/schedule.js';
import type { DeliveryResult, NotificationResource, Receiver, RunOutcome, RunTrigger } from './notifier.js';

export type { DeliveryResult, NotificationResource, Receiver, RunOutcome, RunTrigger, Retention, Schedule };

/** Runs kept per task. */
export const TASK_RUNS_KEPT = 100;

export interface Policy {
  readonly id: string;
  /** Unique. */
  readonly name: string;
  readonly schedule: Schedule;
  readonly enabled: boolean;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewPolicy {
  readonly name: string;
  readonly schedule: Schedule;
  readonly enabled: boolean;
}

export type PolicyPatch = Partial<NewPolicy>;

/**
 * A domain of a task (resolved: UUID + last known name) and its chosen disks (null: all); or a
 * detached volume: `domainUuid` its resource UUID, `domainName` its label, `disks` null, and
 * `volume` the reference as the operator gave it (resolved again by every run).
 */
export interface TaskResource {
  readonly domainUuid: string;
  readonly domainName: string;
  /** Sorted disk targets, or null for every disk of the domain. */
  readonly disks: readonly string[] | null;
  readonly volume?: VolumeRef;
}

export interface PolicyRef {
  readonly id: string;
  readonly name: string;
}

export interface TargetRef {
  readonly id: string;
  readonly name: string;
}

export interface Task {
  readonly id: string;
  /** Unique. */
  readonly name: string;
  readonly resources: readonly TaskResource[];
  /** The bound policies, in the order given at creation (fixed for the task's life). */
  readonly policies: readonly PolicyRef[];
  readonly chainLength: number;
  readonly retention: Retention;
  readonly receivers: readonly Receiver[];
  readonly enabled: boolean;
  /** Each new point is verified (quick) right after its backup, before the task's retention. */
  readonly verifyAfter: boolean;
  /** Targets each new point is copied to after its backup (service/copies/auto-copy.ts), in order. */
  readonly copyTo: readonly TargetRef[];
  /** Executions started (runs recorded with an outcome other than skipped or missed). */
  readonly runCount: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface NewTask {
  readonly name: string;
  readonly resources: readonly TaskResource[];
  /** Policy ids, 1–8. */
  readonly policyIds: readonly string[];
  readonly chainLength: number;
  readonly retention: Retention;
  readonly receivers: readonly Receiver[];
  readonly enabled: boolean;
  /** Default false. */
  readonly verifyAfter?: boolean;
  /** Target ids (TARGET_NOT_FOUND for an unknown one); default none. A patch replaces the list. */
  readonly copyTo?: readonly string[];
}

/** Everything but the bound policies can change. */
export type TaskPatch = Partial<Omit<NewTask, 'policyIds'>>;

export interface TaskFilter {
  /** Tasks bound to this policy id. */
  readonly policyId?: string;
  readonly enabled?: boolean;
  /** Tasks with a resource on this domain UUID. */
  readonly domainUuid?: string;
}

export type TaskRunOutcome = 'running' | RunOutcome;

/** Per-resource outcome of a run (the notification payload's shape, plus the job). */
export type TaskRunResource = NotificationResource & { readonly jobId?: string };

export interface TaskRun {
  readonly id: string;
  readonly taskId: string;
  readonly trigger: RunTrigger;
  /** The policy that fired it; null for `task run`. */
  readonly policyId: string | null;
  /** The fire instant it was due at; null for manual runs. */
  readonly scheduledFor: number | null;
  /** For skipped and missed runs: when it was recorded. */
  readonly startedAt: number;
  /** Null while running. */
  readonly endedAt: number | null;
  readonly outcome: TaskRunOutcome;
  readonly resources: readonly TaskRunResource[];
  readonly notifications: readonly DeliveryResult[];
}

export interface NewTaskRun {
  readonly taskId: string;
  readonly trigger: RunTrigger;
  readonly policyId?: string | null;
  readonly scheduledFor?: number | null;
  /** Default: the catalog's clock. */
  readonly startedAt?: number;
  /** Default `running`; `skipped` and `missed` runs are recorded ended. */
  readonly outcome?: TaskRunOutcome;
  readonly resources?: readonly TaskRunResource[];
}

export interface TaskRunPatch {
  /** A final outcome sets endedAt (default: the catalog's clock) unless given. */
  readonly outcome?: TaskRunOutcome;
  readonly endedAt?: number;
  readonly resources?: readonly TaskRunResource[];
  readonly notifications?: readonly DeliveryResult[];
}

export interface SchedulerStateEntry {
  readonly taskId: string;
  readonly policyId: string;
  /** The last fire instant the scheduler accounted for (fired, skipped or missed). */
  readonly lastFiredAt: number;
}

export interface SchedulingCatalog {
  /** Run `fn` in one transaction (savepoint when nested); rolled back if it throws. */
  transaction<T>(fn: () => T): T;

  // policies
  /** ALREADY_EXISTS when the name is taken. */
  createPolicy(input: NewPolicy): Policy;
  getPolicy(name: string): Policy | null;
  getPolicyById(id: string): Policy | null;
  /** Sorted by name. */
  listPolicies(): Policy[];
  /** NOT_FOUND for an unknown id; ALREADY_EXISTS when renamed onto a taken name. */
  updatePolicy(id: string, patch: PolicyPatch): Policy;
  /** NOT_FOUND for an unknown id; INVALID_STATE naming the tasks that use it. */
  deletePolicy(id: string): void;

  // tasks
  /** ALREADY_EXISTS when the name is taken; NOT_FOUND when a policy id is unknown. */
  createTask(input: NewTask): Task;
  getTask(name: string): Task | null;
  getTaskById(id: string): Task | null;
  /** Sorted by name. */
  listTasks(filter?: TaskFilter): Task[];
  /** NOT_FOUND for an unknown id; ALREADY_EXISTS when renamed onto a taken name. */
  updateTask(id: string, patch: TaskPatch): Task;
  /** Removes the task, its policy bindings, its run history and scheduler state (not its points). */
  deleteTask(id: string): void;

  // runs
  /** Records a run (runCount + 1 unless skipped or missed) and prunes to the newest 100. */
  createTaskRun(input: NewTaskRun): TaskRun;
  getTaskRun(id: string): TaskRun | null;
  /** Newest first; `limit` default 100. */
  listTaskRuns(
    taskId: string,
    opts?: { readonly limit?: number; readonly outcome?: TaskRunOutcome },
  ): TaskRun[];
  /** NOT_FOUND for an unknown id; a finished run's outcome cannot go back to `running`. */
  updateTaskRun(id: string, patch: TaskRunPatch): TaskRun;

  // scheduler state (catch-up)
  listSchedulerState(filter?: { readonly taskId?: string }): SchedulerStateEntry[];
  /** Upsert; NOT_FOUND when the task or policy is unknown. */
  setLastFired(taskId: string, policyId: string, at: number): SchedulerStateEntry;
}
