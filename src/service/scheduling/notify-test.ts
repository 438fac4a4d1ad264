/**
 * `virtpoint task notify-test NAME` (POST /v1/tasks/{name}/notify-test): a `test` notification
 * (docs/notifications.md "Event test") to every receiver of the task through the RunNotifier
 * port, as a run's would go; the answer is one delivery result per receiver, in the task's order.
 * Sends nothing else, records nothing: a test is not a run.
 */

import { hostname } from 'node:os';

import { VirtpointError } from '../../core/errors.js';
import type { DeliveryResult, Notification, TestNotification } from '../../ports/notifier.js';
import type { Task } from '../../ports/scheduling-catalog.js';
import type { NotifyTestView } from '../../contract/index.js';
import { isoWithOffset } from './task-exec.js';

export interface NotifyTestDeps {
  /** The task named `name`, or null. */
  readonly getTask: (name: string) => Task | null;
  readonly notify: (receivers: Task['receivers'], payload: Notification) => Promise<DeliveryResult[]>;
  readonly timeZone: string;
  readonly now: () => number;
  readonly host?: string;
}

export interface NotifyTestApi {
  /** NOT_FOUND for an unknown task; INVALID_STATE when it has no receivers. Never fails on a delivery. */
  notifyTest(taskName: string): Promise<NotifyTestView>;
}

export function testPayload(task: Task, at: string, host: string): TestNotification {
  return {
    version: 1,
    event: 'test',
    host,
    task: { name: task.name },
    at,
    message: `test notification of task ${task.name} from virtpoint on ${host}`,
  };
}

export class NotifyTestApiImpl implements NotifyTestApi {
  constructor(private readonly deps: NotifyTestDeps) {}

  async notifyTest(taskName: string): Promise<NotifyTestView> {
    const task = this.deps.getTask(taskName);
    if (task === null) {
      throw new VirtpointError('NOT_FOUND', `no task named ${taskName} (virtpoint task list)`);
    }
    if (task.receivers.length === 0) {
      throw new VirtpointError(
        'INVALID_STATE',
        `task ${task.name} has no notification receivers: add one with virtpoint task update ${task.name} --notify RECEIVER`,
      );
    }
    const payload = testPayload(
      task,
      isoWithOffset(this.deps.now(), this.deps.timeZone),
      this.deps.host ?? hostname(),
    );
    const results = await this.deps.notify(task.receivers, payload);
    return {
      task: task.name,
      event: 'test',
      results: results.map((r) => ({
        receiver: r.receiver,
        ok: r.ok,
        attempts: r.attempts,
        durationMs: r.durationMs,
        ...(r.httpStatus === undefined ? {} : { httpStatus: r.httpStatus }),
        ...(r.error === undefined ? {} : { error: { code: r.error.code, message: r.error.message } }),
      })),
    };
  }
}
