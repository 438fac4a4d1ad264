/**
 * Warnings of a task run (docs/scheduling.md "Run outcomes"): what went wrong although the run's
 * backups succeeded. A run all of whose resources succeeded ends `succeeded-with-warnings`
 * instead of `succeeded` when
 *
 * - a resource's point fell back to crash consistency (scheduled backups ask `quiesce auto`:
 *   the guest agent was missing or the freeze failed): a warning on that resource
 *   (`TaskRunResource.warnings`), its `consistency` beside it;
 * - a notification could not be delivered. Delivery happens after the run has ended and has
 *   been recorded (the notification carries that outcome), so the run record is updated when
 *   the delivery results are in: `succeeded` becomes `succeeded-with-warnings`. Other outcomes
 *   (partial, failed, skipped, missed) stay; the failed delivery is in `notifications` either way.
 */

import type {
  DeliveryResult,
  TaskRun,
  TaskRunOutcome,
  TaskRunResource,
} from '../../ports/scheduling-catalog.js';
import type { Point } from '../../ports/catalog.js';

/** The warnings a resource's point carries: one when it is crash-consistent. */
export function pointWarnings(
  point: Pick<Point, 'id' | 'name' | 'consistency' | 'consistencyReason'>,
): string[] {
  if (point.consistency !== 'crash') return [];
  const why = point.consistencyReason ?? 'the guest filesystems were not frozen';
  return [`point ${point.name} (${point.id}) is crash-consistent: ${why}`];
}

export function hasWarnings(r: Pick<TaskRunResource, 'warnings'>): boolean {
  return (r.warnings?.length ?? 0) > 0;
}

/** The outcome once the delivery results are in: a failed delivery turns `succeeded` into a warning. */
export function outcomeAfterDelivery(
  outcome: TaskRunOutcome,
  results: readonly DeliveryResult[],
): TaskRunOutcome {
  return outcome === 'succeeded' && results.some((r) => !r.ok) ? 'succeeded-with-warnings' : outcome;
}

/** Every warning of a run: the resources' (`DOMAIN: …`), then each failed delivery. */
export function runWarnings(run: Pick<TaskRun, 'resources' | 'notifications'>): string[] {
  const out: string[] = [];
  for (const r of run.resources) for (const w of r.warnings ?? []) out.push(`${r.domainName}: ${w}`);
  for (const n of run.notifications) {
    if (!n.ok) {
      const why = n.error === undefined ? 'no reason given' : `${n.error.message} (${n.error.code})`;
      out.push(`notification ${n.receiver} failed: ${why}`);
    }
  }
  return out;
}
