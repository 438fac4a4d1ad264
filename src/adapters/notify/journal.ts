/**
 * Journal receiver: one structured log line through the Logger port (pino → stdout → journald
 * under systemd), level info when the run succeeded and warn otherwise, the payload under the
 * `notification` key. Never rejects.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../ports/logger.js';
import type { DeliveryResult, Notification } from '../../ports/notifier.js';

export const JOURNAL_PAYLOAD_KEY = 'notification';

/** The line's fields and message, and whether it is good news (info) or not (warn). */
function describe(p: Notification): { fields: Record<string, string>; msg: string; good: boolean } {
  if (p.event === 'verify') {
    return {
      fields: { event: p.event, task: p.task.name, point: p.point.id, trigger: p.verify.trigger },
      msg: `task ${p.task.name}: point ${p.point.id} of ${p.point.domainName} failed verify (${p.verify.summary})`,
      good: false,
    };
  }
  if (p.event === 'copy') {
    return {
      fields: { event: p.event, task: p.task.name, point: p.point.id, target: p.copy.target },
      msg: `task ${p.task.name}: the copy of point ${p.point.id} of ${p.point.domainName} to ${p.copy.target} failed ${p.copy.attempts} times, given up (${p.copy.error.message})`,
      good: false,
    };
  }
  if (p.event === 'test') {
    return { fields: { event: p.event, task: p.task.name }, msg: p.message, good: true };
  }
  const { task, run } = p;
  return {
    fields: { event: p.event, task: task.name, runId: run.id, outcome: run.outcome },
    msg: `task ${task.name} run ${run.outcome} (${run.trigger})`,
    good: run.outcome === 'succeeded',
  };
}

export function sendJournal(logger: Logger, payload: Notification): Promise<DeliveryResult> {
  const started = performance.now();
  try {
    const { fields, msg, good } = describe(payload);
    const line = { ...fields, [JOURNAL_PAYLOAD_KEY]: payload };
    if (good) logger.info(line, msg);
    else logger.warn(line, msg);
    return Promise.resolve({
      receiver: 'journal',
      ok: true,
      attempts: 1,
      durationMs: Math.round(performance.now() - started),
    });
  } catch (e) {
    return Promise.resolve({
      receiver: 'journal',
      ok: false,
      attempts: 1,
      error: { code: 'INTERNAL', message: `journal: ${e instanceof Error ? e.message : String(e)}` },
      durationMs: Math.round(performance.now() - started),
    });
  }
}
