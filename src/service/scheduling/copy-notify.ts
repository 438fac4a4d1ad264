/**
 * A task's copy given up after its last retry reaches the task that owns the point's chain
 * (docs/notifications.md "copy"): its receivers get a `copy` notification. Copies of points of
 * manual chains, and of tasks without receivers, are only logged (by auto-copy.ts).
 */

import type { Copy } from '../../ports/copies-catalog.js';
import { tellOwner, type VerifyNotifyDeps } from './verify-notify.js';

/** AutoCopies' onGiveUp: sends in the background, never throws. */
export function copyGiveUpNotifier(deps: VerifyNotifyDeps): (copy: Copy) => void {
  return (copy) => {
    const point = deps.catalog.getPoint(copy.pointId);
    const error = copy.error;
    if (point === null || error === null) return;
    tellOwner(deps, point, 'copy', (task, ref, at, host) => ({
      version: 1,
      event: 'copy',
      host,
      task: { name: task.name },
      copy: { target: copy.targetName, state: 'failed', attempts: copy.attempts, at, error },
      point: ref,
    }));
  };
}
