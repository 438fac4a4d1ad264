/**
 * The scheduling feature's API (docs/api.md "Policies", "Tasks"; docs/scheduling.md) on the
 * SchedulingService: maps records to the API's JSON views.
 */

import { iso, isoOrNull } from '../../core/iso.js';
import { volumeRefText } from '../../core/volume-ref.js';
import { formatReceiver } from '../../core/policy-task.js';
import { redactReceiver } from '../../core/redact.js';
import { formatRetention } from '../../core/retention.js';
import { nextRun } from '../../core/schedule.js';
import type { Policy, Task, TaskRun } from '../../ports/scheduling-catalog.js';
import type {
  PolicyCreateInput,
  PolicyUpdateInput,
  PolicyView,
  TaskCreateInput,
  TaskRunView,
  TaskUpdateInput,
  TaskView,
} from '../../contract/index.js';
import type { SchedulingService } from './policies-tasks.js';
import { runWarnings } from './run-warnings.js';

/** The host's IANA time zone (policies are evaluated in it). */
export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

export interface SchedulingApi {
  listPolicies(): Promise<PolicyView[]>;
  getPolicy(name: string): Promise<PolicyView>;
  createPolicy(input: PolicyCreateInput): Promise<PolicyView>;
  updatePolicy(name: string, patch: PolicyUpdateInput): Promise<PolicyView>;
  setPolicyEnabled(name: string, enabled: boolean): Promise<PolicyView>;
  /** INVALID_STATE naming the tasks when a task uses it. */
  deletePolicy(name: string): Promise<void>;
  /** Runs every enabled task of the policy now. */
  runPolicy(name: string): Promise<TaskRunView[]>;
  listTasks(filter: { policy?: string }): Promise<TaskView[]>;
  getTask(name: string): Promise<TaskView>;
  createTask(input: TaskCreateInput): Promise<TaskView>;
  /** Anything but the bound policies. */
  updateTask(name: string, patch: TaskUpdateInput): Promise<TaskView>;
  setTaskEnabled(name: string, enabled: boolean): Promise<TaskView>;
  /** Keeps the task's points. */
  deleteTask(name: string): Promise<void>;
  /** Runs the task now. */
  runTask(name: string): Promise<TaskRunView>;
  /** Newest first, at most 100 kept per task. */
  taskHistory(name: string, filter: { limit?: number }): Promise<TaskRunView[]>;
}

export interface SchedulingApiOptions {
  /** Default Date.now. */
  readonly now?: () => number;
  /** Default: the host's (hostTimeZone()). */
  readonly timeZone?: string;
}

export class SchedulingApiImpl implements SchedulingApi {
  private readonly now: () => number;
  private readonly timeZone: string;

  constructor(
    readonly service: SchedulingService,
    opts: SchedulingApiOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.timeZone = opts.timeZone ?? hostTimeZone();
  }

  async listPolicies(): Promise<PolicyView[]> {
    return this.service.listPolicies().map((p) => this.policyView(p));
  }

  async getPolicy(name: string): Promise<PolicyView> {
    return this.policyView(this.service.requirePolicy(name));
  }

  async createPolicy(input: PolicyCreateInput): Promise<PolicyView> {
    return this.policyView(this.service.createPolicy(input));
  }

  async updatePolicy(name: string, patch: PolicyUpdateInput): Promise<PolicyView> {
    return this.policyView(this.service.updatePolicy(name, patch));
  }

  async setPolicyEnabled(name: string, enabled: boolean): Promise<PolicyView> {
    return this.policyView(this.service.setPolicyEnabled(name, enabled));
  }

  async deletePolicy(name: string): Promise<void> {
    this.service.deletePolicy(name);
  }

  async runPolicy(name: string): Promise<TaskRunView[]> {
    const runs = await this.service.runPolicy(name);
    return runs.map((r) => this.runView(r));
  }

  async listTasks(filter: { policy?: string }): Promise<TaskView[]> {
    return this.service.listTasks(filter).map((t) => this.taskView(t));
  }

  async getTask(name: string): Promise<TaskView> {
    return this.taskView(this.service.requireTask(name));
  }

  async createTask(input: TaskCreateInput): Promise<TaskView> {
    return this.withWarnings(await this.service.createTask(input));
  }

  async updateTask(name: string, patch: TaskUpdateInput): Promise<TaskView> {
    const task = await this.service.updateTask(name, patch);
    const resources = patch.domains !== undefined || patch.disks !== undefined;
    return resources ? this.withWarnings(task) : this.taskView(task);
  }

  /** The view with `warnings` when another task covers one of its resources (overlap.ts). */
  private withWarnings(task: Task): TaskView {
    const warnings = this.service.coverWarnings(task);
    return { ...this.taskView(task), ...(warnings.length > 0 ? { warnings } : {}) };
  }

  async setTaskEnabled(name: string, enabled: boolean): Promise<TaskView> {
    return this.taskView(this.service.setTaskEnabled(name, enabled));
  }

  async deleteTask(name: string): Promise<void> {
    this.service.deleteTask(name);
  }

  async runTask(name: string): Promise<TaskRunView> {
    return this.runView(await this.service.runTask(name));
  }

  async taskHistory(name: string, filter: { limit?: number }): Promise<TaskRunView[]> {
    return this.service.history(name, filter.limit).map((r) => this.runView(r));
  }

  // ---- views ----

  policyView(p: Policy): PolicyView {
    return {
      name: p.name,
      enabled: p.enabled,
      schedule: p.schedule,
      tasks: this.service.tasksOfPolicy(p).map((t) => t.name),
      createdAt: iso(p.createdAt),
      nextRun: p.enabled ? iso(nextRun(p.schedule, this.now(), this.timeZone)) : null,
    };
  }

  taskView(t: Task): TaskView {
    const last = this.service.lastRun(t);
    return {
      name: t.name,
      enabled: t.enabled,
      resources: t.resources.map((r) => ({
        domain: r.domainUuid,
        domainName: r.domainName,
        disks: r.disks,
        ...(r.volume === undefined ? {} : { volume: volumeRefText(r.volume) }),
      })),
      policies: t.policies.map((p) => p.name),
      chainLength: t.chainLength,
      retention: formatRetention(t.retention),
      receivers: t.receivers.map((r) => redactReceiver(formatReceiver(r))),
      verifyAfter: t.verifyAfter,
      copyTo: t.copyTo.map((g) => g.name),
      runCount: t.runCount,
      lastRun:
        last === null
          ? null
          : {
              id: last.id,
              trigger: last.trigger,
              startedAt: iso(last.startedAt),
              endedAt: isoOrNull(last.endedAt),
              outcome: last.outcome,
              warnings: runWarnings(last),
            },
      createdAt: iso(t.createdAt),
    };
  }

  runView(r: TaskRun): TaskRunView {
    return {
      id: r.id,
      task: this.service.taskName(r.taskId),
      trigger: r.trigger,
      policy: r.policyId === null ? null : this.service.policyName(r.policyId),
      scheduledFor: isoOrNull(r.scheduledFor),
      startedAt: iso(r.startedAt),
      endedAt: isoOrNull(r.endedAt),
      outcome: r.outcome,
      resources: r.resources,
      notifications: r.notifications,
      warnings: runWarnings(r),
    };
  }
}
