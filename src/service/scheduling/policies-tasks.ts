/**
 * Policies and backup tasks as records (issue 7, docs/scheduling.md): create, list, show,
 * update, enable, disable, delete, and run now through the injected TaskRunner (task-run.ts).
 *
 * - Inputs are validated by core/policy-task.ts; names are unique (ALREADY_EXISTS); a policy or
 *   task that does not exist is NOT_FOUND.
 * - Task resources are resolved through the Hypervisor: a domain given by name or UUID is stored
 *   as its UUID and last known name; chosen disks must be backupable disks of the domain
 *   (DISK_NOT_FOUND). The same domain given twice (name and UUID) is INVALID_ARGUMENT.
 * - Limits (configurable, core/policy-task.ts): the number of policies, and the number of
 *   distinct domains bound to one policy through all its tasks; INVALID_ARGUMENT when exceeded.
 * - A task's policies are fixed at creation; deleting a policy a task uses is INVALID_STATE naming
 *   the tasks. Deleting a task keeps its points.
 */

import { VirtpointError } from '../../core/errors.js';
import {
  checkLimits,
  DEFAULT_LIMITS,
  resolveLimits,
  validateName,
  validatePolicyInput,
  validateTaskInput,
  validateTaskPatch,
  type Limits,
  type PolicyInput,
  type TaskInput,
  type TaskPatch as TaskPatchInput,
  type TaskResource as TaskResourceInput,
} from '../../core/policy-task.js';
import { validateSchedule } from '../../core/schedule.js';
import { volumeRefText, type VolumeRef } from '../../core/volume-ref.js';
import type { Catalog } from '../../ports/catalog.js';
import { coverWarnings } from './overlap.js';
import type { Hypervisor } from '../../ports/hypervisor.js';
import type {
  Policy,
  PolicyPatch,
  SchedulingCatalog,
  Task,
  TaskPatch,
  TaskResource,
  TaskRun,
} from '../../ports/scheduling-catalog.js';
import { selectDisks } from '../backup/plan.js';
import type { DomainBusy, TaskRunner } from './task-run.js';

export interface SchedulingDeps {
  readonly catalog: Pick<Catalog, 'scheduling' | 'copies'>;
  readonly hypervisor: Pick<Hypervisor, 'lookupDomain'>;
  /** Default: 32 policies, 64 domains per policy. */
  readonly limits?: Partial<Limits>;
  /** Starts a task execution (the scheduler's Scheduler.runTask). */
  readonly runTask: TaskRunner;
  /** Refuses `task run` / `policy run` while a bound domain is busy (TaskExecutor.busy). */
  readonly domainBusy: DomainBusy;
  /** Resolves a task's detached volumes (service/volume-backup/resource.ts); without it, refused. */
  readonly volumes?: { resolve(ref: VolumeRef): Promise<{ readonly uuid: string; readonly label: string }> };
}

/** A policy update: any of name, schedule, enabled (unvalidated, as from the API). */
export interface PolicyPatchInput {
  readonly name?: unknown;
  readonly schedule?: unknown;
  readonly enabled?: unknown;
}

export class SchedulingService {
  readonly limits: Limits;
  constructor(private readonly deps: SchedulingDeps) {
    this.limits = deps.limits === undefined ? DEFAULT_LIMITS : resolveLimits(deps.limits);
  }

  private get db(): SchedulingCatalog {
    return this.deps.catalog.scheduling;
  }

  // ---- policies ----

  listPolicies(): Policy[] {
    return this.db.listPolicies();
  }

  requirePolicy(name: string): Policy {
    const p = this.db.getPolicy(name);
    if (p === null) throw new VirtpointError('NOT_FOUND', `no policy named ${name} (virtpoint policy list)`);
    return p;
  }

  createPolicy(input: PolicyInput): Policy {
    const spec = validatePolicyInput(input);
    return this.db.transaction(() => {
      if (this.db.getPolicy(spec.name) !== null) {
        throw new VirtpointError('ALREADY_EXISTS', `a policy named ${spec.name} already exists`);
      }
      checkLimits({ policies: this.db.listPolicies().length + 1 }, this.limits);
      return this.db.createPolicy(spec);
    });
  }

  updatePolicy(name: string, input: PolicyPatchInput): Policy {
    const patch: { -readonly [K in keyof PolicyPatch]: PolicyPatch[K] } = {};
    if (input.name !== undefined) patch.name = validateName(input.name, 'policy name');
    if (input.schedule !== undefined) patch.schedule = validateSchedule(input.schedule);
    if (input.enabled !== undefined) {
      if (typeof input.enabled !== 'boolean') throw invalid('enabled must be true or false');
      patch.enabled = input.enabled;
    }
    return this.db.updatePolicy(this.requirePolicy(name).id, patch);
  }

  setPolicyEnabled(name: string, enabled: boolean): Policy {
    return this.db.updatePolicy(this.requirePolicy(name).id, { enabled });
  }

  /** Tasks bound to the policy, sorted by name. */
  tasksOfPolicy(policy: Policy): Task[] {
    return this.db.listTasks({ policyId: policy.id });
  }

  deletePolicy(name: string): void {
    this.db.transaction(() => {
      const policy = this.requirePolicy(name);
      const users = this.tasksOfPolicy(policy).map((t) => t.name);
      if (users.length > 0) {
        throw new VirtpointError(
          'INVALID_STATE',
          `policy ${name} is used by task${users.length > 1 ? 's' : ''} ${users.join(', ')}; ` +
            'delete those tasks first (a task keeps its policies for life)',
        );
      }
      this.db.deletePolicy(policy.id);
    });
  }

  /**
   * Runs every enabled task bound to the policy now (trigger manual); INVALID_STATE when none;
   * DOMAIN_BUSY (nothing recorded, nothing run) while a domain of any of them is busy.
   */
  async runPolicy(name: string): Promise<TaskRun[]> {
    const policy = this.requirePolicy(name);
    const tasks = this.tasksOfPolicy(policy).filter((t) => t.enabled);
    if (tasks.length === 0) {
      throw new VirtpointError('INVALID_STATE', `policy ${name} has no enabled task to run`);
    }
    this.refuseBusy(tasks);
    const runs: TaskRun[] = [];
    for (const task of tasks) {
      runs.push(await this.deps.runTask({ task, trigger: 'manual', policy, scheduledFor: null }));
    }
    return runs;
  }

  // ---- tasks ----

  listTasks(filter: { policy?: string } = {}): Task[] {
    if (filter.policy === undefined) return this.db.listTasks();
    return this.db.listTasks({ policyId: this.requirePolicy(filter.policy).id });
  }

  requireTask(name: string): Task {
    const t = this.db.getTask(name);
    if (t === null) throw new VirtpointError('NOT_FOUND', `no task named ${name} (virtpoint task list)`);
    return t;
  }

  async createTask(input: TaskInput): Promise<Task> {
    const spec = validateTaskInput(input);
    const policies = spec.policies.map((p) => this.requirePolicy(p));
    const resources = await this.resolveResources(spec.resources);
    return this.db.transaction(() => {
      if (this.db.getTask(spec.name) !== null) {
        throw new VirtpointError('ALREADY_EXISTS', `a task named ${spec.name} already exists`);
      }
      this.checkDomainLimits(policies, resources, null);
      return this.db.createTask({
        name: spec.name,
        resources,
        policyIds: policies.map((p) => p.id),
        chainLength: spec.chainLength,
        retention: spec.retention,
        receivers: spec.receivers,
        enabled: spec.enabled,
        verifyAfter: spec.verifyAfter,
        copyTo: this.targetIds(spec.copyTo),
      });
    });
  }

  /** Changes anything but the bound policies (INVALID_ARGUMENT when `policies` is given). */
  async updateTask(name: string, input: TaskPatchInput): Promise<Task> {
    const spec = validateTaskPatch(input);
    const current = this.requireTask(name);
    const resources = spec.resources === undefined ? undefined : await this.resolveResources(spec.resources);
    return this.db.transaction(() => {
      const task = this.requireTask(name);
      if (task.id !== current.id) throw new VirtpointError('INVALID_STATE', `task ${name} changed meanwhile`);
      if (spec.name !== undefined && spec.name !== name && this.db.getTask(spec.name) !== null) {
        throw new VirtpointError('ALREADY_EXISTS', `a task named ${spec.name} already exists`);
      }
      const policies = task.policies.map((p) => this.db.getPolicyById(p.id)).filter((p) => p !== null);
      if (resources !== undefined) this.checkDomainLimits(policies, resources, task.id);
      const patch: { -readonly [K in keyof TaskPatch]: TaskPatch[K] } = {};
      if (spec.name !== undefined) patch.name = spec.name;
      if (resources !== undefined) patch.resources = resources;
      if (spec.chainLength !== undefined) patch.chainLength = spec.chainLength;
      if (spec.retention !== undefined) patch.retention = spec.retention;
      if (spec.receivers !== undefined) patch.receivers = spec.receivers;
      if (spec.enabled !== undefined) patch.enabled = spec.enabled;
      if (spec.verifyAfter !== undefined) patch.verifyAfter = spec.verifyAfter;
      if (spec.copyTo !== undefined) patch.copyTo = this.targetIds(spec.copyTo);
      return this.db.updateTask(task.id, patch);
    });
  }

  /** TARGET_NOT_FOUND naming `target list` for a name no target has. */
  private targetIds(names: readonly string[]): string[] {
    return names.map((n) => this.deps.catalog.copies.requireTarget(n).id);
  }

  setTaskEnabled(name: string, enabled: boolean): Task {
    return this.db.updateTask(this.requireTask(name).id, { enabled });
  }

  /** Warnings when another task covers one of the task's resources (overlap.ts). */
  coverWarnings(task: Task): string[] {
    return coverWarnings(this.db, task);
  }

  /** Removes the task, its history and scheduler state; its points stay. */
  /** INVALID_STATE while a run of the task is going (its jobs still write its history). */
  deleteTask(name: string): void {
    const task = this.requireTask(name);
    const running = this.db.listTaskRuns(task.id, { outcome: 'running', limit: 1 })[0];
    if (running !== undefined) {
      throw new VirtpointError(
        'INVALID_STATE',
        `task ${task.name} is running (run ${running.id}); delete it once the run has ended (virtpoint task history ${task.name}; virtpoint job list --state running)`,
      );
    }
    this.db.deleteTask(task.id);
  }

  /** Runs the task now (trigger manual), enabled or not; DOMAIN_BUSY while a domain of it is busy. */
  async runTask(name: string): Promise<TaskRun> {
    const task = this.requireTask(name);
    this.refuseBusy([task]);
    return this.deps.runTask({
      task,
      trigger: 'manual',
      policy: null,
      scheduledFor: null,
    });
  }

  /**
   * DOMAIN_BUSY naming the domains of `tasks` that have a job queued or running (a manual run
   * does not queue behind them; a scheduled one skips them). Checked before anything is recorded.
   */
  private refuseBusy(tasks: readonly Task[]): void {
    const busy = new Map<string, string>();
    for (const r of tasks.flatMap((t) => t.resources)) {
      if (this.deps.domainBusy(r.domainUuid)) busy.set(r.domainUuid, r.domainName);
    }
    if (busy.size === 0) return;
    const names = [...busy.values()].sort();
    const which = names.length === 1 ? `domain ${names[0]} has` : `domains ${names.join(', ')} have`;
    throw new VirtpointError(
      'DOMAIN_BUSY',
      `${which} a job queued or running (virtpoint job list --domain NAME); run again when it has ended`,
      { details: { domains: [...busy.keys()] } },
    );
  }

  /** The task's runs, newest first (at most 100 are kept). */
  history(name: string, limit?: number): TaskRun[] {
    return this.db.listTaskRuns(this.requireTask(name).id, limit === undefined ? {} : { limit });
  }

  /** The newest run of a task, or null. */
  lastRun(task: Task): TaskRun | null {
    return this.db.listTaskRuns(task.id, { limit: 1 })[0] ?? null;
  }

  /** The name of a task or policy by id (the id itself when it is gone). */
  taskName(id: string): string {
    return this.db.getTaskById(id)?.name ?? id;
  }
  policyName(id: string): string {
    return this.db.getPolicyById(id)?.name ?? id;
  }

  // ---- helpers ----

  private async resolveResources(resources: readonly TaskResourceInput[]): Promise<TaskResource[]> {
    const out: TaskResource[] = [];
    for (const r of resources) {
      if (r.volume !== undefined) {
        out.push(await this.resolveVolume(r.volume, out));
        continue;
      }
      const domain = await this.deps.hypervisor.lookupDomain(r.domain);
      const disks = r.disks === null ? null : selectDisks(domain, r.disks).map((d) => d.target);
      const dup = out.find((x) => x.domainUuid === domain.uuid);
      if (dup !== undefined) {
        throw invalid(
          `domain ${r.domain} is the same domain as ${dup.domainName} (${domain.uuid}); list it once`,
        );
      }
      out.push({ domainUuid: domain.uuid, domainName: domain.name, disks });
    }
    return out;
  }

  /** A detached volume: found, allowed, qcow2 or raw (whether it is attached is the run's check). */
  private async resolveVolume(ref: VolumeRef, before: readonly TaskResource[]): Promise<TaskResource> {
    if (this.deps.volumes === undefined)
      throw invalid('this daemon cannot back up detached volumes (no allowed_volume_dirs or pools)');
    const v = await this.deps.volumes.resolve(ref);
    const dup = before.find((x) => x.domainUuid === v.uuid);
    if (dup !== undefined)
      throw invalid(`volume ${volumeRefText(ref)} is the same file as ${dup.domainName}; list it once`);
    return { domainUuid: v.uuid, domainName: v.label, disks: null, volume: ref };
  }

  /** Distinct domains per policy once `resources` replace those of task `taskId` (null: a new task). */
  private checkDomainLimits(
    policies: readonly Policy[],
    resources: readonly TaskResource[],
    taskId: string | null,
  ): void {
    const domainsByPolicy: Record<string, number> = {};
    for (const policy of policies) {
      const uuids = new Set(resources.map((r) => r.domainUuid));
      for (const t of this.tasksOfPolicy(policy)) {
        if (t.id !== taskId) for (const r of t.resources) uuids.add(r.domainUuid);
      }
      domainsByPolicy[policy.name] = uuids.size;
    }
    checkLimits({ domainsByPolicy }, this.limits);
  }
}

function invalid(message: string): VirtpointError {
  return new VirtpointError('INVALID_ARGUMENT', message);
}
