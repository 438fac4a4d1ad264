/**
 * Row access for the run history of tasks (task_runs) and the scheduler's state
 * (scheduler_state); schema in sqlite-scheduling.ts. Used by SqliteScheduling, which owns
 * transactions and error translation.
 */

import { VirtpointError } from '../../core/errors.js';
import { newId, type RandomBytes } from '../../core/names.js';
import {
  TASK_RUNS_KEPT,
  type NewTaskRun,
  type SchedulerStateEntry,
  type TaskRun,
  type TaskRunOutcome,
  type TaskRunPatch,
} from '../../ports/scheduling-catalog.js';
import type { StatementCache } from './query.js';

interface TaskRunRow {
  id: string;
  task_id: string;
  trigger: string;
  policy_id: string | null;
  scheduled_for: number | null;
  started_at: number;
  ended_at: number | null;
  outcome: string;
  resources: string;
  notifications: string;
}

function toTaskRun(r: TaskRunRow): TaskRun {
  return {
    id: r.id,
    taskId: r.task_id,
    trigger: r.trigger as TaskRun['trigger'],
    policyId: r.policy_id,
    scheduledFor: r.scheduled_for,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    outcome: r.outcome as TaskRunOutcome,
    resources: JSON.parse(r.resources) as TaskRun['resources'],
    notifications: JSON.parse(r.notifications) as TaskRun['notifications'],
  };
}

/** Skipped and missed runs are recorded ended and are not executions (run count). */
const ENDED_ONLY: readonly TaskRunOutcome[] = ['skipped', 'missed'];

export class SqliteTaskRuns {
  constructor(
    private readonly stmt: StatementCache,
    private readonly now: () => number,
    private readonly random: RandomBytes,
  ) {}

  private requireTask(id: string): void {
    if (this.stmt.get('SELECT 1 FROM tasks WHERE id = ?').get(id) === undefined) {
      throw new VirtpointError('NOT_FOUND', `no task with id ${id}`);
    }
  }

  private requirePolicy(id: string): void {
    if (this.stmt.get('SELECT 1 FROM policies WHERE id = ?').get(id) === undefined) {
      throw new VirtpointError('NOT_FOUND', `no policy with id ${id}`);
    }
  }

  create(input: NewTaskRun): TaskRun {
    this.requireTask(input.taskId);
    if (input.policyId != null) this.requirePolicy(input.policyId);
    const id = newId(this.random);
    const outcome = input.outcome ?? 'running';
    const startedAt = input.startedAt ?? this.now();
    const ended = outcome === 'running' ? null : startedAt;
    this.stmt
      .get(
        `INSERT INTO task_runs (id, task_id, trigger, policy_id, scheduled_for, started_at, ended_at, outcome,
                                resources)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.taskId,
        input.trigger,
        input.policyId ?? null,
        input.scheduledFor ?? null,
        startedAt,
        ended,
        outcome,
        JSON.stringify(input.resources ?? []),
      );
    if (!ENDED_ONLY.includes(outcome)) {
      this.stmt.get('UPDATE tasks SET run_count = run_count + 1 WHERE id = ?').run(input.taskId);
    }
    this.stmt
      .get(
        `DELETE FROM task_runs WHERE task_id = @task AND outcome <> 'running' AND id NOT IN (
           SELECT id FROM task_runs WHERE task_id = @task ORDER BY started_at DESC, rowid DESC LIMIT @keep)`,
      )
      .run({ task: input.taskId, keep: TASK_RUNS_KEPT });
    return this.requireRun(id);
  }

  get(id: string): TaskRun | null {
    const r = this.stmt.get('SELECT * FROM task_runs WHERE id = ?').get(id) as TaskRunRow | undefined;
    return r === undefined ? null : toTaskRun(r);
  }

  list(taskId: string, opts: { limit?: number; outcome?: TaskRunOutcome } = {}): TaskRun[] {
    const rows = this.stmt
      .get(
        `SELECT * FROM task_runs WHERE task_id = @task AND (@outcome IS NULL OR outcome = @outcome)
       ORDER BY started_at DESC, rowid DESC LIMIT @limit`,
      )
      .all({
        task: taskId,
        outcome: opts.outcome ?? null,
        limit: opts.limit ?? TASK_RUNS_KEPT,
      }) as TaskRunRow[];
    return rows.map(toTaskRun);
  }

  update(id: string, patch: TaskRunPatch): TaskRun {
    const cur = this.requireRun(id);
    const outcome = patch.outcome ?? cur.outcome;
    if (cur.outcome !== 'running' && outcome === 'running') {
      throw new VirtpointError('INVALID_STATE', `run ${id} has ended (${cur.outcome})`);
    }
    const endedAt = outcome === 'running' ? null : (patch.endedAt ?? cur.endedAt ?? this.now());
    this.stmt
      .get(`UPDATE task_runs SET outcome = ?, ended_at = ?, resources = ?, notifications = ? WHERE id = ?`)
      .run(
        outcome,
        endedAt,
        JSON.stringify(patch.resources ?? cur.resources),
        JSON.stringify(patch.notifications ?? cur.notifications),
        id,
      );
    return this.requireRun(id);
  }

  private requireRun(id: string): TaskRun {
    const r = this.get(id);
    if (r === null) throw new VirtpointError('NOT_FOUND', `no task run ${id}`);
    return r;
  }

  // ---- scheduler state ----

  listState(filter: { taskId?: string } = {}): SchedulerStateEntry[] {
    const rows = this.stmt
      .get(
        `SELECT task_id, policy_id, last_fired_at FROM scheduler_state
       WHERE @task IS NULL OR task_id = @task ORDER BY task_id, policy_id`,
      )
      .all({ task: filter.taskId ?? null }) as {
      task_id: string;
      policy_id: string;
      last_fired_at: number;
    }[];
    return rows.map((r) => ({ taskId: r.task_id, policyId: r.policy_id, lastFiredAt: r.last_fired_at }));
  }

  setLastFired(taskId: string, policyId: string, at: number): SchedulerStateEntry {
    this.requireTask(taskId);
    this.requirePolicy(policyId);
    this.stmt
      .get(
        `INSERT INTO scheduler_state (task_id, policy_id, last_fired_at) VALUES (?, ?, ?)
         ON CONFLICT (task_id, policy_id) DO UPDATE SET last_fired_at = excluded.last_fired_at`,
      )
      .run(taskId, policyId, at);
    return { taskId, policyId, lastFiredAt: at };
  }
}
