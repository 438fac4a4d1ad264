/**
 * The SchedulingCatalog on SQLite (ports/scheduling-catalog.ts): policies, tasks, their run
 * history and the scheduler's state, in the catalog's database (`SqliteCatalog.scheduling`).
 *
 * Schema (migration version 3, SCHEDULING_SCHEMA below). Times ms since the epoch, ids 12 hex.
 *
 * policies         id PK, name UNIQUE, schedule (JSON, core/schedule Schedule), enabled 0|1,
 *                  created_at, updated_at.
 * tasks            id PK, name UNIQUE, resources (JSON [{domainUuid, domainName, disks|null}]),
 *                  chain_length 1–30, retention (text: forever|chains:N|count:N|days:N|keep-…),
 *                  receivers (JSON list of receiver texts), enabled 0|1, run_count ≥ 0,
 *                  created_at, updated_at.
 * task_policies    (task_id → tasks cascade, policy_id → policies RESTRICT) PK, position: a
 *                  policy a task uses cannot be deleted.
 * task_runs        id PK, task_id → tasks cascade, trigger schedule|manual|catch-up, policy_id
 *                  → policies (nullable, set null), scheduled_for, started_at, ended_at (null iff
 *                  running), outcome running|succeeded|partial|failed|skipped|missed, resources
 *                  (JSON per-resource outcome), notifications (JSON delivery results). The newest
 *                  100 runs per task are kept (pruned on insert; running runs are never pruned).
 * scheduler_state  (task_id → tasks cascade, policy_id → policies cascade) PK, last_fired_at.
 */

import type { Database } from 'better-sqlite3';

import { VirtpointError } from '../../core/errors.js';
import { newId, type RandomBytes } from '../../core/names.js';
import { formatReceiver, parseReceiver } from '../../core/policy-task.js';
import { formatRetention, parseRetention } from '../../core/retention.js';
import type { Schedule } from '../../core/schedule.js';
import {
  type NewPolicy,
  type NewTask,
  type NewTaskRun,
  type Policy,
  type PolicyPatch,
  type SchedulerStateEntry,
  type SchedulingCatalog,
  type Task,
  type TaskFilter,
  type TaskPatch,
  type TaskResource,
  type TaskRun,
  type TaskRunOutcome,
  type TaskRunPatch,
} from '../../ports/scheduling-catalog.js';
import type { StatementCache } from './query.js';
import { translateSqliteError } from './rows.js';
import { SqliteTaskRuns } from './sqlite-task-runs.js';

const list = (values: readonly string[]) => values.map((v) => `'${v}'`).join(', ');
const RUN_TRIGGERS = list(['schedule', 'manual', 'catch-up']);
const RUN_OUTCOMES = list(['running', 'succeeded', 'partial', 'failed', 'skipped', 'missed']);

export const SCHEDULING_SCHEMA = `
CREATE TABLE policies (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  schedule   TEXT NOT NULL,
  enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE tasks (
  id           TEXT PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  resources    TEXT NOT NULL,
  chain_length INTEGER NOT NULL CHECK (chain_length BETWEEN 1 AND 30),
  retention    TEXT NOT NULL,
  receivers    TEXT NOT NULL,
  enabled      INTEGER NOT NULL CHECK (enabled IN (0, 1)),
  run_count    INTEGER NOT NULL DEFAULT 0 CHECK (run_count >= 0),
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
) STRICT;

CREATE TABLE task_policies (
  task_id   TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  policy_id TEXT NOT NULL REFERENCES policies(id) ON DELETE RESTRICT,
  position  INTEGER NOT NULL,
  PRIMARY KEY (task_id, policy_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX task_policies_by_policy ON task_policies(policy_id);

CREATE TABLE task_runs (
  id            TEXT PRIMARY KEY,
  task_id       TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  trigger       TEXT NOT NULL CHECK (trigger IN (${RUN_TRIGGERS})),
  policy_id     TEXT REFERENCES policies(id) ON DELETE SET NULL,
  scheduled_for INTEGER,
  started_at    INTEGER NOT NULL,
  ended_at      INTEGER,
  outcome       TEXT NOT NULL CHECK (outcome IN (${RUN_OUTCOMES})),
  resources     TEXT NOT NULL DEFAULT '[]',
  notifications TEXT NOT NULL DEFAULT '[]',
  CHECK ((outcome = 'running') = (ended_at IS NULL))
) STRICT;
CREATE INDEX task_runs_by_task ON task_runs(task_id, started_at);

CREATE TABLE scheduler_state (
  task_id       TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
  policy_id     TEXT NOT NULL REFERENCES policies(id) ON DELETE CASCADE,
  last_fired_at INTEGER NOT NULL,
  PRIMARY KEY (task_id, policy_id)
) STRICT, WITHOUT ROWID;
`;

interface PolicyRow {
  id: string;
  name: string;
  schedule: string;
  enabled: number;
  created_at: number;
  updated_at: number;
}

interface TaskRow {
  id: string;
  name: string;
  resources: string;
  chain_length: number;
  retention: string;
  receivers: string;
  enabled: number;
  verify_after: number;
  run_count: number;
  created_at: number;
  updated_at: number;
}

function toPolicy(r: PolicyRow): Policy {
  return {
    id: r.id,
    name: r.name,
    schedule: JSON.parse(r.schedule) as Schedule,
    enabled: r.enabled === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export class SqliteScheduling implements SchedulingCatalog {
  private readonly runs: SqliteTaskRuns;

  constructor(
    private readonly db: Database,
    private readonly stmt: StatementCache,
    private readonly now: () => number,
    private readonly random: RandomBytes,
  ) {
    this.runs = new SqliteTaskRuns(stmt, now, random);
  }

  private run<T>(what: string, fn: () => T): T {
    try {
      return this.db.transaction(fn).immediate();
    } catch (e) {
      throw translateSqliteError(e, what);
    }
  }

  private sql(sql: string) {
    return this.stmt.get(sql);
  }

  transaction<T>(fn: () => T): T {
    return this.run('transaction', fn);
  }

  // ---- policies ----

  createPolicy(input: NewPolicy): Policy {
    return this.run('create policy', () => {
      this.assertFreeName('policies', input.name, 'a policy');
      const id = newId(this.random);
      const t = this.now();
      this.sql(
        `INSERT INTO policies (id, name, schedule, enabled, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(id, input.name, JSON.stringify(input.schedule), input.enabled ? 1 : 0, t, t);
      return this.requirePolicy(id);
    });
  }

  getPolicy(name: string): Policy | null {
    const r = this.sql('SELECT * FROM policies WHERE name = ?').get(name) as PolicyRow | undefined;
    return r === undefined ? null : toPolicy(r);
  }

  getPolicyById(id: string): Policy | null {
    const r = this.sql('SELECT * FROM policies WHERE id = ?').get(id) as PolicyRow | undefined;
    return r === undefined ? null : toPolicy(r);
  }

  listPolicies(): Policy[] {
    return (this.sql('SELECT * FROM policies ORDER BY name').all() as PolicyRow[]).map(toPolicy);
  }

  updatePolicy(id: string, patch: PolicyPatch): Policy {
    return this.run('update policy', () => {
      const cur = this.requirePolicy(id);
      if (patch.name !== undefined && patch.name !== cur.name) {
        this.assertFreeName('policies', patch.name, 'a policy');
      }
      this.sql(`UPDATE policies SET name = ?, schedule = ?, enabled = ?, updated_at = ? WHERE id = ?`).run(
        patch.name ?? cur.name,
        JSON.stringify(patch.schedule ?? cur.schedule),
        (patch.enabled ?? cur.enabled) ? 1 : 0,
        this.now(),
        id,
      );
      return this.requirePolicy(id);
    });
  }

  deletePolicy(id: string): void {
    this.run('delete policy', () => {
      const policy = this.requirePolicy(id);
      const users = this.listTasks({ policyId: id }).map((t) => t.name);
      if (users.length > 0) {
        throw new VirtpointError(
          'INVALID_STATE',
          `policy ${policy.name} is used by task${users.length > 1 ? 's' : ''} ${users.join(', ')}; ` +
            'delete those tasks first',
        );
      }
      this.sql('DELETE FROM policies WHERE id = ?').run(id);
    });
  }

  private requirePolicy(id: string): Policy {
    const p = this.getPolicyById(id);
    if (p === null) throw new VirtpointError('NOT_FOUND', `no policy with id ${id}`);
    return p;
  }

  private assertFreeName(table: 'policies' | 'tasks', name: string, what: string): void {
    if (this.sql(`SELECT 1 FROM ${table} WHERE name = ?`).get(name) !== undefined) {
      throw new VirtpointError('ALREADY_EXISTS', `${what} named ${name} already exists`);
    }
  }

  // ---- tasks ----

  createTask(input: NewTask): Task {
    return this.run('create task', () => {
      this.assertFreeName('tasks', input.name, 'a task');
      const id = newId(this.random);
      const t = this.now();
      this.sql(
        `INSERT INTO tasks (id, name, resources, chain_length, retention, receivers, enabled, verify_after,
                            run_count, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)`,
      ).run(
        id,
        input.name,
        JSON.stringify(input.resources),
        input.chainLength,
        formatRetention(input.retention),
        JSON.stringify(input.receivers.map(formatReceiver)),
        input.enabled ? 1 : 0,
        input.verifyAfter === true ? 1 : 0,
        t,
        t,
      );
      this.setTaskTargets(id, input.copyTo ?? []);
      input.policyIds.forEach((policyId, position) => {
        this.requirePolicy(policyId);
        this.sql('INSERT INTO task_policies (task_id, policy_id, position) VALUES (?, ?, ?)').run(
          id,
          policyId,
          position,
        );
      });
      return this.requireTask(id);
    });
  }

  getTask(name: string): Task | null {
    const r = this.sql('SELECT * FROM tasks WHERE name = ?').get(name) as TaskRow | undefined;
    return r === undefined ? null : this.toTask(r);
  }

  getTaskById(id: string): Task | null {
    const r = this.sql('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
    return r === undefined ? null : this.toTask(r);
  }

  listTasks(filter: TaskFilter = {}): Task[] {
    const rows = this.sql('SELECT * FROM tasks ORDER BY name').all() as TaskRow[];
    return rows
      .map((r) => this.toTask(r))
      .filter(
        (t) =>
          (filter.enabled === undefined || t.enabled === filter.enabled) &&
          (filter.policyId === undefined || t.policies.some((p) => p.id === filter.policyId)) &&
          (filter.domainUuid === undefined || t.resources.some((r) => r.domainUuid === filter.domainUuid)),
      );
  }

  updateTask(id: string, patch: TaskPatch): Task {
    return this.run('update task', () => {
      const cur = this.requireTask(id);
      if (patch.name !== undefined && patch.name !== cur.name) {
        this.assertFreeName('tasks', patch.name, 'a task');
      }
      this.sql(
        `UPDATE tasks SET name = ?, resources = ?, chain_length = ?, retention = ?, receivers = ?,
                          enabled = ?, verify_after = ?, updated_at = ?
         WHERE id = ?`,
      ).run(
        patch.name ?? cur.name,
        JSON.stringify(patch.resources ?? cur.resources),
        patch.chainLength ?? cur.chainLength,
        formatRetention(patch.retention ?? cur.retention),
        JSON.stringify((patch.receivers ?? cur.receivers).map(formatReceiver)),
        (patch.enabled ?? cur.enabled) ? 1 : 0,
        (patch.verifyAfter ?? cur.verifyAfter) ? 1 : 0,
        this.now(),
        id,
      );
      if (patch.copyTo !== undefined) this.setTaskTargets(id, patch.copyTo);
      return this.requireTask(id);
    });
  }

  deleteTask(id: string): void {
    this.run('delete task', () => {
      this.requireTask(id);
      this.sql('DELETE FROM tasks WHERE id = ?').run(id);
    });
  }

  private setTaskTargets(taskId: string, targetIds: readonly string[]): void {
    this.sql('DELETE FROM task_targets WHERE task_id = ?').run(taskId);
    targetIds.forEach((targetId, position) => {
      if (this.sql('SELECT 1 FROM targets WHERE id = ?').get(targetId) === undefined) {
        throw new VirtpointError('TARGET_NOT_FOUND', `no target ${targetId}: see 'virtpoint target list'`);
      }
      this.sql('INSERT INTO task_targets (task_id, target_id, position) VALUES (?, ?, ?)').run(
        taskId,
        targetId,
        position,
      );
    });
  }

  private toTask(r: TaskRow): Task {
    const policies = this.sql(
      `SELECT p.id, p.name FROM task_policies tp JOIN policies p ON p.id = tp.policy_id
       WHERE tp.task_id = ? ORDER BY tp.position`,
    ).all(r.id) as { id: string; name: string }[];
    return {
      id: r.id,
      name: r.name,
      resources: JSON.parse(r.resources) as TaskResource[],
      policies,
      chainLength: r.chain_length,
      retention: parseRetention(r.retention),
      receivers: (JSON.parse(r.receivers) as string[]).map(parseReceiver),
      enabled: r.enabled === 1,
      verifyAfter: r.verify_after === 1,
      copyTo: this.sql(
        `SELECT g.id, g.name FROM task_targets tt JOIN targets g ON g.id = tt.target_id
         WHERE tt.task_id = ? ORDER BY tt.position`,
      ).all(r.id) as { id: string; name: string }[],
      runCount: r.run_count,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    };
  }

  private requireTask(id: string): Task {
    const t = this.getTaskById(id);
    if (t === null) throw new VirtpointError('NOT_FOUND', `no task with id ${id}`);
    return t;
  }

  // ---- runs and scheduler state (sqlite-task-runs.ts) ----

  createTaskRun(input: NewTaskRun): TaskRun {
    return this.run('create task run', () => this.runs.create(input));
  }
  getTaskRun(id: string): TaskRun | null {
    return this.runs.get(id);
  }
  listTaskRuns(taskId: string, opts: { limit?: number; outcome?: TaskRunOutcome } = {}): TaskRun[] {
    return this.runs.list(taskId, opts);
  }
  updateTaskRun(id: string, patch: TaskRunPatch): TaskRun {
    return this.run('update task run', () => this.runs.update(id, patch));
  }
  listSchedulerState(filter: { taskId?: string } = {}): SchedulerStateEntry[] {
    return this.runs.listState(filter);
  }
  setLastFired(taskId: string, policyId: string, at: number): SchedulerStateEntry {
    return this.run('set last fired', () => this.runs.setLastFired(taskId, policyId, at));
  }
}
