/**
 * Journal receiver: one structured log line through the Logger port (pino → stdout → journald
 * under systemd), level info when the run succeeded and warn otherwise, the payload under the
 * `notification` key. Never rejects.
 */
import { performance } from 'node:perf_hooks';
import type { Logger } from '../../ports/logger.js';
import type { DeliveryResult, RunNotification } from '../../ports/notifier.js';

export const JOURNAL_PAYLOAD_KEY = 'notification';

export function sendJournal(logger: Logger, payload: RunNotification): Promise<DeliveryResult> {
  const started = performance.now();
  const { task, run } = payload;
  const fields = { event: payload.event, task: task.name, runId: run.id, outcome: run.outcome };
  const msg = `task ${task.name} run ${run.outcome} (${run.trigger})`;
  try {
    const line = { ...fields, [JOURNAL_PAYLOAD_KEY]: payload };
    if (run.outcome === 'succeeded') logger.info(line, msg);
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
