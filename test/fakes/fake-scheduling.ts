import { VirtpointError } from '../../src/core/errors.js';
import type { SchedulingApi } from '../../src/service/scheduling/api.js';
import type {
  PolicyCreateInput,
  PolicyUpdateInput,
  PolicyView,
  TaskCreateInput,
  TaskRunView,
  TaskUpdateInput,
  TaskView,
} from '../../src/contract/index.js';

/**
 * The scheduling API in memory: policy `nightly` (weekly mon,thu at 02:00) with task
 * `web-daily` (domain web, count:7), and an unused policy `hourly`. `enter` records the call
 * (and throws an injected failure).
 */

const T0 = '2025-01-01T00:00:00.000Z';
export const WEB_UUID = '11111111-2222-3333-4444-555555555555';

export function policyView(over: Partial<PolicyView> = {}): PolicyView {
  return {
    name: 'nightly',
    enabled: true,
    schedule: { kind: 'weekly', days: ['mon', 'thu'], times: ['02:00'] },
    tasks: ['web-daily'],
    createdAt: T0,
    nextRun: '2025-01-02T02:00:00.000Z',
    ...over,
  };
}

export function taskView(over: Partial<TaskView> = {}): TaskView {
  return {
    name: 'web-daily',
    enabled: true,
    resources: [{ domain: WEB_UUID, domainName: 'web', disks: null }],
    policies: ['nightly'],
    chainLength: 30,
    retention: 'count:7',
    receivers: ['journal'],
    verifyAfter: false,
    copyTo: [],
    runCount: 1,
    lastRun: {
      id: 'e00000000001',
      trigger: 'schedule',
      startedAt: T0,
      endedAt: T0,
      outcome: 'succeeded',
      warnings: [],
    },
    createdAt: T0,
    ...over,
  };
}

export function runView(over: Partial<TaskRunView> = {}): TaskRunView {
  return {
    id: 'e00000000001',
    task: 'web-daily',
    trigger: 'schedule',
    policy: 'nightly',
    scheduledFor: T0,
    startedAt: T0,
    endedAt: T0,
    outcome: 'succeeded',
    resources: [{ domain: WEB_UUID, domainName: 'web', outcome: 'succeeded', pointId: 'a00000000002' }],
    notifications: [{ receiver: 'journal', ok: true, attempts: 1, durationMs: 1 }],
    warnings: [],
    ...over,
  };
}

export class FakeScheduling implements SchedulingApi {
  readonly policies = new Map<string, PolicyView>([
    [
      'hourly',
      policyView({ name: 'hourly', tasks: [], schedule: { kind: 'every-days', n: 1, times: ['00:00'] } }),
    ],
    ['nightly', policyView()],
  ]);
  readonly tasks = new Map<string, TaskView>([['web-daily', taskView()]]);
  readonly runs: TaskRunView[] = [runView()];

  constructor(private readonly enter: (method: string, ...args: unknown[]) => void) {}

  private policy(name: string): PolicyView {
    const p = this.policies.get(name);
    if (p === undefined) throw new VirtpointError('NOT_FOUND', `no policy named ${name}`);
    return p;
  }

  private task(name: string): TaskView {
    const t = this.tasks.get(name);
    if (t === undefined) throw new VirtpointError('NOT_FOUND', `no task named ${name}`);
    return t;
  }

  async listPolicies(): Promise<PolicyView[]> {
    this.enter('listPolicies');
    return [...this.policies.values()];
  }
  async getPolicy(name: string): Promise<PolicyView> {
    this.enter('getPolicy', name);
    return this.policy(name);
  }
  async createPolicy(input: PolicyCreateInput): Promise<PolicyView> {
    this.enter('createPolicy', input);
    if (this.policies.has(input.name))
      throw new VirtpointError('ALREADY_EXISTS', `policy ${input.name} exists`);
    const p = policyView({
      name: input.name,
      schedule: input.schedule,
      enabled: input.enabled ?? true,
      tasks: [],
    });
    this.policies.set(p.name, p);
    return p;
  }
  async updatePolicy(name: string, patch: PolicyUpdateInput): Promise<PolicyView> {
    this.enter('updatePolicy', name, patch);
    const p = { ...this.policy(name), ...patch };
    this.policies.delete(name);
    this.policies.set(p.name, p);
    return p;
  }
  async setPolicyEnabled(name: string, enabled: boolean): Promise<PolicyView> {
    this.enter('setPolicyEnabled', name, enabled);
    const p = { ...this.policy(name), enabled };
    this.policies.set(name, p);
    return p;
  }
  async deletePolicy(name: string): Promise<void> {
    this.enter('deletePolicy', name);
    const p = this.policy(name);
    if (p.tasks.length > 0) {
      throw new VirtpointError('INVALID_STATE', `policy ${name} is used by tasks ${p.tasks.join(', ')}`);
    }
    this.policies.delete(name);
  }
  async runPolicy(name: string): Promise<TaskRunView[]> {
    this.enter('runPolicy', name);
    return this.policy(name).tasks.map((task) =>
      runView({
        id: 'e00000000002',
        task,
        trigger: 'manual',
        policy: name,
        outcome: 'running',
        endedAt: null,
      }),
    );
  }
  async listTasks(filter: { policy?: string }): Promise<TaskView[]> {
    this.enter('listTasks', filter);
    if (filter.policy !== undefined) this.policy(filter.policy);
    return [...this.tasks.values()].filter(
      (t) => filter.policy === undefined || t.policies.includes(filter.policy),
    );
  }
  async getTask(name: string): Promise<TaskView> {
    this.enter('getTask', name);
    return this.task(name);
  }
  async createTask(input: TaskCreateInput): Promise<TaskView> {
    this.enter('createTask', input);
    if (this.tasks.has(input.name)) throw new VirtpointError('ALREADY_EXISTS', `task ${input.name} exists`);
    const t = taskView({ name: input.name, policies: [...input.policies], runCount: 0, lastRun: null });
    this.tasks.set(t.name, t);
    return t;
  }
  async updateTask(name: string, patch: TaskUpdateInput): Promise<TaskView> {
    this.enter('updateTask', name, patch);
    const t = { ...this.task(name), ...(patch.name === undefined ? {} : { name: patch.name }) };
    this.tasks.delete(name);
    this.tasks.set(t.name, t);
    return t;
  }
  async setTaskEnabled(name: string, enabled: boolean): Promise<TaskView> {
    this.enter('setTaskEnabled', name, enabled);
    const t = { ...this.task(name), enabled };
    this.tasks.set(name, t);
    return t;
  }
  async deleteTask(name: string): Promise<void> {
    this.enter('deleteTask', name);
    this.task(name);
    this.tasks.delete(name);
  }
  async runTask(name: string): Promise<TaskRunView> {
    this.enter('runTask', name);
    this.task(name);
    return runView({
      id: 'e00000000003',
      task: name,
      trigger: 'manual',
      policy: null,
      outcome: 'running',
      endedAt: null,
    });
  }
  async taskHistory(name: string, filter: { limit?: number }): Promise<TaskRunView[]> {
    this.enter('taskHistory', name, filter);
    this.task(name);
    return this.runs.filter((r) => r.task === name).slice(0, filter.limit ?? 100);
  }
}
